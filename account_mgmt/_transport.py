"""HTTP over a pooled ``requests`` session: the only module that imports requests.

The seam is one method, ``send(HttpRequest) -> HttpResponse``, in types of our
own. Every ``requests``/``urllib3`` failure is translated here, most specific
first, into the package's ``TransportError`` tree with the original in
``__cause__``; anything unexpected propagates untouched rather than being
mistaken for a network fault and retried.

A hostile or broken answer fails as a typed error and its connection is
closed, never handed back to the pool half read: interim ``1xx`` answers
are skipped (an unasked-for ``101`` fails), conflicting ``Content-Length``
headers fail, and no message quotes the bytes the server sent.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import os
import re
import socket
import threading
import time
import urllib.parse
import urllib.request
import weakref
from collections.abc import Callable, Mapping
from typing import Any, Final

import requests
import requests.adapters
import requests.structures
import urllib3
import urllib3.connection
import urllib3.connectionpool
import urllib3.exceptions
import urllib3.response

from account_mgmt._http import (
    HttpRequest,
    HttpResponse,
    check_header_values,
    environment_proxy,
)
from account_mgmt._watchdog import WATCHDOG, DeadlineWatchdog, Watch
from account_mgmt.exceptions import (
    ClientClosedError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
    ResponseTooLargeError,
    TLSError,
    TransportError,
)

_CHUNK_BYTES = 64 * 1024

MAX_INTERIM_ANSWERS: Final = 20
"""Interim 1xx answers skipped before the final one; more is a server in a loop.

