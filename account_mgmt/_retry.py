"""When to try again, and how long to wait: AWS standard retry mode on tenacity.

What is retried is decided from the error's own traits (``retryable``,
``throttling``, ``request_sent``) plus the operation's ``safe_to_repeat``:
never a 4xx other than throttling, never a TLS failure, and never an unsafe
operation whose request may already have reached the service.

A retry quota shared by the runtime's clients (500 tokens, 14 a retry, 5 a
throttled retry, refunded on success) makes a dead service fail fast instead
of every caller multiplying the load by ``max_attempts``.

tenacity makes the decisions; it never sleeps. ``_steps`` drives
``Retrying.iter()`` itself (as tenacity's own ``AsyncRetrying`` does) and
yields each backoff to its driver, so the sync and async clients share one
retry loop. tenacity is imported at the first failure, not at start-up.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from account_mgmt.exceptions import (
    MalformedResponseError,
    ServiceError,
    TLSError,
    TransportError,
)

if TYPE_CHECKING:
    import tenacity  # imported at the first retry, not by every program that makes a call

BASE_DELAY: Final = 0.05
"""Seconds: the first backoff ceiling for an ordinary transient error (standard mode)."""

THROTTLED_BASE_DELAY: Final = 1.0
"""Seconds: the first backoff ceiling after a throttling error."""

MAX_DELAY: Final = 20.0
"""Seconds: no backoff, nor a server's retry-after hint, waits longer."""

RETRY_QUOTA_CAPACITY: Final = 500
"""Tokens in a client's retry quota (AWS standard mode)."""

RETRY_COST: Final = 14
"""Tokens one retry of a transient error takes."""

THROTTLED_RETRY_COST: Final = 5
"""Tokens one retry after throttling takes: cheaper, the service is alive, only busy."""

NO_RETRY_INCREMENT: Final = 1
"""Tokens a first-attempt success puts back."""

RETRYABLE_STATUS: Final = frozenset({429, 500, 502, 503, 504})
"""Statuses retried when the answer names no known error code (proxies, load balancers)."""

_log = logging.getLogger("account_mgmt.retry")


class RetryQuota:
    """A thread-safe token bucket of retries, shared by every call of a client."""

    def __init__(self, capacity: int = RETRY_QUOTA_CAPACITY) -> None:
        self._capacity = capacity
        self._available = capacity
        self._lock = threading.Lock()

    @property
    def available(self) -> int:
        """Tokens left."""
        return self._available

    def acquire(self, cost: int) -> bool:
        """Take ``cost`` tokens if there are that many; False means do not retry."""
        with self._lock:
            if self._available < cost:
                return False
            self._available -= cost
            return True

    def release(self, amount: int) -> None:
        """Give tokens back after a success (never above capacity)."""
        with self._lock:
            self._available = min(self._capacity, self._available + amount)


def is_throttling(exc: BaseException) -> bool:
    """Whether the error says "slow down" rather than "something broke"."""
    if not isinstance(exc, ServiceError):
        return False
    return exc.throttling or (type(exc) is ServiceError and exc.status_code == 429)


def may_have_arrived(exc: BaseException) -> bool:
    """Whether the failed request may have reached the service and been applied."""
    if isinstance(exc, TLSError):
        return False
    if isinstance(exc, TransportError):
        return exc.request_sent
    return isinstance(exc, MalformedResponseError)


def is_retryable(exc: BaseException, *, safe_to_repeat: bool) -> bool:
    """Whether trying the same request again can succeed and cannot do harm."""
    if isinstance(exc, ServiceError):
        if exc.retryable:
            return True
        return type(exc) is ServiceError and exc.status_code in RETRYABLE_STATUS
    if isinstance(exc, TransportError) and not exc.retryable:
        return False  # its own trait: a TLS failure, an answer over the size cap
    if isinstance(exc, TransportError | MalformedResponseError):
        return safe_to_repeat or not may_have_arrived(exc)
    return False


class _Stop:
    """Stop at the last attempt, when the coming backoff would end past the call's
    deadline, or when the retry quota cannot pay for the retry; in that order.

    tenacity asks ``retry`` first, then computes the wait, then asks ``stop``, so
    the backoff is known here, and a retry that gets past this check will happen:
    only here may it take its tokens. (Taken in the ``retry`` predicate, the
    last attempt of every failing call paid for a retry that never came, and a
    dead service drained the quota half as fast again as it should.)
    """

    def __init__(
        self,
        *,
        max_attempts: int,
        deadline: float | None,
        clock: Callable[[], float],
        quota: RetryQuota,
        operation: str,
    ) -> None:
        self._max_attempts = max_attempts
        self._deadline = deadline
        self._clock = clock
        self._quota = quota
        self._operation = operation

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        if retry_state.attempt_number >= self._max_attempts:
            return True
        upcoming = retry_state.upcoming_sleep or 0.0
        if self._deadline is not None and self._clock() + upcoming >= self._deadline:
            return True
        exc = retry_state.outcome.exception() if retry_state.outcome is not None else None
        cost = THROTTLED_RETRY_COST if exc is not None and is_throttling(exc) else RETRY_COST
        if not self._quota.acquire(cost):
            _log.warning("%s: retry quota exhausted, not retrying", self._operation)
            return True
        return False


class RetryPolicy:
    """The retry behaviour of one client: built once, shared by its calls and copies."""

    def __init__(
        self,
        *,
        max_attempts: int,
        quota: RetryQuota | None = None,
        rng: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_attempts = max_attempts
        self._clock = clock
        self.quota = quota if quota is not None else RetryQuota()
        self._rng = rng

    def backoff(self, attempt: int, exc: BaseException | None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based): full jitter."""
        hint = exc.retry_after if isinstance(exc, ServiceError) else None
        if hint is not None:
            return min(max(hint, 0.0), MAX_DELAY)
        base = THROTTLED_BASE_DELAY if exc is not None and is_throttling(exc) else BASE_DELAY
        ceiling: float = min(MAX_DELAY, base * 2 ** (attempt - 1))
        return self._rng() * ceiling

    def retrying(
        self, *, safe_to_repeat: bool, operation: str, deadline: float | None = None
    ) -> tenacity.Retrying:
        """A tenacity controller for one call; no retry whose backoff ends past ``deadline``."""
        import tenacity

        def should_retry(exc: BaseException) -> bool:
            return is_retryable(exc, safe_to_repeat=safe_to_repeat)

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome is not None else None
            return self.backoff(state.attempt_number, exc)

        def before_sleep(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome is not None else None
            _log.info(
                "%s: attempt %d failed (%s), retrying in %.3fs",
                operation,
                state.attempt_number,
                type(exc).__name__,
                state.upcoming_sleep,
            )

        return tenacity.Retrying(
            stop=_Stop(
                max_attempts=self.max_attempts,
                deadline=deadline,
                clock=self._clock,
                quota=self.quota,
                operation=operation,
            ),
            retry=tenacity.retry_if_exception(should_retry),
            wait=wait,
            before_sleep=before_sleep,
            reraise=True,
        )

    def record_success(self, last_error: BaseException | None) -> None:
        """Refund the quota: what the successful retry cost, or a token for a clean first try."""
        if last_error is None:
            self.quota.release(NO_RETRY_INCREMENT)
        else:
            self.quota.release(THROTTLED_RETRY_COST if is_throttling(last_error) else RETRY_COST)
