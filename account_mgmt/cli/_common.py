"""What every command shares: the common options, the clients built from them, the
targeted accounts, the fan-out over them, and output (text or JSON, masked).

Commands (and the org helper's plan/apply/accounts) import all of it from
here; ``_options``, ``_output`` and ``_progress`` hold the parts.

A command reads::

    @click.command()
    @common_options()
    def info(options: CommonOptions) -> None:
        with open_runtime(options) as runtime:
            exit_code = run_per_account(
                runtime, lambda account_id: ..., label="info", render=render_fields
            )
        finish(exit_code)

Nothing heavy is imported at module level: the library (and with it botocore
and requests) loads when a command runs, rich only when drawing progress.

Output contract (documented in every fan-out command's help, see ``OUTPUT_HELP``):
- standalone (no selector): text lines, or one JSON object, on stdout;
- multi-account, text: one block per account on stdout, in the targets' order,
  and a summary line on stderr;
- multi-account, ``--output json``: JSON lines on stdout as accounts finish,
  ``{"type": "account", "account_id", "status": "ok"|"failed"|"skipped",
  "result"|"error"|"reason"}``, then one ``{"type": "summary", ...}``.
Personal values are masked in both formats unless ``--show-sensitive``.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Protocol

import attrs
import click

from account_mgmt.cli import EXIT_OK, WorkAbandoned
from account_mgmt.cli._options import ORGANIZATIONS_QUOTA, CommonOptions, common_options
from account_mgmt.cli._output import (
    AccountResult,
    Render,
    Result,
    emit_json_line,
    emit_results,
    emit_single,
    error_json,
    finish,
    masked,
    model_fields,
    note,
    render_fields,
)
from account_mgmt.cli._progress import (
    ProgressDisplay,
    bridged_waits,
    choose_progress,
    open_progress,
)

if TYPE_CHECKING:
    from account_mgmt._client import AccountClient
    from account_mgmt.org import OrganizationsClient, Targets
    from account_mgmt.testing import AccountEmulator

__all__ = [
    "DEFAULT_CONCURRENCY",
    "OUTPUT_HELP",
    "AccountResult",
    "Action",
    "CommonOptions",
    "ProgressDisplay",
    "Render",
    "Result",
    "Runtime",
    "TargetSet",
    "WorkAbandoned",
    "common_options",
    "emit_json_line",
    "emit_results",
    "emit_single",
    "error_json",
    "fan_out",
    "finish",
    "in_background",
    "masked",
    "model_fields",
    "note",
    "open_runtime",
    "render_fields",
    "run_per_account",
]

DEFAULT_CONCURRENCY: Final = 8
"""Accounts in flight at once unless --concurrency: for_each_account's own default."""

LOCAL_WORLD: Final[dict[str, Any]] = {
    "member_count": 50,
    "ou_layout": {"/Prod/Payments": 12, "/Prod/Web": 12, "/Dev": 16, "/Sandbox": 8},
    "suspended_count": 1,
    "closed_count": 1,
}
"""The emulated organization --local starts: 50 members in nested OUs (2 left at the
root), the last two SUSPENDED and CLOSED, so that every selector can be tried."""

OUTPUT_HELP: Final = """\
\b
Accounts: without --accounts, --accounts-file, --ou or --all, the caller's own
account (standalone). With them, every selected ACTIVE account, --concurrency
at a time, paced at the service's quotas; the management account is called
in standalone mode; every account's outcome is reported, failures with the
error's type; exit 1 if any failed.
\b
Output: text by default. --output json prints one JSON object (standalone) or
JSON lines as accounts finish: {"type": "account", "account_id": ...,
"status": "ok" | "failed" | "skipped", and "result" | "error": {"type",
"message"} | "reason"}, then {"type": "summary", "command", "accounts",
"ok", "failed", "skipped"}. Personal values are "<redacted>" unless
--show-sensitive. Progress goes to stderr: a live bar on a terminal (done,
failed, in flight, waiting on a quota or a Region slot, ETA), one line per
account otherwise, none with --quiet.
\b
Exit: 0 ok; 1 an error, or some account failed; 2 a usage error; 130 Ctrl-C
(the accounts that ran are listed).
"""
"""The help paragraph on accounts, output and progress that fan-out commands share."""


