"""Plan: diff the desired state against every targeted account, then converge.

``plan`` reads each account's live state (only what the desired state names:
the alternate contact types it lists, the contact information if it sets
one, the Regions if it names any), through the ``AccountClient``, which
paces every call at the documented quotas; accounts are read
``max_workers`` at a time. A failure in one account is recorded in its
``AccountPlan`` and never stops the others.

Comparison rules, decided here and documented for users:
- a GetAlternateContact 404 means the contact is missing;
- text fields are compared after collapsing runs of whitespace and trimming
  both ends (AWS may normalise whitespace; a spacing-only edit is not a change);
  case is significant;
- the contact information is compared as a whole record: PutContactInformation
  replaces it, so an optional field set live but left out of the file is a change;
- a Region wanted ``enabled`` that is ENABLING is on its way (no change); one
  that is DISABLED or DISABLING is enabled. Wanted ``disabled``: DISABLED or
  DISABLING is no change, ENABLED or ENABLING is disabled, and
  ENABLED_BY_DEFAULT cannot be disabled: a plan problem for that account.

``apply`` (in ``_apply``) sends only the planned changes, each safe to repeat.

Sensitive values never appear in a rendering unless ``show_sensitive=True``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs

from account_mgmt._bulk import DEFAULT_MAX_WORKERS, AccountOutcome, for_each_account
from account_mgmt._client import AccountClient
from account_mgmt.exceptions import AccountError, ParamValidationError, ResourceNotFoundException
from account_mgmt.models import REDACTED, AlternateContact, ContactInformation, RegionOptStatus
from account_mgmt.org._select import SkippedAccount, Targets
from account_mgmt.org._spec import DISABLED, ENABLED, AccountDesiredState, DesiredState

ALTERNATE_CONTACT: Final = "alternate_contact"
"""``Change.kind`` of an alternate contact (``key`` is its type)."""
CONTACT_INFORMATION: Final = "contact_information"
"""``Change.kind`` of the primary contact information (``key`` is None)."""
REGION: Final = "region"
"""``Change.kind`` of a Region's opt-in (``key`` is its name)."""

CREATE: Final = "create"
UPDATE: Final = "update"
DELETE: Final = "delete"
ENABLE: Final = "enable"
DISABLE: Final = "disable"

OUTCOME_CHANGED: Final = "changed"
OUTCOME_UNCHANGED: Final = "unchanged"
OUTCOME_FAILED: Final = "failed"
OUTCOME_SKIPPED: Final = "skipped"

ContactValue = AlternateContact | ContactInformation


