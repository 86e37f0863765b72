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

from collections.abc import Callable
from typing import Any, Final

import attrs

from account_mgmt._bulk import DEFAULT_MAX_WORKERS, AccountOutcome, for_each_account
from account_mgmt._client import AccountClient
from account_mgmt._ensure import (
    REGION,
    Change,
    ensure_alternate_contact,
    ensure_contact_information,
    ensure_region_opt_in,
)
from account_mgmt._waiters import DEFAULT_POLL_INTERVAL, DEFAULT_WAIT_TIMEOUT
from account_mgmt.exceptions import AccountError, ParamValidationError
from account_mgmt.org._select import SkippedAccount, Targets
from account_mgmt.org._spec import ENABLED, AccountDesiredState, DesiredState

OUTCOME_CHANGED: Final = "changed"
OUTCOME_UNCHANGED: Final = "unchanged"
OUTCOME_FAILED: Final = "failed"
OUTCOME_SKIPPED: Final = "skipped"


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
    """``started``, ``waiting_region_switch`` (``apply``: waiting for a Region switch it
    sent to settle, ``detail`` names the Region), ``done`` or ``failed``."""
    detail: str | None = None


ProgressCallback = Callable[[ProgressEvent], None]
"""Told of each account's progress, from the job's threads (several at once: it must
be thread-safe); an exception it raises stops the job."""


def _read_and_diff(
    client: AccountClient, account_id: str, call_id: str | None, desired: AccountDesiredState
) -> AccountPlan:
    """Run the account's ensure steps without sending (``send=False``): what would change."""
    path = client._path
    found: list[Change | None] = []
    problems: list[PlanProblem] = []
    for contact_type in sorted(desired.alternate_contacts):
        step = ensure_alternate_contact(
            path,
            report_as=account_id,
            account_id=call_id,
            contact_type=contact_type,
            wanted=desired.alternate_contacts[contact_type],
            send=False,
        )
        found.append(client._run(step))
    if desired.contact_information is not None:
        step = ensure_contact_information(
            path,
            report_as=account_id,
            account_id=call_id,
            wanted=desired.contact_information,
            send=False,
        )
        found.append(client._run(step))
    if desired.regions:  # one ListRegions reads them all, where a read each would take more
        statuses = {
            r.region_name: r.region_opt_status for r in client.iter_regions(account_id=call_id)
        }
    for name in sorted(desired.regions):
        status = statuses.get(name)
        if status is None:
            message = f"ListRegions does not list {name} for this account"
            problems.append(
                PlanProblem(account_id=account_id, kind=REGION, key=name, message=message)
            )
            continue
        region_step = ensure_region_opt_in(
            path,
            report_as=account_id,
            account_id=call_id,
            region_name=name,
            enabled=desired.regions[name] == ENABLED,
            send=False,
            wait=False,
            timeout=DEFAULT_WAIT_TIMEOUT,
            poll_interval=DEFAULT_POLL_INTERVAL,
            status=status,
        )
        try:
            found.append(client._run(region_step))
        except ParamValidationError as exc:  # the Region cannot be brought there
            problems.append(
                PlanProblem(account_id=account_id, kind=REGION, key=name, message=str(exc))
            )
    return AccountPlan(
        account_id=account_id,
        call_account_id=call_id,
        changes=tuple(change for change in found if change is not None),
        problems=tuple(problems),
    )


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

    Only what the desired state names is read, paced at the documented
    quotas, ``max_workers`` accounts at a time; one account's failure is
    recorded in its ``AccountPlan`` and never stops the others. A missing
    alternate contact (a 404) is to be created; text is compared after
    collapsing whitespace, case counting; the contact information is compared
    as a whole record (the put replaces it); a Region on its way (ENABLING
    when enabled is wanted) is no change, and disabling an
    ENABLED_BY_DEFAULT Region is a ``PlanProblem``. Sends no write.

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
