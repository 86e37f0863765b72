"""The asyncio driver: carries out a step's effects with an async transport and the clock.

Never blocks the event loop: sleeps are ``asyncio`` sleeps, and work that may
block (the first walk of the credential chain) runs in a thread.
"""

from __future__ import annotations

import asyncio
import time
from typing import TypeVar

from account_mgmt._clock import Clock
from account_mgmt._http import AsyncTransport
from account_mgmt._steps import Blocking, Send, Sleep, Steps
from account_mgmt.exceptions import AccountError

T = TypeVar("T")


async def run(steps: Steps[T], transport: AsyncTransport, clock: Clock) -> T:
    """Drive ``steps`` to its result in the running event loop.

    As ``_sync.run``: the package's errors go back into the step; anything
    else, cancellation included, closes it at once so its ``finally`` blocks
    release what it holds.
    """
    try:
        effect = next(steps)
        while True:
            try:
                if isinstance(effect, Send):
                    result: object = await transport.send(
                        effect.request, deadline=time.monotonic() + effect.timeout
                    )
                elif isinstance(effect, Sleep):
                    await clock.sleep_async(effect.seconds)
                    result = None
                elif isinstance(effect, Blocking):
                    result = (
                        effect.work() if effect.inline else await asyncio.to_thread(effect.work)
                    )
                else:  # pragma: no cover - the Effect union is closed
                    raise TypeError(f"unknown effect {effect!r}")
            except AccountError as exc:
                effect = steps.throw(exc)
            else:
                effect = steps.send(result)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    finally:
        steps.close()
