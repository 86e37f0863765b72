"""apply: make the planned changes, account by account, and report each account's outcome.

Each planned change is made by running its ensure step (``_ensure``) with
``send=True``: the step reads the live value again and writes only if it
still differs (a Region switch goes through the Region gate and its caps).
So applying a stale plan, or re-running after an interruption, converges
without redoing what was done. See ``_plan`` for how changes are found.
"""

from __future__ import annotations

import logging
import math
import threading
from typing import Final, TypeVar

import attrs

from account_mgmt._bulk import DEFAULT_MAX_WORKERS, AccountOutcome, run_each_account
from account_mgmt._client import AccountClient
from account_mgmt._ensure import (
    ALTERNATE_CONTACT,
    CONTACT_INFORMATION,
    ENABLE_ACTION,
    REGION,
    Change,
    ensure_alternate_contact,
    ensure_contact_information,
    ensure_region_opt_in,
)
from account_mgmt._logging import bounded_repr
from account_mgmt._steps import Sleep, Steps
from account_mgmt._waiters import (
    DEFAULT_POLL_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
    wait_for_region_opt_status,
)
from account_mgmt.exceptions import AccountError, ParamValidationError
from account_mgmt.models import AlternateContact, ContactInformation, RegionOptStatus
from account_mgmt.org._plan import (
    OUTCOME_CHANGED,
    OUTCOME_FAILED,
    OUTCOME_SKIPPED,
    OUTCOME_UNCHANGED,
    AccountPlan,
    Plan,
    PlanProblem,
    ProgressCallback,
    ProgressEvent,
    account_error,
    error_json,
)

T = TypeVar("T")

logger = logging.getLogger(__name__)

WAIT_SHARE_OF_STATUS_QUOTA: Final = 0.6
"""Share of GetRegionOptStatus's rate (5/s documented) the waits of one apply spread
their reads over: the rest is left to the read each enable makes first and to the
Region gate's read of the oldest switch in a cap's way."""

MAX_WAIT_INTERVAL: Final = 60.0
"""Longest pause between two reads of one switch, however many accounts wait (unless
``poll_interval`` asks for longer): a settled switch is seen within a minute."""

MAX_WAITING_THREADS: Final = 100
"""Threads waiting on switches at most, whatever the organization cap says."""

STOP_CHECK_SECONDS: Final = 0.5
"""Longest sleep a step of a stopped job takes before it sees the stop."""


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
    """One account's apply in progress (mutable: its changes are sent, then waited on)."""

    plan: AccountPlan
    done: list[Change] = attrs.Factory(list)
    failed: list[Change] = attrs.Factory(list)
    switching: list[Change] = attrs.Factory(list)
    """Region switches sent and not yet seen settled."""
    started: bool = False
    """Its changes began to go out."""
    waited_on: bool = False
    """Handed to a waiting thread: its outcome is reported once the switches settled."""
    finished: bool = False
    """Its outcome is final (and was reported)."""
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

    def describe_stop(self) -> str:
        """Where the account was when the job stopped: for the note on the exception."""
        account_id = self.plan.account_id
        if self.finished:
            return f"{account_id} {self.outcome().outcome}"
        if not self.started:
            return f"{account_id} not started"
        made = f"{len(self.done)} of {len(self.plan.changes)} changes made"
        if self.switching:
            regions = ", ".join(c.key or "" for c in self.switching)
            return f"{account_id} {made}; switching, not waited for: {regions}"
        return f"{account_id} stopped part-way: {made}"


