"""``AccountEmulator``: the running emulator a test or a shell talks to, and its keys."""

from __future__ import annotations

import itertools
import secrets as _secrets
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any, Self

import attrs

from account_mgmt._client import AccountClient
from account_mgmt._config import GLOBAL_SIGNING_REGION
from account_mgmt.testing._faults import Fault, FaultKind
from account_mgmt.testing._seed import seed_account
from account_mgmt.testing._server import EmulatorServer
from account_mgmt.testing._world import ACCOUNT_STATES, OuPath, World, WorldSettings


@attrs.frozen(repr=False)
class Credentials:
    """An access key pair (and optional session token) the emulator accepts."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None

    def __repr__(self) -> str:
        return f"Credentials(access_key_id={self.access_key_id!r}, secret_access_key=<redacted>)"


class AccountEmulator:
    """A running emulated Account service and AWS Organizations (read operations) on one
    port with one set of keys; a context manager.

    Args:
        settings: the world's shape (member count, transition delay, OTP, caps...).
        enforce_quotas: answer 429 past the documented per-operation rates.
        quota_scope: ``"caller"`` (the calling account's budget) or ``"target"``
            (the account acted on): AWS does not document which applies in
            organization mode.
        port: 0 picks a free port.
        seed: makes probabilistic fault injection repeatable.
        request_log: called with one line per request (operation, signing account,
            status, throttled or not; never keys or bodies).
        **world_options: shorthand for ``WorldSettings`` fields (``member_count=5``,
            ``seed_state={...}``).

    Raises:
        ValueError: a setting or a seed the world cannot have.
    """

    def __init__(
        self,
        settings: WorldSettings | None = None,
        *,
        enforce_quotas: bool = True,
        quota_scope: str = "caller",
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int | None = None,
        request_log: Callable[[str], None] | None = None,
        **world_options: Any,
    ) -> None:
        if quota_scope not in ("caller", "target"):
            raise ValueError("quota_scope must be 'caller' or 'target'")
        if settings is None:
            settings = WorldSettings(**world_options)
        elif world_options:
            settings = attrs.evolve(settings, **world_options)
        self.world = World(settings)
        # Keys are unique to this emulator: two emulators are two separate sets of
        # identities, so process-wide state keyed by access key (the client's rate
        # buckets and Region gate) does not leak from one emulated world to another.
        instance = self._instance = _secrets.token_hex(2).upper()
        # Session keys are numbered, not drawn: 60 keys drawn from 4 hex digits
        # collide once in 40 tests, and the second key's secret replaced the first's.
        self._sessions_issued = itertools.count(1)
        self._credentials = {
            account_id: Credentials(
                access_key_id=f"AKIA{instance}{account_id}",  # 20 characters, as AWS's
                secret_access_key=f"emulator-secret-{instance}-{account_id}",
            )
            for account_id in self.world.accounts
        }
        self._server = EmulatorServer(
            self.world,
            secrets={c.access_key_id: c.secret_access_key for c in self._credentials.values()},
            key_owner={c.access_key_id: a for a, c in self._credentials.items()},
            host=host,
            port=port,
            enforce_quotas=enforce_quotas,
            quota_scope=quota_scope,
            signing_region=GLOBAL_SIGNING_REGION,
            partition="aws",
            seed=seed,
            request_log=request_log,
        )
        self._started = False

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> Self:
        """Start serving (idempotent)."""
        if not self._started:
            self._server.start()
            self._started = True
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._started:
            self._server.stop()
            self._started = False

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- what a test needs -----------------------------------------------------------

    @property
    def url(self) -> str:
        """The endpoint URL, e.g. ``http://127.0.0.1:53412``."""
        return self._server.url

    @property
    def management_account_id(self) -> str:
        return self.world.settings.management_account_id

    @property
    def delegated_admin_account_id(self) -> str | None:
        return self.world.settings.delegated_admin_account_id

    @property
    def member_account_ids(self) -> list[str]:
        """The organization's member accounts, in a stable order."""
        return self.world.member_account_ids

    @property
    def organization_account_ids(self) -> list[str]:
        """Every account of the organization (management, delegated admin, members),
        whatever its state: what ListAccounts lists, in its order."""
        org = self.world.settings.organization_id
        return [a.account_id for a in self.world.accounts.values() if a.organization == org]

    @property
    def root_id(self) -> str:
        """The organization's root (``r-emu1`` unless ``WorldSettings.root_id`` says)."""
        return self.world.settings.root_id

    def ou_id(self, path: OuPath) -> str:
        """The id of the OU at ``path`` (``"/Prod/Payments"`` or a tuple of names).

        Raises:
            KeyError: no OU has that path.
        """
        with self.world.lock:
            return self.world.ou_by_path(path).ou_id

    def ou_paths(self) -> dict[str, tuple[str, ...]]:
        """Every OU's id -> its names from the root down, parents before children."""
        with self.world.lock:
            return {ou.ou_id: ou.path for ou in self.world.ous.values()}

    def account_state(self, account_id: str) -> str:
        """Organizations' ``State`` of ``account_id`` (ACTIVE, SUSPENDED, CLOSED...)."""
        return self.world.accounts[account_id].state

    def set_account_state(self, account_id: str, state: str) -> None:
        """Change an organization account's ``State`` now (a suspension mid-run, say).

        Raises:
            ValueError: ``state`` is not one of ``ACCOUNT_STATES``, or the account is
                not in the organization.
        """
        if state not in ACCOUNT_STATES:
            raise ValueError(f"state must be one of {ACCOUNT_STATES}, not {state!r}")
        with self.world.lock:
            account = self.world.accounts.get(account_id)
            if account is None or account.organization is None:
                raise ValueError(f"{account_id!r} is not an account of the organization")
            account.state = state

    def account_parent_id(self, account_id: str) -> str | None:
        """The root or OU id ``account_id`` sits in (None for a standalone account)."""
        return self.world.accounts[account_id].parent_id

    def accounts_under(self, parent: OuPath, *, recursive: bool = True) -> list[str]:
        """The accounts in the OU (path or ``ou-``/``r-`` id) and, by default, below it,
        whatever their state: the answer an enumerator should find."""
        with self.world.lock:
            if isinstance(parent, str) and parent.startswith(("ou-", "r-")):
                top = parent
            else:
                top = self.world.ou_by_path(parent).ou_id
            wanted = {top}
            if recursive:
                for ou in self.world.ous.values():  # parents come before children
                    if ou.parent_id in wanted:
                        wanted.add(ou.ou_id)
            return [a.account_id for a in self.world.accounts.values() if a.parent_id in wanted]

    @property
    def standalone_account_ids(self) -> list[str]:
        """Accounts outside the organization."""
        return [a.account_id for a in self.world.accounts.values() if a.organization is None]

    def credentials_for(self, account_id: str | None = None) -> Credentials:
        """The key pair that signs as ``account_id`` (default: the management account)."""
        return self._credentials[account_id or self.management_account_id]

    def environment(self, account_id: str | None = None) -> dict[str, str]:
        """Environment variables that point an AWS SDK, the AWS CLI or a subprocess at
        this emulator as ``account_id`` (default: the management account): the
        endpoints (``AWS_ENDPOINT_URL``, ``_ACCOUNT``, ``_ORGANIZATIONS``), the Region
        and the key pair. Holds a secret: do not log it."""
        credentials = self.credentials_for(account_id)
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ENDPOINT_URL_ACCOUNT": self.url,
            "AWS_ENDPOINT_URL_ORGANIZATIONS": self.url,
            "AWS_REGION": GLOBAL_SIGNING_REGION,
            "AWS_DEFAULT_REGION": GLOBAL_SIGNING_REGION,
            "AWS_ACCESS_KEY_ID": credentials.access_key_id,
            "AWS_SECRET_ACCESS_KEY": credentials.secret_access_key,
        }

    def issue_session_credentials(self, account_id: str | None = None) -> Credentials:
        """New temporary credentials for ``account_id``, as STS hands out: an access
        key of their own (ASIA...), a secret and a session token the key needs."""
        account = account_id or self.management_account_id
        self.credentials_for(account)  # an unknown account fails here
        credentials = Credentials(
            access_key_id=f"ASIA{self._instance}{account}{next(self._sessions_issued):04X}",
            secret_access_key="emulator-session-secret-" + _secrets.token_hex(8),
            session_token="emulator-token-" + _secrets.token_hex(8),
        )
        self._server.add_key(
            credentials.access_key_id,
            credentials.secret_access_key,
            owner=account,
            session_token=credentials.session_token,
        )
        return credentials

    def seed(
        self,
        account_id: str | None = None,
        *,
        alternate_contacts: Mapping[str, Any] | None = None,
        contact_information: Any = None,
        regions: Mapping[str, str] | None = None,
        account_name: str | None = None,
    ) -> None:
        """Set an account's state (default: the management account's) directly.

        Args:
            alternate_contacts: contact type (``"SECURITY"``) -> an ``AlternateContact``,
                or a mapping with ``name``, ``title``, ``email_address``,
                ``phone_number`` (or the wire's ``Name``...); None removes that type.
            contact_information: a ``ContactInformation`` or a mapping of its fields;
                the phone then counts as unverified.
            regions: opt-in Region -> ``"ENABLED"``, ``"DISABLED"``, ``"ENABLING"`` or
                ``"DISABLING"`` (the last two settle after ``region_transition_seconds``).
            account_name: the name GetAccountInformation and Organizations show.

        Raises:
            ValueError: unknown account, or a value the service's Put operation would
                refuse (checked against the model); then nothing is changed.
        """
        seed_account(
            self.world,
            account_id or self.management_account_id,
            alternate_contacts=alternate_contacts,
            contact_information=contact_information,
            regions=regions,
            account_name=account_name,
        )

    def expire_session_token(self, token: str) -> None:
        """Make requests carrying ``token`` fail with ExpiredTokenException."""
        self._server.expired_tokens.add(token)

    def client(self, account_id: str | None = None, **options: Any) -> AccountClient:
        """An ``AccountClient`` for this emulator, signed as ``account_id``."""
        credentials = self.credentials_for(account_id)
        return AccountClient(
            endpoint_url=self.url,
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
            aws_session_token=credentials.session_token,
            **options,
        )

    def inject(
        self,
        kind: FaultKind | str,
        *,
        count: int | None = None,
        probability: float | None = None,
        operation: str | None = None,
        delay: float = 0.0,
    ) -> None:
        """Make the next ``count`` matching requests (or a ``probability`` of them) fail.

        ``operation`` is the AWS name of an Account or Organizations operation
        (``"GetRegionOptStatus"``, ``"ListAccountsForParent"``); None matches all.
        """
        self._server.faults.add(
            Fault(kind=FaultKind(kind), operation=operation, delay=delay), count, probability
        )

    def clear_faults(self) -> None:
        self._server.faults.clear()

    @property
    def request_counts(self) -> Counter[str]:
        """Requests received per operation (AWS names), faults and rejections included."""
        return Counter(self._server.request_counts)

    @property
    def throttled_counts(self) -> Counter[str]:
        """Requests answered 429 by the rate quotas, per operation (injected faults excluded)."""
        return Counter(self._server.throttled_counts)

    @property
    def fault_counts(self) -> Counter[str]:
        """Requests an injected fault (``inject``) answered instead of the operation, per
        operation: ``request_counts`` less these is what the operation ran for (a DELAY
        or CLOSE_AFTER_PROCESSING fault runs it, and is not counted)."""
        return self._server.faults.answered()

    def reset_counts(self) -> None:
        self._server.request_counts.clear()
        self._server.throttled_counts.clear()
        self._server.faults.reset_answered()

    @property
    def enforce_quotas(self) -> bool:
        return self._server.enforce_quotas

    @enforce_quotas.setter
    def enforce_quotas(self, value: bool) -> None:
        self._server.enforce_quotas = value
        self._server.reset_quotas()
