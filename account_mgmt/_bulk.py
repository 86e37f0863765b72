"""Running one action against many accounts: the organization-wide job.

Every account gets an outcome, success or failure, in the order the accounts
were given: one account's error never hides another's, and nothing is
dropped. Concurrency is bounded; pacing is left to the client's rate
limiter, which all workers share.
"""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable, Iterable
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


@attrs.frozen
class BulkResult(Generic[T]):
    """Every account's outcome, in input order."""

    outcomes: tuple[AccountOutcome[T], ...]

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


def for_each_account(
    account_ids: Iterable[str],
    action: Callable[[str], T],
    *,
    max_workers: int = DEFAULT_MAX_WORKERS,
    on_outcome: Callable[[AccountOutcome[T]], None] | None = None,
) -> BulkResult[T]:
    """Run ``action(account_id)`` for every account, ``max_workers`` at a time.

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
    violations: list[tuple[str, str, str]] = []
    if isinstance(account_ids, str):  # iterating it would run the action per digit
        violations.append(
            ("account_ids", "type", "expected a collection of account ids, got one string")
        )
    if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
        violations.append(
            ("max_workers", "min_value", f"expected an int >= 1, got {max_workers!r}")
        )
    if violations:
        raise ParamValidationError(violations)
    ids = list(dict.fromkeys(account_ids))  # each account once, order kept

    def run(account_id: str) -> AccountOutcome[T]:
        started = time.monotonic()
        try:
            value = action(account_id)
        except Exception as exc:  # noqa: BLE001 - reported per account, never retried here
            return AccountOutcome(
                account_id=account_id, error=exc, seconds=time.monotonic() - started
            )
        return AccountOutcome(
            account_id=account_id, value=value, seconds=time.monotonic() - started
        )

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
            _stop(futures, exc)
            raise
    return BulkResult(tuple(results[account_id] for account_id in ids))


def _stop(futures: list[concurrent.futures.Future[AccountOutcome[T]]], exc: BaseException) -> None:
    """Cancel the accounts not started, wait for those in flight, and note on ``exc``
    every account the action ran for: the caller is told of each change made."""
    for future in futures:
        future.cancel()
    concurrent.futures.wait(futures)
    ran = [future.result() for future in futures if not future.cancelled()]
    lines = [
        f"{outcome.account_id} {'ok' if outcome.ok else type(outcome.error).__name__}"
        for outcome in ran
    ]
    exc.add_note(
        f"for_each_account stopped: {len(ran)} of {len(futures)} accounts ran, "
        f"{len(futures) - len(ran)} never started. The accounts that ran:\n" + "\n".join(lines)
    )
