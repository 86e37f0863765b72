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
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import socket
import threading
import time


class Watch:
    """One watched wait; ``fired`` says the deadline cut it off."""

    __slots__ = ("deadline", "fired", "key", "sock")

    def __init__(self, sock: socket.socket, deadline: float, key: int) -> None:
        self.sock = sock
        self.deadline = deadline
        self.key = key
        self.fired = False


class DeadlineWatchdog:
    """Shuts down watched sockets whose deadline (``time.monotonic()``) has passed."""

    def __init__(self) -> None:
        self._ids = itertools.count()
        self._reset()

    def _reset(self) -> None:
        self._condition = threading.Condition()
        self._watches: dict[int, Watch] = {}
        self._wake_at = math.inf
        self._thread: threading.Thread | None = None

    def watch(self, sock: socket.socket, deadline: float) -> Watch:
        """Start watching ``sock``; every ``watch`` must be followed by ``release``."""
        watch = Watch(sock, deadline, next(self._ids))
        with self._condition:
            self._watches[watch.key] = watch
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="account_mgmt-deadline-watchdog", daemon=True
                )
                self._thread.start()
            if deadline < self._wake_at:
                self._condition.notify()
        return watch

    def release(self, watch: Watch) -> None:
        """Stop watching. Once this returns the watchdog will not touch the socket,
        so the connection may go back to its pool and to another call."""
        with self._condition:
            del self._watches[watch.key]

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
"""The process's one watchdog thread, started by the first watched wait."""

if hasattr(os, "register_at_fork"):
    # A forked child inherits the watchdog's state but not its thread (and maybe
    # its lock, held): it starts afresh, and the first watch starts a new thread.
    os.register_at_fork(after_in_child=WATCHDOG._reset)
