"""Bodies of a declared length, read in one go by both transports: whole, reused, or cut off.

The sync transport stops reading once the declared bytes are in and the
async one reads exactly that many; neither may then mistake a short body
for a whole one, nor leave the connection unusable for the next call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from account_mgmt._async_transport import AiohttpTransport
from account_mgmt._http import HttpRequest, HttpResponse
from account_mgmt._transport import RequestsTransport
from account_mgmt.exceptions import ConnectionClosedError

from ._canned_server import Piece, RawRequest, RawServer

_BODY = b'{"AccountId":"123456789012","AccountName":"a"}'
_SETTINGS = {
    "connect_timeout": 5.0,
    "read_timeout": 5.0,
    "verify": True,
    "max_pool_connections": 2,
    "max_response_bytes": 1024 * 1024,
}


def _head(length: int) -> bytes:
    return f"HTTP/1.1 200 OK\r\nContent-Length: {length}\r\n\r\n".encode()


def _whole(_request: RawRequest) -> tuple[Sequence[Piece], bool]:
    return [_head(len(_BODY)) + _BODY], False


def _short(_request: RawRequest) -> tuple[Sequence[Piece], bool]:
    return [_head(len(_BODY)) + _BODY[:-5]], True  # then the connection closes


def _request(url: str) -> HttpRequest:
    return HttpRequest(
        method="POST",
        url=f"{url}/getAccountInformation",
        headers={"Content-Type": "application/json"},
        body=b"{}",
    )


def _send_sync(url: str, times: int) -> list[HttpResponse]:
    transport = RequestsTransport(endpoint_url=url, **_SETTINGS)  # type: ignore[arg-type]
    try:
        return [transport.send(_request(url)) for _ in range(times)]
    finally:
        transport.close()


def _send_async(url: str, times: int) -> list[HttpResponse]:
    async def send() -> list[HttpResponse]:
        transport = AiohttpTransport(endpoint_url=url, **_SETTINGS)  # type: ignore[arg-type]
        try:
            return [await transport.send(_request(url)) for _ in range(times)]
        finally:
            await transport.aclose()

    return asyncio.run(send())


SENDERS = {"sync": _send_sync, "async": _send_async}


@pytest.mark.parametrize("kind", sorted(SENDERS))
def test_bodies_of_a_declared_length_are_whole_and_share_one_connection(kind: str) -> None:
    with RawServer(_whole).running() as server:
        answers = SENDERS[kind](server.url, 3)
        assert server.connections == 1
    assert [answer.body for answer in answers] == [_BODY] * 3
    assert all(answer.headers["content-length"] == str(len(_BODY)) for answer in answers)


@pytest.mark.parametrize("kind", sorted(SENDERS))
def test_a_body_shorter_than_declared_is_cut_off_saying_how_much_came(kind: str) -> None:
    with (
        RawServer(_short).running() as server,
        pytest.raises(ConnectionClosedError, match="cut off"),
    ):
        SENDERS[kind](server.url, 1)
