"""The emulator's HTTP face: the service's rest-json wire protocol on 127.0.0.1.

A request goes through what AWS puts it through, in the same order: the
front door (injected faults stand in for a proxy here), SigV4, JSON
decoding, model validation, the rate quota, then the operation itself.
"""

from __future__ import annotations

import collections
import datetime
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

from account_mgmt._quotas import Quota, TokenBucket, quotas_for_partition
from account_mgmt.testing import _model, _sigv4
from account_mgmt.testing._faults import Fault, FaultKind, FaultPlan, fault_error
from account_mgmt.testing._handlers import HANDLERS
from account_mgmt.testing._org_handlers import ORGANIZATIONS_HANDLERS
from account_mgmt.testing._world import ApiError, World

ERROR_TYPE_SUFFIX: Final = ":http://internal.amazon.com/coral/com.amazonaws.account/"
"""AWS appends a namespace URL to ``x-amzn-ErrorType``; clients must strip it, so we send it."""

ORGANIZATIONS_TARGET_PREFIX: Final = "AWSOrganizationsV20161128."
"""The ``X-Amz-Target`` prefix of Organizations (botocore model ``targetPrefix``)."""

JSON_11: Final = "application/x-amz-json-1.1"
"""Organizations' content type (JSON 1.1 protocol)."""

CORAL_PREFIX: Final = "com.amazon.coral.service#"
"""How AWS's JSON 1.1 front end prefixes ``__type`` for authentication errors; clients strip it."""


@attrs.frozen
class Route:
    """Which service and operation a request is for."""

    service: str
    operation: str


def route(method: str, path: str, headers: dict[str, str]) -> Route | None:
    """Organizations by ``X-Amz-Target`` on ``/``, else the Account API by path."""
    target = headers.get("x-amz-target")
    bare_path = path.split("?", 1)[0]
    if target is not None and bare_path == "/":
        if not target.startswith(ORGANIZATIONS_TARGET_PREFIX):
            return None
        operation = target.removeprefix(ORGANIZATIONS_TARGET_PREFIX)
        if operation not in _model.service_model(_model.ORGANIZATIONS).operation_names:
            return None
        return Route(_model.ORGANIZATIONS, operation)
    account_operation = _model.operation_for_path(bare_path)
    return Route(_model.ACCOUNT, account_operation) if account_operation is not None else None


@attrs.frozen
class _Reply:
    status: int
    body: bytes
    headers: dict[str, str] = attrs.Factory(dict)
    caller: str | None = None
    """The account that signed the request, once known (for the request log)."""
    error_code: str | None = None


