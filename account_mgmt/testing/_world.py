"""The emulated world: an organization, its accounts, and what the 18 operations do to them.

Pure state and rules, no HTTP. Each handler takes the caller's account and
the decoded request body and returns the response body, or raises
``ApiError`` with the code, status and message the service would answer.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs

from account_mgmt._quotas import (
    PRIMARY_EMAIL_UPDATE_WINDOW,
    REGION_OPT_CONCURRENCY_PER_ACCOUNT,
    REGION_OPT_CONCURRENCY_PER_ORGANIZATION,
    REGION_OPT_QUOTA_MESSAGE,
    WindowCap,
)

ENABLED_BY_DEFAULT_REGIONS: Final = (
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1",
    "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2",
    "eu-west-3", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
)  # fmt: skip
"""Regions introduced before 2019-03-20: always on, cannot be switched."""

OPT_IN_REGIONS: Final = (
    "af-south-1", "ap-east-1", "ap-south-2", "ap-southeast-3", "ap-southeast-4", "ca-west-1",
    "eu-central-2", "eu-south-1", "eu-south-2", "il-central-1", "me-central-1", "me-south-1",
)  # fmt: skip
"""The opt-in Regions the reference guide names: they start DISABLED."""

SWITCHING: Final = frozenset({"ENABLING", "DISABLING"})


class ApiError(Exception):
    """An error answer: ``code`` goes in ``x-amzn-ErrorType``, the rest in the body."""

    def __init__(self, code: str, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message
        self.extra = extra


def access_denied(message: str) -> ApiError:
    return ApiError("AccessDeniedException", 403, message)


def not_found(message: str) -> ApiError:
    return ApiError("ResourceNotFoundException", 404, message)


def invalid(
    message: str, reason: str = "fieldValidationFailed", field: str | None = None
) -> ApiError:
    fields = [{"name": field, "message": message}] if field else []
    return ApiError("ValidationException", 400, message, reason=reason, fieldList=fields)


@attrs.define
class RegionState:
    """A Region's status for one account; a switch settles at ``settles_at``."""

    status: str
    settles_at: float | None = None
    target: str | None = None


@attrs.define
class Account:
    """One emulated AWS account."""

    account_id: str
    name: str
    email: str
    created: datetime.datetime
    regions: dict[str, RegionState]
    organization: str | None = None
    state: str = "ACTIVE"
    alternate_contacts: dict[str, dict[str, str]] = attrs.Factory(dict)
    contact_information: dict[str, str] | None = None
    verification_status: str = "UNVERIFIED"
    phone_otp_sent: bool = False
    pending_email: str | None = None
    email_update_status: str | None = None
    email_updated_at: float | None = None
    email_update_starts: list[float] = attrs.Factory(list)
    gov_cloud_account_id: str | None = None
    parent_id: str | None = None
    """The root or OU the account sits in (None outside the organization)."""
    tags: dict[str, str] = attrs.Factory(dict)
    joined: datetime.datetime | None = None
    """When it joined the organization."""


@attrs.define
class OrganizationalUnit:
    """One OU of the emulated organization."""

    ou_id: str
    name: str
    parent_id: str
    path: tuple[str, ...]
    """The OU names from the root down to this OU, this OU's name last."""
    tags: dict[str, str] = attrs.Factory(dict)


ACCOUNT_STATES: Final = ("PENDING_ACTIVATION", "ACTIVE", "SUSPENDED", "PENDING_CLOSURE", "CLOSED")
"""Organizations' ``Account.State`` values (botocore's ``AccountState`` enum)."""

STATUS_FOR_STATE: Final = {
    "PENDING_ACTIVATION": "ACTIVE",
    "ACTIVE": "ACTIVE",
    "SUSPENDED": "SUSPENDED",
    "PENDING_CLOSURE": "PENDING_CLOSURE",
    "CLOSED": "SUSPENDED",
}
"""The retired ``Account.Status`` an old service (or moto) showed for each ``State``:
its enum has no CLOSED (a closed account showed as SUSPENDED) nor PENDING_ACTIVATION."""

