"""The emulator's HTTP face: the service's rest-json wire protocol on 127.0.0.1.

A request goes through what AWS puts it through, in the same order: the
front door (injected faults stand in for a proxy here), SigV4, JSON
decoding, model validation, the rate quota, then the operation itself.
"""

from __future__ import annotations

import collections
import datetime
import enum
import http.server
import json
import random
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, Final

import attrs

from account_mgmt._quotas import TokenBucket, quotas_for_partition
from account_mgmt.testing import _model, _sigv4
from account_mgmt.testing._handlers import HANDLERS
from account_mgmt.testing._world import ApiError, World

ERROR_TYPE_SUFFIX: Final = ":http://internal.amazon.com/coral/com.amazonaws.account/"
"""AWS appends a namespace URL to ``x-amzn-ErrorType``; clients must strip it, so we send it."""


class FaultKind(enum.StrEnum):
    """What an injected fault does to a request."""

    THROTTLE = "throttle"
    """429 TooManyRequestsException, before the operation runs."""
    INTERNAL_ERROR = "internal_error"
    """500 InternalServerException, before the operation runs."""
    HTML_503 = "html_503"
    """503 with a load balancer's HTML page and no error code."""
    EMPTY_502 = "empty_502"
    """502 with an empty body."""
    TRUNCATED_JSON = "truncated_json"
    """200 whose JSON body is cut in half; the operation does not run."""
    RESET = "reset"
    """The connection is reset before any response byte; the operation does not run."""
    CLOSE_AFTER_PROCESSING = "close_after_processing"
    """The operation runs, then the connection closes without an answer."""
    DELAY = "delay"
    """Wait ``delay`` seconds, then answer normally."""


@attrs.frozen(kw_only=True)
class Fault:
    """One injected fault; ``operation`` None means any operation."""

    kind: FaultKind
    operation: str | None = None
    delay: float = 0.0


class _FaultPlan:
    """Faults waiting to fire: the next N matching requests, or a fraction of them."""

    def __init__(self, rng: random.Random) -> None:
        self._lock = threading.Lock()
        self._counted: list[tuple[Fault, int]] = []  # (fault, how many more times)
        self._sampled: list[tuple[Fault, float]] = []
        self._rng = rng

    def add(self, fault: Fault, count: int | None, probability: float | None) -> None:
        with self._lock:
            if probability is not None:
                self._sampled.append((fault, probability))
            elif count is None or count > 0:
                self._counted.append((fault, count if count is not None else 1))

    def clear(self) -> None:
        with self._lock:
            self._counted.clear()
            self._sampled.clear()

    def take(self, operation: str) -> Fault | None:
        with self._lock:
            for index, (fault, remaining) in enumerate(self._counted):
                if fault.operation in (None, operation):
                    if remaining > 1:
                        self._counted[index] = (fault, remaining - 1)
                    else:
                        del self._counted[index]
                    return fault
            for fault, probability in self._sampled:
                if fault.operation in (None, operation) and self._rng.random() < probability:
                    return fault
        return None


@attrs.frozen
class _Reply:
    status: int
    body: bytes
    headers: dict[str, str] = attrs.Factory(dict)


def _error_reply(error: ApiError | _sigv4.SignatureProblem) -> _Reply:
    if isinstance(error, _sigv4.SignatureProblem):
        code, status, document = error.code, error.status, {"message": error.message}
    else:
        code, status = error.code, error.status
        document = {"message": error.message, **error.extra}
    return _Reply(
        status,
        json.dumps(document).encode(),
        {"x-amzn-ErrorType": code + ERROR_TYPE_SUFFIX, "Content-Type": "application/json"},
    )


