"""The one source of time: monotonic readings, the wall clock and sleeping.

Retries, pacing, deadlines, the waiter, the Region gate's polling and the
clock-skew correction all read time here, so a test that passes a
``FakeClock`` controls all of them at once: a fake sleep advances the fake
monotonic clock, and nothing both sleeps fake and reads real time (which made
a fake-``sleep`` waiter spin through 1,429 requests in a third of a second).
"""

from __future__ import annotations

import datetime
import threading
import time
from typing import Protocol


class Clock(Protocol):
    """What the package asks of time. Drivers sleep; steps only read."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (deadlines, pacing)."""
        ...

    def now(self) -> datetime.datetime:
        """The wall clock, timezone-aware UTC (request signing)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block the calling thread (the sync driver)."""
        ...

    async def sleep_async(self, seconds: float) -> None:
        """Suspend the calling task (the asyncio driver); never blocks the loop."""
        ...


class SystemClock:
    """Real time: ``time.monotonic``, ``datetime.now(UTC)``, ``time.sleep``, ``asyncio.sleep``."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime.datetime:
        return datetime.datetime.now(datetime.UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    async def sleep_async(self, seconds: float) -> None:
        import asyncio  # only an async caller pays for the import

        await asyncio.sleep(seconds)

    def __repr__(self) -> str:
        return "SystemClock()"


class FakeClock:
    """Time that moves only when something sleeps or a test calls ``advance``.

    Thread-safe. ``sleeps`` records every sleep asked for, in order, so a test
    can assert how long the package would have waited without waiting.
    """

    def __init__(
        self,
        *,
        start: float = 1_000.0,
        wall: datetime.datetime = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    ) -> None:
        self._lock = threading.Lock()
        self._start = start
        self._elapsed = 0.0
        self._wall = wall
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        with self._lock:
            return self._start + self._elapsed

    def now(self) -> datetime.datetime:
        with self._lock:
            return self._wall + datetime.timedelta(seconds=self._elapsed)

    def advance(self, seconds: float) -> None:
        """Move time forward without anyone sleeping."""
        with self._lock:
            self._elapsed += max(0.0, seconds)

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._elapsed += max(0.0, seconds)

    async def sleep_async(self, seconds: float) -> None:
        import asyncio

        self.sleep(seconds)
        await asyncio.sleep(0)  # let other tasks run, as a real sleep would

    def __repr__(self) -> str:
        return f"FakeClock(monotonic={self.monotonic():.3f})"