ACCOUNT_STATUS_FIELDS: Final = ("State", "Status", "both")
"""What Organizations' account listings carry: today's ``State`` (AWS since
2026-09-09), the retired ``Status`` only (old emulators, moto), or both (the
transition period)."""

OuPath = str | tuple[str, ...]
"""An OU path: ``"/Prod/Payments"``, or a tuple of names when a name holds a ``/``."""


def ou_path_names(path: OuPath) -> tuple[str, ...]:
    """The OU names a path walks through, from the root down."""
    if isinstance(path, tuple):
        return path
    return tuple(part for part in path.split("/") if part)


@attrs.frozen(kw_only=True)
class WorldSettings:
    """The shape of the world and its rules; every figure can be changed for a test."""

    member_count: int = 50
    standalone_count: int = 1
    management_account_id: str = "111111111111"
    delegated_admin_account_id: str | None = "222222222222"
    organization_id: str = "o-emulator01"
    trusted_access_enabled: bool = True
    region_transition_seconds: float = 2.0
    otp: str = "123456"
    region_opt_concurrency_per_account: int = REGION_OPT_CONCURRENCY_PER_ACCOUNT
    region_opt_concurrency_per_organization: int = REGION_OPT_CONCURRENCY_PER_ORGANIZATION
    primary_email_update_window: WindowCap = PRIMARY_EMAIL_UPDATE_WINDOW
    """How many StartPrimaryEmailUpdate calls one account takes in how many seconds."""
    # -- the organization's layout (Organizations API) --------------------------
    root_id: str = "r-emu1"
    ou_layout: Mapping[OuPath, int] | None = None
    """Explicit tree: OU path -> member accounts placed directly in that OU, in
    the mapping's order; parents are created as needed; members left over sit
    at the root. Overrides ``ou_depth``."""
    ou_depth: int = 0
    """Generated tree: levels of OUs below the root (0: every account at the root)."""
    ou_fanout: int = 3
    """Generated tree: child OUs per OU."""
    ou_name_prefix: str = "OU"
    """Generated tree: OU names are the prefix and the 1-based position on each
    level, joined by ``-`` (``OU2``, ``OU2-1``, ``OU2-1-3``)."""
    suspended_count: int = 0
    """Members in state SUSPENDED: the last members before the closed ones."""
    closed_count: int = 0
    """Members in state CLOSED: the last members."""
    account_states: Mapping[str, str] = attrs.field(factory=dict)
    """Explicit ``State`` per account id; wins over the counts."""
    account_names: Mapping[str, str] = attrs.field(factory=dict)
    """Names per account id (default ``member-007``, ``management``, ...)."""
    account_tags: Mapping[str, Mapping[str, str]] | None = None
    """Tags per account id; None tags each member ``{"Team": "team-<index % 4>"}``."""
    ou_tags: Mapping[OuPath, Mapping[str, str]] = attrs.field(factory=dict)
    """Tags per OU path."""
    account_status_field: str = "State"
    """``"State"`` (AWS today), ``"Status"`` (the retired field only) or ``"both"``."""
    org_empty_page_every: int = 0
    """When N >= 2, every N-th page of an Organizations listing (the first one
    included) is empty but carries a NextToken, as the docs warn a page may be."""
    organizations_page_size: int = 20
    """Organizations' page size when MaxResults is not given."""
    organizations_requests_per_second: float | None = None
    """A rate per caller over all Organizations operations, enforced (429-style
    TooManyRequestsException) when quotas are; None: AWS publishes none."""
    organizations_burst: int = 10
    """The burst above ``organizations_requests_per_second``."""
    seed_state: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)
    """State set before the first request, per account id (``"*"``: every account):
    ``{"alternate_contacts": {"SECURITY": {...}}, "contact_information": {...},
    "regions": {"af-south-1": "ENABLED"}, "account_name": "..."}``."""

    def __attrs_post_init__(self) -> None:
        problems = []
        if self.account_status_field not in ACCOUNT_STATUS_FIELDS:
            problems.append(f"account_status_field must be one of {ACCOUNT_STATUS_FIELDS}")
        if self.org_empty_page_every == 1 or self.org_empty_page_every < 0:
            problems.append("org_empty_page_every must be 0 (never) or at least 2")
        for account_id, state in self.account_states.items():
            if state not in ACCOUNT_STATES:
                problems.append(f"account_states[{account_id!r}] must be one of {ACCOUNT_STATES}")
        if min(self.ou_depth, self.suspended_count, self.closed_count, self.member_count) < 0:
            problems.append("counts and ou_depth must not be negative")
        if self.ou_fanout < 1:
            problems.append("ou_fanout must be at least 1")
        if self.suspended_count + self.closed_count > self.member_count:
            problems.append("suspended_count + closed_count exceeds member_count")
        if self.ou_layout is not None and sum(self.ou_layout.values()) > self.member_count:
            problems.append("ou_layout places more accounts than member_count")
        if problems:
            raise ValueError("; ".join(problems))