def _same_text(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is b
    return " ".join(a.split()) == " ".join(b.split())


def _differing_fields(live: ContactValue, wanted: ContactValue) -> tuple[str, ...]:
    return tuple(
        field.name
        for field in attrs.fields(type(wanted))
        if field.name != "alternate_contact_type"
        and not _same_text(getattr(live, field.name), getattr(wanted, field.name))
    )


def _masked(value: object, show_sensitive: bool) -> object:
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
    """One difference between an account's live and desired state."""

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
    """The desired value (a model, or ``ENABLED``/``DISABLED``); None for a delete."""
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
            "before": _masked(self.before, show_sensitive),
            "after": _masked(self.after, show_sensitive),
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
            text += f": {_masked(self.before, True)} -> {_masked(self.after, True)}"
        return text


@attrs.frozen(kw_only=True)
class PlanProblem:
    """A desired value that cannot be reached in an account (e.g. disabling a default Region)."""

    account_id: str
    kind: str
    key: str | None
    message: str

    def to_json(self) -> dict[str, object]:
        return {
            "account_id": self.account_id,
            "kind": self.kind,
            "key": self.key,
            "message": self.message,
        }


@attrs.frozen(kw_only=True)
class AccountPlan:
    """One account's changes, or why it could not be planned."""

    account_id: str
    call_account_id: str | None
    """What to pass as ``account_id`` (None for the management account)."""
    changes: tuple[Change, ...] = ()
    problems: tuple[PlanProblem, ...] = ()
    error: AccountError | None = None
    """Reading the live state failed (the typed error); the account has no plan."""

    @property
    def failed(self) -> bool:
        return self.error is not None or bool(self.problems)


def error_json(error: BaseException | None) -> dict[str, object] | None:
    if error is None:
        return None
    return {
        "type": type(error).__name__,
        "error_code": getattr(error, "error_code", None),
        "message": str(error),
    }


@attrs.frozen(kw_only=True)
class Plan:
    """Every targeted account's plan, and the accounts skipped."""

    accounts: tuple[AccountPlan, ...]
    skipped: tuple[SkippedAccount, ...] = ()

    @property
    def changes(self) -> tuple[Change, ...]:
        return tuple(change for account in self.accounts for change in account.changes)

    @property
    def has_changes(self) -> bool:
        return any(account.changes for account in self.accounts)

    @property
    def failed(self) -> tuple[AccountPlan, ...]:
        """Accounts that could not be read, or have a desired value they cannot reach."""
        return tuple(account for account in self.accounts if account.failed)

    def to_json(self, *, show_sensitive: bool = False) -> dict[str, object]:
        """``{"changes": [...], "problems": [...], "failed": [...], "skipped": [...]}``."""
        return {
            "changes": [c.to_json(show_sensitive=show_sensitive) for c in self.changes],
            "problems": [p.to_json() for a in self.accounts for p in a.problems],
            "failed": [
                {"account_id": a.account_id, "error": error_json(a.error)}
                for a in self.accounts
                if a.error is not None
            ],
            "skipped": [{"account_id": s.account_id, "reason": s.reason} for s in self.skipped],
        }


@attrs.frozen(kw_only=True)
class ProgressEvent:
    """Progress of one account in ``plan`` or ``apply``."""

    account_id: str
    phase: str
    """``started``, ``waiting_region_slot`` (waiting for a Region switch to settle, ``detail``
    names the Region), ``done`` or ``failed``."""
    detail: str | None = None


ProgressCallback = Callable[[ProgressEvent], None]


def _read_and_diff(
    client: AccountClient, account_id: str, call_id: str | None, desired: AccountDesiredState
) -> AccountPlan:
    changes: list[Change] = []
    problems: list[PlanProblem] = []
    for contact_type in sorted(desired.alternate_contacts):
        wanted = desired.alternate_contacts[contact_type]
        try:
            live: AlternateContact | None = client.get_alternate_contact(
                alternate_contact_type=contact_type, account_id=call_id
            )
        except ResourceNotFoundException:
            live = None
        base: dict[str, Any] = {
            "account_id": account_id,
            "kind": ALTERNATE_CONTACT,
            "key": contact_type,
        }
        if wanted is None:
            if live is not None:
                changes.append(Change(**base, action=DELETE, before=live))
        elif live is None:
            changes.append(Change(**base, action=CREATE, after=wanted))
        else:
            differing = _differing_fields(live, wanted)
            if differing:
                changes.append(
                    Change(**base, action=UPDATE, before=live, after=wanted, fields=differing)
                )
    if desired.contact_information is not None:
        live_info = client.get_contact_information(account_id=call_id).contact_information
        base = {"account_id": account_id, "kind": CONTACT_INFORMATION, "key": None}
        if live_info is None:
            changes.append(Change(**base, action=CREATE, after=desired.contact_information))
        else:
            differing = _differing_fields(live_info, desired.contact_information)
            if differing:
                changes.append(
                    Change(
                        **base,
                        action=UPDATE,
                        before=live_info,
                        after=desired.contact_information,
                        fields=differing,
                    )
                )
    if desired.regions:
        statuses = {
            region.region_name: region.region_opt_status
            for region in client.iter_regions(account_id=call_id)
        }
        for name in sorted(desired.regions):
            change, problem = _region_change(account_id, name, desired.regions[name], statuses)
            if change is not None:
                changes.append(change)
            if problem is not None:
                problems.append(problem)
    return AccountPlan(
        account_id=account_id,
        call_account_id=call_id,
        changes=tuple(changes),
        problems=tuple(problems),
    )


def _region_change(
    account_id: str, name: str, wanted: str, statuses: Mapping[str | None, str | None]
) -> tuple[Change | None, PlanProblem | None]:
    status = statuses.get(name)
    if status is None:
        return None, PlanProblem(
            account_id=account_id,
            kind=REGION,
            key=name,
            message=f"ListRegions does not list {name} for this account",
        )
    base: dict[str, Any] = {"account_id": account_id, "kind": REGION, "key": name, "before": status}
    if wanted == ENABLED and status in (RegionOptStatus.DISABLED, RegionOptStatus.DISABLING):
        return Change(**base, action=ENABLE, after=RegionOptStatus.ENABLED.value), None
    if wanted == DISABLED:
        if status == RegionOptStatus.ENABLED_BY_DEFAULT:
            return None, PlanProblem(
                account_id=account_id,
                kind=REGION,
                key=name,
                message=f"{name} is ENABLED_BY_DEFAULT and cannot be disabled",
            )
        if status in (RegionOptStatus.ENABLED, RegionOptStatus.ENABLING):
            return Change(**base, action=DISABLE, after=RegionOptStatus.DISABLED.value), None
    return None, None


def account_error(outcome: AccountOutcome[Any]) -> AccountError:
    error = outcome.error
    if isinstance(error, AccountError):
        return error
    raise error if error is not None else AssertionError("an outcome without value or error")


def plan(
    client: AccountClient,
    targets: Targets,
    desired: DesiredState,
    *,
    max_workers: int = DEFAULT_MAX_WORKERS,
    on_progress: ProgressCallback | None = None,
) -> Plan:
    """Read every targeted account's live state and diff it against ``desired``.

    ``on_progress`` is called from the worker threads (``started``) and the
    calling thread (``done``/``failed``): it must be thread-safe.

    Raises:
        ParamValidationError: ``max_workers`` is not an int >= 1.
        Exception: only a bug (anything not an ``AccountError``) in one
            account's read escapes; service and network errors are recorded.
    """
    resolved: dict[str, AccountDesiredState] = {}
    unresolved: dict[str, AccountError] = {}
    for account in targets.accounts:
        try:
            resolved[account.id] = desired.resolve(account)
        except ParamValidationError as exc:
            unresolved[account.id] = exc

    def read(account_id: str) -> AccountPlan:
        if on_progress is not None:
            on_progress(ProgressEvent(account_id=account_id, phase="started"))
        return _read_and_diff(
            client, account_id, targets.call_account_id(account_id), resolved[account_id]
        )

    def report(outcome: AccountOutcome[AccountPlan]) -> None:
        if on_progress is not None:
            failed = not outcome.ok or (outcome.value is not None and outcome.value.failed)
            on_progress(
                ProgressEvent(account_id=outcome.account_id, phase="failed" if failed else "done")
            )

    result = for_each_account(
        [a.id for a in targets.accounts if a.id in resolved],
        read,
        max_workers=max_workers,
        on_outcome=report,
    )
    by_id: dict[str, AccountPlan] = {}
    for outcome in result.outcomes:
        if outcome.value is not None:
            by_id[outcome.account_id] = outcome.value
        else:
            by_id[outcome.account_id] = AccountPlan(
                account_id=outcome.account_id,
                call_account_id=targets.call_account_id(outcome.account_id),
                error=account_error(outcome),
            )
    for account_id, error in unresolved.items():
        by_id[account_id] = AccountPlan(
            account_id=account_id, call_account_id=targets.call_account_id(account_id), error=error
        )
    return Plan(accounts=tuple(by_id[a.id] for a in targets.accounts), skipped=targets.skipped)