RFC 9110 sets no limit; real servers send one or two (100, 102, 103)."""

_CREDENTIAL_HEADERS: Final = frozenset({"authorization", "x-amz-security-token"})

_HEADER_VALUE_OK: Final = re.compile(r"[\t\x20-\x7e]*")
"""What a request header value may hold: visible ASCII, space and tab (RFC 9110 5.5,
without the obsolete non-ASCII text that http.client would encode as Latin-1)."""


def _root_cause(exc: BaseException) -> str:
    """The innermost failure under requests' and urllib3's wrappers, as text.

    Their own messages name private pool classes and say "Max retries
    exceeded" of a pool that never retries; what the user needs is the
    socket's or TLS library's own words ("[Errno 111] Connection refused").
    """
    seen: set[int] = set()
    current: BaseException = exc
    while id(current) not in seen:
        seen.add(id(current))
        inner = getattr(current, "reason", None)  # urllib3's MaxRetryError
        if not isinstance(inner, BaseException):
            context = None if current.__suppress_context__ else current.__context__
            inner = current.__cause__ or context
        if inner is None and current.args and isinstance(current.args[-1], BaseException):
            inner = current.args[-1]  # requests' ConnectionError, urllib3's ProtocolError
        if inner is None:
            break
        current = inner
    return _describe_cause(current)


_CAUSES: Final[tuple[tuple[type[BaseException], str], ...]] = (
    (http.client.RemoteDisconnected, "the server closed the connection without answering"),
    (http.client.BadStatusLine, "the answer did not begin with an HTTP status line"),
    (http.client.LineTooLong, "a line of the answer's head was too long"),
    (http.client.UnknownProtocol, "the answer was not HTTP/1.x"),
    (http.client.IncompleteRead, "the body ended before its declared length"),
    (urllib3.exceptions.InvalidChunkLength, "a chunk of the body had an invalid length"),
    (urllib3.exceptions.IncompleteRead, "the body ended before its declared length"),
    (urllib3.exceptions.DecodeError, "the body could not be decompressed"),
    (urllib3.exceptions.InvalidHeader, "the answer's headers conflict"),
    (requests.exceptions.InvalidHeader, "the answer's headers conflict"),
)
"""Failures whose own text quotes what the server sent (a status line, a chunk
size, a header): described in fixed words instead, since a broken answer may
carry contact details or tokens."""


def _describe_cause(cause: BaseException) -> str:
    """What failed, in words that never quote the server's bytes.

    Socket, TLS and timeout errors are the operating system's or the TLS
    library's own words ("[Errno 111] Connection refused"); anything that
    parsed the answer is described by kind, and an unknown kind by its name.
    """
    for kind, words in _CAUSES:
        if isinstance(cause, kind):
            return words
    if isinstance(cause, _AnswerBrokeHttp):
        return str(cause)  # our own fixed words
    if isinstance(cause, OSError | urllib3.exceptions.TimeoutError) and not isinstance(
        cause, http.client.HTTPException
    ):
        return str(cause) or type(cause).__name__
    return type(cause).__name__


def _translate(exc: requests.RequestException, where: str) -> TransportError | None:
    """The package's error for a network failure; None for anything else (a bug: let it out).

    ``where`` names the endpoint (and proxy) in the message.
    """
    cause = _root_cause(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        return TLSError(f"TLS handshake with {where} failed: {cause}")
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return ConnectTimeoutError(f"timed out connecting to {where}: {cause}")
    if isinstance(exc, requests.exceptions.ProxyError):
        return EndpointConnectionError(f"could not connect to {where}: {cause}")
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return ReadTimeoutError(f"timed out waiting for the answer from {where}: {cause}")
    if isinstance(exc, requests.exceptions.InvalidHeader):
        # urllib3 refused the answer's head (two different Content-Lengths) and
        # closed its connection; what the service meant cannot be known.
        return ConnectionClosedError(f"the answer from {where} was refused: {cause}")
    if isinstance(
        exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError
    ):
        return ConnectionClosedError(f"the answer from {where} was cut off: {cause}")
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = exc.args[0] if exc.args else None
        reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
        if isinstance(reason, urllib3.exceptions.ReadTimeoutError):
            return ReadTimeoutError(f"timed out waiting for the answer from {where}: {cause}")
        if isinstance(
            reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.NameResolutionError
        ):
            return EndpointConnectionError(f"could not connect to {where}: {cause}")
        return ConnectionClosedError(f"the connection to {where} was closed: {cause}")
    return None


def _translate_urllib3(exc: urllib3.exceptions.HTTPError, where: str) -> TransportError:
    """The package's error for a urllib3 failure while reading a body."""
    cause = _root_cause(exc)
    if isinstance(exc, urllib3.exceptions.SSLError):
        return TLSError(f"TLS failure reading the answer from {where}: {cause}")
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        return ReadTimeoutError(f"timed out reading the answer from {where}: {cause}")
    return ConnectionClosedError(f"the answer from {where} was cut off: {cause}")


class _AnswerBrokeHttp(http.client.HTTPException):
    """An answer this client cannot read as one exchange; the words are ours.

    An ``HTTPException`` so that urllib3 closes the connection rather than
    returning it to the pool with the rest of the answer unread.
    """


class _FinalAnswer(http.client.HTTPResponse):
    """http.client's response, skipping every interim 1xx answer, not only ``100``.

    http.client skips ``100 Continue`` and takes any other 1xx (``102
    Processing``, ``103 Early Hints``) as the answer: the real one then stays
    unread on a pooled connection, where the next call (maybe for another
    account) would read it. A ``101 Switching Protocols`` was never asked
    for: after it the connection no longer speaks HTTP, so the exchange fails
    and the connection is closed.
    """

    def _read_status(self) -> tuple[str, int, str]:
        # http.client's one hook between the status line and the headers: begin()
        # calls it in a loop (private, but unchanged since Python 3.0).
        for _ in range(MAX_INTERIM_ANSWERS + 1):
            version, status, reason = super()._read_status()  # type: ignore[misc]
            if status == http.client.SWITCHING_PROTOCOLS:
                raise _AnswerBrokeHttp("the server switched protocols (101), unasked")
            if not 100 <= status < 200:
                return version, status, reason
            http.client.parse_headers(self.fp)  # an interim answer's headers: dropped
        raise _AnswerBrokeHttp(f"the server sent more than {MAX_INTERIM_ANSWERS} interim answers")