class _Stopped(Exception):
    """A step ended because the job stopped; never leaves ``apply``."""


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
        self.stopped = threading.Event()
        """Set when the job stops (Ctrl-C, a failing callback): no step makes another
        request, no account starts."""
        self._lock = threading.Lock()
        self._waiting = 0
        """Accounts waiting on their switches now (spreads their reads, see ``settle``)."""

    def progress(self, account_id: str, phase: str, detail: str | None = None) -> None:
        if self.on_progress is not None:
            self.on_progress(ProgressEvent(account_id=account_id, phase=phase, detail=detail))

    def change(self, account: AccountPlan, change: Change) -> None:
        """Make ``change`` by running its ensure step with ``send=True``: it reads the live
        value again and writes only what still differs."""
        self.client._run(_until(self.stopped, self._ensure(account, change)))

    def _ensure(self, account: AccountPlan, change: Change) -> Steps[Change | None]:
        path, call_id, report_as = self.client._path, account.call_account_id, account.account_id
        if change.kind == ALTERNATE_CONTACT:
            assert change.key is not None
            wanted = change.after if isinstance(change.after, AlternateContact) else None
            return ensure_alternate_contact(
                path,
                report_as=report_as,
                account_id=call_id,
                contact_type=change.key,
                wanted=wanted,  # None: a delete
                send=True,
            )
        if change.kind == CONTACT_INFORMATION:
            assert isinstance(change.after, ContactInformation)
            return ensure_contact_information(
                path, report_as=report_as, account_id=call_id, wanted=change.after, send=True
            )
        assert change.key is not None
        # The Region gate's own poll interval paces the wait for a free slot under the
        # caps: apply's (1 s) there made 200 accounts crowd GetRegionOptStatus's 5/s,
        # which every enable's status read also needs (unfinished after 11 min vs 254 s).
        return ensure_region_opt_in(
            path,
            report_as=report_as,
            account_id=call_id,
            region_name=change.key,
            enabled=change.action == ENABLE_ACTION,
            send=True,
            wait=False,
            timeout=self.region_timeout,
            poll_interval=DEFAULT_POLL_INTERVAL,
        )

    def send(self, run: _AccountRun) -> None:
        """Every change of the account, contacts first; switches are not waited on.

        Raises:
            _Stopped: the job stopped; the changes made so far are in ``run.done``.
        """
        account = run.plan
        if self.stopped.is_set():
            raise _Stopped
        if account.error is not None or not account.changes:
            return
        run.started = True
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

    def settle(self, run: _AccountRun) -> None:
        """Wait for the account's Region switches to settle.

        They have just been sent, so the first read comes one interval later.
        The interval grows with the accounts waiting at once, so that their
        reads together stay within ``WAIT_SHARE_OF_STATUS_QUOTA`` of the
        client's GetRegionOptStatus rate: polled faster, they would queue on
        that quota ahead of the read each enable makes first, and slow the
        sending down.

        Raises:
            _Stopped: the job stopped.
        """
        with self._lock:
            self._waiting += 1
        try:
            self._settle(run)
        finally:
            with self._lock:
                self._waiting -= 1

    def _settle(self, run: _AccountRun) -> None:
        account = run.plan
        for index, change in enumerate(list(run.switching)):
            assert change.key is not None
            self.progress(account.account_id, "waiting_region_switch", change.key)
            wanted = (
                RegionOptStatus.ENABLED
                if change.action == ENABLE_ACTION
                else RegionOptStatus.DISABLED
            )
            waiting = wait_for_region_opt_status(
                self.client._path,
                region_name=change.key,
                account_id=account.call_account_id,
                statuses=frozenset({wanted}),
                timeout=self.region_timeout,
                poll_interval=self._interval,
                # The account's switches went out together: once the first settled,
                # the others are read at once.
                first_read_after=self._interval() if index == 0 else 0.0,
            )
            try:
                self.client._run(_until(self.stopped, waiting))
            except AccountError as exc:
                run.fail(change, exc)
            else:
                run.done.append(change)
            run.switching.remove(change)

    def _interval(self) -> float:
        quota = self.client._path.quotas.get("GetRegionOptStatus")
        if quota is None:  # rate limiting is off
            return self.poll_interval
        with self._lock:
            spread = self._waiting / (quota.rate * WAIT_SHARE_OF_STATUS_QUOTA)
        return max(self.poll_interval, min(spread, MAX_WAIT_INTERVAL))


def _until(stopped: threading.Event, steps: Steps[T]) -> Steps[T]:
    """``steps``, ended with ``_Stopped`` before its next effect once ``stopped`` is set.

    Each effect's result is delivered (a request sent is seen through), and a
    long sleep is taken in slices of ``STOP_CHECK_SECONDS``, so a stopped job
    sends nothing more and its waits end within a slice, not minutes later.
    """
    value: object = None
    error: AccountError | None = None
    try:
        while True:
            try:
                effect = steps.throw(error) if error is not None else steps.send(value)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            if stopped.is_set():
                raise _Stopped
            value, error = None, None
            if isinstance(effect, Sleep) and effect.seconds > STOP_CHECK_SECONDS:
                left = effect.seconds
                while left > 0:
                    yield Sleep(min(STOP_CHECK_SECONDS, left))
                    left -= STOP_CHECK_SECONDS
                    if stopped.is_set():
                        raise _Stopped
                continue
            try:
                value = yield effect
            except AccountError as exc:
                error = exc
    finally:
        steps.close()


