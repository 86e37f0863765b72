"""Progress of multi-account work, on stderr: a rich display on a terminal, plain lines elsewhere.

Every display takes the same events, ``event(account_id, phase, detail)``,
with the phases of ``account_mgmt.org.ProgressEvent``: ``started``,
``done``, ``failed``, ``waiting_quota``, ``waiting_region_slot``,
``waiting_region_switch`` (and ``skipped``). A waiting account stops counting as waiting at its next
event. Displays are thread-safe: events may come from worker threads.

rich is imported only by ``RichProgress``, that is only when drawing.
"""

from __future__ import annotations

import contextlib
import logging
import math
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Final, Literal

import click

if TYPE_CHECKING:
    from rich.console import Console

PHASES: Final = frozenset(
    {
        "started",
        "done",
        "failed",
        "skipped",
        "waiting_quota",
        "waiting_region_slot",
        "waiting_region_switch",
    }
)
"""The phases a display understands; ``account_mgmt.org.ProgressEvent`` uses the same names."""

_WAITING: Final = {
    "waiting_quota": "a quota",
    "waiting_region_slot": "a Region slot",
    "waiting_region_switch": "a Region switch",
}

ProgressKind = Literal["rich", "plain", "none"]


class _Tally:
    """Counts by phase; the caller holds the display's lock."""

    def __init__(self, total: int, clock: Callable[[], float]) -> None:
        self.total = total
        self.done = 0
        self.failed = 0
        self.skipped = 0
        self.in_flight: set[str] = set()
        self.waiting: dict[str, tuple[str, float]] = {}
        """account -> (phase, until): a wait of known length ends by itself."""
        self._clock = clock

    def record(self, account_id: str, phase: str, for_seconds: float | None = None) -> None:
        self.waiting.pop(account_id, None)
        if phase == "started":
            self.in_flight.add(account_id)
        elif phase in _WAITING:
            self.in_flight.add(account_id)
            until = math.inf if for_seconds is None else self._clock() + for_seconds
            self.waiting[account_id] = (phase, until)
        elif phase in ("done", "failed", "skipped"):
            self.in_flight.discard(account_id)
            if phase == "done":
                self.done += 1
            elif phase == "failed":
                self.failed += 1
            else:
                self.skipped += 1

    @property
    def finished(self) -> int:
        return self.done + self.failed + self.skipped

    def status(self) -> str:
        parts = [f"{self.failed} failed"]
        if self.in_flight:
            parts.append(f"{len(self.in_flight)} in flight")
        now = self._clock()
        for phase, what in _WAITING.items():
            count = sum(
                1 for waiting, until in self.waiting.values() if waiting == phase and until > now
            )
            if count:
                parts.append(f"{count} waiting on {what}")
        return ", ".join(parts)