# -- clients and targets ------------------------------------------------------------------


class Runtime:
    """The clients a command works with, built from its options; see ``open_runtime``."""

    def __init__(self, options: CommonOptions, stack: contextlib.ExitStack) -> None:
        self.options = options
        self._stack = stack
        self.emulator: AccountEmulator | None = None
        self._client: AccountClient | None = None
        self._organizations: OrganizationsClient | None = None
        if options.local:
            self.emulator = _start_emulator(stack)

    def _credentials(self) -> dict[str, Any]:
        if self.emulator is not None:
            keys = self.emulator.credentials_for()
            return {
                "endpoint_url": self.emulator.url,
                "aws_access_key_id": keys.access_key_id,
                "aws_secret_access_key": keys.secret_access_key,
            }
        return {
            "profile_name": self.options.profile,
            "endpoint_url": self.options.endpoint_url,
            "region_name": self.options.region,
        }

    def _account_pacing(self) -> dict[str, Any]:
        """--quota's rates for Account Management operations, and --region-opt-cap.

        A rate given alone keeps the burst (and any per-target window) the
        partition documents for the operation: China's are lower.
        """
        from account_mgmt._quotas import quotas_for_partition

        pacing: dict[str, Any] = {}
        settings = [q for q in self.options.quotas if q.name != ORGANIZATIONS_QUOTA]
        if settings:
            documented = quotas_for_partition(self._partition())
            pacing["quota_overrides"] = {
                q.name: attrs.evolve(
                    documented[q.name],
                    rate=q.rate,
                    burst=q.burst if q.burst is not None else documented[q.name].burst,
                )
                for q in settings
            }
        if self.options.region_opt_cap is not None:
            pacing["region_opt_concurrency_per_organization"] = self.options.region_opt_cap
        return pacing

    def _partition(self) -> str:
        """The partition of the Region the clients will be configured for (the clients'
        own reading of it: option, environment, profile, default)."""
        from account_mgmt._credentials import AwsSession
        from account_mgmt._endpoints import partition_of
        from account_mgmt._options import configured_region

        profile = None if self.emulator is not None else self.options.profile
        aws = AwsSession(profile_name=profile)
        return partition_of(configured_region(aws, self.options.region))

    @property
    def client(self) -> AccountClient:
        """The Account Management client, built on first use and closed with the runtime.

        Raises:
            ConfigurationError, CredentialsError: from ``AccountClient``.
        """
        if self._client is None:
            from account_mgmt._client import AccountClient

            self._client = self._stack.enter_context(
                AccountClient(**self._credentials(), **self._account_pacing())
            )
        return self._client

    @property
    def organizations(self) -> OrganizationsClient:
        """The Organizations client (same credentials and endpoint), built on first use."""
        if self._organizations is None:
            from account_mgmt.org import OrganizationsClient

            rates = [q.rate for q in self.options.quotas if q.name == ORGANIZATIONS_QUOTA]
            pacing: dict[str, Any] = {"requests_per_second": rates[-1]} if rates else {}
            self._organizations = self._stack.enter_context(
                OrganizationsClient(**self._credentials(), **pacing)
            )
        return self._organizations

    def targets(self, *, required: bool = False) -> Targets | None:
        """The selected accounts, or None without a selector (standalone mode).

        Raises:
            click.UsageError: ``required`` and no selector was given.
            ParamValidationError: a bad selection (e.g. an unknown OU path).
        """
        if not self.options.has_selection:
            if required:
                raise click.UsageError("choose accounts with --accounts, --ou or --all")
            return None
        from account_mgmt.org import select_accounts

        return select_accounts(self.options.selection(), self.organizations)

    def progress(self, total: int, label: str) -> ProgressDisplay:
        """A progress display on stderr suited to the streams and options."""
        kind = choose_progress(quiet=self.options.quiet, output=self.options.output)
        return open_progress(total, label, kind)