_waiting = threading.local()
"""The deadline of the exchange this thread is running, for its connection to read."""


def _headers_by_deadline(
    sock: socket.socket | None,
    getresponse: Callable[[], urllib3.response.HTTPResponse],
    watchdog: DeadlineWatchdog = WATCHDOG,
) -> urllib3.response.HTTPResponse:
    """``getresponse()`` (which reads the status line and headers), watched by
    ``watchdog`` so the call's deadline cuts it off.

    The watch is released in ``finally`` whatever interrupts, Ctrl-C included,
    even during its registration: a watch left behind would later shut down
    the socket under another call that took the connection from the pool.
    """
    deadline: float | None = getattr(_waiting, "deadline", None)
    if deadline is None or sock is None:
        return getresponse()
    watch = Watch(sock, deadline)
    try:
        watchdog.add(watch)
        response = getresponse()
    except Exception as exc:
        if watch.fired:
            raise ReadTimeoutError(
                "the call's total_timeout passed while waiting for the answer's headers"
            ) from exc
        raise
    finally:
        watchdog.release(watch)
    if watch.fired:  # the headers made it, but the socket is shut: the body cannot
        raise ReadTimeoutError("the call's total_timeout passed as the answer began")
    return response


def _head_or_dead(
    sock: socket.socket | None, getresponse: Callable[[], urllib3.response.HTTPResponse]
) -> urllib3.response.HTTPResponse:
    """The answer's head; if it cannot be read, the socket is shut down before the error goes on.

    urllib3 closes such a connection, but http.client's reader of the failed
    answer keeps the socket open for as long as the traceback lives: the
    server would see no end, and the connection's state is unknowable.
    """
    try:
        return _headers_by_deadline(sock, getresponse)
    except BaseException:
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        raise


class _WatchedHTTPConnection(urllib3.connection.HTTPConnection):
    response_class = _FinalAnswer

    def getresponse(self) -> urllib3.response.HTTPResponse:  # type: ignore[override]  # as urllib3 does
        return _head_or_dead(self.sock, super().getresponse)


class _WatchedHTTPSConnection(urllib3.connection.HTTPSConnection):
    response_class = _FinalAnswer

    def getresponse(self) -> urllib3.response.HTTPResponse:  # type: ignore[override]  # as urllib3 does
        return _head_or_dead(self.sock, super().getresponse)


class _WatchedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


@functools.lru_cache(maxsize=512)
def _origin(url: str) -> tuple[str, str]:
    """Scheme and host of an operation URL: the pool key's part that varies."""
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


@functools.lru_cache(maxsize=512)
def _path_url(url: str) -> str:
    """What requests sends as the request target for ``url`` without a proxy (its path_url)."""
    prepared = requests.PreparedRequest()
    prepared.url = url
    return prepared.path_url


