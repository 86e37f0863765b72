"""Running the behaviour suite against AsyncAccountClient as well as AccountClient.

``BlockingFacade`` lets a sync test call an ``AsyncAccountClient`` as if it
were an ``AccountClient``: every coroutine method runs to completion on one
event loop the facade owns (the client's connections are bound to it), and
``iter_regions`` is collected. ``RequestsBridge`` is an async transport that
sends through the sync ``RequestsTransport`` in a worker thread, so the
``responses`` mocks of the wire tests intercept the async client's requests
too: the steps, the asyncio driver and the front doors are what those tests
exercise; aiohttp itself is exercised by the emulator and transport tests.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator
from typing import Any, Self, cast

from account_mgmt import AccountClient, AsyncAccountClient, HttpRequest, HttpResponse
from account_mgmt._transport import RequestsTransport


class BlockingFacade:
    """An ``AsyncAccountClient`` with the blocking surface of ``AccountClient``."""

    def __init__(self, client: AsyncAccountClient, runner: asyncio.Runner | None = None) -> None:
        self._client = client
        self._runner = runner if runner is not None else asyncio.Runner()
        self._owns_runner = runner is None

    @property
    def wrapped(self) -> AsyncAccountClient:
        return self._client

    def run(self, awaitable: Any) -> Any:
        """Run a coroutine on the facade's loop (for tests that need the raw client)."""
        return self._runner.run(awaitable)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if name == "iter_regions":

            def lazily(**kwargs: Any) -> Iterator[Any]:
                pages = attr(**kwargs)

                async def next_item() -> Any:
                    return await pages.__anext__()

                while True:  # one item per step: a page is fetched when it is reached
                    try:
                        yield self._runner.run(next_item())
                    except StopAsyncIteration:
                        return

            return lazily
        if inspect.iscoroutinefunction(attr):

            def blocking(*args: Any, **kwargs: Any) -> Any:
                return self._runner.run(attr(*args, **kwargs))

            return blocking
        return attr

    def with_options(self, **options: Any) -> AccountClient:
        copy = BlockingFacade(self._client.with_options(**options), self._runner)
        return cast(AccountClient, copy)

    def close(self) -> None:
        self._runner.run(self._client.aclose())
        if self._owns_runner:
            self._runner.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return repr(self._client)


class RequestsBridge:
    """An async transport sending through ``RequestsTransport`` in a thread (for ``responses``)."""

    def __init__(self, endpoint_url: str, **options: Any) -> None:
        self.sync = RequestsTransport(
            endpoint_url=endpoint_url,
            connect_timeout=options.get("connect_timeout", 10.0),
            read_timeout=options.get("read_timeout", 60.0),
            verify=options.get("verify", True),
            max_pool_connections=options.get("max_pool_connections", 10),
            max_response_bytes=options.get("max_response_bytes", 10 * 1024 * 1024),
        )

    async def send(self, request: HttpRequest, *, deadline: float | None = None) -> HttpResponse:
        return await asyncio.to_thread(self.sync.send, request, deadline=deadline)

    async def aclose(self) -> None:
        self.sync.close()


def blocking(client: AsyncAccountClient) -> AccountClient:
    """``client`` behind a ``BlockingFacade``, typed as the sync client it stands in for."""
    return cast(AccountClient, BlockingFacade(client))


ClientFactory = Callable[..., AccountClient]
"""Builds a client (sync, or async behind a facade) from AccountClient's keyword options."""


def sync_factory(**options: Any) -> AccountClient:
    return AccountClient(**options)


def async_factory(**options: Any) -> AccountClient:
    """An AsyncAccountClient over aiohttp, or over ``RequestsBridge`` when ``bridge=True``."""
    bridge = options.pop("bridge", False)
    client = AsyncAccountClient(**options)
    if bridge and options.get("transport") is None:
        client = AsyncAccountClient(**options, transport=RequestsBridge(client.config.endpoint_url))
    return blocking(client)
