"""The service's documented rate quotas, and the token bucket that enforces a rate.

The figures are from the reference guide's quota table (the first nine
operations) and AWS's current quotas page (the rest); operations with no
published quota get the conservative defaults the reference suggests. The
China partition publishes lower figures for some operations. One operation
has a second cap beside its rate: StartPrimaryEmailUpdate, at most 3 per
30 s for a target account (AWS's quotas page).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Final

import attrs


@attrs.frozen
class WindowCap:
    """At most ``count`` requests in any ``seconds``: a cap beside some operations' rate."""

    count: int
    seconds: float


@attrs.frozen
class Quota:
    """A sustained rate (requests per second) and the burst allowed above it."""

    rate: float
    burst: int
    per_target_window: WindowCap | None = None
    """A further cap per target account, counted over a sliding window."""


DEFAULT_WRITE_QUOTA: Final = Quota(rate=1.0, burst=1)
"""For a write with no published quota: the reference's "assume 1/s, burst 1"."""

DEFAULT_READ_QUOTA: Final = Quota(rate=3.0, burst=3)
"""For a read with no published quota: the reference's "assume 3/s, burst 3"."""

PRIMARY_EMAIL_UPDATE_WINDOW: Final = WindowCap(count=3, seconds=30.0)
"""StartPrimaryEmailUpdate's cap per target account beside its rate (AWS's quotas page)."""

DOCUMENTED_QUOTAS: Final[Mapping[str, Quota]] = {
    "DeleteAlternateContact": Quota(1.0, 6),
    "DisableRegion": Quota(1.0, 1),
    "EnableRegion": Quota(1.0, 1),
    "GetAlternateContact": Quota(10.0, 15),
    "GetContactInformation": Quota(10.0, 15),
    "GetRegionOptStatus": Quota(5.0, 5),
    "ListRegions": Quota(5.0, 5),
    "PutAlternateContact": Quota(5.0, 8),
    "PutContactInformation": Quota(5.0, 8),
    "GetAccountInformation": Quota(3.0, 3),
    "PutAccountName": Quota(1.0, 1),
    "GetPrimaryEmail": Quota(3.0, 3),
    "StartPrimaryEmailUpdate": Quota(1.0, 1, PRIMARY_EMAIL_UPDATE_WINDOW),
    "AcceptPrimaryEmailUpdate": Quota(1.0, 1),
    "GetGovCloudAccountInformation": Quota(3.0, 5),
    "GetPrimaryEmailUpdateStatus": DEFAULT_READ_QUOTA,
    "SendPhoneNumberVerification": DEFAULT_WRITE_QUOTA,
    "VerifyPhoneNumber": DEFAULT_WRITE_QUOTA,
}
"""Operation -> quota in the commercial (``aws``) partition, per account."""

CHINA_QUOTA_OVERRIDES: Final[Mapping[str, Quota]] = {
    "GetAlternateContact": Quota(3.0, 5),
}
"""Where the ``aws-cn`` partition publishes lower figures."""

REGION_OPT_CONCURRENCY_PER_ACCOUNT: Final = 6
"""Regions one account may have ENABLING/DISABLING at once (reference quota table)."""

REGION_OPT_CONCURRENCY_PER_ORGANIZATION: Final = 20
"""Regions an organization may have switching at once: the guide's table says 20, newer pages 50."""

REGION_OPT_QUOTA_MESSAGE: Final = (
    "This request has exceeded the quota for 'Number of concurrent region-opt requests "
    "for an account'"
)
"""The text of the 429 that means "too many Regions switching", not "too fast"."""


def quotas_for_partition(partition: str) -> dict[str, Quota]:
    """The documented quota of every operation in ``aws``, ``aws-cn`` or another partition."""
    table = dict(DOCUMENTED_QUOTAS)
    if partition == "aws-cn":
        table.update(CHINA_QUOTA_OVERRIDES)
    return table


class TokenBucket:
    """A thread-safe token bucket: ``burst`` tokens, refilled at ``rate`` per second.

    ``clock`` is injectable so tests can move time instead of waiting.
    """

    def __init__(self, quota: Quota, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.quota = quota
        self._clock = clock
        self._tokens = float(quota.burst)
        self._updated = clock()
        self._lock = threading.Lock()

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(float(self.quota.burst), self._tokens + elapsed * self.quota.rate)
        self._updated = now

    def try_acquire(self) -> bool:
        """Take a token if one is there now; never waits."""
        with self._lock:
            self._refill(self._clock())
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return True
            return False

    def reserve(self) -> float:
        """Take a token, possibly one not yet refilled; returns seconds to wait before using it.

        Reserving (rather than sleeping under the lock) lets many threads
        queue fairly: each learns its own slot and sleeps outside the lock.
        """
        with self._lock:
            now = self._clock()
            self._refill(now)
            self._tokens -= 1.0
            if self._tokens >= 0.0:
                return 0.0
            return -self._tokens / self.quota.rate
