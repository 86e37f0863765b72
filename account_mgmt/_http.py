"""The HTTP seam in the package's own types: what a transport takes and gives back.

Kept apart from the transports so that neither the sync path (requests) nor
the async one (aiohttp) imports the other's stack to name a request, and so
that a user's test can supply a transport of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import attrs


@attrs.frozen(kw_only=True)
class HttpRequest:
    """A fully signed request, ready to go on the wire."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes


@attrs.frozen(kw_only=True)
class HttpResponse:
    """A complete answer. Header names are lower-cased."""

    status_code: int
    headers: Mapping[str, str]
    body: bytes


class Transport(Protocol):
    """What the sync client needs from HTTP: one exchange at a time, thread-safe.

    ``send`` raises the package's ``TransportError`` subclasses for network
    failures; anything else it raises is treated as a bug and propagates.
    """

    def send(self, request: HttpRequest, *, deadline: float | None = None) -> HttpResponse:
        """``deadline`` is a ``time.monotonic()`` instant the exchange must not outlive."""
        ...

    def close(self) -> None:
        """Release connections; later sends fail."""
        ...


class AsyncTransport(Protocol):
    """What the async client needs from HTTP: ``send`` as a coroutine."""

    async def send(self, request: HttpRequest, *, deadline: float | None = None) -> HttpResponse:
        """``deadline`` is a ``time.monotonic()`` instant the exchange must not outlive."""
        ...

    async def aclose(self) -> None:
        """Release connections; later sends fail."""
        ...
