"""AiohttpTransport against real servers on 127.0.0.1: each behaviour the sync transport has.

Servers are asyncio servers in the test's own loop, speaking raw HTTP/1.1 so that
they can break it on purpose (interim answers, conflicting lengths, drips,
compressed and oversized bodies). Async tests are plain functions calling
``asyncio.run``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gzip
import inspect
import json
import os
import random
import re
import ssl
import subprocess
import sys
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
import trustme

from account_mgmt._async_transport import AiohttpTransport
from account_mgmt._http import AsyncTransport, HttpRequest, HttpResponse
from account_mgmt.exceptions import (
    AccountError,
    ClientClosedError,
    ConfigurationError,
    ConnectionClosedError,
    ConnectTimeoutError,
    CredentialsError,
    EndpointConnectionError,
    EventLoopMismatchError,
    ReadTimeoutError,
    ResponseTooLargeError,
    TLSError,
    TransportError,
)
from tests._canned_server import CannedServer

T = TypeVar("T")

Handler = Callable[["_Connection"], Awaitable[None]]


class _Connection:
    """One accepted connection: read whole requests, write raw bytes."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        seen: list[tuple[bytes, dict[str, str], bytes]],
    ) -> None:
        self.reader = reader
        self.writer = writer
        self._seen = seen

    async def request(self) -> tuple[bytes, dict[str, str], bytes] | None:
        """The next request (request line, headers by lower-cased name, body); None at EOF."""
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            return None
        line, *fields = head[:-4].split(b"\r\n")
        headers = {}
        for field in fields:
            name, _, value = field.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        self._seen.append((line, headers, body))
        return line, headers, body

    async def write(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()


class _Server:
    """A raw HTTP server on 127.0.0.1 running ``handler`` once per connection."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self.connections = 0
        self.open_connections = 0
        self.most_open_connections = 0
        self.requests: list[tuple[bytes, dict[str, str], bytes]] = []
        self.url = ""

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.open_connections += 1
        self.most_open_connections = max(self.most_open_connections, self.open_connections)
        try:
            await self._handler(_Connection(reader, writer, self.requests))
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client hung up, as some tests make it
        finally:
            self.open_connections -= 1
            writer.close()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[_Server]:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        try:
            yield self
        finally:
            server.close()


def _answer(status: int, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    fields = {"Content-Length": str(len(body)), **(headers or {})}
    head = f"HTTP/1.1 {status} X\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items())
    return head.encode() + b"\r\n" + body


def _replying(*answers: bytes, then: bytes | None = None) -> Handler:
    """Answer the requests of each connection with ``answers`` in turn (``then`` after)."""
    queue = list(answers)

    async def handle(connection: _Connection) -> None:
        while await connection.request() is not None:
            await connection.write(queue.pop(0) if queue else then or _answer(200, b"{}"))

    return handle


def _transport(url: str, **options: Any) -> AiohttpTransport:
    settings: dict[str, Any] = {
        "endpoint_url": url,
        "connect_timeout": 5.0,
        "read_timeout": 5.0,
        "verify": True,
        "max_pool_connections": 10,
        "max_response_bytes": 1024 * 1024,
    }
    settings.update(options)
    return AiohttpTransport(**settings)


def _request(url: str, body: bytes = b"{}", headers: dict[str, str] | None = None) -> HttpRequest:
    return HttpRequest(
        method="POST",
        url=f"{url}/getAccountInformation",
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "User-Agent": "t",
            **(headers or {}),
        },
        body=body,
    )


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


async def _exchange(handler: Handler, **options: Any) -> tuple[HttpResponse, _Server]:
    """One call against a server running ``handler``."""
    async with _Server(handler).running() as server:
        transport = _transport(server.url, **options)
        try:
            return await transport.send(_request(server.url)), server
        finally:
            await transport.aclose()


async def _failure(handler: Handler, **options: Any) -> tuple[TransportError, _Server]:
    """The transport error of one call against a server running ``handler``."""
    async with _Server(handler).running() as server:
        deadline = options.pop("deadline", None)
        transport = _transport(server.url, **options)
        try:
            with pytest.raises(TransportError) as caught:
                await transport.send(_request(server.url), deadline=deadline)
        finally:
            await transport.aclose()
        return caught.value, server


# --- the plain exchange ---------------------------------------------------------------


def test_send_returns_status_lower_cased_headers_and_body() -> None:
    answer = _answer(200, b'{"AccountId":"1"}', {"X-Amzn-RequestId": "r-1"})
    response, _server = _run(_exchange(_replying(answer)))
    assert response.status_code == 200
    assert response.body == b'{"AccountId":"1"}'
    assert response.headers["x-amzn-requestid"] == "r-1"
    assert all(name == name.lower() for name in response.headers)


def test_send_puts_the_sync_transports_headers_on_the_wire() -> None:
    _, server = _run(_exchange(_replying(_answer(200, b"{}"))))
    _line, headers, _body = server.requests[0] if server.requests else (b"", {}, b"")
    assert set(headers) == {
        "host",
        "content-type",
        "user-agent",
        "accept-encoding",
        "content-length",
    }
    assert headers["content-type"] == "application/x-amz-json-1.1"
    assert headers["user-agent"] == "t"  # never aiohttp's own
    assert headers["accept-encoding"] == "identity"  # as http.client asks


def test_an_accept_encoding_the_request_sets_replaces_identity() -> None:
    async def call() -> _Server:
        async with _Server(_replying(_answer(200, b"{}"))).running() as server:
            transport = _transport(server.url)
            await transport.send(_request(server.url, headers={"accept-encoding": "gzip"}))
            await transport.aclose()
        return server

    _, headers, _ = _run(call()).requests[0]
    assert headers["accept-encoding"] == "gzip"


def test_calls_share_one_keep_alive_connection() -> None:
    server = CannedServer([])
    with server.running():

        async def calls() -> None:
            transport = _transport(server.url)
            for _ in range(3):
                assert (await transport.send(_request(server.url))).status_code == 200
            await transport.aclose()

        _run(calls())
    assert len(server.client_ports) == 3
    assert len(set(server.client_ports)) == 1


def test_the_pool_never_opens_more_than_max_pool_connections() -> None:
    async def slow(connection: _Connection) -> None:
        while await connection.request() is not None:
            await asyncio.sleep(0.02)
            await connection.write(_answer(200, b"{}"))

    async def calls() -> _Server:
        async with _Server(slow).running() as server:
            transport = _transport(server.url, max_pool_connections=3)
            answers = await asyncio.gather(
                *(transport.send(_request(server.url)) for _ in range(12))
            )
            await transport.aclose()
        assert [answer.status_code for answer in answers] == [200] * 12
        return server

    server = _run(calls())
    assert server.most_open_connections == 3  # 12 waiting calls, never a 4th connection
    assert server.connections == 3


def test_a_redirect_is_handed_back_not_followed() -> None:
    answer = _answer(302, b"", {"Location": "http://127.0.0.1:1/elsewhere"})
    response, _server = _run(_exchange(_replying(answer)))
    assert response.status_code == 302
    assert response.headers["location"] == "http://127.0.0.1:1/elsewhere"


def test_the_request_url_is_sent_as_signed_and_its_userinfo_never() -> None:
    async def call() -> _Server:
        async with _Server(_replying(_answer(200, b"{}"))).running() as server:
            transport = _transport(server.url)
            url = server.url.replace("http://", "http://user:pw-secret@")
            await transport.send(
                HttpRequest(method="POST", url=f"{url}/a%2Fb~c", headers={}, body=b"")
            )
            await transport.aclose()
        return server

    server = _run(call())
    line, headers, _ = server.requests[0]
    assert line == b"POST /a%2Fb~c HTTP/1.1"  # never re-quoted: the signature covers it
    assert "authorization" not in headers


# --- connecting -------------------------------------------------------------------


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_refused_connection_is_endpoint_connection_error_not_sent() -> None:
    url = f"http://user:pw-secret@127.0.0.1:{_closed_port()}"

    async def call() -> None:
        transport = _transport(url)
        try:
            await transport.send(_request(url))
        finally:
            await transport.aclose()

    with pytest.raises(EndpointConnectionError) as caught:
        _run(call())
    assert caught.value.request_sent is False
    assert "pw-secret" not in str(caught.value)
    assert "127.0.0.1" in str(caught.value)
    assert caught.value.__cause__ is not None


@pytest.mark.parametrize("cut_by", ["connect_timeout", "deadline"])
def test_a_connect_that_never_completes_is_connect_timeout_error(cut_by: str) -> None:
    import socket

    # A listener whose backlog is full: the kernel drops further SYNs, so a
    # connect neither succeeds nor fails until its timeout.
    listener = socket.create_server(("127.0.0.1", 0), backlog=0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    url = f"http://127.0.0.1:{port}"

    async def call() -> None:
        if cut_by == "connect_timeout":
            transport, deadline = _transport(url, connect_timeout=0.3), None
        else:
            transport, deadline = _transport(url), time.monotonic() + 0.3
        try:
            await transport.send(_request(url), deadline=deadline)
        finally:
            await transport.aclose()

    try:
        with pytest.raises(ConnectTimeoutError) as caught:
            _run(call())
    finally:
        for filler in fillers:
            filler.close()
        listener.close()
    assert caught.value.request_sent is False


def test_a_deadline_passed_while_waiting_for_a_pooled_connection_is_connect_timeout() -> None:
    release = asyncio.Event()

    async def held(connection: _Connection) -> None:
        while await connection.request() is not None:
            await release.wait()
            await connection.write(_answer(200, b"{}"))

    async def calls() -> tuple[ConnectTimeoutError, _Server]:
        async with _Server(held).running() as server:
            transport = _transport(server.url, max_pool_connections=1)
            first = asyncio.create_task(transport.send(_request(server.url)))
            while not server.requests and server.connections == 0:
                await asyncio.sleep(0.01)
            with pytest.raises(ConnectTimeoutError) as caught:
                await transport.send(_request(server.url), deadline=time.monotonic() + 0.2)
            release.set()
            assert (await first).status_code == 200
            await transport.aclose()
        return caught.value, server

    error, server = _run(calls())
    assert error.request_sent is False
    assert server.connections == 1


def test_a_deadline_already_passed_sends_nothing() -> None:
    async def call() -> tuple[ConnectTimeoutError, _Server]:
        async with _Server(_replying()).running() as server:
            transport = _transport(server.url)
            with pytest.raises(ConnectTimeoutError) as caught:
                await transport.send(_request(server.url), deadline=time.monotonic() - 1)
            await transport.aclose()
        return caught.value, server

    error, server = _run(call())
    assert server.connections == 0
    assert "total_timeout" in str(error)


# --- waiting for the answer ------------------------------------------------------------


async def _silent(connection: _Connection) -> None:
    await connection.request()
    await asyncio.sleep(30)


def test_no_answer_within_read_timeout_is_read_timeout_error_sent() -> None:
    error, server = _run(_failure(_silent, read_timeout=0.2))
    assert isinstance(error, ReadTimeoutError)
    assert error.request_sent is True
    assert len(server.requests) == 1


def test_a_deadline_passed_while_waiting_for_the_answer_is_read_timeout_error_sent() -> None:
    error, server = _run(_failure(_silent, deadline=time.monotonic() + 1.5))
    assert isinstance(error, ReadTimeoutError)
    assert error.request_sent is True
    assert "total_timeout" in str(error)
    assert len(server.requests) == 1


def _dripping(data: bytes) -> Handler:
    async def handle(connection: _Connection) -> None:
        await connection.request()
        for byte in data:
            await connection.write(bytes([byte]))
            await asyncio.sleep(0.05)

    return handle


def test_the_deadline_cuts_off_headers_dripped_a_byte_at_a_time() -> None:
    # 30 s of drip against a 1.5 s deadline: time enough to send, never to finish
    answer = _answer(200, b'{"AccountId":"1"}', {"X-Padding": "p" * 500})
    error, _ = _run(_failure(_dripping(answer), read_timeout=5.0, deadline=time.monotonic() + 1.5))
    assert isinstance(error, ReadTimeoutError)
    assert "total_timeout" in str(error)


def test_the_deadline_cuts_off_a_body_dripped_a_byte_at_a_time() -> None:
    body = b"x" * 600  # 30 s of drip against a 1.5 s deadline
    head = _answer(200, body)[: -len(body)]

    async def handle(connection: _Connection) -> None:
        await connection.request()
        await connection.write(head)
        for byte in body:
            await connection.write(bytes([byte]))
            await asyncio.sleep(0.05)

    error, _ = _run(_failure(handle, read_timeout=5.0, deadline=time.monotonic() + 1.5))
    assert isinstance(error, ReadTimeoutError)
    assert "total_timeout" in str(error)


# --- broken answers ----------------------------------------------------------------


def test_a_body_cut_short_of_its_length_is_connection_closed_error() -> None:
    async def handle(connection: _Connection) -> None:
        await connection.request()
        await connection.write(_answer(200, b"x" * 20)[:-15])

    error, _ = _run(_failure(handle))
    assert isinstance(error, ConnectionClosedError)
    assert error.request_sent is True


def test_a_server_closing_without_answering_is_connection_closed_error() -> None:
    async def handle(connection: _Connection) -> None:
        await connection.request()

    error, _ = _run(_failure(handle))
    assert isinstance(error, ConnectionClosedError)


def test_an_answer_without_a_status_line_is_refused_without_quoting_it() -> None:
    secret = b'{"EmailAddress":"someone@example.com"}'
    error, _ = _run(_failure(_replying(secret + b"\r\n\r\n")))
    assert isinstance(error, ConnectionClosedError)
    assert "example.com" not in str(error)
    assert "EmailAddress" not in str(error)


@pytest.mark.parametrize(
    "lengths",
    [["29, 5"], ["2", "5"], ["2", "2, 7"]],
    ids=["comma-list", "two-headers", "header-and-list"],
)
def test_conflicting_content_lengths_are_connection_closed_error(lengths: list[str]) -> None:
    head = "HTTP/1.1 200 OK\r\n" + "".join(f"Content-Length: {n}\r\n" for n in lengths)
    error, _ = _run(_failure(_replying(head.encode() + b'\r\nok{"AccountId":"2"}')))
    assert isinstance(error, ConnectionClosedError)
    assert "Content-Length:" not in str(error)  # the header as sent is never quoted
    assert "AccountId" not in str(error)


def test_conflicting_lengths_are_refused_by_our_check_when_the_parser_lets_them_by() -> None:
    transport = _transport("http://127.0.0.1:1")
    with pytest.raises(ConnectionClosedError):
        transport._declared_length(["2", "5"])
    with pytest.raises(ConnectionClosedError):
        transport._declared_length(["-1"])
    assert transport._declared_length(["7", "7"]) == 7
    assert transport._declared_length([]) is None


# --- interim answers -------------------------------------------------------------------


@pytest.mark.parametrize("interim", [100, 102, 103])
def test_an_interim_answer_is_skipped_and_the_final_one_read(interim: int) -> None:
    answer = f"HTTP/1.1 {interim} Interim\r\nLink: </x>\r\n\r\n".encode() + _answer(200, b"final")
    response, _ = _run(_exchange(_replying(answer)))
    assert response.status_code == 200
    assert response.body == b"final"


def test_an_unasked_for_switch_of_protocols_fails_and_its_connection_is_dropped() -> None:
    switch = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n"

    async def calls() -> tuple[ConnectionClosedError, HttpResponse, _Server]:
        handler = _replying(switch + _answer(200, b"stale"), then=_answer(200, b"fresh"))
        async with _Server(handler).running() as server:
            transport = _transport(server.url)
            with pytest.raises(ConnectionClosedError) as caught:
                await transport.send(_request(server.url))
            after = await transport.send(_request(server.url))
            await transport.aclose()
        return caught.value, after, server

    error, after, server = _run(calls())
    assert "101" in str(error)
    assert after.body == b"fresh"  # never the stale answer left on the first connection
    assert server.connections == 2


def test_interim_answers_at_random_never_hand_a_call_another_calls_answer() -> None:
    """200 concurrent calls over 4 pooled connections; the server sends 0 to 3
    interim answers before each final one, some in separate writes a little
    later. Every answer must name the account its own request asked for."""
    chooser = random.Random(20261130)

    async def handle(connection: _Connection) -> None:
        while (request := await connection.request()) is not None:
            account = json.loads(request[2])["AccountId"]
            for _ in range(chooser.randint(0, 3)):
                code = chooser.choice([100, 102, 103])
                await connection.write(
                    f"HTTP/1.1 {code} Interim\r\nLink: </{code}>\r\n\r\n".encode()
                )
                if chooser.random() < 0.5:
                    await asyncio.sleep(0.001)
            await connection.write(_answer(200, json.dumps({"AccountId": account}).encode()))

    async def calls() -> list[tuple[str, HttpResponse]]:
        async with _Server(handle).running() as server:
            transport = _transport(server.url, max_pool_connections=4)
            accounts = [f"{n:012d}" for n in range(200)]
            answers = await asyncio.gather(
                *(
                    transport.send(_request(server.url, json.dumps({"AccountId": a}).encode()))
                    for a in accounts
                )
            )
            await transport.aclose()
        return list(zip(accounts, answers, strict=True))

    for account, answer in _run(calls()):
        assert answer.status_code == 200
        assert json.loads(answer.body) == {"AccountId": account}


# --- sizes and encodings ------------------------------------------------------------------


def test_an_answer_declaring_more_than_the_cap_is_refused_and_its_connection_dropped() -> None:
    async def half_sent(connection: _Connection) -> None:
        await connection.request()
        await connection.write(_answer(200, b"x" * 2000)[:-1500])  # the rest never comes
        while await connection.request() is not None:
            await connection.write(_answer(200, b"stale"))

    async def calls() -> tuple[ResponseTooLargeError, HttpResponse, _Server]:
        handlers = iter([half_sent, _replying(_answer(200, b"ok"))])

        async def handle(connection: _Connection) -> None:
            await next(handlers)(connection)

        async with _Server(handle).running() as server:
            transport = _transport(server.url, max_response_bytes=1000)
            with pytest.raises(ResponseTooLargeError) as caught:
                await transport.send(_request(server.url))
            after = await transport.send(_request(server.url))
            await transport.aclose()
        return caught.value, after, server

    error, after, server = _run(calls())
    assert "2000" in str(error)
    assert error.retryable is False
    assert after.body == b"ok"
    assert server.connections == 2


def test_an_endless_chunked_answer_stops_being_read_at_the_cap() -> None:
    written = 0

    async def endless(connection: _Connection) -> None:
        nonlocal written
        await connection.request()
        await connection.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"x" * 65536
        while written < 200 * 1024 * 1024:
            await connection.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            written += len(chunk)

    error, _ = _run(_failure(endless, max_response_bytes=1024 * 1024))
    assert isinstance(error, ResponseTooLargeError)
    assert written < 64 * 1024 * 1024  # the client stopped reading; the kernel buffers the rest


def test_a_compressed_bomb_is_refused_at_the_decoded_cap() -> None:
    bomb = gzip.compress(b"\0" * (50 * 1024 * 1024))
    answer = _answer(200, bomb, {"Content-Encoding": "gzip"})
    error, _ = _run(_failure(_replying(answer), max_response_bytes=1024 * 1024))
    assert isinstance(error, ResponseTooLargeError)


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", _raw_deflate),
        ("deflate, gzip", lambda data: gzip.compress(zlib.compress(data))),
        ("identity", lambda data: data),
    ],
    ids=["gzip", "x-gzip", "deflate-zlib", "deflate-raw", "layered", "identity"],
)
def test_a_complete_compressed_answer_is_decoded_whole(
    encoding: str, encode: Callable[[bytes], bytes]
) -> None:
    body = json.dumps({"Regions": [{"RegionName": f"r-{n}"} for n in range(400)]}).encode()
    sent = encode(body)
    assert len(sent) != len(body) or encoding == "identity"
    answer = _answer(200, sent, {"Content-Encoding": encoding})
    response, _ = _run(_exchange(_replying(answer)))
    assert response.body == body
    assert response.headers["content-length"] == str(len(sent))


def test_a_gzip_answer_holding_two_members_is_decoded_whole() -> None:
    answer = _answer(
        200, gzip.compress(b"one,") + gzip.compress(b"two"), {"Content-Encoding": "gzip"}
    )
    response, _ = _run(_exchange(_replying(answer)))
    assert response.body == b"one,two"


def test_a_compressed_answer_cut_short_of_its_length_is_connection_closed_error() -> None:
    sent = gzip.compress(b"y" * 10_000)

    async def handle(connection: _Connection) -> None:
        await connection.request()
        full = _answer(200, sent, {"Content-Encoding": "gzip"})
        await connection.write(full[: len(full) - 10])

    error, _ = _run(_failure(handle))
    assert isinstance(error, ConnectionClosedError)


def test_a_body_that_is_not_its_declared_encoding_is_connection_closed_error() -> None:
    answer = _answer(200, b"not gzip at all", {"Content-Encoding": "gzip"})
    error, _ = _run(_failure(_replying(answer)))
    assert isinstance(error, ConnectionClosedError)
    assert "not gzip" not in str(error)


def test_an_encoding_we_cannot_undo_is_handed_back_as_sent() -> None:
    answer = _answer(200, b"\x8b\x00opaque", {"Content-Encoding": "br"})
    response, _ = _run(_exchange(_replying(answer)))
    assert response.body == b"\x8b\x00opaque"
    assert response.headers["content-encoding"] == "br"


# --- TLS ------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def _tls_server(certificate: trustme.LeafCert) -> AsyncIterator[_Server]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    state = _Server(_replying(_answer(200, b"tls")))
    server = await asyncio.start_server(state._serve, "127.0.0.1", 0, ssl=context)
    state.url = f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        yield state
    finally:
        server.close()


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_bundle(authority: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    authority.cert_pem.write_to_path(str(path))
    return path


async def _tls_call(certificate: trustme.LeafCert, verify: bool | str) -> HttpResponse:
    async with _tls_server(certificate) as server:
        transport = _transport(server.url, verify=verify)
        try:
            return await transport.send(_request(server.url))
        finally:
            await transport.aclose()


def test_tls_with_the_ca_bundle_given_is_trusted(authority: trustme.CA, ca_bundle: Path) -> None:
    response = _run(_tls_call(authority.issue_cert("127.0.0.1"), str(ca_bundle)))
    assert response.body == b"tls"


def test_tls_with_an_untrusted_certificate_is_tls_error_not_sent(authority: trustme.CA) -> None:
    with pytest.raises(TLSError) as caught:
        _run(_tls_call(authority.issue_cert("127.0.0.1"), True))  # certifi does not know it
    assert caught.value.request_sent is False
    assert caught.value.retryable is False
    assert "certificate" in str(caught.value)


def test_tls_with_a_certificate_for_another_name_is_tls_error(
    authority: trustme.CA, ca_bundle: Path
) -> None:
    with pytest.raises(TLSError):
        _run(_tls_call(authority.issue_cert("other.example"), str(ca_bundle)))


def test_tls_with_verify_false_trusts_any_certificate(authority: trustme.CA) -> None:
    response = _run(_tls_call(authority.issue_cert("other.example"), False))
    assert response.body == b"tls"


def test_a_ca_bundle_that_cannot_be_loaded_is_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="verify"):
        _transport("https://127.0.0.1:1", verify=str(tmp_path / "missing.pem"))


# --- proxies ------------------------------------------------------------------------


def test_http_proxy_from_the_environment_carries_the_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def call() -> tuple[HttpResponse, _Server]:
        async with _Server(_replying(_answer(200, b"via proxy"))).running() as proxy:
            monkeypatch.setenv("HTTP_PROXY", proxy.url.replace("http://", "http://me:pw-secret@"))
            monkeypatch.delenv("NO_PROXY", raising=False)
            monkeypatch.delenv("no_proxy", raising=False)
            endpoint = f"http://127.0.0.1:{_closed_port()}"
            transport = _transport(endpoint)
            try:
                return await transport.send(_request(endpoint)), proxy
            finally:
                await transport.aclose()

    response, proxy = _run(call())
    assert response.body == b"via proxy"
    line, headers, _ = proxy.requests[0]
    assert line.startswith(b"POST http://127.0.0.1:")  # the absolute form a proxy is sent
    assert headers["proxy-authorization"] == "Basic " + base64.b64encode(b"me:pw-secret").decode()


def test_https_proxy_from_the_environment_tunnels_the_call_with_its_login(
    monkeypatch: pytest.MonkeyPatch, authority: trustme.CA, ca_bundle: Path
) -> None:
    tunnels: list[tuple[bytes, dict[str, str]]] = []

    async def tunnel(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        line, *fields = head[:-4].split(b"\r\n")
        headers = {}
        for field in fields:
            name, _, value = field.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        tunnels.append((line, headers))
        host, _, port = line.split()[1].decode().rpartition(":")
        up_reader, up_writer = await asyncio.open_connection(host, int(port))
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def call() -> HttpResponse:
        proxy = await asyncio.start_server(tunnel, "127.0.0.1", 0)
        proxy_port = proxy.sockets[0].getsockname()[1]
        monkeypatch.setenv("HTTPS_PROXY", f"http://me:pw-secret@127.0.0.1:{proxy_port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        try:
            async with _tls_server(authority.issue_cert("127.0.0.1")) as server:
                transport = _transport(server.url, verify=str(ca_bundle))
                try:
                    return await transport.send(_request(server.url))
                finally:
                    await transport.aclose()
        finally:
            proxy.close()

    response = _run(call())
    assert response.body == b"tls"
    [(line, headers)] = tunnels
    assert line.startswith(b"CONNECT 127.0.0.1:")
    assert headers["proxy-authorization"] == "Basic " + base64.b64encode(b"me:pw-secret").decode()


def test_no_proxy_sends_the_call_straight_to_the_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    response, server = _run(_exchange(_replying(_answer(200, b"direct"))))
    assert response.body == b"direct"
    assert server.requests[0][0] == b"POST /getAccountInformation HTTP/1.1"


def test_an_unreachable_proxy_is_endpoint_connection_error_naming_it_without_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://me:pw-secret@127.0.0.1:{_closed_port()}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    endpoint = "http://127.0.0.1:9"

    async def call() -> None:
        transport = _transport(endpoint)
        try:
            await transport.send(_request(endpoint))
        finally:
            await transport.aclose()

    with pytest.raises(EndpointConnectionError) as caught:
        _run(call())
    assert "through the proxy at 127.0.0.1" in str(caught.value)
    assert "pw-secret" not in str(caught.value)


# --- lifetime -----------------------------------------------------------------------------


def test_a_send_after_aclose_is_client_closed_error_and_sends_nothing() -> None:
    async def calls() -> _Server:
        async with _Server(_replying()).running() as server:
            transport = _transport(server.url)
            await transport.send(_request(server.url))
            await transport.aclose()
            await transport.aclose()  # twice is fine
            with pytest.raises(ClientClosedError):
                await transport.send(_request(server.url))
        return server

    assert len(_run(calls()).requests) == 1


def test_aclose_before_any_send_is_fine_and_later_sends_fail() -> None:
    async def calls() -> None:
        transport = _transport("http://127.0.0.1:1")
        await transport.aclose()
        with pytest.raises(ClientClosedError):
            await transport.send(_request("http://127.0.0.1:1"))

    _run(calls())


def test_a_send_from_another_event_loop_is_event_loop_mismatch_error() -> None:
    server = CannedServer([])
    with server.running():
        transport = _transport(server.url)
        assert _run(transport.send(_request(server.url))).status_code == 200
        with pytest.raises(EventLoopMismatchError):
            _run(transport.send(_request(server.url)))
        _run(transport.aclose())  # the first loop is gone: nothing to wait for
        with pytest.raises(ClientClosedError):
            _run(transport.send(_request(server.url)))
    assert len(server.requests) == 1


def test_aclose_from_another_running_loop_is_refused() -> None:
    server = CannedServer([])
    with server.running():

        async def first_loop() -> None:
            transport = _transport(server.url)
            await transport.send(_request(server.url))

            def elsewhere() -> None:
                with pytest.raises(EventLoopMismatchError):
                    asyncio.run(transport.aclose())

            await asyncio.to_thread(elsewhere)
            await transport.aclose()  # from its own loop it closes

        _run(first_loop())


def test_a_cancelled_call_never_leaves_its_answer_for_the_next_one() -> None:
    answers = iter([b"stale"])  # for the first request of all, whichever connection

    async def late_then_fresh(connection: _Connection) -> None:
        while await connection.request() is not None:
            stale = next(answers, None)
            if stale is not None:
                await asyncio.sleep(0.5)  # the caller gives up before this arrives
            await connection.write(_answer(200, stale or b"fresh"))

    async def calls() -> tuple[HttpResponse, _Server]:
        async with _Server(late_then_fresh).running() as server:
            transport = _transport(server.url)
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(transport.send(_request(server.url)), 0.1)
            await asyncio.sleep(0.6)  # the stale answer is on the first connection now
            after = await transport.send(_request(server.url))
            await transport.aclose()
        return after, server

    after, server = _run(calls())
    assert after.body == b"fresh"
    assert server.connections == 2


# --- what leaves the transport ---------------------------------------------------------


def test_a_control_character_in_a_credential_header_is_refused_unquoted() -> None:
    async def call() -> tuple[CredentialsError, _Server]:
        async with _Server(_replying()).running() as server:
            transport = _transport(server.url)
            with pytest.raises(CredentialsError) as caught:
                await transport.send(
                    _request(server.url, headers={"X-Amz-Security-Token": "TOKEN-SECRET\n"})
                )
            await transport.aclose()
        return caught.value, server

    error, server = _run(call())
    assert "TOKEN-SECRET" not in str(error)
    assert server.connections == 0


def test_a_control_character_in_another_header_is_configuration_error_naming_it() -> None:
    async def call() -> ConfigurationError:
        transport = _transport("http://127.0.0.1:1")
        with pytest.raises(ConfigurationError) as caught:
            await transport.send(_request("http://127.0.0.1:1", headers={"X-Note": "a\r\nb"}))
        await transport.aclose()
        return caught.value

    assert "X-Note" in str(_run(call()))


def test_the_pure_python_http_parser_refuses_the_same_broken_answers() -> None:
    """aiohttp falls back to a pure-Python parser without its C extension, which
    lets conflicting Content-Lengths by: our own check must refuse them."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"{__file__}::test_conflicting_content_lengths_are_connection_closed_error",
            f"{__file__}::test_interim_answers_at_random_never_hand_a_call_another_calls_answer",
            f"{__file__}::test_an_unasked_for_switch_of_protocols_fails_and_its_connection_is_dropped",
        ],
        env={**os.environ, "AIOHTTP_NO_EXTENSIONS": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "5 passed" in result.stdout


def test_an_error_outside_the_network_propagates_untranslated() -> None:
    async def call() -> None:
        transport = _transport("http://127.0.0.1:1")
        try:
            await transport.send(
                HttpRequest(method="POST", url="http:///nohost", headers={}, body=b"")
            )
        finally:
            await transport.aclose()

    with pytest.raises(ValueError, match="nohost") as caught:  # aiohttp's InvalidURL
        _run(call())
    assert not isinstance(caught.value, AccountError)


def test_no_aiohttp_type_in_a_public_signature() -> None:
    for member in (AiohttpTransport.__init__, AiohttpTransport.send, AiohttpTransport.aclose):
        for annotation in inspect.get_annotations(member).values():
            assert "aiohttp" not in str(annotation)
    typed: AsyncTransport = _transport("http://127.0.0.1:1")  # mypy checks the protocol
    assert callable(typed.send)


def test_transport_errors_carry_no_aiohttp_object_but_the_cause() -> None:
    async def handle(connection: _Connection) -> None:
        await connection.request()

    error, _ = _run(_failure(handle))
    assert type(error.__cause__).__module__.startswith("aiohttp")
    for value in vars(error).values():
        assert not type(value).__module__.startswith("aiohttp")
    assert not re.search(r"aiohttp", str(error))
