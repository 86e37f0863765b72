"""What the clients of one process share, as one object you can see, inject and reset.

The service's quotas are per account, not per client: two clients acting as
the same caller must share one rate budget, one count of Regions switching
and one retry budget, or each would spend the whole of it. So those live
here, together with the clock they all read, and every client is built with
a ``Runtime``: by default the process's (``default_runtime()``), or one a
test or an isolated job passes in.

Creating a ``Runtime`` starts nothing (no thread, no fork hook); it is only
state behind locks.
"""

from __future__ import annotations

import threading

from account_mgmt._clock import Clock, SystemClock
from account_mgmt._ratelimit import RateLimiterRegistry
from account_mgmt._regionopt import RegionOptGate
from account_mgmt._retry import RetryQuota


class Runtime:
    """Rate buckets, the Region opt-in gate, the retry budget and the clock, shared.

    Clients built with the same ``Runtime`` pace together, count each other's
    Region switches and draw on one retry budget. ``reset()`` forgets all of
    it (a test's clean slate); the pytest plugin resets the default runtime
    before every test.
    """

    def __init__(self, *, clock: Clock | None = None) -> None:
        self._lock = threading.Lock()
        self.clock: Clock = clock if clock is not None else SystemClock()
        self._fresh_state()

    def _fresh_state(self) -> None:
        monotonic = self.clock.monotonic
        self.rate_limits = RateLimiterRegistry(clock=monotonic)
        self.region_gate = RegionOptGate(clock=monotonic)
        self.retry_quota = RetryQuota()

    def reset(self, *, clock: Clock | None = None) -> None:
        """Forget every bucket, switch and spent retry token; optionally change the clock.

        Clients already built keep working and see the fresh state from their
        next call on.
        """
        with self._lock:
            if clock is not None:
                self.clock = clock
            self._fresh_state()

    def __repr__(self) -> str:
        return f"Runtime(clock={self.clock!r})"


_default_lock = threading.Lock()
_default: list[Runtime] = []


def default_runtime() -> Runtime:
    """The runtime every client uses unless given one; made on first use, never replaced.

    ``default_runtime().reset()`` gives the whole process a clean slate.
    """
    if not _default:
        with _default_lock:
            if not _default:
                _default.append(Runtime())
    return _default[0]