def _error_reply(
    error: ApiError | _sigv4.SignatureProblem,
    service: str = _model.ACCOUNT,
    caller: str | None = None,
) -> _Reply:
    code, status, message = error.code, error.status, error.message
    extra = error.extra if isinstance(error, ApiError) else {}
    if service == _model.ORGANIZATIONS:
        # JSON 1.1: the code in the body's __type; client errors are 400 there.
        type_name = CORAL_PREFIX + code if isinstance(error, _sigv4.SignatureProblem) else code
        document = {"__type": type_name, "Message": message, **extra}
        status = 500 if status >= 500 else 400
        headers = {"Content-Type": JSON_11}
    else:
        document = {"message": message, **extra}
        headers = {"x-amzn-ErrorType": code + ERROR_TYPE_SUFFIX, "Content-Type": "application/json"}
    return _Reply(status, json.dumps(document).encode(), headers, caller, code)


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
        request_log: Callable[[str], None] | None = None,
    ) -> None:
        self.world = world
        self.request_log = request_log
        """Called with one line per request when set (``serve --log-requests``)."""
        self.secrets = secrets
        self.key_owner = key_owner
        self.expired_tokens: set[str] = set()
        self.session_tokens: dict[str, str] = {}
        self.enforce_quotas = enforce_quotas
        self.quota_scope = quota_scope
        self.signing_region = signing_region
        self.faults = FaultPlan(random.Random(seed))  # noqa: S311 - test faults, not secrets
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
        # Load botocore's models now, not on the first request: a first answer
        # ~100 ms late would skew every test and benchmark that times requests.
        _model.service_model(_model.ACCOUNT)
        _model.service_model(_model.ORGANIZATIONS)
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

    def count(self, operation: str) -> None:
        with self._lock:
            self.request_counts[operation] += 1

    def log(
        self,
        operation: str,
        caller: str | None,
        status: int | str,
        *,
        code: str | None = None,
        fault: bool = False,
    ) -> None:
        """One request-log line: operation, signing account, status, throttled or not.

        Never the body, headers or keys: only what names the request and its outcome.
        """
        sink = self.request_log
        if sink is None:
            return
        throttled = code == "TooManyRequestsException"
        parts = [
            operation,
            f"account={caller or '-'}",
            f"status={status}",
            f"throttled={'yes' if throttled else 'no'}",
        ]
        if code is not None and not throttled:
            parts.append(f"error={code}")
        if fault:
            parts.append("injected")
        sink(" ".join(parts))

    def reset_quotas(self) -> None:
        with self._lock:
            self._buckets.clear()

    # -- one request ---------------------------------------------------------------

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> _Reply:
        """Everything but the faults that act on the connection itself."""
        where = route(method, path, headers)
        if method != "POST" or where is None:
            service = _model.ORGANIZATIONS if "x-amz-target" in headers else _model.ACCOUNT
            return _error_reply(
                ApiError("UnknownOperationException", 404, "Unknown operation"), service
            )
        service, operation = where.service, where.operation
        caller: str | None = None
        try:
            signed = _sigv4.verify(
                method=method,
                path=path,
                headers=headers,
                body=body,
                secret_for=self.secrets,
                service=service,
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
            result: dict[str, Any] | None
            if service == _model.ORGANIZATIONS:
                result = self._organizations(operation, caller, document)
            else:
                result = self._account(operation, caller, document)
        except (ApiError, _sigv4.SignatureProblem) as error:
            return _error_reply(error, service, caller)
        content_type = JSON_11 if service == _model.ORGANIZATIONS else "application/json"
        if result is None:
            return _Reply(200, b"", caller=caller)
        return _Reply(200, json.dumps(result).encode(), {"Content-Type": content_type}, caller)

    def _account(
        self, operation: str, caller: str, document: dict[str, Any]
    ) -> dict[str, Any] | None:
        problems = _model.validate(operation, document)
        if problems:
            raise ApiError(
                "ValidationException",
                400,
                f"Invalid input: {problems[0].field}: {problems[0].message}",
                reason="fieldValidationFailed",
                fieldList=[{"name": p.field, "message": p.message} for p in problems],
            )
        if self.enforce_quotas:
            scope = caller
            if self.quota_scope == "target":
                scope = document.get("AccountId") or document.get("StandardAccountId") or caller
            self._acquire((scope, operation), self._quotas[operation], operation)
        with self.world.lock:
            return HANDLERS[operation](self.world, caller, document)

    def _organizations(
        self, operation: str, caller: str, document: dict[str, Any]
    ) -> dict[str, Any]:
        handler = ORGANIZATIONS_HANDLERS.get(operation)
        if handler is None:
            raise ApiError(
                "UnknownOperationException",
                400,
                f"The emulator does not serve the Organizations operation {operation}.",
            )
        problems = _model.validate(operation, document, _model.ORGANIZATIONS)
        if any(p.reason == "INVALID_INPUT" for p in problems):
            raise ApiError("SerializationException", 400, "A member has the wrong JSON type.")
        if problems:
            first = problems[0]
            raise ApiError(
                "InvalidInputException",
                400,
                f"1 validation error detected: Value at '{first.field}' failed to satisfy "
                f"constraint: {first.message}",
                Reason=first.reason,
            )
        rate = self.world.settings.organizations_requests_per_second
        if self.enforce_quotas and rate is not None:
            burst = self.world.settings.organizations_burst
            # One bucket per caller for every Organizations operation.
            self._acquire((caller, "organizations"), Quota(rate=rate, burst=burst), operation)
        with self.world.lock:
            return handler(self.world, caller, document)

    def _acquire(self, key: tuple[str, str], quota: Quota, operation: str) -> None:
        """Take a token from the bucket ``key`` or answer 429 (counted for ``operation``)."""
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = TokenBucket(quota, clock=self._clock)
        if not bucket.try_acquire():
            with self._lock:
                self.throttled_counts[operation] += 1
            raise ApiError("TooManyRequestsException", 429, "Rate exceeded")

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
                headers = {name.lower(): value for name, value in self.headers.items()}
                where = route(method, path, headers)
                operation = where.operation if where is not None else "Unknown"
                service = where.service if where is not None else _model.ACCOUNT
                server.count(operation)
                fault = server.faults.take(operation)
                if fault is not None and self._pre_fault(fault, service, operation):
                    return
                reply = server.answer(method, path, headers, body)
                if fault is not None and fault.kind is FaultKind.CLOSE_AFTER_PROCESSING:
                    self._drop()
                    server.log(operation, reply.caller, "dropped", fault=True)
                    return
                self._send(reply)
                server.log(operation, reply.caller, reply.status, code=reply.error_code)

            def _pre_fault(self, fault: Fault, service: str, operation: str) -> bool:
                """Act out a fault that replaces the answer; False lets the request through."""
                kind = fault.kind
                if kind is FaultKind.DELAY:
                    time.sleep(fault.delay)
                    return False
                if kind is FaultKind.CLOSE_AFTER_PROCESSING:
                    return False
                reply: _Reply | None = None
                if kind is FaultKind.RESET:
                    self._drop()
                elif kind in (
                    FaultKind.THROTTLE,
                    FaultKind.INTERNAL_ERROR,
                    FaultKind.CONCURRENT_MODIFICATION,
                ):
                    reply = _error_reply(fault_error(kind, service), service)
                elif kind is FaultKind.HTML_503:
                    page = b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
                    reply = _Reply(503, page, {"Content-Type": "text/html"})
                elif kind is FaultKind.EMPTY_502:
                    reply = _Reply(502, b"")
                elif kind is FaultKind.TRUNCATED_JSON:
                    if service == _model.ORGANIZATIONS:
                        reply = _Reply(
                            200, b'{"Accounts": [{"Id": "3000', {"Content-Type": JSON_11}
                        )
                    else:
                        reply = _Reply(
                            200,
                            b'{"Regions": [{"RegionName": "af-so',
                            {"Content-Type": "application/json"},
                        )
                if reply is not None:
                    self._send(reply)
                status: int | str = reply.status if reply is not None else "reset"
                code = reply.error_code if reply is not None else None
                server.log(operation, None, status, code=code, fault=True)
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