def _start_emulator(stack: contextlib.ExitStack) -> AccountEmulator:
    from account_mgmt.testing import AccountEmulator

    emulator = stack.enter_context(AccountEmulator(**LOCAL_WORLD))
    note(
        f"--local: acting on a built-in emulator at {emulator.url} as its management account "
        f"{emulator.management_account_id} ({len(emulator.member_account_ids)} member "
        f"accounts in OUs {', '.join(LOCAL_WORLD['ou_layout'])}); nothing reaches AWS "
        "and nothing is kept after this command"
    )
    return emulator


@contextlib.contextmanager
def open_runtime(options: CommonOptions) -> Iterator[Runtime]:
    """A ``Runtime`` for ``options``; its clients (and ``--local``'s emulator) are
    closed on exit."""
    with contextlib.ExitStack() as stack:
        if options.verbose:
            stack.enter_context(
                _library_log(logging.INFO if options.verbose == 1 else logging.DEBUG)
            )
        yield Runtime(options, stack)


class _EchoHandler(logging.Handler):
    """Writes to the stderr of the moment: under a live progress display that is
    rich's proxy, which keeps log lines above the bar."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(self.format(record), err=True)
        except Exception:  # noqa: BLE001 - logging's contract: never raise from emit
            self.handleError(record)


@contextlib.contextmanager
def _library_log(level: int) -> Iterator[None]:
    """The library's logger (only it: its records are redacted) on stderr at ``level``."""
    library = logging.getLogger("account_mgmt")
    handler = _EchoHandler(level)
    handler.setFormatter(logging.Formatter("account-mgmt: %(levelname)s %(name)s: %(message)s"))
    previous = library.level
    library.addHandler(handler)
    library.setLevel(level)
    try:
        yield
    finally:
        library.removeHandler(handler)
        library.setLevel(previous)


# -- fan-out --------------------------------------------------------------------------------

Action = Callable[[str | None], Result]
"""Does a command's work in one account: gets ``call_account_id`` (None: standalone)."""


class TargetAccount(Protocol):
    """What the fan-out needs of an ``account_mgmt.org.OrgAccount``."""

    @property
    def id(self) -> str: ...


class Skipped(Protocol):
    """What the fan-out needs of an ``account_mgmt.org.SkippedAccount``."""

    @property
    def account_id(self) -> str: ...
    @property
    def reason(self) -> str: ...


class TargetSet(Protocol):
    """What the fan-out needs of ``account_mgmt.org.Targets``."""

    @property
    def accounts(self) -> Sequence[TargetAccount]: ...
    @property
    def skipped(self) -> Sequence[Skipped]: ...
    def call_account_id(self, account_id: str) -> str | None: ...


