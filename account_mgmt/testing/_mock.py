"""Transports that answer from a function: test code built on account_mgmt without HTTP.

As ``httpx.MockTransport``: the handler receives each signed ``HttpRequest``
and returns the ``HttpResponse`` the service would, so a user's test can
check what was sent (path, JSON body, headers) and script any answer, for
the sync and the async client alike::

    def handler(request: HttpRequest) -> HttpResponse:
        assert request.url.endswith("/getAccountInformation")
        body = b'{"AccountId": "111122223333", "AccountName": "demo"}'
        return HttpResponse(status_code=200, headers={}, body=body)

    client = AccountClient(transport=MockTransport(handler), aws_access_key_id="AKID",
                           aws_secret_access_key="secret", rate_limiting=False)
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from account_mgmt._http import HttpRequest, HttpResponse
from account_mgmt.exceptions import ClientClosedError


class MockTransport:
    """A sync transport whose answers come from ``handler``; records every request."""

    def __init__(self, handler: Callable[[HttpRequest], HttpResponse]) -> None:
        self._handler = handler
        self.requests: list[HttpRequest] = []
        self.closed = False

    def send(self, request: HttpRequest, *, deadline: float | None = None) -> HttpResponse:
        if self.closed:
            raise ClientClosedError("the client was closed")
        self.requests.append(request)
        return self._handler(request)

    def close(self) -> None:
        self.closed = True


class AsyncMockTransport:
    """An async transport whose answers come from ``handler`` (a function or a coroutine)."""

    def __init__(
        self, handler: Callable[[HttpRequest], HttpResponse | Awaitable[HttpResponse]]
    ) -> None:
        self._handler = handler
        self.requests: list[HttpRequest] = []
        self.closed = False

    async def send(self, request: HttpRequest, *, deadline: float | None = None) -> HttpResponse:
        if self.closed:
            raise ClientClosedError("the client was closed")
        self.requests.append(request)
        answer = self._handler(request)
        if inspect.isawaitable(answer):
            return await answer
        return answer

    async def aclose(self) -> None:
        self.closed = True
