"""The Region opt-in concurrency gate.

The service lets an account have at most 6 Regions ENABLING/DISABLING at
once, and an organization 20 (newer AWS pages say 50). Past that, EnableRegion
answers a 429 that no seconds-scale backoff can clear: a switch takes minutes
to hours. So the client counts the Regions this process has set switching
and, when a cap is reached, waits for one of them to settle before sending
another request, instead of sending one it knows will be refused.

The count is process-wide (a job's threads and clients share it), keyed by
the caller's access key for the organization cap (the client cannot see the
organization id; one organization's jobs normally run under one identity)
and by target account for the account cap.
"""

from __future__ import annotations

import itertools
import threading
from typing import Final

SWITCHING_STATES: Final = frozenset({"ENABLING", "DISABLING"})


class RegionOptGate:
    """Thread-safe registry of (caller, account, Region) switches in flight.

    A slot is first *claimed* (the request is being sent) and then, once the
    service has taken the switch, *accepted*. Only an accepted switch is freed
    by reading its Region's status, and only by a read sent after it was
    accepted: until the request is processed the Region still reads as it
    was (DISABLED, for an enable), and a read sent before then can come back
    after the sender has recorded the acceptance. Events are ordered by
    :meth:`stamp`, a counter, not a clock, so two can never tie.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamps = itertools.count(1)
        # -> the stamp at which the service took the switch; None while only claimed
        self._in_flight: dict[tuple[str, str, str], int | None] = {}

    def stamp(self) -> int:
        """Now, in the gate's order of events: take it before sending a status read."""
        with self._lock:
            return next(self._stamps)

    def try_acquire(
        self, caller: str, account: str, region: str, *, per_account: int, per_organization: int
    ) -> bool:
        """Claim a slot for a switch; False when a cap is reached (nothing is claimed)."""
        key = (caller, account, region)
        with self._lock:
            if key in self._in_flight:
                return True
            same_caller = [k for k in self._in_flight if k[0] == caller]
            same_account = [k for k in same_caller if k[1] == account]
            if len(same_account) >= per_account or len(same_caller) >= per_organization:
                return False
            self._in_flight[key] = None
            return True

    def accepted(self, caller: str, account: str, region: str) -> None:
        """The service took the switch: from now on its Region's status decides."""
        key = (caller, account, region)
        with self._lock:
            if key in self._in_flight:
                self._in_flight[key] = next(self._stamps)

    def release(self, caller: str, account: str, region: str) -> None:
        """The switch failed or was never sent (by the thread that claimed it)."""
        with self._lock:
            self._in_flight.pop((caller, account, region), None)

    def observe(
        self, caller: str, account: str, region: str, status: str | None, *, sent_at: int
    ) -> None:
        """A status was read (None: it can no longer be) by a request sent at stamp
        ``sent_at``: a switch accepted before then that is not switching any more frees
        its slot. A claimed one is its sender's to settle."""
        if status in SWITCHING_STATES:
            return
        key = (caller, account, region)
        with self._lock:
            accepted_at = self._in_flight.get(key)
            if accepted_at is not None and accepted_at < sent_at:
                del self._in_flight[key]

    def blocking(
        self, caller: str, account: str, *, per_account: int, per_organization: int
    ) -> list[tuple[str, str]]:
        """The (account, Region) switches one of which must settle before ``account`` may switch."""
        with self._lock:
            mine = [(k[1], k[2]) for k in self._in_flight if k[0] == caller]
        if len(mine) >= per_organization:
            return mine
        here = [entry for entry in mine if entry[0] == account]
        return here if len(here) >= per_account else []


PROCESS_GATE: Final = RegionOptGate()
"""Shared by every client of the process, like the rate limiter's buckets."""
