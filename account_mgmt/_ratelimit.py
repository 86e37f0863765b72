"""Client-side rate limiting at the service's documented quotas.

Every attempt waits for a token from two buckets: the caller's (per access
key and operation) and the target account's (per account id and operation).
AWS does not say whether "per account" means the caller or the target in
organization mode; limiting both is safe either way. An operation whose
quota also caps requests per sliding window (StartPrimaryEmailUpdate: 3 per
30 s per target account) books its send time in that window too.

Buckets live in a process-wide registry so that every client built with the
same credentials shares one budget, as the service sees them: two clients
in one process must not each spend the whole quota. That registry is the
package's one piece of global state, deliberately.

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
from typing import Final, TypeVar

from account_mgmt._quotas import Quota, TokenBucket, WindowCap

_K = TypeVar("_K")
_V = TypeVar("_V")

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

    def reserve(self, delay: float) -> float:
        """Book the first send time at least ``delay`` seconds away that the cap
        allows; returns how many seconds away it is."""
        with self._lock:
            now = self._clock()
            while self._booked and self._booked[0] <= now - self._span:
                self._booked.popleft()  # out of every window still to come
            slot = now + delay
            if self._booked:
                slot = max(slot, self._booked[-1])
            if len(self._booked) >= self._count:
                slot = max(slot, self._booked[-self._count] + self._span)
            self._booked.append(slot)
            return slot - now


class RateLimiterRegistry:
    """All buckets and windows of the process, keyed by (scope, operation, quota).

    The quota is part of the key: clients given different quotas for the same
    identity keep separate buckets rather than resetting one another's.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[tuple[str, str, Quota], _AdaptiveBucket] = {}
        self._windows: dict[tuple[str, str, WindowCap], _SlidingWindow] = {}
        self._lock = threading.Lock()

    def bucket(self, scope: str, operation: str, quota: Quota) -> _AdaptiveBucket:
        return self._shared(
            self._buckets, (scope, operation, quota), lambda: _AdaptiveBucket(quota, self._clock)
        )

    def window(self, scope: str, operation: str, cap: WindowCap) -> _SlidingWindow:
        return self._shared(
            self._windows, (scope, operation, cap), lambda: _SlidingWindow(cap, self._clock)
        )

    def _shared(self, table: dict[_K, _V], key: _K, make: Callable[[], _V]) -> _V:
        with self._lock:
            found = table.get(key)
            if found is None:
                found = table[key] = make()
            return found


PROCESS_REGISTRY: Final = RateLimiterRegistry()
"""Shared by every client of the process (see the module docstring for why)."""


class RateLimiter:
    """One client's view of the limits: its quota table, its caller identity."""

    def __init__(
        self, quotas: Mapping[str, Quota], *, registry: RateLimiterRegistry = PROCESS_REGISTRY
    ) -> None:
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

    def reserve(self, caller: str, operation: str, target: str | None) -> float:
        """Book the next slot for a call; returns how many seconds to wait before sending.

        The caller sleeps, not the limiter, so that it can refuse a wait that
        would overrun its deadline. A per-target window is booked last, at or
        after the buckets' slot: sending later than a bucket's slot is always
        safe, sending earlier than a window's never is.
        """
        wait = max((b.reserve() for b in self._buckets(caller, operation, target)), default=0.0)
        quota = self._quotas.get(operation)
        if quota is not None and quota.per_target_window is not None:
            # In standalone mode (no account id) the caller's account is the target.
            scope = "target:" + target if target is not None else "caller:" + caller
            wait = self._registry.window(scope, operation, quota.per_target_window).reserve(wait)
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
