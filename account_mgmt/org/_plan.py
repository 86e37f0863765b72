"""Plan and apply: diff the desired state against every targeted account, then converge.

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

``apply`` sends only the planned changes, each of them safe to repeat
(PutAlternateContact and PutContactInformation are upserts, a delete that
finds nothing is done, ``enable_region``/``disable_region`` read the status
first). So applying a stale plan, or re-running after an interruption (which
re-plans from live state), converges without redoing what was done.

Sensitive values never appear in a rendering unless ``show_sensitive=True``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs

from account_mgmt._bulk import DEFAULT_MAX_WORKERS, AccountOutcome, for_each_account
from account_mgmt._client import AccountClient
from account_mgmt._waiters import DEFAULT_POLL_INTERVAL, DEFAULT_WAIT_TIMEOUT
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


def _error_json(error: BaseException | None) -> dict[str, object] | None:
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
                {"account_id": a.account_id, "error": _error_json(a.error)}
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


def _account_error(outcome: AccountOutcome[Any]) -> AccountError:
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
                error=_account_error(outcome),
            )
    for account_id, error in unresolved.items():
        by_id[account_id] = AccountPlan(
            account_id=account_id, call_account_id=targets.call_account_id(account_id), error=error
        )
    return Plan(accounts=tuple(by_id[a.id] for a in targets.accounts), skipped=targets.skipped)


@attrs.frozen(kw_only=True)
class AccountApplyOutcome:
    """How one account ended after ``apply``."""

    account_id: str
    outcome: str
    """``changed``, ``unchanged``, ``failed`` or ``skipped``."""
    changes: tuple[Change, ...] = ()
    """The changes made."""
    failed_changes: tuple[Change, ...] = ()
    """The changes that failed (the first one's error is ``error``)."""
    problems: tuple[PlanProblem, ...] = ()
    error: AccountError | None = None
    reason: str | None = None
    """For ``skipped``: why (the account's state, ``excluded``...)."""

    def to_json(self, *, show_sensitive: bool = False) -> dict[str, object]:
        return {
            "account_id": self.account_id,
            "outcome": self.outcome,
            "changes": [c.to_json(show_sensitive=show_sensitive) for c in self.changes],
            "failed_changes": [
                c.to_json(show_sensitive=show_sensitive) for c in self.failed_changes
            ],
            "problems": [p.to_json() for p in self.problems],
            "error": _error_json(self.error),
            "reason": self.reason,
        }


@attrs.frozen(kw_only=True)
class ApplyResult:
    """Every account's outcome, in plan order, the skipped ones last."""

    outcomes: tuple[AccountApplyOutcome, ...]

    @property
    def converged(self) -> bool:
        """No account failed (skipped accounts were never part of the job)."""
        return all(o.outcome != OUTCOME_FAILED for o in self.outcomes)

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)

    def to_json(self, *, show_sensitive: bool = False) -> dict[str, object]:
        return {
            "converged": self.converged,
            "outcomes": [o.to_json(show_sensitive=show_sensitive) for o in self.outcomes],
        }


