"""Client-side rate limiting at the service's documented quotas.

Every attempt waits for a token from two buckets: the caller's (per
``FrozenCredentials.quota_holder``, its account when the credentials say,
and operation) and the target account's (per account id and operation).
AWS does not say whether "per account" means the caller or the target in
organization mode; limiting both is safe either way. An operation whose
quota also caps requests per sliding window (StartPrimaryEmailUpdate: 3 per
30 s per target account) books its send time in that window too.

Buckets live in a registry held by the clients' ``Runtime`` (by default one
per process) so that every client acting as the same caller shares one
budget, as the service sees them: two clients in one process must not each
spend the whole quota.

When the service throttles anyway (another process, another tool, a quota
lower than documented), the bucket's rate is cut and then recovers a little
with each answer that is not a throttle (a 404 or a 400 is the service
admitting the request under its quota and refusing its content), so a bulk
job settles just under the real limit.
"""

from __future__ import annotations

import collections
import math
import threading
import time
from collections.abc import Callable, Mapping
from typing import Final, Generic, Protocol, TypeVar

from account_mgmt._quotas import Quota, TokenBucket, WindowCap

THROTTLE_BACKOFF_FACTOR: Final = 0.7
"""A throttled bucket's rate is multiplied by this (the AIMD decrease)."""

MIN_RATE_FRACTION: Final = 0.1
"""A bucket never slows below this fraction of its documented rate."""

RECOVERY_FRACTION: Final = 0.05
"""Each success gives back this fraction of the documented rate (the AIMD increase)."""

PACING_FRACTION: Final = 0.95
"""Pace at this fraction of the documented rate.

Requests do not arrive exactly as spaced: one that overtakes its predecessor
by a millisecond would find a 1/s bucket empty. Five percent of headroom
absorbs that jitter at a cost of five percent of peak throughput.
"""

DELIVERY_TOLERANCE: Final = 0.3
"""Seconds by which requests may reach the service later than they were sent.

The client spends a token when it sends; the service when the request
arrives. When a burst arrives late (connection and TLS set-up, a slow first
answer), the client's bucket refills meanwhile, the service's (already full)
does not, and the client would then send more than the service's burst.
Keeping ``ceil(rate * DELIVERY_TOLERANCE)`` tokens (at least one) of the
documented burst unused covers that much delay, at the cost of that many
requests once per job.
"""


IDLE_SECONDS: Final = 60.0
"""A bucket or window not handed out for this long, and at rest, may be dropped."""

SWEEP_THRESHOLD: Final = 1024
"""Entries a registry table holds before it first looks for idle ones to drop."""


def paced_burst(quota: Quota) -> int:
    """The burst the client allows itself: the documented one less the delivery slack."""
    slack = max(1, math.ceil(quota.rate * DELIVERY_TOLERANCE))
    return max(1, quota.burst - slack)


class _AdaptiveBucket(TokenBucket):
    """A token bucket whose rate drops when throttled and climbs back on success."""

    def __init__(self, quota: Quota, clock: Callable[[], float]) -> None:
        self.documented = quota
        self.ceiling = Quota(quota.rate * PACING_FRACTION, paced_burst(quota))
        super().__init__(self.ceiling, clock=clock)

    def slow_down(self) -> None:
        with self._lock:
            self._refill(self._clock())
            floor = self.documented.rate * MIN_RATE_FRACTION
            self.quota = Quota(
                max(floor, self.quota.rate * THROTTLE_BACKOFF_FACTOR), self.quota.burst
            )

    def recover(self) -> None:
        if self.quota.rate >= self.ceiling.rate:
            return
        with self._lock:
            self._refill(self._clock())
            step = self.documented.rate * RECOVERY_FRACTION
            self.quota = Quota(min(self.ceiling.rate, self.quota.rate + step), self.quota.burst)

    def at_rest(self) -> bool:
        """Full and at its ceiling rate: no different from a new bucket."""
        with self._lock:
            self._refill(self._clock())
            return self._tokens >= self.quota.burst and self.quota.rate >= self.ceiling.rate


class _SlidingWindow:
    """Send times booked under a ``WindowCap``: any ``count`` in a row span its window.

    The span is widened by ``DELIVERY_TOLERANCE`` because the service counts a
    request when it arrives, and the first of a window may arrive late. Slots
    are handed out in order, like a bucket's.
    """

    def __init__(self, cap: WindowCap, clock: Callable[[], float]) -> None:
        self._count = cap.count
        self._span = cap.seconds + DELIVERY_TOLERANCE
        self._clock = clock
        self._booked: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def reserve(self, delay: float, limit: float = math.inf) -> float:
        """Book the first send time at least ``delay`` seconds away that the cap
        allows; returns how many seconds away it is.

        A slot more than ``limit`` seconds away is not booked: the caller will
        not use it, and holding it would push later calls back a window.
        """
        with self._lock:
            now = self._clock()
            while self._booked and self._booked[0] <= now - self._span:
                self._booked.popleft()  # out of every window still to come
            slot = now + delay
            if self._booked:
                slot = max(slot, self._booked[-1])
            if len(self._booked) >= self._count:
                slot = max(slot, self._booked[-self._count] + self._span)
            if slot - now < limit:
                self._booked.append(slot)
            return slot - now

    def at_rest(self) -> bool:
        """No booked send can hold back a later one: no different from a new window."""
        with self._lock:
            return not self._booked or self._booked[-1] <= self._clock() - self._span