class EmulatorServer:
    """A threaded HTTP server bound to loopback that answers as the Account service would."""

    def __init__(
        self,
        world: World,
        *,
        secrets: dict[str, str],
        key_owner: dict[str, str],
        host: str,
        port: int,
        enforce_quotas: bool,
        quota_scope: str,
        signing_region: str,
        partition: str,
        seed: int | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.world = world
        self.secrets = secrets
        self.key_owner = key_owner
        self.expired_tokens: set[str] = set()
        self.session_tokens: dict[str, str] = {}
        self.enforce_quotas = enforce_quotas
        self.quota_scope = quota_scope
        self.signing_region = signing_region
        self.faults = _FaultPlan(random.Random(seed))  # noqa: S311 - test faults, not secrets
        self.request_counts: collections.Counter[str] = collections.Counter()
        self.throttled_counts: collections.Counter[str] = collections.Counter()
        self._quotas = quotas_for_partition(partition)
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._clock = clock
        self._lock = threading.Lock()
        handler = self._make_handler()
        self._httpd = http.server.ThreadingHTTPServer((host, port), handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    def add_key(
        self, access_key: str, secret: str, *, owner: str, session_token: str | None = None
    ) -> None:
        """Accept another key for ``owner``'s account (with ``session_token``, only with it)."""
        self.secrets[access_key] = secret
        self.key_owner[access_key] = owner
        if session_token is not None:
            self.session_tokens[access_key] = session_token

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        # Load botocore's model now, not on the first request: a first answer
        # ~100 ms late would skew every test and benchmark that times requests.
        _model.service_model()
        self._thread = threading.Thread(
            # A short poll interval makes stop() (and so every test's teardown) quick.
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="account-emulator",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _bucket(self, scope: str, operation: str) -> TokenBucket:
        with self._lock:
            key = (scope, operation)
            if key not in self._buckets:
                self._buckets[key] = TokenBucket(self._quotas[operation], clock=self._clock)
            return self._buckets[key]

    def count(self, operation: str) -> None:
        with self._lock:
            self.request_counts[operation] += 1

    def reset_quotas(self) -> None:
        with self._lock:
            self._buckets.clear()

    # -- one request ---------------------------------------------------------------

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> _Reply:
        """Everything but the faults that act on the connection itself."""
        operation = _model.operation_for_path(path.split("?", 1)[0])
        if method != "POST" or operation is None:
            return _error_reply(ApiError("UnknownOperationException", 404, "Unknown operation"))
        try:
            signed = _sigv4.verify(
                method=method,
                path=path,
                headers=headers,
                body=body,
                secret_for=self.secrets,
                service="account",
                region=self.signing_region,
                now=datetime.datetime.now(datetime.UTC),
            )
            token = headers.get("x-amz-security-token")
            if token is not None and token in self.expired_tokens:
                raise ApiError(
                    "ExpiredTokenException",
                    403,
                    "The security token included in the request is expired",
                )
            expected_token = self.session_tokens.get(signed.access_key)
            if expected_token is not None and token != expected_token:
                raise ApiError(
                    "UnrecognizedClientException",
                    403,
                    "The security token included in the request is invalid.",
                )
            caller = self.key_owner[signed.access_key]
            document = self._decode(body)
            problems = _model.validate(operation, document)
            if problems:
                raise ApiError(
                    "ValidationException",
                    400,
                    f"Invalid input: {problems[0][0]}: {problems[0][1]}",
                    reason="fieldValidationFailed",
                    fieldList=[{"name": name, "message": text} for name, text in problems],
                )
            if self.enforce_quotas:
                scope = caller
                if self.quota_scope == "target":
                    scope = document.get("AccountId") or document.get("StandardAccountId") or caller
                if not self._bucket(scope, operation).try_acquire():
                    with self._lock:
                        self.throttled_counts[operation] += 1
                    raise ApiError("TooManyRequestsException", 429, "Rate exceeded")
            with self.world.lock:
                result = HANDLERS[operation](self.world, caller, document)
        except (ApiError, _sigv4.SignatureProblem) as error:
            return _error_reply(error)
        if result is None:
            return _Reply(200, b"")
        return _Reply(200, json.dumps(result).encode(), {"Content-Type": "application/json"})

    @staticmethod
    def _decode(body: bytes) -> dict[str, Any]:
        if not body.strip():
            return {}
        try:
            document = json.loads(body)
        except ValueError:
            raise ApiError(
                "SerializationException", 400, "Request body is not valid JSON"
            ) from None
        if not isinstance(document, dict):
            raise ApiError("SerializationException", 400, "Request body must be a JSON object")
        return document

    def _make_handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as AWS's front end
            # Headers and body in separate small segments would otherwise meet the
            # client's delayed ACK and stall every answer for ~40 ms.
            disable_nagle_algorithm = True
            # A buffered wfile sends headers and body in one segment when the
            # handler flushes it after each request.
            wbufsize = -1

            def do_POST(self) -> None:
                self._handle("POST")

            def do_GET(self) -> None:
                self._handle("GET")

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path
                operation = _model.operation_for_path(path.split("?", 1)[0]) or "Unknown"
                server.count(operation)
                fault = server.faults.take(operation)
                if fault is not None and self._pre_fault(fault):
                    return
                headers = {name.lower(): value for name, value in self.headers.items()}
                reply = server.answer(method, path, headers, body)
                if fault is not None and fault.kind is FaultKind.CLOSE_AFTER_PROCESSING:
                    self._drop()
                    return
                self._send(reply)

            def _pre_fault(self, fault: Fault) -> bool:
                """Act out a fault that replaces the answer; False lets the request through."""
                kind = fault.kind
                if kind is FaultKind.DELAY:
                    time.sleep(fault.delay)
                    return False
                if kind is FaultKind.CLOSE_AFTER_PROCESSING:
                    return False
                if kind is FaultKind.RESET:
                    self._drop()
                elif kind is FaultKind.THROTTLE:
                    self._send(
                        _error_reply(ApiError("TooManyRequestsException", 429, "Rate exceeded"))
                    )
                elif kind is FaultKind.INTERNAL_ERROR:
                    self._send(
                        _error_reply(ApiError("InternalServerException", 500, "Internal failure"))
                    )
                elif kind is FaultKind.HTML_503:
                    page = b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
                    self._send(_Reply(503, page, {"Content-Type": "text/html"}))
                elif kind is FaultKind.EMPTY_502:
                    self._send(_Reply(502, b""))
                elif kind is FaultKind.TRUNCATED_JSON:
                    self._send(
                        _Reply(
                            200,
                            b'{"Regions": [{"RegionName": "af-so',
                            {"Content-Type": "application/json"},
                        )
                    )
                return True

            def _drop(self) -> None:
                # SO_LINGER 0: close() sends a RST instead of a clean FIN.
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.close_connection = True

            def _send(self, reply: _Reply) -> None:
                self.send_response(reply.status)
                self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # request lines would go to stderr; counts are kept instead

        return Handler
