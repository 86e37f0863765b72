"""Running one action against many accounts: the organization-wide job, sync and async.

Every account gets an outcome, success or failure, in the order the accounts
were given: one account's error never hides another's, and nothing is
dropped. Concurrency is bounded; pacing is left to the clients' rate
limiter, which all workers share. The checks, the outcome records and the
stop report are written once; only the running (threads, or tasks) differs.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Final, Generic, TypeVar

import attrs

from account_mgmt.exceptions import AccountError, ParamValidationError

T = TypeVar("T")

DEFAULT_MAX_WORKERS: Final = 8
"""Accounts in flight at once: enough to keep every quota busy, few enough for 2 cores."""


@attrs.frozen(kw_only=True)
class AccountOutcome(Generic[T]):
    """What happened in one account: ``value`` on success, ``error`` on failure."""

    account_id: str
    value: T | None = None
    error: BaseException | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


@attrs.frozen(repr=False)
class BulkResult(Generic[T]):
    """Every account's outcome, in input order.

    ``repr`` is one short line of counts; ``summary()`` a few lines of text;
    ``rows()`` one plain dict per account for a table, a CSV or JSON.
    """

    outcomes: tuple[AccountOutcome[T], ...]

    def __repr__(self) -> str:
        return f"BulkResult({self._counts()})"

    def _counts(self) -> str:
        failed = self.failed
        text = f"{len(self.outcomes)} accounts: {len(self.outcomes) - len(failed)} succeeded"
        text += f", {len(failed)} failed"
        if failed:
            by_type = collections.Counter(type(o.error).__name__ for o in failed)
            text += " (" + ", ".join(f"{name}: {n}" for name, n in by_type.most_common()) + ")"
        return text

    def summary(self) -> str:
        """Counts by outcome and by error type, then each failed account and its error."""
        lines = [self._counts()]
        lines += [f"  {o.account_id}: {type(o.error).__name__}: {o.error}" for o in self.failed]
        return "\n".join(lines)

    def rows(self) -> list[dict[str, object]]:
        """One dict per account: ``account_id``, ``ok``, ``error_type``, ``error``, ``seconds``."""
        return [
            {
                "account_id": o.account_id,
                "ok": o.ok,
                "error_type": None if o.error is None else type(o.error).__name__,
                "error": None if o.error is None else str(o.error),
                "seconds": round(o.seconds, 3),
            }
            for o in self.outcomes
        ]

    @property
    def succeeded(self) -> tuple[AccountOutcome[T], ...]:
        return tuple(o for o in self.outcomes if o.ok)

    @property
    def failed(self) -> tuple[AccountOutcome[T], ...]:
        return tuple(o for o in self.outcomes if not o.ok)

    def raise_for_failures(self) -> None:
        """Raise ``BulkOperationError`` if any account failed."""
        if self.failed:
            raise BulkOperationError(self.failed)


class BulkOperationError(AccountError):
    """Some accounts failed; ``failures`` has each one's outcome and error."""

    def __init__(self, failures: tuple[AccountOutcome[Any], ...]) -> None:
        self.failures = failures
        listed = ", ".join(f"{o.account_id} ({type(o.error).__name__})" for o in failures[:10])
        more = f" and {len(failures) - 10} more" if len(failures) > 10 else ""
        super().__init__(f"{len(failures)} account(s) failed: {listed}{more}")


def _checked_ids(account_ids: Iterable[str], name: str, limit: object) -> list[str]:
    """Each account once, in order, once the arguments are known to make a job that ends.

    Raises:
        ParamValidationError: ``account_ids`` is a single string, or the
            concurrency limit is not an int >= 1.
    """
    violations: list[tuple[str, str, str]] = []
    if isinstance(account_ids, str):  # iterating it would run the action per digit
        violations.append(
            ("account_ids", "type", "expected a collection of account ids, got one string")
        )
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        violations.append((name, "min_value", f"expected an int >= 1, got {limit!r}"))
    if violations:
        raise ParamValidationError(violations)
    return list(dict.fromkeys(account_ids))


def _outcome(
    account_id: str, started: float, value: T | None = None, error: BaseException | None = None
) -> AccountOutcome[T]:
    return AccountOutcome(
        account_id=account_id, value=value, error=error, seconds=time.monotonic() - started
    )


def for_each_account(
    account_ids: Iterable[str],
    action: Callable[[str], T],
    *,
    max_workers: int = DEFAULT_MAX_WORKERS,
    on_outcome: Callable[[AccountOutcome[T]], None] | None = None,
) -> BulkResult[T]:
    """Run ``action(account_id)`` for every account, ``max_workers`` threads at a time.

    ``on_outcome`` is called (from the calling thread) as each account
    finishes, for progress reporting. Exceptions raised by ``action`` are
    captured as that account's outcome; only an exception from
    ``on_outcome`` itself propagates, as does a ``KeyboardInterrupt``. Either
    stops the job: accounts not yet started are not started, those in flight
    finish, and a note on the exception lists every account the action ran
    for and how it ended.

    Raises:
        ParamValidationError: ``account_ids`` is a single string, or
            ``max_workers`` is not an int >= 1; nothing is run.
    """
    ids = _checked_ids(account_ids, "max_workers", max_workers)
    return run_each_account(ids, action, max_workers=max_workers, on_outcome=on_outcome)