class ProgressDisplay:
    """Draws nothing; the base of the displays and what ``--quiet`` gets."""

    kind: ProgressKind = "none"

    def __init__(
        self, total: int, label: str, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._lock = threading.Lock()
        self._tally = _Tally(total, clock)
        self._label = label

    def event(
        self,
        account_id: str,
        phase: str,
        detail: str | None = None,
        *,
        for_seconds: float | None = None,
    ) -> None:
        """Record that ``account_id`` reached ``phase``; ``detail`` is a short note.

        A wait phase lasts until the account's next event, or ``for_seconds``
        when the wait's length is known (a rate quota's).
        """
        with self._lock:
            self._tally.record(account_id, phase, for_seconds)
            self._draw(account_id, phase, detail)

    def status(self) -> str:
        """What the accounts are doing: ``"1 failed, 3 in flight, 2 waiting on a quota"``."""
        with self._lock:
            return self._tally.status()

    def _draw(self, account_id: str, phase: str, detail: str | None) -> None:
        pass

    def close(self) -> None:
        """Finish the display (idempotent)."""

    def __enter__(self) -> ProgressDisplay:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class PlainProgress(ProgressDisplay):
    """One line per finished account (and per wait) on stderr, for logs and pipes."""

    kind: ProgressKind = "plain"

    def __init__(
        self,
        total: int,
        label: str,
        *,
        stream: IO[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(total, label, clock=clock)
        self._stream = stream

    def _draw(self, account_id: str, phase: str, detail: str | None) -> None:
        if phase in ("started", "waiting_quota"):  # quota waits are many and short
            return
        tally = self._tally
        if phase in _WAITING:
            line = f"{account_id} waiting on {_WAITING[phase]}"
        else:
            line = f"[{tally.finished}/{tally.total}] {account_id} {phase}"
        if detail:
            line += f": {detail}"
        click.echo(f"account-mgmt: {self._label}: {line}", err=True, file=self._stream)


class RichProgress(ProgressDisplay):
    """A live bar on stderr: accounts done of total, failed, in flight, waiting, ETA."""

    kind: ProgressKind = "rich"

    def __init__(
        self,
        total: int,
        label: str,
        *,
        console: Console | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(total, label, clock=clock)
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[status]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console if console is not None else Console(stderr=True),
            transient=False,
        )
        self._task = self._progress.add_task(label, total=total, status=self._tally.status())
        self._progress.start()
        self._closed = False

    def _draw(self, account_id: str, phase: str, detail: str | None) -> None:
        self._progress.update(
            self._task, completed=self._tally.finished, status=self._tally.status()
        )

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._progress.stop()


def choose_progress(*, quiet: bool, output: str) -> ProgressKind:
    """Which display suits the streams: none with ``--quiet``, or when JSON lines
    already go to the terminal; rich when stderr is a terminal; else plain lines."""
    if quiet:
        return "none"
    stderr_tty = _isatty(sys.stderr)
    if output == "json" and _isatty(sys.stdout):
        return "none"
    return "rich" if stderr_tty else "plain"


def _isatty(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty()) if callable(isatty) else False


def open_progress(total: int, label: str, kind: ProgressKind) -> ProgressDisplay:
    """A display of ``kind`` for ``total`` accounts; close it (or use ``with``) when done."""
    if kind == "rich":
        return RichProgress(total, label)
    if kind == "plain":
        return PlainProgress(total, label)
    return ProgressDisplay(total, label)


WAIT_LOG_MESSAGES: Final = {
    "%s: waiting %.3fs for the rate quota": "waiting_quota",
    "%s: waiting for a Region switch slot": "waiting_region_slot",
}
"""The library's log messages (templates, as logged by its pacing step and by
``_regionswitch``) that say a call is waiting, and the phase each means.

The client has no wait callback: these records are how a display can tell.
"""


class WaitBridge(logging.Handler):
    """Turns the library's wait records into events for the account that the
    logging thread is working on (``working`` says which)."""

    def __init__(self, display: ProgressDisplay) -> None:
        super().__init__(logging.DEBUG)
        self._display = display
        self._accounts: dict[int, str] = {}

    def working(self, account_id: str | None) -> None:
        """From a worker thread: it now works on ``account_id`` (None: on none)."""
        if account_id is None:
            self._accounts.pop(threading.get_ident(), None)
        else:
            self._accounts[threading.get_ident()] = account_id

    def emit(self, record: logging.LogRecord) -> None:
        phase = WAIT_LOG_MESSAGES.get(str(record.msg))
        account_id = self._accounts.get(record.thread or 0)
        if phase is None or account_id is None:
            return
        args = record.args if isinstance(record.args, tuple) else ()
        seconds = args[1] if phase == "waiting_quota" and len(args) > 1 else None
        self._display.event(
            account_id,
            phase,
            str(args[0]) if args else None,
            for_seconds=float(seconds) if isinstance(seconds, int | float) else None,
        )


@contextlib.contextmanager
def bridged_waits(display: ProgressDisplay) -> Iterator[WaitBridge]:
    """While open, the library's wait records reach ``display`` (the library
    logger is lowered to DEBUG for it, then restored)."""
    library = logging.getLogger("account_mgmt")
    bridge = WaitBridge(display)
    previous = library.level
    library.addHandler(bridge)
    if library.getEffectiveLevel() > logging.DEBUG:
        library.setLevel(logging.DEBUG)
    try:
        yield bridge
    finally:
        library.removeHandler(bridge)
        library.setLevel(previous)
