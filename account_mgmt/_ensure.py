"""Convergent steps: read one piece of an account's state and make it what is wanted.

A client method named after an AWS operation performs that operation; a step
here *ensures* an outcome: it reads first, works out the ``Change`` (if any)
that would bring the live value to the wanted one, and sends the write only
when told to. Run with ``send=False`` the same step records what it would do
and sends no write, which is how plan works; apply runs it with
``send=True``, reading the live state again, so a stale plan or a rerun
after an interruption changes only what still differs.

Written as steps (``_steps``), they run under the sync and the async driver.
"""

from __future__ import annotations

import contextlib
from typing import Any, Final

import attrs

from account_mgmt import _operations as ops
from account_mgmt._regionswitch import DISABLE, ENABLE, ensure_region
from account_mgmt._steps import CallPath, Steps
from account_mgmt.exceptions import ParamValidationError, ResourceNotFoundException
from account_mgmt.models import (
    REDACTED,
    AlternateContact,
    ContactInformation,
    RegionOptStatus,
)

ALTERNATE_CONTACT: Final = "alternate_contact"
"""``Change.kind`` of an alternate contact (``key`` is its type)."""
CONTACT_INFORMATION: Final = "contact_information"
"""``Change.kind`` of the primary contact information (``key`` is None)."""
REGION: Final = "region"
"""``Change.kind`` of a Region's opt-in (``key`` is its name)."""

CREATE: Final = "create"
UPDATE: Final = "update"
DELETE: Final = "delete"
ENABLE_ACTION: Final = "enable"
DISABLE_ACTION: Final = "disable"

ContactValue = AlternateContact | ContactInformation


def masked(value: object, show_sensitive: bool) -> object:
    """A contact as a dict of its fields, every value ``<redacted>`` unless ``show_sensitive``."""
    if not isinstance(value, AlternateContact | ContactInformation):
        return value
    fields = {
        f.name: getattr(value, f.name)
        for f in attrs.fields(type(value))
        if f.name != "alternate_contact_type"
    }
    if show_sensitive:
        return fields
    return {name: (None if v is None else REDACTED) for name, v in fields.items()}


@attrs.frozen(kw_only=True)
class Change:
    """One difference between an account's live and wanted state, and what fixes it."""

    account_id: str
    kind: str
    """``alternate_contact``, ``contact_information`` or ``region``."""
    key: str | None
    """The contact type or Region name; None for contact information."""
    action: str
    """``create``, ``update``, ``delete``, ``enable`` or ``disable``."""
    before: ContactValue | str | None = None
    """The live value (a model, or a Region's status); None when there is none."""
    after: ContactValue | str | None = None
    """The wanted value (a model, or ``ENABLED``/``DISABLED``); None for a delete."""
    fields: tuple[str, ...] = ()
    """For an update: the fields that differ (names only, never values)."""

    def to_json(self, *, show_sensitive: bool = False) -> dict[str, object]:
        """A JSON-ready dict; contact values masked unless ``show_sensitive``."""
        return {
            "account_id": self.account_id,
            "kind": self.kind,
            "key": self.key,
            "action": self.action,
            "fields": list(self.fields),
            "before": masked(self.before, show_sensitive),
            "after": masked(self.after, show_sensitive),
        }

    def describe(self, *, show_sensitive: bool = False) -> str:
        """One line for people: what changes, and with ``show_sensitive`` to what."""
        what = self.kind if self.key is None else f"{self.kind} {self.key}"
        text = f"{self.action} {what}"
        if self.kind == REGION:
            return f"{text} (now {self.before})"
        if self.fields:
            text += f" ({', '.join(self.fields)})"
        if show_sensitive:
            text += f": {masked(self.before, True)} -> {masked(self.after, True)}"
        return text


def same_text(a: str | None, b: str | None) -> bool:
    """Equal once runs of whitespace are collapsed and the ends trimmed; case counts.

    AWS may normalise whitespace in what it stores, and a spacing-only edit
    would otherwise be a change on every plan.
    """
    if a is None or b is None:
        return a is b
    return " ".join(a.split()) == " ".join(b.split())


def differing_fields(live: ContactValue, wanted: ContactValue) -> tuple[str, ...]:
    """The names of the fields whose values differ (``same_text``), type aside."""
    return tuple(
        field.name
        for field in attrs.fields(type(wanted))
        if field.name != "alternate_contact_type"
        and not same_text(getattr(live, field.name), getattr(wanted, field.name))
    )


