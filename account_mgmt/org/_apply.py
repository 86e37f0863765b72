"""apply: make the planned changes, account by account, and report each account's outcome.

Every change is safe to repeat (PutAlternateContact and PutContactInformation
are upserts, a delete that finds nothing is done, ``enable_region`` and
``disable_region`` read the status first), so applying a stale plan, or
re-running after an interruption (which re-plans from live state), converges
without redoing what was done. See ``_plan`` for how changes are found.
"""

from __future__ import annotations

import contextlib

import attrs

from account_mgmt._bulk import DEFAULT_MAX_WORKERS, AccountOutcome, for_each_account
from account_mgmt._client import AccountClient
from account_mgmt._waiters import DEFAULT_POLL_INTERVAL, DEFAULT_WAIT_TIMEOUT
from account_mgmt.exceptions import AccountError, ResourceNotFoundException
from account_mgmt.models import AlternateContact, ContactInformation, RegionOptStatus
from account_mgmt.org._plan import (
    ALTERNATE_CONTACT,
    CONTACT_INFORMATION,
    DELETE,
    ENABLE,
    OUTCOME_CHANGED,
    OUTCOME_FAILED,
    OUTCOME_SKIPPED,
    OUTCOME_UNCHANGED,
    REGION,
    AccountPlan,
    Change,
    Plan,
    PlanProblem,
    ProgressCallback,
    ProgressEvent,
    account_error,
    error_json,
)


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
            "error": error_json(self.error),
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


@attrs.define
class _AccountRun:
    """One account's apply in progress (mutable: phase 1 sends, phase 2 waits)."""

    plan: AccountPlan
    done: list[Change] = attrs.Factory(list)
    failed: list[Change] = attrs.Factory(list)
    switching: list[Change] = attrs.Factory(list)
    """Region switches sent and not yet seen settled."""
    error: AccountError | None = None

    def fail(self, change: Change, error: AccountError) -> None:
        self.failed.append(change)
        self.error = self.error or error

    def outcome(self) -> AccountApplyOutcome:
        account = self.plan
        if account.error is not None:
            return AccountApplyOutcome(
                account_id=account.account_id, outcome=OUTCOME_FAILED, error=account.error
            )
        if not account.changes:
            outcome = OUTCOME_FAILED if account.problems else OUTCOME_UNCHANGED
            return AccountApplyOutcome(
                account_id=account.account_id, outcome=outcome, problems=account.problems
            )
        bad = bool(self.failed) or bool(account.problems)
        return AccountApplyOutcome(
            account_id=account.account_id,
            outcome=OUTCOME_FAILED if bad else OUTCOME_CHANGED,
            changes=tuple(self.done),
            failed_changes=tuple(self.failed),
            problems=account.problems,
            error=self.error,
        )


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
            # The client's own poll interval paces its wait for a free slot under the
            # caps. Passing apply's poll_interval (1 s) there, 200 accounts had not finished
            # after 11 min, against 254 s with the default: the polls crowd GetRegionOptStatus's
            # 5/s, which every enable's status read also needs.
            client.enable_region(
                region_name=change.key, account_id=call_id, timeout=self.region_timeout
            )
        else:
            assert change.key is not None
            client.disable_region(
                region_name=change.key, account_id=call_id, timeout=self.region_timeout
            )

    def send(self, run: _AccountRun) -> _AccountRun:
        """Phase 1: every change of the account, contacts first; switches are not waited on."""
        account = run.plan
        if account.error is not None or not account.changes:
            return run
        self.progress(account.account_id, "started")
        for change in sorted(account.changes, key=lambda c: c.kind == REGION):
            try:
                self.change(account, change)
            except AccountError as exc:
                run.fail(change, exc)
                continue
            if change.kind == REGION and self.wait_for_regions:
                run.switching.append(change)
            else:
                run.done.append(change)
        return run

    def settle(self, run: _AccountRun) -> _AccountRun:
        """Phase 2: wait for the account's Region switches to settle."""
        account = run.plan
        for change in run.switching:
            assert change.key is not None
            self.progress(account.account_id, "waiting_region_slot", change.key)
            wanted = (
                RegionOptStatus.ENABLED if change.action == ENABLE else RegionOptStatus.DISABLED
            )
            try:
                self.client.wait_for_region_opt_status(
                    region_name=change.key,
                    statuses=(wanted,),
                    account_id=account.call_account_id,
                    timeout=self.region_timeout,
                    poll_interval=self.poll_interval,
                )
            except AccountError as exc:
                run.fail(change, exc)
                continue
            run.done.append(change)
        run.switching = []
        return run


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
    the per-account and organization caps). Every account's changes are sent
    first; then, with ``wait_for_regions``, the switches are waited on until
    they settle (up to ``region_timeout`` seconds each), so workers never sit
    idle on one account's switch. An account is reported ``done`` once its
    switches settled. A Ctrl-C stops the job: accounts in flight finish their
    current change, none is started, and re-running (plan, then apply)
    converges.

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
    runs = {account.account_id: _AccountRun(plan=account) for account in plan.accounts}

    def report(outcome: AccountOutcome[_AccountRun]) -> None:
        run = outcome.value
        if run is None:  # a bug in the applier: recorded as the account's failure below
            runs[outcome.account_id].error = account_error(outcome)
        elif run.switching:
            return  # reported when its switches settle
        if on_progress is not None:
            failed = run is None or run.outcome().outcome == OUTCOME_FAILED
            phase = "failed" if failed else "done"
            on_progress(ProgressEvent(account_id=outcome.account_id, phase=phase))

    # Two phases, so that a worker never sits waiting on a switch while other
    # accounts' changes could be sent: the switches of every account settle
    # together, within the caps the client's Region gate keeps.
    for_each_account(
        list(runs), lambda a: applier.send(runs[a]), max_workers=max_workers, on_outcome=report
    )
    waiting = [account_id for account_id, run in runs.items() if run.switching]
    if waiting:
        for_each_account(
            waiting, lambda a: applier.settle(runs[a]), max_workers=max_workers, on_outcome=report
        )
    outcomes = [run.outcome() for run in runs.values()]
    outcomes.extend(
        AccountApplyOutcome(account_id=s.account_id, outcome=OUTCOME_SKIPPED, reason=s.reason)
        for s in plan.skipped
    )
    return ApplyResult(outcomes=tuple(outcomes))
