"""Cutting off a connection whose answer has not begun by the call's deadline.

A socket timeout bounds each read, not the sum of them: a server (or a
proxy) that sends its status line and headers one byte at a time, each
within the read timeout, would hold a call for as long as http.client's
header limits allow (days at a byte a second). The body is read by our own
loop, which checks the deadline between reads; the status line and headers
are read inside http.client, where nothing can. So while a connection waits
for them, one process-wide thread holds its socket and the deadline, and
shuts the socket down if the deadline comes first: the blocked read returns
at once and the call fails with a timeout.

The thread sleeps until the earliest deadline being watched, so an idle or
fast client costs it nothing but a dictionary insert and delete per call.
Nothing happens at import: the thread starts, and its fork hook is
registered, with the first watch.
"""

from __future__ import annotations

import contextlib
import math
import os
import socket
import threading
import time


class Watch:
    """One wait to watch; ``fired`` says the deadline cut it off.

    Made before it is added, so that the ``try`` whose ``finally`` releases
    it can enclose the adding itself: no interrupt can fall between taking a
    watch and arranging its release.
    """

    __slots__ = ("deadline", "fired", "sock")

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.deadline = deadline
        self.fired = False


class DeadlineWatchdog:
    """Shuts down watched sockets whose deadline (``time.monotonic()``) has passed."""

    def __init__(self) -> None:
        self._fork_hook_registered = False
        self._reset()

    def _reset(self) -> None:
        self._condition = threading.Condition()
        self._watches: dict[int, Watch] = {}
        self._wake_at = math.inf
        self._thread: threading.Thread | None = None

    @property
    def pending(self) -> int:
        """How many waits are being watched now."""
        with self._condition:
            return len(self._watches)

    def add(self, watch: Watch) -> None:
        """Start watching; call inside the ``try`` whose ``finally`` calls ``release``."""
        with self._condition:
            self._watches[id(watch)] = watch
            if self._thread is None:
                self._start()
            if watch.deadline < self._wake_at:
                self._condition.notify()

    def _start(self) -> None:
        if not self._fork_hook_registered and hasattr(os, "register_at_fork"):
            # A forked child inherits the watchdog's state but not its thread
            # (and maybe its lock, held): it starts afresh, and its first watch
            # starts a new thread. Registered once, here rather than at import.
            os.register_at_fork(after_in_child=self._reset)
            self._fork_hook_registered = True
        self._thread = threading.Thread(
            target=self._run, name="account_mgmt-deadline-watchdog", daemon=True
        )
        self._thread.start()

    def release(self, watch: Watch) -> None:
        """Stop watching (a watch never added, or already released, is fine).

        Once this returns the watchdog will not touch the socket, so the
        connection may go back to its pool and to another call."""
        with self._condition:
            self._watches.pop(id(watch), None)

    def _run(self) -> None:
        with self._condition:
            while True:
                now = time.monotonic()
                for watch in self._watches.values():
                    if not watch.fired and watch.deadline <= now:
                        watch.fired = True
                        with contextlib.suppress(OSError):  # already closed
                            watch.sock.shutdown(socket.SHUT_RDWR)
                pending = [w.deadline for w in self._watches.values() if not w.fired]
                self._wake_at = min(pending, default=math.inf)
                timeout = None if self._wake_at == math.inf else max(0.0, self._wake_at - now)
                self._condition.wait(timeout)


WATCHDOG = DeadlineWatchdog()
"""The process's one watchdog thread, started (with its fork hook) by the first watched wait."""