class _Applier:
    def __init__(
        self,
        client: AccountClient,
        *,
        on_progress: ProgressCallback | None,
        wait_for_regions: bool,
        region_timeout: float,
        poll_interval: float,
    ) -> None:
        self.client = client
        self.on_progress = on_progress
        self.wait_for_regions = wait_for_regions
        self.region_timeout = region_timeout
        self.poll_interval = poll_interval

    def progress(self, account_id: str, phase: str, detail: str | None = None) -> None:
        if self.on_progress is not None:
            self.on_progress(ProgressEvent(account_id=account_id, phase=phase, detail=detail))

    def change(self, account: AccountPlan, change: Change) -> None:
        client, call_id = self.client, account.call_account_id
        if change.kind == ALTERNATE_CONTACT:
            assert change.key is not None
            if change.action == DELETE:
                with contextlib.suppress(ResourceNotFoundException):  # gone already: as wanted
                    client.delete_alternate_contact(
                        alternate_contact_type=change.key, account_id=call_id
                    )
            else:
                assert isinstance(change.after, AlternateContact)
                wanted = change.after
                client.put_alternate_contact(
                    alternate_contact_type=change.key,
                    name=wanted.name or "",
                    title=wanted.title or "",
                    email_address=wanted.email_address or "",
                    phone_number=wanted.phone_number or "",
                    account_id=call_id,
                )
        elif change.kind == CONTACT_INFORMATION:
            assert isinstance(change.after, ContactInformation)
            client.put_contact_information(contact_information=change.after, account_id=call_id)
        elif change.action == ENABLE:
            assert change.key is not None
            client.enable_region(region_name=change.key, account_id=call_id)
        else:
            assert change.key is not None
            client.disable_region(region_name=change.key, account_id=call_id)

    def settle(self, account: AccountPlan, change: Change) -> None:
        assert change.key is not None
        self.progress(account.account_id, "waiting_region_slot", change.key)
        wanted = RegionOptStatus.ENABLED if change.action == ENABLE else RegionOptStatus.DISABLED
        self.client.wait_for_region_opt_status(
            region_name=change.key,
            statuses=(wanted,),
            account_id=account.call_account_id,
            timeout=self.region_timeout,
            poll_interval=self.poll_interval,
        )

    def account(self, account: AccountPlan) -> AccountApplyOutcome:
        if account.error is not None:
            return AccountApplyOutcome(
                account_id=account.account_id, outcome=OUTCOME_FAILED, error=account.error
            )
        if not account.changes:
            outcome = OUTCOME_FAILED if account.problems else OUTCOME_UNCHANGED
            return AccountApplyOutcome(
                account_id=account.account_id, outcome=outcome, problems=account.problems
            )
        self.progress(account.account_id, "started")
        done: list[Change] = []
        failed: list[Change] = []
        first_error: AccountError | None = None
        started_switches: list[Change] = []
        # Contacts first, then Region switches: the switches can be waited on together.
        ordered = sorted(account.changes, key=lambda c: c.kind == REGION)
        for change in ordered:
            try:
                self.change(account, change)
            except AccountError as exc:
                failed.append(change)
                first_error = first_error or exc
                continue
            if change.kind == REGION and self.wait_for_regions:
                started_switches.append(change)
            else:
                done.append(change)
        for change in started_switches:
            try:
                self.settle(account, change)
            except AccountError as exc:
                failed.append(change)
                first_error = first_error or exc
                continue
            done.append(change)
        bad = bool(failed) or bool(account.problems)
        return AccountApplyOutcome(
            account_id=account.account_id,
            outcome=OUTCOME_FAILED if bad else OUTCOME_CHANGED,
            changes=tuple(done),
            failed_changes=tuple(failed),
            problems=account.problems,
            error=first_error,
        )


def apply(
    client: AccountClient,
    plan: Plan,
    *,
    max_workers: int = DEFAULT_MAX_WORKERS,
    on_progress: ProgressCallback | None = None,
    wait_for_regions: bool = True,
    region_timeout: float = DEFAULT_WAIT_TIMEOUT,
    poll_interval: float = DEFAULT_POLL_INTERVAL,
) -> ApplyResult:
    """Make the planned changes, account by account, ``max_workers`` at a time.

    Failures are recorded per account and never stop the others. Region
    switches go through ``enable_region``/``disable_region`` (which respect
    the per-account and organization caps); with ``wait_for_regions`` each
    account's switches are then waited on until they settle (up to
    ``region_timeout`` seconds each). A Ctrl-C stops the job: accounts in
    flight finish their current change, none is started, and re-running
    (plan, then apply) converges.

    Raises:
        ParamValidationError: ``max_workers`` is not an int >= 1.
    """
    applier = _Applier(
        client,
        on_progress=on_progress,
        wait_for_regions=wait_for_regions,
        region_timeout=region_timeout,
        poll_interval=poll_interval,
    )
    plans = {account.account_id: account for account in plan.accounts}

    def report(outcome: AccountOutcome[AccountApplyOutcome]) -> None:
        if on_progress is not None:
            ok = outcome.value is not None and outcome.value.outcome != OUTCOME_FAILED
            on_progress(
                ProgressEvent(account_id=outcome.account_id, phase="done" if ok else "failed")
            )

    result = for_each_account(
        list(plans),
        lambda account_id: applier.account(plans[account_id]),
        max_workers=max_workers,
        on_outcome=report,
    )
    outcomes = [
        outcome.value
        if outcome.value is not None
        else AccountApplyOutcome(
            account_id=outcome.account_id,
            outcome=OUTCOME_FAILED,
            error=_account_error(outcome),
        )
        for outcome in result.outcomes
    ]
    outcomes.extend(
        AccountApplyOutcome(account_id=s.account_id, outcome=OUTCOME_SKIPPED, reason=s.reason)
        for s in plan.skipped
    )
    return ApplyResult(outcomes=tuple(outcomes))
