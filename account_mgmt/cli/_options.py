"""The common options of every command, parsed and checked into one ``CommonOptions``.

Bad values are usage errors (exit 2), raised before anything is built or sent.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar, cast

import attrs
import click

if TYPE_CHECKING:
    from account_mgmt.org import AccountSelection

F = TypeVar("F", bound=Callable[..., Any])

_ACCOUNT_ID: Final = re.compile(r"\d{12}")
_OU_ID: Final = re.compile(r"(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})")


ORGANIZATIONS_QUOTA: Final = "Organizations"
"""``--quota`` name for the Organizations calls (one shared rate, a few a second)."""


@attrs.frozen
class QuotaSetting:
    """One ``--quota NAME=RATE[/BURST]``: the rate an operation is paced at."""

    name: str
    """An Account Management operation, or ``Organizations`` for all of its calls."""
    rate: float
    """Requests a second."""
    burst: int | None
    """Requests allowed at once above the rate; None: the documented burst (or 1)."""


_QUOTA: Final = re.compile(r"([A-Za-z]+)=(\d+(?:\.\d+)?)(?:/(\d+))?")


def _quota_values(values: tuple[str, ...]) -> list[QuotaSetting]:
    """Parse ``--quota`` values (each may hold several, separated by spaces or commas:
    the ACCOUNT_MGMT_QUOTAS environment variable is one string)."""
    from account_mgmt._quotas import DOCUMENTED_QUOTAS  # no AWS stack: a table

    known = {*DOCUMENTED_QUOTAS, ORGANIZATIONS_QUOTA}
    out: list[QuotaSetting] = []
    for value in values:
        for part in re.split(r"[\s,]+", value.strip()):
            if not part:
                continue
            match = _QUOTA.fullmatch(part)
            if match is None:
                raise click.BadParameter(
                    f"{part[:40]!r} is not NAME=RATE or NAME=RATE/BURST (e.g. "
                    "GetAlternateContact=20/30)",
                    param_hint="--quota",
                )
            name, rate, burst = match.group(1), float(match.group(2)), match.group(3)
            shown = repr(part[:40]) + ("..." if len(part) > 40 else "")
            if name not in known:
                raise click.BadParameter(
                    f"{shown}: not an Account Management operation with a quota, nor "
                    f"{ORGANIZATIONS_QUOTA!r}",
                    param_hint="--quota",
                )
            if not 0 < rate < math.inf or (burst is not None and not 1 <= int(burst) < 10**6):
                raise click.BadParameter(
                    f"{shown}: the rate must be above 0 and finite, the burst from 1 to 999999",
                    param_hint="--quota",
                )
            if name == ORGANIZATIONS_QUOTA and burst is not None:
                raise click.BadParameter(
                    f"{shown}: Organizations takes a rate only", param_hint="--quota"
                )
            out.append(QuotaSetting(name, rate, None if burst is None else int(burst)))
    return out


@attrs.frozen(kw_only=True)
class CommonOptions:
    """The common options of every command, parsed and checked."""

    profile: str | None = None
    """AWS profile name (--profile)."""
    endpoint_url: str | None = None
    """Endpoint for both Account and Organizations (--endpoint-url)."""
    region: str | None = None
    """Region the client is configured for: decides partition and signing Region (--region)."""
    local: bool = False
    """Act on a built-in emulator started for this command (--local)."""
    account_ids: tuple[str, ...] = ()
    """Explicit ids from --accounts and --accounts-file, in order, each once."""
    ou: tuple[str, ...] = ()
    """OU paths (``/Prod/Payments``) and ids (``ou-...``, ``r-...``) from --ou."""
    all_accounts: bool = False
    """Every account of the organization (--all)."""
    exclude: tuple[str, ...] = ()
    """Account ids, OU paths and OU ids to leave out (--exclude)."""
    concurrency: int | None = None
    """Accounts in flight at once (--concurrency); None: the command's default."""
    output: Literal["text", "json"] = "text"
    """--output."""
    show_sensitive: bool = False
    """Print personal values instead of ``<redacted>`` (--show-sensitive)."""
    quiet: bool = False
    """No progress display (--quiet)."""
    verbose: int = 0
    """The library's log on stderr: 1 (-v) from INFO, 2 (-vv) from DEBUG; secrets redacted."""
    quotas: tuple[QuotaSetting, ...] = ()
    """Rates raised (or lowered) from the documented quotas (--quota), in order given."""
    region_opt_cap: int | None = None
    """Region switches at once in the organization (--region-opt-cap); None: the library's."""

    @property
    def has_selection(self) -> bool:
        """True when accounts were selected: the command fans out."""
        return bool(self.account_ids or self.ou or self.all_accounts)

    def selection(self) -> AccountSelection:
        """The selection as the org library takes it."""
        from account_mgmt.org import AccountSelection

        return AccountSelection(
            all_accounts=self.all_accounts,
            ou_paths=tuple(ou for ou in self.ou if ou.startswith("/")),
            ou_ids=tuple(ou for ou in self.ou if not ou.startswith("/")),
            account_ids=self.account_ids,
            exclude=self.exclude,
        )


