"""What AWS Organizations says about an organization: frozen, keyword-only models.

Enum-valued fields are ``str`` (AWS adds states over time); fields the
Organizations model marks ``sensitive`` (account names and emails) show as
``<redacted>`` in ``repr()``.
"""

from __future__ import annotations

import datetime
from typing import Final

import attrs

from account_mgmt.models import REDACTED

ROOT_PATH: Final = "/"
"""The OU path of the organization's root: accounts directly under it are at ``/``."""


def _redact(value: object) -> str:
    return "None" if value is None else REDACTED


@attrs.frozen(kw_only=True)
class Organization:
    """The organization the caller belongs to (DescribeOrganization)."""

    id: str
    """The organization id, ``o-`` and 10-32 characters."""
    management_account_id: str
    """The management account's id: call it without ``account_id`` (standalone mode)."""
    arn: str | None = None
    """The organization's ARN."""
    feature_set: str | None = None
    """``ALL`` or ``CONSOLIDATED_BILLING``."""
    management_account_email: str | None = attrs.field(default=None, repr=_redact)
    """The management account's email (sensitive)."""


@attrs.frozen(kw_only=True)
class Root:
    """The top of the organization's tree (``r-...``)."""

    id: str
    """The root id, ``r-`` and 4-32 characters."""
    name: str | None = None
    arn: str | None = None


@attrs.frozen(kw_only=True)
class OrganizationalUnit:
    """An organizational unit: a node of the tree under the root."""

    id: str
    """The OU id, ``ou-xxxx-xxxxxxxx``."""
    name: str
    """The OU name, 1-128 characters of anything, ``/`` included; unique among siblings."""
    arn: str | None = None
    parent_id: str | None = None
    """The root or OU this OU is directly under (set by the walker)."""
    path: str | None = None
    """The OU path from the root (``/Prod/Payments``), with ``/`` and ``\\`` in a name
    escaped by a backslash (set by the walker; see ``format_ou_path``)."""


@attrs.frozen(kw_only=True)
class OrgAccount:
    """An account of the organization, as Organizations lists it."""

    id: str
    """The 12-digit account id."""
    name: str | None = attrs.field(default=None, repr=_redact)
    """The account name (sensitive in the Organizations model)."""
    email: str | None = attrs.field(default=None, repr=_redact)
    """The root user's email (sensitive)."""
    state: str | None = None
    """``ACTIVE``, ``SUSPENDED``, ``PENDING_CLOSURE``, ``CLOSED``, ``PENDING_ACTIVATION``...:
    the ``State`` field, or the retired ``Status`` when ``State`` is absent; None when
    unknown (an account named by id with no organization to ask)."""
    arn: str | None = None
    joined_method: str | None = None
    """``INVITED`` or ``CREATED``."""
    joined_timestamp: datetime.datetime | None = None
    parent_id: str | None = None
    """The root or OU the account is directly under (set by the walker)."""
    ou_path: str | None = None
    """The OU path of its parent (``/`` for the root, ``/Prod/Payments``), set by the walker."""
