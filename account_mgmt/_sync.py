"""The blocking driver: carries out a step's effects with a sync transport and the clock."""

from __future__ import annotations

import time
from typing import TypeVar

from account_mgmt._clock import Clock
from account_mgmt._http import Transport
from account_mgmt._steps import Blocking, Send, Sleep, Steps
from account_mgmt.exceptions import AccountError

T = TypeVar("T")


def run(steps: Steps[T], transport: Transport, clock: Clock) -> T:
    """Drive ``steps`` to its result, on the calling thread.

    Only the package's own errors are thrown back into the step (which may
    retry or settle them); anything else (a bug, a KeyboardInterrupt) ends it,
    and closing the step runs its ``finally`` blocks at once, so a Region
    slot or a watch it holds is released before the exception leaves here.
    """
    try:
        effect = next(steps)
        while True:
            try:
                if isinstance(effect, Send):
                    result: object = transport.send(
                        effect.request, deadline=_monotonic_deadline(effect.timeout)
                    )
                elif isinstance(effect, Sleep):
                    clock.sleep(effect.seconds)
                    result = None
                elif isinstance(effect, Blocking):
                    result = effect.work()
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


def _monotonic_deadline(timeout: float) -> float:
    # The transport's deadline is real time even under a fake clock: a real
    # socket cannot wait on fake seconds.
    return time.monotonic() + timeout