def member_account_id(index: int) -> str:
    """The id of the ``index``-th (0-based) member account."""
    return f"{300000000000 + index:012d}"


def standalone_account_id(index: int) -> str:
    """The id of the ``index``-th (0-based) standalone account."""
    return f"{900000000000 + index:012d}"


class World:
    """All accounts and their state; thread-safe, with an injectable clock."""

    def __init__(
        self,
        settings: WorldSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.wall_clock = wall_clock
        self.lock = threading.RLock()
        self.accounts: dict[str, Account] = {}
        self.ous: dict[str, OrganizationalUnit] = {}
        """Every OU, parents before children, in a stable order."""
        org = settings.organization_id
        names = settings.account_names
        management = settings.management_account_id
        self._add(management, "management", org)
        if settings.delegated_admin_account_id:
            self._add(settings.delegated_admin_account_id, "delegated-admin", org)
        members = [member_account_id(index) for index in range(settings.member_count)]
        for index, account_id in enumerate(members):
            self._add(account_id, f"member-{index:03d}", org)
        for index in range(settings.standalone_count):
            self._add(standalone_account_id(index), f"standalone-{index:03d}", None)
        for field, mapping in (
            ("account_names", names),
            ("account_states", settings.account_states),
            ("account_tags", settings.account_tags or {}),
        ):
            unknown = sorted(set(mapping) - set(self.accounts))
            if unknown:
                raise ValueError(f"{field} names accounts the world does not have: {unknown}")
        for account_id, name in names.items():
            self.accounts[account_id].name = name
        self.accounts[management].gov_cloud_account_id = "888800000000"
        self._build_tree(members)
        if settings.seed_state:
            from account_mgmt.testing._seed import seed_world  # it imports this module

            seed_world(self, settings.seed_state)

    # -- the organization's tree ------------------------------------------------------

    def _build_tree(self, members: list[str]) -> None:
        settings = self.settings
        for account in self.accounts.values():
            if account.organization:
                account.parent_id = settings.root_id
                account.joined = account.created
        if settings.ou_layout is not None:
            queue = iter(members)
            for path, count in settings.ou_layout.items():
                ou = self._ensure_ou(ou_path_names(path))
                for _ in range(count):
                    self.accounts[next(queue)].parent_id = ou.ou_id
        elif settings.ou_depth > 0:
            self._generate_ous((), settings.ou_depth)
            slots = [settings.root_id, *self.ous]
            for index, account_id in enumerate(members):
                self.accounts[account_id].parent_id = slots[index % len(slots)]
        for path, tags in settings.ou_tags.items():
            self._ensure_ou(ou_path_names(path)).tags.update(tags)
        for index, account_id in enumerate(members):
            self.accounts[account_id].tags = {"Team": f"team-{index % 4}"}
        if settings.account_tags is not None:
            for account in self.accounts.values():
                account.tags = dict(settings.account_tags.get(account.account_id, {}))
        closed_from = len(members) - settings.closed_count
        suspended_from = closed_from - settings.suspended_count
        for index, account_id in enumerate(members):
            if index >= closed_from:
                self.accounts[account_id].state = "CLOSED"
            elif index >= suspended_from:
                self.accounts[account_id].state = "SUSPENDED"
        for account_id, state in settings.account_states.items():
            self.accounts[account_id].state = state

    def _generate_ous(self, position: tuple[int, ...], levels: int) -> None:
        # Breadth-first: every OU of a level before the next level, parents first.
        frontier = [position]
        for _ in range(levels):
            next_frontier = []
            for parent in frontier:
                for child in range(1, self.settings.ou_fanout + 1):
                    here = (*parent, child)
                    names = tuple(
                        self.settings.ou_name_prefix + "-".join(str(i) for i in here[:depth])
                        for depth in range(1, len(here) + 1)
                    )
                    self._ensure_ou(names)
                    next_frontier.append(here)
            frontier = next_frontier

    def _ensure_ou(self, names: tuple[str, ...]) -> OrganizationalUnit:
        """The OU at ``names`` below the root, created with its parents if missing."""
        parent_id = self.settings.root_id
        found: OrganizationalUnit | None = None
        for depth in range(1, len(names) + 1):
            found = next(
                (
                    o
                    for o in self.ous.values()
                    if o.parent_id == parent_id and o.name == names[depth - 1]
                ),
                None,
            )
            if found is None:
                found = OrganizationalUnit(
                    ou_id=f"ou-{self.settings.root_id[2:]}-{len(self.ous) + 1:08d}",
                    name=names[depth - 1],
                    parent_id=parent_id,
                    path=names[:depth],
                )
                self.ous[found.ou_id] = found
            parent_id = found.ou_id
        if found is None:
            raise ValueError("an OU path names at least one OU")
        return found

    def _add(self, account_id: str, name: str, organization: str | None) -> None:
        regions = {r: RegionState("ENABLED_BY_DEFAULT") for r in ENABLED_BY_DEFAULT_REGIONS}
        regions.update({r: RegionState("DISABLED") for r in OPT_IN_REGIONS})
        self.accounts[account_id] = Account(
            account_id=account_id,
            name=name,
            email=f"{name}@example.com",
            created=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
            + datetime.timedelta(days=len(self.accounts)),
            regions=regions,
            organization=organization,
        )

    def ou_by_path(self, path: OuPath) -> OrganizationalUnit:
        """The OU at ``path`` (``"/Prod/Payments"``). Raises KeyError if there is none."""
        names = ou_path_names(path)
        for ou in self.ous.values():
            if ou.path == names:
                return ou
        raise KeyError(path)

    def parent_chain(self, parent_id: str) -> list[str]:
        """The ids from the root down to ``parent_id`` (the root first)."""
        chain = []
        current: str | None = parent_id
        while current is not None and current != self.settings.root_id:
            chain.append(current)
            current = self.ous[current].parent_id
        return [self.settings.root_id, *reversed(chain)]

    @property
    def member_account_ids(self) -> list[str]:
        """Member accounts of the organization (not the management or delegated admin account)."""
        special = {self.settings.management_account_id, self.settings.delegated_admin_account_id}
        return [
            a.account_id
            for a in self.accounts.values()
            if a.organization and a.account_id not in special
        ]

    # -- who may act on whom ------------------------------------------------------

    def target(
        self,
        caller_id: str,
        body: dict[str, Any],
        key: str = "AccountId",
        *,
        any_state: bool = False,
    ) -> Account:
        """The account a call acts on, after the organization-mode rules.

        A caller or target that is not ACTIVE (SUSPENDED, PENDING_CLOSURE, CLOSED,
        PENDING_ACTIVATION) is refused with AccessDeniedException, except for the
        target of a read of the account's own state (``any_state``).
        """
        caller = self.accounts[caller_id]
        if caller.state != "ACTIVE":
            raise access_denied(
                f"User: arn:aws:iam::{caller_id}:root is not authorized to perform this "
                f"action: the account is {caller.state}."
            )
        target = self._target(caller, body, key)
        if target.state != "ACTIVE" and not any_state:
            raise access_denied(
                f"Account {target.account_id} is {target.state}; "
                "the operation is not allowed on an account that is not ACTIVE."
            )
        return target

    def _target(self, caller: Account, body: dict[str, Any], key: str) -> Account:
        caller_id = caller.account_id
        requested = body.get(key)
        if requested is None or (
            requested == caller_id and caller_id != self.settings.management_account_id
        ):
            return caller
        if requested == self.settings.management_account_id == caller_id:
            raise access_denied(
                "The management account can't specify its own AccountId; call without it."
            )
        privileged = caller_id in (
            self.settings.management_account_id,
            self.settings.delegated_admin_account_id,
        )
        target = self.accounts.get(requested)
        if (
            not privileged
            or not self.settings.trusted_access_enabled
            or target is None
            or target.organization != caller.organization
            or target.account_id == self.settings.management_account_id
        ):
            raise access_denied(
                f"User: arn:aws:iam::{caller_id}:root is not authorized to perform this action "
                f"on account {requested}. Only the management account or the delegated "
                "administrator may act on member accounts, with trusted access enabled."
            )
        return target

    # -- Regions -------------------------------------------------------------------

    def _settle(self, account: Account) -> None:
        now = self.clock()
        for state in account.regions.values():
            if state.settles_at is not None and now >= state.settles_at:
                state.status, state.settles_at, state.target = (
                    state.target or state.status,
                    None,
                    None,
                )

    def region(self, account: Account, name: str) -> RegionState:
        self._settle(account)
        state = account.regions.get(name)
        if state is None:
            raise invalid(f"Unknown region: {name}", "invalidRegionOptTarget", "RegionName")
        return state

    def switching_count(self, organization: str | None, account: Account | None = None) -> int:
        scope = (
            [account]
            if account
            else [a for a in self.accounts.values() if a.organization == organization]
        )
        count = 0
        for item in scope:
            self._settle(item)
            count += sum(1 for s in item.regions.values() if s.status in SWITCHING)
        return count

    def switch_region(self, account: Account, name: str, enable: bool) -> None:
        state = self.region(account, name)
        if state.status == "ENABLED_BY_DEFAULT":
            raise invalid(
                f"{name} is enabled by default and cannot be switched",
                "invalidRegionOptTarget",
                "RegionName",
            )
        if state.status in SWITCHING:
            raise ApiError(
                "ConflictException", 409, f"{name} is {state.status}; wait for it to finish"
            )
        wanted = "ENABLED" if enable else "DISABLED"
        if state.status == wanted:
            raise invalid(
                f"Unable to switch region status: {name} is already {wanted}",
                "invalidRegionOptTarget",
                "RegionName",
            )
        if self.switching_count(None, account) >= self.settings.region_opt_concurrency_per_account:
            raise ApiError("TooManyRequestsException", 429, REGION_OPT_QUOTA_MESSAGE)
        if account.organization and (
            self.switching_count(account.organization)
            >= self.settings.region_opt_concurrency_per_organization
        ):
            raise ApiError(
                "TooManyRequestsException",
                429,
                REGION_OPT_QUOTA_MESSAGE.replace("for an account", "for an organization"),
            )
        state.status = "ENABLING" if enable else "DISABLING"
        state.target = wanted
        state.settles_at = self.clock() + self.settings.region_transition_seconds
