"""HTTP over a pooled ``aiohttp`` session: the only module that imports aiohttp.

The asyncio twin of ``_transport`` (requests), behaving as it does: the same
seam in our own types (``AsyncTransport.send(HttpRequest) -> HttpResponse``),
the same timeouts and deadline, size cap, TLS trust, environment proxy and
error classes. Every aiohttp failure is translated in ``send``, most specific
first, into the package's ``TransportError`` tree with the original in
``__cause__``; anything unexpected propagates untouched.

A hostile or broken answer fails as a typed error and its connection is
closed, never handed back to the pool half read: interim ``1xx`` answers are
skipped (aiohttp reads past them; an unasked-for ``101`` fails), conflicting
``Content-Length`` headers fail, and no message quotes the bytes the server
sent. Bodies are decompressed here, not by aiohttp, so that the size cap
holds on the decoded bytes while the completeness check counts the bytes as
sent, which is what ``Content-Length`` counts.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
import ssl
import time
import urllib.parse
import zlib
from base64 import b64encode
from typing import Final

import aiohttp
import certifi
import yarl
from aiohttp.connector import Connection

from account_mgmt._http import HttpRequest, HttpResponse, check_header_values, environment_proxy
from account_mgmt.exceptions import (
    ClientClosedError,
    ConfigurationError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    EventLoopMismatchError,
    ReadTimeoutError,
    ResponseTooLargeError,
    TLSError,
    TransportError,
)

_NEVER_ROUNDED: Final = float("inf")
"""aiohttp rounds timeouts above this many seconds up to a whole second of loop
time (to coalesce timers); a deadline rounded up would be outlived."""

_AUTO_HEADERS_SKIPPED: Final = ("Accept", "User-Agent", "Content-Type")
"""Headers aiohttp would add on its own. The sync transport's wire carries none of
them beyond the request's own (and Accept-Encoding, set to identity below as
http.client sets it); a default Content-Type would contradict the signed one."""

_IDENTITY: Final = "identity"
"""The Content-Encoding asked for, as http.client asks: servers may still compress."""

_INFLATE_WBITS: Final = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS}
"""zlib window bits per Content-Encoding urllib3 decodes; deflate is tried as
zlib-wrapped first, then raw, as urllib3 does."""


class _Exchange:
    """Where one exchange has got to, for its deadline to be reported as the sync one is."""

    __slots__ = ("answer_awaited",)

    def __init__(self) -> None:
        self.answer_awaited = False
        """Set once the connection is open and the request written: from then on
        the request may have arrived, and the deadline is a read timeout."""


_exchange: contextvars.ContextVar[_Exchange | None] = contextvars.ContextVar(
    "account_mgmt_async_exchange", default=None
)
"""The running exchange of this task, for its response to mark (per task, so
concurrent exchanges never see each other's)."""


class _PhaseMarkingResponse(aiohttp.ClientResponse):
    """aiohttp's response, marking its exchange as the answer begins to be awaited.

    aiohttp calls ``start`` once the connection is open and the request
    written; a deadline passing before that is a connect timeout (nothing
    sent), after it a read timeout (the request may have arrived).
    """

    async def start(self, connection: Connection) -> aiohttp.ClientResponse:
        exchange = _exchange.get()
        if exchange is not None:
            exchange.answer_awaited = True
        return await super().start(connection)


class _Inflater:
    """One Content-Encoding layer undone, never producing more than it is allowed."""

    def __init__(self, coding: str) -> None:
        self._wbits = _INFLATE_WBITS.get(coding, zlib.MAX_WBITS)
        self._raw_deflate_fallback = coding == "deflate"
        self._zlib = zlib.decompressobj(self._wbits)

    def inflate(self, data: bytes, room: int) -> bytes:
        """Up to ``room + 1`` decoded bytes (one more than allowed means over the cap).

        Raises:
            zlib.error: the bytes are not this encoding.
        """
        try:
            out = self._zlib.decompress(data, room + 1)
        except zlib.error:
            if not self._raw_deflate_fallback:
                raise
            self._raw_deflate_fallback = False  # some servers send deflate without its header
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._zlib.decompress(data, room + 1)
        self._raw_deflate_fallback = False
        while self._zlib.eof and self._zlib.unused_data and len(out) <= room:
            rest = self._zlib.unused_data  # a gzip answer may hold several members
            self._zlib = zlib.decompressobj(self._wbits)
            out += self._zlib.decompress(rest, room + 1 - len(out))
        return out

    def flush(self) -> bytes:
        return self._zlib.flush()


class _Decoder:
    """Undoes the Content-Encoding layers urllib3 undoes (gzip, x-gzip, deflate)."""

    def __init__(self, codings: list[str]) -> None:
        self._layers = [_Inflater(coding) for coding in reversed(codings)]

    @classmethod
    def for_header(cls, content_encoding: str) -> _Decoder | None:
        """The decoder for a Content-Encoding value; None if there is nothing to undo,
        or a layer we cannot undo (the body is then handed back as sent, as urllib3 does)."""
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        codings = [c for c in codings if c and c != _IDENTITY]
        if not codings or any(c not in (*_INFLATE_WBITS, "deflate") for c in codings):
            return None
        return cls(codings)

    def decode(self, data: bytes, room: int) -> bytes:
        for layer in self._layers:
            data = layer.inflate(data, room)
        return data

    def flush(self, room: int) -> bytes:
        data = b""
        for layer in self._layers:
            if data:
                data = layer.inflate(data, room)
            data += layer.flush()
        return data


@functools.lru_cache(maxsize=512)
def _target(url: str) -> yarl.URL:
    """The request URL exactly as signed (never re-quoted), without userinfo.

    aiohttp would send a URL's userinfo as Basic auth; urllib3, under the sync
    transport, never sends it at all.
    """
    parsed = yarl.URL(url, encoded=True)
    return parsed.with_user(None) if parsed.raw_user is not None else parsed


def _tls_context(endpoint_url: str, verify: bool | str) -> ssl.SSLContext | bool:
    """What to trust: certifi's bundle (as requests), a CA bundle file or directory, or nothing.

    Raises:
        ConfigurationError: ``verify`` names a bundle that cannot be loaded.
    """
    if verify is False:
        return False
    if urllib.parse.urlsplit(endpoint_url).scheme.lower() != "https":
        return True  # never used: plain http needs no trust store loaded
    path = certifi.where() if verify is True else verify
    try:
        if os.path.isdir(path):
            return ssl.create_default_context(capath=path)
        return ssl.create_default_context(cafile=path)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigurationError(
            f"verify: the CA bundle {path!r} cannot be loaded: {_os_words(exc)}"
        ) from exc


def _os_words(exc: BaseException) -> str:
    """The operating system's or TLS library's own words for a failure: never server bytes."""
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message:
        return str(exc.verify_message)
    if isinstance(exc, OSError):
        return str(exc) or type(exc).__name__
    return type(exc).__name__


class AiohttpTransport:
    """A pooled asyncio HTTP transport (implements ``AsyncTransport``). Redirects are
    never followed: a 3xx is handed back like any other answer.

    Its ``aiohttp.ClientSession`` is made on the first ``send``, in the running
    loop, and the transport is bound to that loop from then on. At most
    ``max_pool_connections`` connections are open at once; further sends wait
    for one (within their deadline). The proxy is read from the environment
    once, here, as the sync transport reads it.

    Raises:
        ConfigurationError: ``verify`` names a CA bundle that cannot be loaded.
    """

    def __init__(
        self,
        *,
        endpoint_url: str,
        connect_timeout: float,
        read_timeout: float,
        verify: bool | str,
        max_pool_connections: int,
        max_response_bytes: int,
    ) -> None:
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._max_pool_connections = max_pool_connections
        self._max_response_bytes = max_response_bytes
        self._tls = _tls_context(endpoint_url, verify)
        self._longest_timeout = max(connect_timeout, read_timeout)
        self._timeout = aiohttp.ClientTimeout(
            sock_connect=connect_timeout, sock_read=read_timeout, ceil_threshold=_NEVER_ROUNDED
        )
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._proxy: yarl.URL | None = None
        self._proxy_login: dict[str, str] = {}
        proxy = environment_proxy(endpoint_url)
        if proxy is not None:
            proxy_url = yarl.URL(proxy if "://" in proxy else f"http://{proxy}")
            if proxy_url.raw_user is not None:  # as requests: userinfo is the proxy's login
                login = f"{proxy_url.user or ''}:{proxy_url.password or ''}".encode("latin-1")
                self._proxy_login = {"Proxy-Authorization": f"Basic {b64encode(login).decode()}"}
                proxy_url = proxy_url.with_user(None)
            self._proxy = proxy_url
        # The login goes in the CONNECT for https and, as urllib3 sends it, in the
        # request itself for http (aiohttp's proxy_headers reach only a CONNECT).
        self._login_in_request = urllib.parse.urlsplit(endpoint_url).scheme.lower() == "http"
        # What error messages name: the endpoint, and the proxy (never credentials).
        origin = urllib.parse.urlsplit(endpoint_url).netloc.rpartition("@")[2]
        self._where = f"{origin} through the proxy at {self._proxy.host}" if self._proxy else origin

    def _session_of(self, loop: asyncio.AbstractEventLoop) -> aiohttp.ClientSession:
        """The session, made in ``loop`` on first use; refused from any other loop."""
        if self._closed:
            raise ClientClosedError(
                "the client was closed (aclose() or the end of its async with block): "
                "make a new one"
            )
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self._max_pool_connections,
                limit_per_host=0,
                ssl=self._tls,
                timeout_ceil_threshold=_NEVER_ROUNDED,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),  # AWS APIs set no cookies
                auto_decompress=False,  # decoded in _read_body, under the cap
                skip_auto_headers=_AUTO_HEADERS_SKIPPED,
                headers={"Accept-Encoding": _IDENTITY},  # unless the request says otherwise
                response_class=_PhaseMarkingResponse,
                timeout=self._timeout,
                trust_env=False,  # the proxy was read once in __init__
            )
            self._loop = loop
        elif self._loop is not loop:
            raise EventLoopMismatchError(
                "this async client's connections belong to the event loop of its first "
                "call; use it from that loop only, or make one client per loop "
                "(each asyncio.run starts a new loop)"
            )
        return self._session

    async def send(self, request: HttpRequest, *, deadline: float | None = None) -> HttpResponse:
        """Send one request and read the whole answer, by ``deadline`` (monotonic) if given.

        Connect timeouts (and the wait for a pooled connection) are cut to what
        is left before the deadline and fail as ``ConnectTimeoutError``; once
        the request is written, the wait for the answer and its body is cut
        off at the deadline as ``ReadTimeoutError``, as the sync transport's
        watchdog does, so a server dripping bytes cannot hold the call.

        Raises:
            ClientClosedError: ``aclose()`` was called; nothing is sent.
            EventLoopMismatchError: called from another loop than the first
                call's; nothing is sent.
            CredentialsError: a credential header holds a character HTTP
                does not allow (never quoted); nothing is sent.
            ConfigurationError: another header does; nothing is sent.
            TransportError: a subclass saying what failed and whether the
                request may have reached the server.
        """
        loop = asyncio.get_running_loop()
        session = self._session_of(loop)
        check_header_values(request.headers)
        headers = request.headers
        if self._proxy_login and self._login_in_request:
            headers = {**headers, **self._proxy_login}
        timeout = self._timeout
        fire_at = None
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ConnectTimeoutError(
                    f"the call's total_timeout passed before connecting to {self._where}"
                )
            if left < self._longest_timeout:  # else the usual timeouts end first
                timeout = aiohttp.ClientTimeout(
                    sock_connect=min(self._connect_timeout, left),
                    sock_read=min(self._read_timeout, left),
                    ceil_threshold=_NEVER_ROUNDED,
                )
            fire_at = loop.time() + left
        # One guard bounds the whole exchange, the wait for a pooled connection
        # included; what it says when it fires depends on how far the exchange got.
        exchange = _Exchange()
        marking = _exchange.set(exchange)
        guard = asyncio.timeout_at(fire_at)
        try:
            async with guard:
                try:
                    response = await session.request(
                        request.method,
                        _target(request.url),
                        data=request.body,
                        headers=headers,
                        timeout=timeout,
                        proxy=self._proxy,
                        proxy_headers=self._proxy_login or None,
                        allow_redirects=False,
                    )
                finally:
                    _exchange.reset(marking)
                try:
                    answer = await self._read_answer(response)
                except BaseException:
                    response.close()  # never back to the pool half read
                    raise
                response.release()
                return answer
        except aiohttp.ClientError as exc:
            translated = self._translate(exc)
            if translated is None:
                raise
            raise translated from exc
        except TimeoutError as exc:
            if not guard.expired():
                raise
            if not exchange.answer_awaited:
                raise ConnectTimeoutError(
                    f"the call's total_timeout passed while connecting to {self._where}"
                ) from exc
            raise ReadTimeoutError(
                f"the call's total_timeout passed while waiting for the answer from {self._where}"
            ) from exc

    async def _read_answer(self, response: aiohttp.ClientResponse) -> HttpResponse:
        status = response.status
        if status < 200:  # aiohttp reads past every interim answer but a 101
            raise ConnectionClosedError(
                f"the answer from {self._where} was refused: the server switched "
                f"protocols ({status}), unasked"
            )
        declared = self._declared_length(response.headers.getall("Content-Length", []))
        headers = {name.lower(): value for name, value in response.headers.items()}
        body = await self._read_body(response, declared, headers.get("content-encoding", ""))
        return HttpResponse(status_code=status, headers=headers, body=body)

    def _declared_length(self, values: list[str]) -> int | None:
        """The one length the answer declares; two different ones (or a list of them) fail.

        aiohttp's C parser refuses them itself; its pure-Python fallback would
        take the first, and with the wrong one the next answer on the
        connection would be read from the middle of this one.
        """
        if len(values) == 1 and values[0].isdigit():
            return int(values[0])  # the usual case
        lengths = {part.strip() for value in values for part in value.split(",")}
        if not lengths:
            return None
        declared = lengths.pop()
        if lengths or not declared.isdigit():
            raise ConnectionClosedError(
                f"the answer from {self._where} was refused: its Content-Length headers conflict"
            )
        return int(declared)

    async def _read_body(
        self, response: aiohttp.ClientResponse, declared: int | None, content_encoding: str
    ) -> bytes:
        limit = self._max_response_bytes
        if declared is not None and declared > limit:
            raise ResponseTooLargeError(
                f"the answer declares {declared} bytes, over the {limit} cap"
            )
        if declared is not None and not content_encoding:
            # The usual answer: its length known and within the cap, nothing to
            # decode. One read of exactly that many bytes, instead of a loop that
            # awaits once more to learn the body has ended.
            try:
                return await response.content.readexactly(declared)
            except asyncio.IncompleteReadError as exc:
                raise ConnectionClosedError(
                    f"the answer was cut off after {len(exc.partial)} of {declared} bytes"
                ) from exc
        decoder = _Decoder.for_header(content_encoding) if content_encoding else None
        chunks: list[bytes] = []
        size = 0
        received = 0
        try:
            while True:
                # readany returns what has arrived; aiohttp stops reading the socket
                # while its buffer is full, so nothing past the cap piles up.
                chunk = await response.content.readany()
                if not chunk:
                    break
                received += len(chunk)
                if decoder is not None:
                    chunk = decoder.decode(chunk, limit - size)
                size += len(chunk)
                if size > limit:
                    raise ResponseTooLargeError(f"the answer is over the {limit}-byte cap")
                chunks.append(chunk)
            if decoder is not None:
                tail = decoder.flush(limit - size)
                if size + len(tail) > limit:
                    raise ResponseTooLargeError(f"the answer is over the {limit}-byte cap")
                chunks.append(tail)
        except zlib.error as exc:
            raise ConnectionClosedError(
                f"the answer from {self._where} was cut off: the body could not be decompressed"
            ) from exc
        if declared is not None and received < declared:
            raise ConnectionClosedError(
                f"the answer was cut off after {received} of {declared} bytes"
            )
        return b"".join(chunks)

    def _translate(self, exc: aiohttp.ClientError) -> TransportError | None:
        """The package's error for a network failure; None for anything else (a bug: let it out)."""
        where = self._where
        if isinstance(exc, aiohttp.ClientConnectorCertificateError):
            return TLSError(
                f"TLS handshake with {where} failed: {_os_words(exc.certificate_error)}"
            )
        if isinstance(exc, aiohttp.ClientSSLError):
            return TLSError(f"TLS handshake with {where} failed: {_os_words(exc.os_error)}")
        if isinstance(exc, aiohttp.ServerFingerprintMismatch):
            return TLSError(f"TLS handshake with {where} failed: certificate fingerprint mismatch")
        if isinstance(exc, aiohttp.ConnectionTimeoutError):
            return ConnectTimeoutError(f"timed out connecting to {where}")
        if isinstance(exc, aiohttp.ServerTimeoutError):
            return ReadTimeoutError(f"timed out waiting for the answer from {where}")
        if isinstance(exc, aiohttp.ClientHttpProxyError):
            return EndpointConnectionError(
                f"could not connect to {where}: the proxy answered HTTP {exc.status}"
            )
        if isinstance(exc, aiohttp.ClientConnectorError):
            return EndpointConnectionError(
                f"could not connect to {where}: {_os_words(exc.os_error)}"
            )
        if isinstance(exc, aiohttp.ClientResponseError):
            # The parser refused the answer's head; its own message quotes the bytes.
            return ConnectionClosedError(
                f"the answer from {where} was refused: its head could not be read as HTTP"
            )
        if isinstance(exc, aiohttp.ClientPayloadError):
            return ConnectionClosedError(
                f"the answer from {where} was cut off: the body ended early or was malformed"
            )
        if isinstance(exc, aiohttp.ServerDisconnectedError):
            return ConnectionClosedError(
                f"the connection to {where} was closed: the server closed the connection "
                "without answering"
            )
        if isinstance(exc, aiohttp.ClientConnectionError):
            return ConnectionClosedError(f"the connection to {where} was closed: {_os_words(exc)}")
        return None

    async def aclose(self) -> None:
        """Close pooled connections; every later ``send`` raises ``ClientClosedError``.

        Raises:
            EventLoopMismatchError: called from another running loop than the
                one the connections belong to (they are left open).
        """
        session = self._session
        loop = self._loop
        if (
            session is not None
            and loop is not None
            and loop is not asyncio.get_running_loop()
            and not loop.is_closed()
        ):
            raise EventLoopMismatchError(
                "this async client's connections belong to another running event "
                "loop: close it from there"
            )
        self._closed = True
        self._session = None
        if session is not None:
            # With its loop gone, aiohttp only marks the pool closed (there is
            # nothing left to wait for), which needs no loop.
            await session.close()