def _split(values: Iterable[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _account_ids(values: Iterable[str], source: str) -> list[str]:
    ids = _split(values)
    bad = [value for value in ids if not _ACCOUNT_ID.fullmatch(value)]
    if bad:
        raise click.BadParameter(
            f"account ids are 12 digits; not {', '.join(repr(b) for b in bad[:5])}",
            param_hint=source,
        )
    return ids


def _read_accounts_file(path: str) -> list[str]:
    """Ids from a file (``-``: stdin): one or more per line, comma- or space-separated,
    ``#`` starting a comment."""
    with click.open_file(path, encoding="utf-8") as stream:
        lines = [line.split("#", 1)[0].replace(" ", ",") for line in stream]
    return _account_ids(lines, "--accounts-file")


def _ou_values(values: Iterable[str]) -> list[str]:
    out = []
    for value in values:
        ou = value.strip()
        if not (ou.startswith("/") or _OU_ID.fullmatch(ou)):
            raise click.BadParameter(
                f"{value!r} is neither an OU path starting with / nor an OU or root id "
                "(ou-xxxx-xxxxxxxx, r-xxxx)",
                param_hint="--ou",
            )
        if ou.startswith("/"):
            ou = ou.rstrip("/") or "/"
        out.append(ou)
    return out


def _exclude_values(values: Iterable[str]) -> list[str]:
    out = []
    for value in values:
        # An OU path is taken whole: OU names may hold commas.
        parts = [value.strip()] if value.strip().startswith("/") else _split([value])
        for part in parts:
            if not (_ACCOUNT_ID.fullmatch(part) or part.startswith("/") or _OU_ID.fullmatch(part)):
                raise click.BadParameter(
                    f"{part!r} is not an account id, an OU path or an OU id",
                    param_hint="--exclude",
                )
            out.append(part)
    return out


def _connection_options() -> list[Callable[[F], F]]:
    return [
        click.option(
            "--profile",
            metavar="NAME",
            help="AWS profile to use (default: the AWS SDKs' credential chain).",
        ),
        click.option(
            "--endpoint-url",
            metavar="URL",
            help="Endpoint for Account and Organizations (default: AWS_ENDPOINT_URL_ACCOUNT, "
            "AWS_ENDPOINT_URL_ORGANIZATIONS, AWS_ENDPOINT_URL, the profile, then AWS's).",
        ),
        click.option(
            "--region",
            metavar="NAME",
            help="Region the clients are configured for; only decides the partition and "
            "signing Region of these global services (default: the profile's, else us-east-1).",
        ),
        click.option(
            "--quota",
            "quota",
            multiple=True,
            envvar="ACCOUNT_MGMT_QUOTAS",
            metavar="OP=RATE",
            help="Pace operation OP at RATE requests a second (OP=RATE/BURST: BURST at once) "
            "instead of its documented quota, once AWS raised yours; OP is an Account "
            "Management operation (GetAlternateContact...) or Organizations (repeatable; "
            "env: ACCOUNT_MGMT_QUOTAS).",
        ),
        click.option(
            "--region-opt-cap",
            type=click.IntRange(1, 1000),
            envvar="ACCOUNT_MGMT_REGION_OPT_CAP",
            metavar="N",
            help="Region switches at once in the organization (default: 20, the reference "
            "guide's; AWS's quotas page says 50; env: ACCOUNT_MGMT_REGION_OPT_CAP).",
        ),
        click.option(
            "--local",
            is_flag=True,
            help="Start the built-in emulator and act on it as its management account: "
            "an organization of 50 members under /Prod/Payments, /Prod/Web, /Dev and "
            "/Sandbox (one SUSPENDED, one CLOSED), state kept for this one command.",
        ),
    ]


def _selection_options() -> list[Callable[[F], F]]:
    return [
        click.option(
            "--accounts",
            "accounts",
            multiple=True,
            metavar="ID,ID",
            help="Act on these accounts (comma-separated; repeatable).",
        ),
        click.option(
            "--accounts-file",
            metavar="FILE",
            help="Act on the account ids in FILE (- for stdin; # starts a comment).",
        ),
        click.option(
            "--ou",
            multiple=True,
            metavar="PATH|ID",
            help="Act on the accounts under an OU, recursively: a path such as /Prod/Payments "
            "or an OU/root id (repeatable).",
        ),
        click.option(
            "--all", "all_accounts", is_flag=True, help="Act on every account of the organization."
        ),
        click.option(
            "--exclude",
            multiple=True,
            metavar="ID|PATH",
            help="Leave out these accounts, or the accounts under these OUs (repeatable).",
        ),
        click.option(
            "--concurrency",
            type=click.IntRange(1, 64),
            metavar="N",
            help="Accounts in flight at once (default: 8; regions enable/disable: 20).",
        ),
    ]


def _output_options() -> list[Callable[[F], F]]:
    return [
        click.option(
            "--output",
            type=click.Choice(["text", "json"]),
            default="text",
            show_default=True,
            help="Format of what goes to stdout.",
        ),
        click.option(
            "--show-sensitive",
            is_flag=True,
            help="Print personal values (names, e-mail addresses, phone numbers, addresses) "
            "instead of <redacted>.",
        ),
        click.option("--quiet", "-q", is_flag=True, help="No progress display on stderr."),
        click.option(
            "--verbose",
            "-v",
            count=True,
            help="Log the library's retries and waits on stderr (-vv: every request; "
            "credentials and personal values stay redacted).",
        ),
    ]


_SELECTION_KEYS: Final = ("accounts", "accounts_file", "ou", "all_accounts", "exclude")


def common_options(*, selection: bool = True) -> Callable[[F], F]:
    """Add the common options to a click command; the callback receives them
    parsed as one ``options: CommonOptions`` keyword argument.

    ``selection=False`` leaves out --accounts, --accounts-file, --ou, --all,
    --exclude and --concurrency, for commands that act on one account only.
    Bad values are usage errors (exit 2), reported before anything is sent.
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def command(*args: Any, **kwargs: Any) -> Any:
            options = _build_options(kwargs, selection=selection)
            return func(*args, options=options, **kwargs)

        decorators = _connection_options()
        if selection:
            decorators += _selection_options()
        decorators += _output_options()
        wrapped = cast(F, command)
        for decorator in reversed(decorators):
            wrapped = decorator(wrapped)
        return wrapped

    return decorate


def _build_options(kwargs: dict[str, Any], *, selection: bool) -> CommonOptions:
    connection = {key: kwargs.pop(key) for key in ("profile", "endpoint_url", "region", "local")}
    connection["quotas"] = tuple(_quota_values(kwargs.pop("quota")))
    connection["region_opt_cap"] = kwargs.pop("region_opt_cap")
    output = {key: kwargs.pop(key) for key in ("output", "show_sensitive", "quiet", "verbose")}
    if connection["local"] and (connection["profile"] or connection["endpoint_url"]):
        raise click.UsageError("--local cannot be combined with --profile or --endpoint-url")
    if not selection:
        return CommonOptions(**connection, **output)
    chosen = {key: kwargs.pop(key) for key in _SELECTION_KEYS}
    concurrency = kwargs.pop("concurrency")
    ids = _account_ids(chosen["accounts"], "--accounts")
    if chosen["accounts_file"] is not None:
        ids += _read_accounts_file(chosen["accounts_file"])
    ou = _ou_values(chosen["ou"])
    if chosen["all_accounts"] and (ids or ou):
        raise click.UsageError("--all selects every account: drop --accounts/--ou, or --all")
    exclude = _exclude_values(chosen["exclude"])
    if exclude and not (ids or ou or chosen["all_accounts"]):
        raise click.UsageError("--exclude needs a selection: --accounts, --ou or --all")
    return CommonOptions(
        **connection,
        **output,
        account_ids=tuple(dict.fromkeys(ids)),
        ou=tuple(dict.fromkeys(ou)),
        all_accounts=chosen["all_accounts"],
        exclude=tuple(dict.fromkeys(exclude)),
        concurrency=concurrency,
    )