class _EndpointAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter for one endpoint that never sets cookies.

    Every override is a hook requests documents for subclasses. Per call, the
    stock adapter re-parses the URL and re-derives the pool key to find a
    pool that for a fixed endpoint is always the same one, and builds a
    cookie jar and a copy of the headers for every answer; AWS APIs set no
    cookies and we read headers once. Through a proxy the stock lookup is
    kept. Its pools, direct or proxied, make deadline-watched connections.
    """

    def __init__(self, *, pool_maxsize: int) -> None:
        super().__init__(pool_connections=1, pool_maxsize=pool_maxsize, max_retries=0)
        self._pools: dict[tuple[str, str, object], urllib3.connectionpool.ConnectionPool] = {}
        self._verified: weakref.WeakKeyDictionary[object, tuple[object, object]] = (
            weakref.WeakKeyDictionary()
        )

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = _WATCHED_POOLS
        return manager

    def get_connection_with_tls_context(
        self,
        request: requests.PreparedRequest,
        verify: bool | str | None,
        proxies: Mapping[str, str] | None = None,
        cert: str | tuple[str, str] | None = None,
    ) -> urllib3.connectionpool.ConnectionPool:
        if proxies or request.url is None:
            return super().get_connection_with_tls_context(request, verify, proxies, cert)
        key = (*_origin(request.url), verify)
        pool = self._pools.get(key)
        if pool is None:
            pool = super().get_connection_with_tls_context(request, verify, proxies, cert)
            self._pools[key] = pool
        return pool

    def cert_verify(
        self,
        conn: urllib3.connectionpool.HTTPConnectionPool,
        url: str,
        verify: bool | str,
        cert: str | tuple[str, str] | None,
    ) -> None:
        # The stock hook re-checks the CA bundle's path on disk and re-sets the pool's
        # TLS settings on every request; a pool's settings, once set for this verify
        # and cert, stay (a bundle removed later fails the next handshake instead).
        settings = (verify, cert)
        if self._verified.get(conn) != settings:
            super().cert_verify(conn, url, verify, cert)  # type: ignore[no-untyped-call]
            self._verified[conn] = settings

    def request_url(
        self, request: requests.PreparedRequest, proxies: Mapping[str, str] | None
    ) -> str:
        # The stock hook parses the URL twice per request to find what is, without
        # a proxy, the URL's path: the same few per endpoint, so kept per URL.
        if proxies or request.url is None:
            return super().request_url(request, proxies)
        return _path_url(request.url)

    def build_response(
        self, req: requests.PreparedRequest, resp: urllib3.BaseHTTPResponse
    ) -> requests.Response:
        response = requests.Response()
        response.status_code = resp.status
        response.headers = requests.structures.CaseInsensitiveDict()  # send() reads raw.headers
        response.raw = resp
        response.reason = resp.reason or ""
        response.url = req.url or ""
        response.request = req
        response.connection = self
        return response

    def close(self) -> None:
        self._pools.clear()
        super().close()


class RequestsTransport:
    """A thread-safe pooled HTTP transport. Redirects are never followed.

    A 3xx is handed back as an answer like any other: following it would send
    a signed request somewhere the caller never configured.
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
        self._timeout = (connect_timeout, read_timeout)
        self._verify = verify
        self._max_response_bytes = max_response_bytes
        # The adapter is requests' low-level API: the request we hand it is already
        # final (URL fixed, headers signed), so Session.request's merging of
        # environment settings, cookies, hooks and auth would be pure per-call cost,
        # and with trust_env it rescans os.environ for proxies twice per request
        # and may add netrc credentials. The endpoint never changes, so its proxy
        # is resolved once here from the same environment variables.
        self._pool_maxsize = max_pool_connections
        self._adapter = _EndpointAdapter(pool_maxsize=max_pool_connections)
        self._adapter_pid = os.getpid()
        proxy = environment_proxy(endpoint_url)
        self._proxies = {urllib.parse.urlsplit(endpoint_url).scheme: proxy} if proxy else {}
        self._closed = False
        # Never the URL's userinfo, should one get this far: it is a password.
        origin = urllib.parse.urlsplit(endpoint_url).netloc.rpartition("@")[2]
        proxy = urllib.parse.urlsplit(next(iter(self._proxies.values()), "")).hostname
        # What error messages name: the endpoint, and the proxy (never its credentials).
        self._where = f"{origin} through the proxy at {proxy}" if proxy else origin

    def _adapter_of_this_process(self) -> _EndpointAdapter:
        """The adapter, new in a forked child: its pooled sockets are the parent's.

        Two processes writing to one keep-alive socket interleave their requests
        and may each read the other's answer (another account's data). The
        parent's sockets are left open for the parent; nothing is closed here.
        """
        pid = os.getpid()
        if self._adapter_pid != pid:
            # Threads of the child racing here each make one; the last stays.
            self._adapter = _EndpointAdapter(pool_maxsize=self._pool_maxsize)
            self._adapter_pid = pid
        return self._adapter

    def send(self, request: HttpRequest, *, deadline: float | None = None) -> HttpResponse:
        """Send one request and read the whole answer, by ``deadline`` (monotonic) if given.

        Connect and read timeouts are cut to what is left before the deadline;
        the wait for the status line and headers is cut off by the deadline
        watchdog, and the body is read in pieces as they arrive with the
        deadline checked between them, so a server that drips bytes cannot
        hold the call past its deadline.

        Raises:
            ClientClosedError: ``close()`` was called; nothing is sent.
            CredentialsError: a credential header holds a character HTTP
                does not allow (never quoted); nothing is sent.
            ConfigurationError: another header does; nothing is sent.
            TransportError: a subclass saying what failed and whether the
                request may have reached the server.
        """
        if self._closed:
            raise ClientClosedError(
                "the client was closed (close() or the end of its with block): make a new one"
            )
        check_header_values(request.headers)
        prepared = requests.PreparedRequest()
        prepared.method = request.method
        prepared.url = request.url
        prepared.headers = requests.structures.CaseInsensitiveDict(request.headers)
        prepared.headers["Content-Length"] = str(len(request.body))
        prepared.body = request.body
        prepared.hooks = {"response": []}
        try:
            timeout = self._timeout
            if deadline is not None:
                left = max(0.001, deadline - time.monotonic())
                timeout = (min(timeout[0], left), min(timeout[1], left))
            _waiting.deadline = deadline
            try:
                response = self._adapter_of_this_process().send(
                    prepared,
                    stream=True,
                    timeout=timeout,
                    verify=self._verify,
                    proxies=self._proxies,
                )
            finally:
                _waiting.deadline = None
            with response:
                raw = response.raw
                headers = {name.lower(): value for name, value in raw.headers.items()}
                body = self._read_body(
                    raw,
                    headers.get("content-length", ""),
                    deadline,
                    encoded="content-encoding" in headers,
                )
                return HttpResponse(status_code=response.status_code, headers=headers, body=body)
        except requests.RequestException as exc:
            translated = _translate(exc, self._where)
            if translated is None:
                raise
            raise translated from exc
        except urllib3.exceptions.HTTPError as exc:  # raised by the body reads
            raise _translate_urllib3(exc, self._where) from exc

    def _read_body(
        self,
        raw: urllib3.BaseHTTPResponse,
        declared: str,
        deadline: float | None,
        *,
        encoded: bool,
    ) -> bytes:
        limit = self._max_response_bytes
        length = int(declared) if declared.isdigit() else None
        if length is not None and length > limit:
            raise ResponseTooLargeError(
                f"the answer declares {declared} bytes, over the {limit} cap"
            )
        # Stop once the declared bytes are in, instead of one more read to learn the
        # body has ended: urllib3 has then already returned the connection to the pool.
        # Not for a compressed body, whose decoder may still hold output.
        complete_at = length if length is not None and not encoded and not raw.chunked else None
        # The cap is on the decoded size (a small compressed answer can inflate
        # to gigabytes); the completeness check below is on the bytes as sent,
        # which is what Content-Length counts.
        chunks: list[bytes] = []
        size = 0
        while True:
            # read1 returns what has arrived (at least a byte) rather than waiting
            # to fill the buffer, so the deadline is checked as bytes trickle in.
            chunk = raw.read1(_CHUNK_BYTES, decode_content=True)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise ResponseTooLargeError(f"the answer is over the {limit}-byte cap")
            chunks.append(chunk)
            if complete_at is not None and size >= complete_at:
                break
            if deadline is not None and time.monotonic() > deadline:
                raise ReadTimeoutError("the call's total_timeout passed while reading the answer")
        received = raw.tell()  # bytes off the wire, before any decoding
        if length is not None and not raw.chunked and received < length:
            raise ConnectionClosedError(
                f"the answer was cut off after {received} of {declared} bytes"
            )
        return b"".join(chunks)

    def close(self) -> None:
        """Release pooled connections; every later ``send`` raises ``ClientClosedError``."""
        self._closed = True
        self._adapter.close()