def ensure_alternate_contact(
    path: CallPath,
    *,
    report_as: str,
    account_id: str | None,
    contact_type: str,
    wanted: AlternateContact | None,
    send: bool,
) -> Steps[Change | None]:
    """Make the ``contact_type`` alternate contact ``wanted`` (None: absent).

    ``account_id`` is what the calls pass (None for the caller's own account);
    ``report_as`` the account the ``Change`` names. Returns the change made
    (or, with ``send=False``, that would be), None when nothing differs.
    """
    try:
        live: AlternateContact | None = yield from path.call(
            ops.GET_ALTERNATE_CONTACT,
            {"alternate_contact_type": contact_type, "account_id": account_id},
        )
    except ResourceNotFoundException:
        live = None
    base: dict[str, Any] = {"account_id": report_as, "kind": ALTERNATE_CONTACT, "key": contact_type}
    if wanted is None:
        if live is None:
            return None
        change = Change(**base, action=DELETE, before=live)
        if send:
            with contextlib.suppress(ResourceNotFoundException):  # gone since read: as wanted
                yield from path.call(
                    ops.DELETE_ALTERNATE_CONTACT,
                    {"alternate_contact_type": contact_type, "account_id": account_id},
                )
        return change
    if live is None:
        change = Change(**base, action=CREATE, after=wanted)
    else:
        differing = differing_fields(live, wanted)
        if not differing:
            return None
        change = Change(**base, action=UPDATE, before=live, after=wanted, fields=differing)
    if send:
        yield from path.call(
            ops.PUT_ALTERNATE_CONTACT,
            {
                "alternate_contact_type": contact_type,
                "name": wanted.name,
                "title": wanted.title,
                "email_address": wanted.email_address,
                "phone_number": wanted.phone_number,
                "account_id": account_id,
            },
        )
    return change


def ensure_contact_information(
    path: CallPath,
    *,
    report_as: str,
    account_id: str | None,
    wanted: ContactInformation,
    send: bool,
) -> Steps[Change | None]:
    """Make the primary contact information ``wanted`` (compared as a whole record:
    PutContactInformation replaces it, so an optional field set live but not
    wanted is a difference)."""
    try:
        answer = yield from path.call(ops.GET_CONTACT_INFORMATION, {"account_id": account_id})
        live = answer.contact_information
    except ResourceNotFoundException:
        live = None
    base: dict[str, Any] = {"account_id": report_as, "kind": CONTACT_INFORMATION, "key": None}
    if live is None:
        change = Change(**base, action=CREATE, after=wanted)
    else:
        differing = differing_fields(live, wanted)
        if not differing:
            return None
        change = Change(**base, action=UPDATE, before=live, after=wanted, fields=differing)
    if send:
        yield from path.call(
            ops.PUT_CONTACT_INFORMATION,
            {"contact_information": wanted, "account_id": account_id},
        )
    return change


def ensure_region_opt_in(
    path: CallPath,
    *,
    report_as: str,
    account_id: str | None,
    region_name: str,
    enabled: bool,
    send: bool,
    wait: bool,
    timeout: float,
    poll_interval: float,
    status: str | None = None,
) -> Steps[Change | None]:
    """Make ``region_name`` enabled (or disabled); a switch on its way is no change.

    ``status`` is the Region's status if the caller has just read it (a plan
    reads every Region of an account with one ListRegions); else it is read.

    With ``send`` the switch goes through the Region gate (``ensure_region``),
    which reads the status again and respects the concurrency caps, and with
    ``wait`` returns once the Region has settled.

    Raises:
        ParamValidationError: the Region is ENABLED_BY_DEFAULT and ``enabled``
            is False: it cannot be disabled.
    """
    if status is None:
        region = yield from path.get_region_opt_status(region_name, account_id)
        status = region.region_opt_status
    if not enabled and status == RegionOptStatus.ENABLED_BY_DEFAULT:
        raise ParamValidationError(
            [("regions." + region_name, "enum", "is ENABLED_BY_DEFAULT and cannot be disabled")]
        )
    direction = ENABLE if enabled else DISABLE
    if status in direction.on_the_way:
        return None
    change = Change(
        account_id=report_as,
        kind=REGION,
        key=region_name,
        action=ENABLE_ACTION if enabled else DISABLE_ACTION,
        before=status,
        after=RegionOptStatus.ENABLED.value if enabled else RegionOptStatus.DISABLED.value,
    )
    if send:
        yield from ensure_region(
            path,
            direction,
            region_name=region_name,
            account_id=account_id,
            wait=wait,
            timeout=timeout,
            poll_interval=poll_interval,
            status=status,  # just read: the gate's step need not read it again
        )
    return change