def run_each_account(
    ids: list[str],
    action: Callable[[str], T],
    *,
    max_workers: int,
    on_outcome: Callable[[AccountOutcome[T]], None] | None = None,
    on_stop: Callable[[], None] | None = None,
    note: bool = True,
) -> BulkResult[T]:
    """``for_each_account`` for checked ids, with two hooks for jobs built on it.

    ``on_stop`` is called first when the job stops, before the accounts in
    flight are waited for, so that a job can tell them to end early;
    ``note=False`` leaves the note on the exception to the caller.
    """
    import concurrent.futures  # a thread pool only for the jobs that use one

    def run(account_id: str) -> AccountOutcome[T]:
        started = time.monotonic()
        try:
            value = action(account_id)
        except Exception as exc:  # noqa: BLE001 - reported per account, never retried here
            return _outcome(account_id, started, error=exc)
        return _outcome(account_id, started, value)

    results: dict[str, AccountOutcome[T]] = {}
    with concurrent.futures.ThreadPoolExecutor(
        max_workers=max_workers, thread_name_prefix="account-mgmt-bulk"
    ) as pool:
        futures = [pool.submit(run, account_id) for account_id in ids]
        try:
            for future in concurrent.futures.as_completed(futures):
                outcome = future.result()
                results[outcome.account_id] = outcome
                if on_outcome is not None:
                    on_outcome(outcome)
        except BaseException as exc:  # on_outcome failed, or Ctrl-C while waiting
            if on_stop is not None:
                on_stop()
            for future in futures:
                future.cancel()
            concurrent.futures.wait(futures)
            if note:
                ran = [future.result() for future in futures if not future.cancelled()]
                _note_stop("for_each_account", exc, ran, len(futures))
            raise
    return BulkResult(tuple(results[account_id] for account_id in ids))


async def for_each_account_async(
    account_ids: Iterable[str],
    action: Callable[[str], Awaitable[T]],
    *,
    max_concurrency: int = DEFAULT_MAX_WORKERS,
    on_outcome: Callable[[AccountOutcome[T]], None] | None = None,
) -> BulkResult[T]:
    """Await ``action(account_id)`` for every account, ``max_concurrency`` at a time.

    The asyncio twin of ``for_each_account``, with the same promises: every
    account gets an outcome in input order; an exception from ``on_outcome``
    or a cancellation stops the job, accounts not started are not started,
    those in flight finish, and a note on the exception lists every account
    the action ran for.

    Raises:
        ParamValidationError: ``account_ids`` is a single string, or
            ``max_concurrency`` is not an int >= 1; nothing is run.
    """
    import asyncio

    ids = _checked_ids(account_ids, "max_concurrency", max_concurrency)
    slots = asyncio.Semaphore(max_concurrency)
    started_ids: set[str] = set()

    async def run(account_id: str) -> AccountOutcome[T]:
        async with slots:
            started_ids.add(account_id)
            started = time.monotonic()
            try:
                value = await action(account_id)
            except Exception as exc:  # noqa: BLE001 - reported per account, never retried here
                return _outcome(account_id, started, error=exc)
            return _outcome(account_id, started, value)

    tasks = {account_id: asyncio.ensure_future(run(account_id)) for account_id in ids}
    results: dict[str, AccountOutcome[T]] = {}
    try:
        for next_done in asyncio.as_completed(list(tasks.values())):
            outcome = await next_done
            results[outcome.account_id] = outcome
            if on_outcome is not None:
                on_outcome(outcome)
    except BaseException as exc:  # on_outcome failed, or the job was cancelled
        in_flight = [t for a, t in tasks.items() if a in started_ids and not t.done()]
        for account_id, task in tasks.items():
            if account_id not in started_ids:
                task.cancel()
        # Let the accounts in flight finish, even if this task is cancelled again.
        await asyncio.shield(asyncio.gather(*in_flight, return_exceptions=True))
        ran = [t.result() for a, t in tasks.items() if a in started_ids and not t.cancelled()]
        _note_stop("for_each_account_async", exc, ran, len(tasks))
        raise
    return BulkResult(tuple(results[account_id] for account_id in ids))


def _note_stop(job: str, exc: BaseException, ran: list[AccountOutcome[Any]], total: int) -> None:
    """Note on ``exc`` every account the action ran for: the caller is told of each change."""
    lines = [
        f"{outcome.account_id} {'ok' if outcome.ok else type(outcome.error).__name__}"
        for outcome in ran
    ]
    exc.add_note(
        f"{job} stopped: {len(ran)} of {total} accounts ran, "
        f"{total - len(ran)} never started. The accounts that ran:\n" + "\n".join(lines)
    )
