"""Waiting for a Region to finish switching: the waiter no AWS SDK has.

Opting in or out takes minutes to hours. The waiter polls
GetRegionOptStatus (whose quota, 5/s, every poll respects through the
client's rate limiter) until the Region is in a wanted state, fails fast
when it goes the other way, and gives up at the deadline.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Final

from account_mgmt._config import DEFAULT_POLL_INTERVAL as DEFAULT_POLL_INTERVAL
from account_mgmt._config import DEFAULT_WAIT_TIMEOUT as DEFAULT_WAIT_TIMEOUT
from account_mgmt._logging import bounded_repr
from account_mgmt._steps import CallPath, Sleep, Steps
from account_mgmt.exceptions import ParamValidationError, WaiterFailedError, WaiterTimeoutError
from account_mgmt.models import Region, RegionOptStatus

_ENABLED_SIDE: Final = frozenset({RegionOptStatus.ENABLED, RegionOptStatus.ENABLED_BY_DEFAULT})
_DISABLED_SIDE: Final = frozenset({RegionOptStatus.DISABLED})


def check_wait_options(
    *,
    timeout: object,
    poll_interval: object,
    statuses: object = (RegionOptStatus.ENABLED,),
    wait: object = False,
) -> frozenset[str]:
    """The wanted statuses as a set, once the options are known to make a waiter that ends.

    A misspelt status would never be reached (the wait would run to its
    timeout, an hour by default), a bare string would be read as a set of
    letters, and a negative interval would fail only after a switch was sent.

    Raises:
        ParamValidationError: naming every bad option and the rule it breaks.
    """
    violations: list[tuple[str, str, str]] = []
    if not isinstance(wait, bool):  # "False" is truthy: it would wait for an hour
        violations.append(("wait", "type", f"expected True or False, got {type(wait).__name__}"))
    for name, value, floor, inclusive in (
        ("timeout", timeout, 0.0, True),
        ("poll_interval", poll_interval, 0.0, False),
    ):
        if isinstance(value, bool) or not isinstance(value, int | float):
            violations.append((name, "type", f"expected seconds, got {bounded_repr(value)}"))
        elif not (value >= floor if inclusive else value > floor):  # NaN fails both
            bound = f">= {floor:g}" if inclusive else f"> {floor:g}"
            violations.append(
                (name, "min_value", f"expected seconds {bound}, got {bounded_repr(value)}")
            )
    wanted: frozenset[str] = frozenset()
    known = ", ".join(RegionOptStatus)
    if isinstance(statuses, str) or not isinstance(statuses, Collection):
        shown = (
            f"expected a collection of statuses such as ['ENABLED'], got {bounded_repr(statuses)}"
        )
        violations.append(("statuses", "type", shown))
    elif not statuses:
        violations.append(("statuses", "min_length", f"expected at least one of {known}"))
    else:
        wanted = frozenset(str(status) for status in statuses)
        for status in sorted(wanted - set(RegionOptStatus)):
            violations.append(("statuses", "enum", f"{bounded_repr(status)} is not one of {known}"))
    if violations:
        raise ParamValidationError(violations)
    return wanted


def _opposite(statuses: Collection[str]) -> tuple[str, str] | None:
    """(transitional, settled) states that mean "going the other way", or None."""
    wanted = set(statuses)
    if wanted <= _ENABLED_SIDE | {RegionOptStatus.ENABLING}:
        return RegionOptStatus.DISABLING, RegionOptStatus.DISABLED
    if wanted <= _DISABLED_SIDE | {RegionOptStatus.DISABLING}:
        return RegionOptStatus.ENABLING, RegionOptStatus.ENABLED
    return None


def wait_for_region_opt_status(
    path: CallPath,
    *,
    region_name: str,
    account_id: str | None,
    statuses: Collection[str],
    timeout: float,
    poll_interval: float | Callable[[], float],
    first_read_after: float = 0.0,
) -> Steps[Region]:
    """Poll until the Region's status is one of ``statuses``.

    A settled opposite state (DISABLED while waiting for ENABLED) fails only
    after the Region was seen on its way: just after EnableRegion the service
    may still briefly report DISABLED. Time is the runtime's clock, so under a
    fake clock ``timeout=2, poll_interval=5`` is two reads and a timeout.
    ``first_read_after`` delays the first read (a switch just sent is still
    moving), within ``timeout``; ``poll_interval`` may be a function, asked
    before each sleep (a job spreading many waits' reads over a quota).

    Raises:
        WaiterFailedError: the Region is switching the other way, or came back.
        WaiterTimeoutError: ``timeout`` passed first.
    """
    clock = path.clock
    deadline = clock.monotonic() + timeout
    opposite = _opposite(statuses)
    seen_moving = False
    if first_read_after > 0:
        yield Sleep(min(first_read_after, timeout))
    while True:
        region = yield from path.get_region_opt_status(region_name, account_id)
        status = region.region_opt_status
        if status in statuses:
            return region
        if status in (RegionOptStatus.ENABLING, RegionOptStatus.DISABLING):
            seen_moving = seen_moving or status not in (opposite or ())
        if opposite is not None and (
            status == opposite[0] or (status == opposite[1] and seen_moving)
        ):
            raise WaiterFailedError(
                f"{region_name} is {status}, not on its way to {'/'.join(sorted(statuses))}",
                last_status=status,
            )
        remaining = deadline - clock.monotonic()
        if remaining <= 0:
            raise WaiterTimeoutError(
                f"{region_name} still {status} after {timeout:g}s "
                f"(waiting for {'/'.join(sorted(statuses))})",
                last_status=status,
            )
        interval = poll_interval() if callable(poll_interval) else poll_interval
        yield Sleep(min(interval, remaining))
