"""The Region opt-in concurrency gate.

The service lets an account have at most 6 Regions ENABLING/DISABLING at
once, and an organization 20 (newer AWS pages say 50). Past that, EnableRegion
answers a 429 that no seconds-scale backoff can clear: a switch takes minutes
to hours. So the client counts the Regions this process has set switching
and, when a cap is reached, waits for one of them to settle before sending
another request, instead of sending one it knows will be refused.

The count lives in the clients' ``Runtime`` (by default one per process: a
job's threads and clients share it), keyed by
the caller for the organization cap (the client cannot see the organization
id; one organization's jobs normally run under one identity) and by target
account for the account cap. The caller is its account (or its place in the
credential chain), not its key, so the count survives the key changing at
each credential refresh (see ``FrozenCredentials.quota_holder``).
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections.abc import Callable
from typing import Final

SWITCHING_STATES: Final = frozenset({"ENABLING", "DISABLING"})


class Switch:
    """One Region switch this process is sending or has had taken.

    Two threads asked to switch the same Region at once both send (each saw it
    unswitched); they share one slot, as the service counts one switch. The
    slot stays claimed until every sender has failed or one was taken.
    """

    __slots__ = ("accepted_at", "key", "read_at", "senders")

    def __init__(self, key: tuple[str, str, str]) -> None:
        self.key: Final = key  # (caller, account, Region)
        self.senders = 1
        self.accepted_at: int | None = None  # the gate's stamp when the service took it
        self.read_at = -math.inf  # monotonic time it was last known to be switching


class SlotClaim:
    """Where ``RegionOptGate.try_acquire`` records the switch it claimed, under its lock."""

    __slots__ = ("switch",)

    def __init__(self) -> None:
        self.switch: Switch | None = None


class RegionOptGate:
    """Thread-safe registry of (caller, account, Region) switches in flight.

    A slot is first *claimed* (the request is being sent) and then, once the
    service has taken the switch, *accepted*. Only an accepted switch is freed
    by reading its Region's status, and only by a read sent after it was
    accepted: until the request is processed the Region still reads as it
    was (DISABLED, for an enable), and a read sent before then can come back
    after the sender has recorded the acceptance. Events are ordered by
    :meth:`stamp`, a counter, not a clock, so two can never tie.

    The count cannot see switches other tools started; when the service
    refuses for its cap all the same, :meth:`refused` holds the scope back
    and lets one switch at a time probe for room.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._stamps = itertools.count(1)
        self._in_flight: dict[tuple[str, str, str], Switch] = {}
        # (caller, account; "" for the organization) -> (held back until, for how long)
        self._refused: dict[tuple[str, str], tuple[float, float]] = {}

    def stamp(self) -> int:
        """Now, in the gate's order of events: take it before sending a status read."""
        with self._lock:
            return next(self._stamps)

    def try_acquire(
        self,
        caller: str,
        account: str,
        region: str,
        *,
        per_account: int,
        per_organization: int,
        claim: SlotClaim | None = None,
    ) -> Switch | None:
        """Claim a slot for a switch (or join the one in flight for the same Region);
        None when a cap is reached (nothing is claimed). Hand what it returns back to
        :meth:`accepted` or :meth:`release`.

        ``claim``, if given, is filled in under the gate's lock: a caller that
        arranged the release of ``claim`` before asking has no instant (a
        Ctrl-C between two bytecodes) at which it holds a slot it cannot free.
        """
        key = (caller, account, region)
        now = self._clock()
        with self._lock:
            switch = self._in_flight.get(key)
            if switch is not None:
                switch.senders += 1
                if claim is not None:
                    claim.switch = switch
                return switch
            if self._held_back(caller, account, now) > 0:
                return None
            same_caller = [k for k in self._in_flight if k[0] == caller]
            same_account = [k for k in same_caller if k[1] == account]
            if len(same_account) >= per_account or len(same_caller) >= per_organization:
                return None
            for scope in ((caller, ""), (caller, account)):
                if scope in self._refused:  # this switch probes; the rest wait again
                    _, interval = self._refused[scope]
                    self._refused[scope] = (now + interval, interval)
            switch = self._in_flight[key] = Switch(key)
            if claim is not None:
                claim.switch = switch
            return switch

    def refused(self, caller: str, account: str, *, organization: bool, retry_in: float) -> None:
        """The service refused a switch for its concurrency cap though this process's
        count had room: switches it did not start (another tool or process, or a cap
        set above the service's) fill it. Nothing in that scope is sent for
        ``retry_in`` seconds; then one switch at a time probes, ``retry_in`` apart,
        until the service takes one."""
        scope = (caller, "" if organization else account)
        with self._lock:
            self._refused[scope] = (self._clock() + retry_in, retry_in)

    def _held_back(self, caller: str, account: str, now: float) -> float:
        """Seconds a refusal still holds back a switch in ``account`` (lock held)."""
        waits = [
            refusal[0] - now
            for scope in ((caller, ""), (caller, account))
            if (refusal := self._refused.get(scope)) is not None
        ]
        return max([0.0, *waits])

    def accepted(self, switch: Switch) -> None:
        """The service took the switch: from now on its Region's status decides."""
        with self._lock:
            switch.senders -= 1
            if switch.accepted_at is None:
                switch.accepted_at = next(self._stamps)
                switch.read_at = self._clock()
            caller, account, _ = switch.key
            self._refused.pop((caller, ""), None)  # the service has room again
            self._refused.pop((caller, account), None)

    def release(self, switch: Switch) -> None:
        """This sender's request failed: the slot goes when no sender is left and
        none was taken."""
        with self._lock:
            switch.senders -= 1
            if switch.senders <= 0 and switch.accepted_at is None:
                del self._in_flight[switch.key]  # no one else can have freed it

    def observe(
        self, caller: str, account: str, region: str, status: str | None, *, sent_at: int
    ) -> None:
        """A status was read (None: it can no longer be) by a request sent at stamp
        ``sent_at``: a switch accepted before then that is not switching any more frees
        its slot; one still switching need not be read again for a while. A claimed
        one is its sender's to settle."""
        key = (caller, account, region)
        with self._lock:
            switch = self._in_flight.get(key)
            if switch is None or switch.accepted_at is None or switch.accepted_at > sent_at:
                return
            if status in SWITCHING_STATES:
                switch.read_at = self._clock()
            else:
                del self._in_flight[key]

    def blocking(
        self, caller: str, account: str, *, per_account: int, per_organization: int
    ) -> list[tuple[str, str]]:
        """The (account, Region) switches one of which must settle before ``account`` may switch."""
        with self._lock:
            return [
                s.key[1:] for s in self._in_the_way(caller, account, per_account, per_organization)
            ]

    def take_due(
        self,
        caller: str,
        account: str,
        *,
        per_account: int,
        per_organization: int,
        every: float,
        oldest_every: float | None = None,
    ) -> tuple[str, str] | None:
        """The accepted switch in ``account``'s way that is due for a read, if any;
        it is marked read as of now.

        Every switch in the way is due ``every`` seconds after its last read,
        least recently read first. The oldest one (accepted first, so the
        likeliest to settle next, as switches take about as long as each
        other) is also due ``oldest_every`` seconds after its last read: a
        slot is then seen free about ``oldest_every / 2`` after it is, not
        ``every / 2``, at one read per ``oldest_every`` of the status quota.

        Every thread waiting for a slot polls what is in its way; handing each
        read to one of them keeps a job's polling at one read per switch per
        interval, not one per switch per waiting thread (8 workers waiting on
        20 switches every 5 s would ask 32 reads a second of a 5-a-second
        quota, and delay everything else that reads a status). One at a time,
        so that the thread can take the slot a read frees at once.
        """
        now = self._clock()
        with self._lock:
            accepted = [
                s
                for s in self._in_the_way(caller, account, per_account, per_organization)
                if s.accepted_at is not None
            ]
            # The same sum next_due_in computes: in floating point, now - read_at >= every
            # can be false at the very instant read_at + every says is due.
            due = [s for s in accepted if now >= s.read_at + every]
            if due:
                switch = min(due, key=lambda s: s.read_at)
            elif accepted and oldest_every is not None:
                switch = min(accepted, key=lambda s: s.accepted_at or 0)
                if now < switch.read_at + oldest_every:
                    return None
            else:
                return None
            switch.read_at = now
        return switch.key[1], switch.key[2]

    def next_due_in(
        self,
        caller: str,
        account: str,
        *,
        per_account: int,
        per_organization: int,
        every: float,
        oldest_every: float | None = None,
    ) -> float:
        """Seconds until a switch in ``account``'s way is due for a read (see
        :meth:`take_due`), or a refusal lets one through: 0 if nothing is in the
        way any more, ``every`` if only switches still being sent are (their
        senders settle them, not a read)."""
        now = self._clock()
        with self._lock:
            held_back = self._held_back(caller, account, now)
            in_the_way = self._in_the_way(caller, account, per_account, per_organization)
            accepted = [s for s in in_the_way if s.accepted_at is not None]
            due_at = [s.read_at + every for s in accepted]
            if accepted and oldest_every is not None:
                oldest = min(accepted, key=lambda s: s.accepted_at or 0)
                due_at.append(oldest.read_at + oldest_every)
        if not in_the_way:
            return held_back
        next_read = max(0.0, min(due_at, default=now + every) - now)
        return min(next_read, held_back) if held_back > 0 else next_read

    def _in_the_way(
        self, caller: str, account: str, per_account: int, per_organization: int
    ) -> list[Switch]:
        mine = [s for key, s in self._in_flight.items() if key[0] == caller]
        if len(mine) >= per_organization:
            return mine
        here = [s for s in mine if s.key[1] == account]
        return here if len(here) >= per_account else []