def fan_out(
    runtime: Runtime,
    targets: TargetSet,
    action: Action,
    *,
    label: str,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> list[AccountResult]:
    """Run ``action(call_account_id)`` for every target, ``concurrency`` at a time.

    ``call_account_id`` is None for the management account (AWS requires it
    to call in standalone mode). Each outcome is drawn on the progress
    display and, with ``--output json``, written as a JSON line as it lands.
    Returns the skipped accounts first, then the targets in their order.

    The accounts run through ``for_each_account`` on a background thread, so
    that Ctrl-C returns at once instead of waiting for the accounts in flight
    (a Region wait can last an hour): no account starts after it, and the
    ``WorkAbandoned`` raised lists which accounts finished and which were in
    flight (their last request may or may not have landed; a rerun converges).

    Raises:
        ParamValidationError: the action's input broke a bound (the same for
            every account, so the job stops at the first; nothing was sent).
        WorkAbandoned: Ctrl-C; the work in flight is left to the process's end.
    """
    from account_mgmt import for_each_account
    from account_mgmt.exceptions import ParamValidationError

    streaming = runtime.options.output == "json"
    results: dict[str, AccountResult] = {}
    started: dict[str, None] = {}  # insertion-ordered set
    lock = threading.Lock()
    stop = threading.Event()
    skipped = [
        AccountResult(account_id=s.account_id, status="skipped", reason=s.reason)
        for s in targets.skipped
    ]
    ids = [account.id for account in targets.accounts]
    with (
        runtime.progress(len(ids), label) as progress,
        bridged_waits(progress) as waits,
    ):
        for result in skipped:
            if streaming:
                emit_json_line(result.to_json())

        def run(account_id: str) -> Result:
            if stop.is_set():
                raise _NotStarted
            with lock:
                started[account_id] = None
            progress.event(account_id, "started")
            waits.working(account_id)
            try:
                return action(targets.call_account_id(account_id))
            finally:
                waits.working(None)

        def landed(outcome: Any) -> None:
            if isinstance(outcome.error, ParamValidationError):
                raise outcome.error
            if stop.is_set():
                return  # interrupted: the note has been written, this account is in it
            if outcome.ok:
                result = AccountResult(
                    account_id=outcome.account_id, status="ok", result=outcome.value
                )
                progress.event(outcome.account_id, "done")
            else:
                result = AccountResult(
                    account_id=outcome.account_id, status="failed", error=outcome.error
                )
                progress.event(outcome.account_id, "failed", type(outcome.error).__name__)
            with lock:
                results[outcome.account_id] = result
            if streaming:
                emit_json_line(result.to_json())

        if ids:
            try:
                in_background(
                    lambda: for_each_account(ids, run, max_workers=concurrency, on_outcome=landed)
                )
            except KeyboardInterrupt as interrupt:
                stop.set()
                with lock:
                    note = _interrupted_note(ids, list(started), dict(results))
                abandoned = WorkAbandoned()
                abandoned.add_note(note)
                raise abandoned from interrupt
    return skipped + [results[account_id] for account_id in ids]


class _NotStarted(Exception):
    """An account reached after Ctrl-C: never started."""


_SIGNAL_CHECK_SECONDS: Final = 0.1
"""How often the waiting main thread looks for a Ctrl-C at the latest."""


def in_background(job: Callable[[], object]) -> None:
    """Run ``job`` on a daemon thread and wait for it; its exception is re-raised here.

    The main thread only waits, so Ctrl-C reaches it at once (as KeyboardInterrupt)
    whatever the job's threads are blocked in; raise ``WorkAbandoned`` then, and
    the group ends the process without waiting for them.
    """
    failure: list[BaseException] = []
    finished = threading.Event()

    def target() -> None:
        try:
            job()
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            failure.append(exc)
        finally:
            finished.set()

    threading.Thread(target=target, name="account-mgmt-fan-out", daemon=True).start()
    # Woken every tenth of a second: a signal that reached another thread, or one
    # whose delivery did not interrupt the wait, is acted on then, not at the job's end.
    while not finished.wait(_SIGNAL_CHECK_SECONDS):
        pass
    if failure:
        raise failure[0]


def _interrupted_note(
    ids: Sequence[str], started: Sequence[str], results: Mapping[str, AccountResult]
) -> str:
    lines = [
        f"{len(results)} of {len(ids)} accounts finished, "
        f"{len(started) - len(results)} in flight (their last request may or may not "
        f"have landed; a rerun converges), {len(ids) - len(started)} never started:"
    ]
    for account_id in started:
        result = results.get(account_id)
        if result is None:
            lines.append(f"{account_id} in flight")
        elif result.status == "ok":
            lines.append(f"{account_id} ok")
        else:
            lines.append(f"{account_id} failed ({type(result.error).__name__})")
    return "\n".join(lines)


def run_per_account(
    runtime: Runtime,
    action: Action,
    *,
    label: str,
    render: Render,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> int:
    """The whole of a read-or-write command: standalone, or fanned out over the
    selected accounts; prints the outcome and returns the exit code.

    Standalone: ``action(None)``; an error propagates (the group prints it, exit 1).
    Selected: ``fan_out``, then ``emit_results``.
    """
    targets = runtime.targets()
    if targets is None:
        emit_single(runtime.options, action(None), render)
        return EXIT_OK
    results = fan_out(
        runtime,
        targets,
        action,
        label=label,
        concurrency=runtime.options.concurrency or concurrency,
    )
    return emit_results(runtime.options, results, render, label=label)
