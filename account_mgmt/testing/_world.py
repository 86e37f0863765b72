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
        org = settings.organization_id
        self._add(settings.management_account_id, "management", org)
        if settings.delegated_admin_account_id:
            self._add(settings.delegated_admin_account_id, "delegated-admin", org)
        for index in range(settings.member_count):
            self._add(member_account_id(index), f"member-{index:03d}", org)
        for index in range(settings.standalone_count):
            self._add(standalone_account_id(index), f"standalone-{index:03d}", None)
        self.accounts[settings.management_account_id].gov_cloud_account_id = "888800000000"

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

    def target(self, caller_id: str, body: dict[str, Any], key: str = "AccountId") -> Account:
        """The account a call acts on, after the organization-mode rules."""
        caller = self.accounts[caller_id]
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
