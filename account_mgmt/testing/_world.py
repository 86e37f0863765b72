"""The emulated world: an organization, its accounts, and what the 18 operations do to them.

Pure state and rules, no HTTP. Each handler takes the caller's account and
the decoded request body and returns the response body, or raises
``ApiError`` with the code, status and message the service would answer.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Callable
from typing import Any, Final

import attrs

from account_mgmt._quotas import REGION_OPT_QUOTA_MESSAGE
from account_mgmt.testing._settings import (
    ACCOUNT_STATES,
    ACCOUNT_STATUS_FIELDS,
    ENABLED_BY_DEFAULT_REGIONS,
    OPT_IN_REGIONS,
    STATUS_FOR_STATE,
    OuPath,
    WorldSettings,
    ou_path_names,
)

__all__ = [
    "ACCOUNT_STATES",
    "ACCOUNT_STATUS_FIELDS",
    "ENABLED_BY_DEFAULT_REGIONS",
    "OPT_IN_REGIONS",
    "STATUS_FOR_STATE",
    "Account",
    "ApiError",
    "OrganizationalUnit",
    "OuPath",
    "RegionState",
    "World",
    "WorldSettings",
    "ou_path_names",
]

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
