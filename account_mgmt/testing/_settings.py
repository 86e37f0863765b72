"""The shape of the emulated world: every setting a test can change, checked when built."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import attrs

from account_mgmt._quotas import (
    PRIMARY_EMAIL_UPDATE_WINDOW,
    REGION_OPT_CONCURRENCY_PER_ACCOUNT,
    REGION_OPT_CONCURRENCY_PER_ORGANIZATION,
    WindowCap,
)


def _count(mapping: Mapping[str, Any]) -> str:
    """A repr that shows how many entries, not their values: account names and seeded
    contacts are personal data (``sensitive`` in the models)."""
    return f"<{len(mapping)} entries>"


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
    account_names: Mapping[str, str] = attrs.field(factory=dict, repr=_count)
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
    seed_state: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict, repr=_count)
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