def _check_apply_options(
    max_workers: object, region_timeout: object, poll_interval: object
) -> None:
    """Raises ParamValidationError naming each option that would not make a job that ends."""
    violations: list[tuple[str, str, str]] = []
    if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
        violations.append(
            ("max_workers", "min_value", f"expected an int >= 1, got {bounded_repr(max_workers)}")
        )
    for name, value, inclusive in (
        ("region_timeout", region_timeout, True),
        ("poll_interval", poll_interval, False),
    ):
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
        if (
            number is None
            or not math.isfinite(number)
            or not (number >= 0 if inclusive else number > 0)
        ):
            bound = ">= 0" if inclusive else "> 0"
            violations.append(
                (name, "min_value", f"expected finite seconds {bound}, got {bounded_repr(value)}")
            )
    if violations:
        raise ParamValidationError(violations)


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
    switches go through the Region gate, which keeps the per-account and
    organization caps. An account's changes are sent first; then, with
    ``wait_for_regions``, its switches are waited on until they settle (up
    to ``region_timeout`` seconds each) by a thread that no longer counts
    against ``max_workers``: the next accounts' changes go out meanwhile, so
    a job of Region switches lasts what EnableRegion's 1/s and the caps
    allow plus about one poll. The waits poll every ``poll_interval``
    seconds, or less often (up to a minute) when so many accounts wait that
    their reads would crowd GetRegionOptStatus's quota. An account is
    reported ``done`` once its switches settled.

    ``on_progress`` is called from the job's threads. If it raises, or on
    Ctrl-C, the job stops: no account starts, no request goes out after the
    ones in flight, and the waits end; the exception propagates with a note
    listing every account and where it stood (changed, failed, switching
    and not waited for, not started). Re-running (plan, then apply)
    converges.

    Raises:
        ParamValidationError: ``max_workers`` is not an int >= 1, or
            ``region_timeout`` / ``poll_interval`` are not finite seconds
            (>= 0 and > 0); nothing is sent.
    """
    import concurrent.futures  # a thread pool only for the jobs that use one

    _check_apply_options(max_workers, region_timeout, poll_interval)
    applier = _Applier(
        client,
        on_progress=on_progress,
        wait_for_regions=wait_for_regions,
        region_timeout=region_timeout,
        poll_interval=poll_interval,
    )
    runs = {account.account_id: _AccountRun(plan=account) for account in plan.accounts}

    def finish(account_id: str, run: _AccountRun | None) -> None:
        if run is not None:
            run.finished = True
        if on_progress is not None:
            failed = run is None or run.outcome().outcome == OUTCOME_FAILED
            on_progress(ProgressEvent(account_id=account_id, phase="failed" if failed else "done"))

    # The accounts waiting on their switches wait on threads of their own, as many as
    # the organization cap lets switch at once, while the ``max_workers`` sending
    # threads go on to the next accounts.
    waiters = concurrent.futures.ThreadPoolExecutor(
        max_workers=min(
            client._path.config.region_opt_concurrency_per_organization, MAX_WAITING_THREADS
        ),
        thread_name_prefix="account-mgmt-apply-wait",
    )
    # Appended to by the sending threads; read once they are all done.
    waits: list[concurrent.futures.Future[None]] = []
    # What stopped the job from a waiting thread (a failing callback, a bug).
    failures: list[BaseException] = []

    def settle(account_id: str, run: _AccountRun) -> None:
        try:
            applier.settle(run)
            finish(account_id, run)
        except _Stopped:
            pass
        except BaseException as exc:  # noqa: BLE001 - stops the job; raised by apply below
            failures.append(exc)
            applier.stopped.set()

    def send(account_id: str) -> _AccountRun:
        run = runs[account_id]
        applier.send(run)
        if run.switching:
            run.waited_on = True
            waits.append(waiters.submit(settle, account_id, run))
        return run

    def sent(outcome: AccountOutcome[_AccountRun]) -> None:
        if isinstance(outcome.error, _Stopped):
            return  # the job is stopping; the note tells where the account stood
        run = outcome.value
        if run is None:  # a bug in the applier: recorded as the account's failure below
            runs[outcome.account_id].error = account_error(outcome)
        elif run.waited_on:
            return  # reported when its switches settle
        finish(outcome.account_id, run)

    try:
        run_each_account(
            list(runs),
            send,
            max_workers=max_workers,
            on_outcome=sent,
            on_stop=applier.stopped.set,
            note=False,
        )
        concurrent.futures.wait(waits)
        if failures:
            raise failures[0]
    except BaseException as exc:
        applier.stopped.set()  # no request more; the waits end within a slice
        waiters.shutdown(wait=True, cancel_futures=True)
        for extra in failures[1:]:
            logger.error("apply: also failed while stopping: %s", type(extra).__name__)
        lines = [run.describe_stop() for run in runs.values()]
        exc.add_note("apply stopped; where each account stood:\n" + "\n".join(lines))
        raise
    finally:
        waiters.shutdown(wait=True, cancel_futures=True)
    outcomes = [run.outcome() for run in runs.values()]
    outcomes.extend(
        AccountApplyOutcome(account_id=s.account_id, outcome=OUTCOME_SKIPPED, reason=s.reason)
        for s in plan.skipped
    )
    return ApplyResult(outcomes=tuple(outcomes))