class _LimiterState(Protocol):
    def at_rest(self) -> bool:
        """Whether a new, unused one would behave the same."""
        ...


_K = TypeVar("_K")
_V = TypeVar("_V", bound=_LimiterState)


class _Shelf(Generic[_K, _V]):
    """Limiter state by key, dropping what has been idle and at rest as it grows.

    A job that touches every account of a large organization leaves a bucket
    per (account, operation), about a kilobyte each; a long-lived process
    would keep them all. An entry not handed out for ``IDLE_SECONDS`` and at
    rest behaves exactly as a new one would, so dropping it changes nothing.
    The idle time (rather than rest alone) protects an entry a thread has just
    been handed and is about to use.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._entries: dict[_K, tuple[_V, float]] = {}
        self._sweep_at = SWEEP_THRESHOLD

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: _K, make: Callable[[], _V]) -> _V:
        """The entry for ``key``, made if need be. The caller holds the registry's lock."""
        now = self._clock()
        found = self._entries.get(key)
        if found is None:
            if len(self._entries) >= self._sweep_at:
                self._sweep(now)
            entry = make()
        else:
            entry = found[0]
        self._entries[key] = (entry, now)
        return entry

    def _sweep(self, now: float) -> None:
        self._entries = {
            key: (entry, handed_out)
            for key, (entry, handed_out) in self._entries.items()
            if now - handed_out < IDLE_SECONDS or not entry.at_rest()
        }
        self._sweep_at = max(SWEEP_THRESHOLD, 2 * len(self._entries))


class RateLimiterRegistry:
    """All buckets and windows of the process, keyed by (scope, operation, quota).

    The quota is part of the key: clients given different quotas for the same
    identity keep separate buckets rather than resetting one another's.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: _Shelf[tuple[str, str, Quota], _AdaptiveBucket] = _Shelf(clock)
        self._windows: _Shelf[tuple[str, str, WindowCap], _SlidingWindow] = _Shelf(clock)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """How many buckets and windows it holds."""
        with self._lock:
            return len(self._buckets) + len(self._windows)

    def bucket(self, scope: str, operation: str, quota: Quota) -> _AdaptiveBucket:
        with self._lock:
            return self._buckets.get(
                (scope, operation, quota), lambda: _AdaptiveBucket(quota, self._clock)
            )

    def window(self, scope: str, operation: str, cap: WindowCap) -> _SlidingWindow:
        with self._lock:
            return self._windows.get(
                (scope, operation, cap), lambda: _SlidingWindow(cap, self._clock)
            )


class RateLimiter:
    """One client's view of the limits: its quota table, its caller identity."""

    def __init__(self, quotas: Mapping[str, Quota], *, registry: RateLimiterRegistry) -> None:
        self._quotas = dict(quotas)
        self._registry = registry

    def _buckets(self, caller: str, operation: str, target: str | None) -> list[_AdaptiveBucket]:
        quota = self._quotas.get(operation)
        if quota is None:
            return []
        buckets = [self._registry.bucket("caller:" + caller, operation, quota)]
        if target is not None:
            buckets.append(self._registry.bucket("target:" + target, operation, quota))
        return buckets

    def reserve(
        self, caller: str, operation: str, target: str | None, *, limit: float = math.inf
    ) -> float:
        """Book the next slot for a call; returns how many seconds to wait before sending.

        The caller sleeps, not the limiter, so that it can refuse a wait longer
        than ``limit`` (what is left of its deadline). A per-target window is
        booked last, at or after the buckets' slot: sending later than a
        bucket's slot is always safe, sending earlier than a window's never is;
        and a window slot past ``limit`` is not booked at all. (A bucket's
        token is: one token is a fraction of a second, a window slot can be
        half a minute.)
        """
        quota = self._quotas.get(operation)
        if quota is None:  # rate limiting off, or an operation without a quota
            return 0.0
        wait = max((b.reserve() for b in self._buckets(caller, operation, target)), default=0.0)
        if quota.per_target_window is not None:
            # In standalone mode (no account id) the caller's account is the target.
            scope = "target:" + target if target is not None else "caller:" + caller
            window = self._registry.window(scope, operation, quota.per_target_window)
            wait = window.reserve(wait, limit)
        return wait

    def throttled(self, caller: str, operation: str, target: str | None) -> None:
        """The service said slow down: lower the rate."""
        for bucket in self._buckets(caller, operation, target):
            bucket.slow_down()

    def admitted(self, caller: str, operation: str, target: str | None) -> None:
        """The service answered without throttling (a success, or a 4xx about the
        request itself): the rate was acceptable, so let it climb back toward the
        documented one."""
        for bucket in self._buckets(caller, operation, target):
            bucket.recover()
