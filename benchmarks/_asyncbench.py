"""Measurement loops shared by async_latency.py and its aiobotocore worker.

Standard library and aiohttp only: the worker runs in a venv of its own
(aiobotocore pins an older botocore) where account_mgmt is not installed,
and both sides must be timed by the very same code.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Final

import aiohttp

Call = Callable[[], Awaitable[object]]
"""One API call, awaited: what the loops below time."""

SEQUENTIAL_WARMUP: Final = 20
"""Calls made before a sequential run is timed (connection open, lazy set-up done)."""


async def cpu_per_call(call: Call, *, calls: int, concurrency: int) -> dict[str, float]:
    """Process CPU time per call with ``concurrency`` tasks sharing ``calls`` calls.

    ``time.process_time()`` counts every thread of this process and nothing
    of any other: the server must run in another process, or its CPU would
    be charged to the client. The pool is warmed first with ``concurrency``
    calls at once, so every task finds an open connection.
    """
    await asyncio.gather(*(call() for _ in range(concurrency)))
    gc.collect()
    cpu_started, wall_started = time.process_time(), time.perf_counter()
    await concurrently(call, calls=calls, concurrency=concurrency)
    cpu, wall = time.process_time() - cpu_started, time.perf_counter() - wall_started
    return {"cpu_us": cpu / calls * 1e6, "calls_per_s": calls / wall}


async def concurrently(call: Call, *, calls: int, concurrency: int) -> None:
    """Make ``calls`` calls from ``concurrency`` tasks, each taking the next as it finishes one."""
    remaining = calls

    async def task() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    await asyncio.gather(*(task() for _ in range(concurrency)))


async def latency(call: Call, *, calls: int) -> dict[str, float]:
    """Wall time of ``calls`` calls one after another: median and 99th percentile, in ms.

    Also the process CPU time per call over the run (``seq_cpu_us``): on a
    busy machine a call that needs more CPU is more often preempted, so wall
    time grows faster than CPU; the CPU figure says what the client itself spends.
    """
    for _ in range(SEQUENTIAL_WARMUP):
        await call()
    samples = []
    gc.collect()
    cpu_started = time.process_time()
    for _ in range(calls):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    cpu = time.process_time() - cpu_started
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(0.99 * len(samples)))]
    return {
        "median_ms": statistics.median(samples) * 1000,
        "p99_ms": p99 * 1000,
        "seq_cpu_us": cpu / calls * 1e6,
    }


class AiohttpReplay:
    """The floor: one pre-signed request replayed through a plain aiohttp session.

    No validation, signing, serialization or parsing: what any aiohttp-based
    client pays at least. The session is made on the first call, in the
    running loop.
    """

    def __init__(self, *, pool: int) -> None:
        self._pool = pool
        self._session: aiohttp.ClientSession | None = None

    def call_for(self, url: str, body: bytes, headers: Mapping[str, str]) -> Call:
        """A call replaying this exact request (re-sign for each round: signatures age)."""
        fixed_headers = dict(headers)

        async def call() -> None:
            if self._session is None:
                connector = aiohttp.TCPConnector(limit=self._pool)
                self._session = aiohttp.ClientSession(connector=connector)
            async with self._session.post(url, data=body, headers=fixed_headers) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"the floor request was answered {response.status}")

        return call

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
