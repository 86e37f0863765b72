"""Nothing but an ``AccountError`` escapes a public method, whatever the server answers.

Every public method of each client (``make_client`` is parametrized: the
async client joins by adding a parameter) is called against a loopback server
answering, for every attempt of the call, one broken answer of a long list:
interim 1xx answers, a bracket bomb, conflicting lengths, garbage, a cut-off
body, a corrupt compressed body, HTML, error documents under a 200, ``{}``,
huge headers, no status line, impossible dates and numbers. A call may
succeed where the answer happens to be readable; it may raise only the
package's own exceptions.
"""

from __future__ import annotations

import asyncio
import gzip
import inspect
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

from account_mgmt import AccountClient, AccountError, AsyncAccountClient, Runtime, SystemClock

from ._canned_server import Piece, RawRequest, RawServer, http_answer
from ._data import CONTACT

MEMBER = "999900000009"
_BOMB = b"[" * 50_000 + b"]" * 50_000
_JSON = ("Content-Type", "application/json")


def _answer(status: int, body: bytes = b"", *headers: tuple[str, str]) -> list[Piece]:
    return [http_answer(status, body, [_JSON, *headers])]


_STATUS_LINE_ONLY = b"HTTP/1.1 200 OK\r\n"

BROKEN_ANSWERS: dict[str, tuple[Sequence[Piece], bool]] = {
    "interim-103-then-empty": (
        [http_answer(103, headers=[("Link", "</x>")], length=False), *_answer(200, b"{}")],
        False,
    ),
    "interim-102-twice-then-error": (
        [http_answer(102, length=False)] * 2 + _answer(500, b'{"__type":"InternalFailure"}'),
        False,
    ),
    "switching-protocols": ([http_answer(101, length=False)], True),
    "nested-json-200": (_answer(200, _BOMB), False),
    "nested-json-500": (_answer(500, _BOMB), False),
    "nested-json-400-member": (_answer(400, b'{"message":' + _BOMB + b"}"), False),
    "conflicting-content-length": (
        [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 9\r\n\r\n{}"],
        False,
    ),
    "content-length-two-values": ([b"HTTP/1.1 200 OK\r\nContent-Length: 2, 9\r\n\r\n{}"], False),
    "content-length-not-a-number": (
        [b"HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\n{}"],
        True,
    ),
    "content-length-enormous": (
        [b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n{}"],
        True,
    ),
    "garbage": ([b"\x00\xff\xfe garbage \x1b[31m\r\n\r\n"], True),
    "no-status-line": ([b'FullName: Jane\r\n\r\n{"AccountId":"1"}'], True),
    "status-line-only": ([_STATUS_LINE_ONLY], True),
    "status-out-of-range": ([b"HTTP/1.1 099 Low\r\nContent-Length: 0\r\n\r\n"], True),
    "status-600": (_answer(600, b"{}"), False),
    "http-2-version": ([b"HTTP/2 200 OK\r\nContent-Length: 2\r\n\r\n{}"], True),
    "truncated": ([http_answer(200, b'{"AccountId":', [_JSON])[:-4]], True),
    "declared-longer-than-sent": (
        [b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b'{"Status":"PENDING"}'],
        True,
    ),
    "bad-chunk-length": (
        [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n{}\r\n0\r\n\r\n"],
        True,
    ),
    "chunked-cut-off": (
        [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{}"],
        True,
    ),
    "gzip-corrupt": (
        _answer(200, b"\x1f\x8b\x08\x00not really gzip", ("Content-Encoding", "gzip")),
        False,
    ),
    "deflate-corrupt": (_answer(200, b"\x78\x9cnope", ("Content-Encoding", "deflate")), False),
    "gzip-of-nothing-useful": (
        _answer(200, gzip.compress(b"[]"), ("Content-Encoding", "gzip")),
        False,
    ),
    "unknown-encoding": (_answer(200, b"{}", ("Content-Encoding", "br, zstd, x-weird")), False),
    "html-200": (
        [http_answer(200, b"<html>proxy login</html>", [("Content-Type", "text/html")])],
        False,
    ),
    "html-503": (
        [http_answer(503, b"<html>down</html>", [("Content-Type", "text/html")])],
        False,
    ),
    "empty-object": (_answer(200, b"{}"), False),
    "empty-body": (_answer(200), False),
    "json-null": (_answer(200, b"null"), False),
    "json-array": (_answer(200, b"[1,2]"), False),
    "json-string": (_answer(200, b'"ok"'), False),
    "invalid-utf8": (_answer(200, b'{"Status":"\xff\xfe"}'), False),
    "lone-surrogate-escape": (_answer(200, b'{"Status":"\\ud800","AccountId":"\\udfff"}'), False),
    "wrong-member-types": (
        _answer(
            200,
            json.dumps(
                {
                    "AccountId": {"x": 1},
                    "RegionOptStatus": 5,
                    "Regions": "all",
                    "Status": [],
                    "ContactInformation": "x",
                    "AlternateContact": [],
                    "PrimaryEmail": 7,
                    "GovCloudAccountId": True,
                    "AccountState": None,
                    "NextToken": 3,
                }
            ).encode(),
        ),
        False,
    ),
    "impossible-timestamps": (
        _answer(
            200,
            json.dumps(
                {
                    "AccountId": MEMBER,
                    "AccountCreatedDate": "9999-12-31T23:59:59-23:59",
                    "Status": "PENDING",
                    "UpdatedAt": 1e300,
                    "RegionOptStatus": "ENABLED",
                    "Regions": [],
                }
            ).encode(),
        ),
        False,
    ),
    "nan-and-huge-numbers": (
        _answer(200, b'{"UpdatedAt": NaN, "AccountCreatedDate": -Infinity, "Status": 1e999}'),
        False,
    ),
    "error-document-200": (
        _answer(200, b'{"__type":"AccessDeniedException","message":"no"}'),
        False,
    ),
    "error-header-200": (
        _answer(200, b"{}", ("x-amzn-ErrorType", "ValidationException:http://x")),
        False,
    ),
    "error-document-unknown-code-200": (_answer(200, b'{"__type":"' + b"Z" * 5000 + b'"}'), False),
    "skew-in-year-9999": (
        _answer(
            403,
            b'{"__type":"RequestTimeTooSkewed"}',
            ("Date", "Fri, 31 Dec 9999 23:59:59 GMT"),
        ),
        False,
    ),
    "signature-expired-bad-date": (
        _answer(
            403,
            b'{"__type":"InvalidSignatureException","message":"Signature expired"}',
            ("Date", "Mon, 99 Foo 0000 99:99:99 GMT"),
        ),
        False,
    ),
    "expired-token": (_answer(400, b'{"__type":"ExpiredTokenException"}'), False),
    "throttled-odd-retry-after": (
        _answer(
            429,
            b'{"__type":"TooManyRequestsException"}',
            ("x-amz-retry-after", "nan"),
            ("Retry-After", "-1e999"),
        ),
        False,
    ),
    "validation-odd-field-list": (
        _answer(
            400, b'{"__type":"ValidationException","fieldList":[1,{"name":[]},null],"reason":5}'
        ),
        False,
    ),
    "conflict": (_answer(409, b'{"__type":"ConflictException"}'), False),
    "redirect": (
        [http_answer(302, b"", [("Location", "http://169.254.169.254/")])],
        False,
    ),
    "no-content-with-body": ([b"HTTP/1.1 204 No Content\r\nContent-Length: 2\r\n\r\n{}"], True),
    "header-line-too-long": (
        [b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n{}"],
        True,
    ),
    "too-many-headers": (
        [b"HTTP/1.1 200 OK\r\n" + b"X-H: 1\r\n" * 150 + b"Content-Length: 2\r\n\r\n{}"],
        True,
    ),
    "headers-with-control-characters": (
        [
            b"HTTP/1.1 200 OK\r\nX-Amzn-RequestId: \x00\x1b]0;pwned\x07\r\n"
            b"Content-Length: 2\r\n\r\n{}"
        ],
        False,
    ),
    "closed-before-answering": ([], True),
}
"""Name -> (the bytes to answer every request with, whether to close the connection after)."""


# method name -> keyword arguments of a valid call
CALLS: dict[str, dict[str, Any]] = {
    "get_alternate_contact": {"alternate_contact_type": "SECURITY", "account_id": MEMBER},
    "put_alternate_contact": {
        "alternate_contact_type": "SECURITY",
        "name": "Sec",
        "title": "CISO",
        "email_address": "sec@example.com",
        "phone_number": "+1 555 0100",
        "account_id": MEMBER,
    },
    "delete_alternate_contact": {"alternate_contact_type": "SECURITY", "account_id": MEMBER},
    "get_contact_information": {"account_id": MEMBER},
    "put_contact_information": {"contact_information": CONTACT, "account_id": MEMBER},
    "get_region_opt_status": {"region_name": "af-south-1", "account_id": MEMBER},
    "list_regions": {"account_id": MEMBER},
    "iter_regions": {"account_id": MEMBER},
    "enable_region": {"region_name": "af-south-1", "account_id": MEMBER, "timeout": 0.0},
    "disable_region": {"region_name": "af-south-1", "account_id": MEMBER, "timeout": 0.0},
    "wait_for_region_opt_status": {
        "region_name": "af-south-1",
        "account_id": MEMBER,
        "timeout": 0.0,
    },
    "get_account_information": {"account_id": MEMBER},
    "put_account_name": {"account_name": "renamed", "account_id": MEMBER},
    "get_primary_email": {"account_id": MEMBER},
    "start_primary_email_update": {"account_id": MEMBER, "primary_email": "new@example.com"},
    "accept_primary_email_update": {
        "account_id": MEMBER,
        "primary_email": "new@example.com",
        "otp": "ABC123",
    },
    "get_primary_email_update_status": {"account_id": MEMBER},
    "get_gov_cloud_account_information": {"standard_account_id": MEMBER},
    "send_phone_number_verification": {"account_id": MEMBER},
    "verify_phone_number": {"otp": "ABC123", "account_id": MEMBER},
}

NOT_OPERATIONS = frozenset({"close", "aclose", "with_options", "config", "runtime"})
"""Public members that send nothing."""


class _NoWaitClock(SystemClock):
    """Real time, but backoff sleeps return at once."""

    def sleep(self, seconds: float) -> None:
        pass


def _sync_client(endpoint_url: str) -> object:
    return AccountClient(
        endpoint_url=endpoint_url,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        rate_limiting=False,
        runtime=Runtime(clock=_NoWaitClock()),
        total_timeout=30,
        read_timeout=5,
    )


def _async_client(endpoint_url: str) -> object:
    return AsyncAccountClient(
        endpoint_url=endpoint_url,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        rate_limiting=False,
        runtime=Runtime(clock=_NoWaitClock()),
        total_timeout=30,
        read_timeout=5,
    )


_LOOPS: dict[int, asyncio.Runner] = {}
"""An async client's one event loop (its connection pool is bound to it), by ``id``."""


def _run(client: object, awaitable: Any) -> Any:
    runner = _LOOPS.get(id(client))
    if runner is None:
        runner = _LOOPS[id(client)] = asyncio.Runner()
    return runner.run(awaitable)


@pytest.fixture(params=["sync", "async"])
def make_client(request: pytest.FixtureRequest) -> Callable[[str], object]:
    """``endpoint_url -> client``, one parameter per client class."""
    makers: dict[str, Callable[[str], object]] = {"sync": _sync_client, "async": _async_client}
    return makers[request.param]


def call_method(client: object, name: str, arguments: dict[str, Any]) -> object:
    """Call ``client.<name>(**arguments)`` to the end, whatever kind of client it is.

    A coroutine is run, an iterator (sync or async) drained: the call has not
    finished until its last page has been read.
    """
    result = getattr(client, name)(**arguments)
    if inspect.isawaitable(result):
        result = _run(client, _awaited(result))
    if hasattr(result, "__aiter__"):
        return _run(client, _drained(result))
    if isinstance(result, Iterator):
        return list(result)
    return result


async def _awaited(result: Any) -> object:
    return await result


async def _drained(result: Any) -> list[object]:
    return [item async for item in result]


def _close(client: object) -> None:
    closer = getattr(client, "aclose", None) or getattr(client, "close")  # noqa: B009
    closed = closer()
    if inspect.isawaitable(closed):
        _run(client, _awaited(closed))
    runner = _LOOPS.pop(id(client), None)
    if runner is not None:
        runner.close()


def _public_methods(cls: type) -> set[str]:
    return {
        name
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_") and (callable(member) or isinstance(member, property))
    } - NOT_OPERATIONS


def test_every_public_method_is_driven(make_client: Callable[[str], object]) -> None:
    client = make_client("http://127.0.0.1:9")
    try:
        assert _public_methods(type(client)) == set(CALLS)
    finally:
        _close(client)


@pytest.fixture(scope="module")
def broken_server() -> Iterator[tuple[RawServer, list[str]]]:
    current = [next(iter(BROKEN_ANSWERS))]

    def answer(request: RawRequest) -> tuple[Sequence[Piece], bool]:
        return BROKEN_ANSWERS[current[0]]

    with RawServer(answer).running() as server:
        yield server, current


@pytest.mark.parametrize("method", sorted(CALLS))
def test_only_account_errors_escape_under_broken_answers(
    method: str,
    make_client: Callable[[str], object],
    broken_server: tuple[RawServer, list[str]],
) -> None:
    server, current = broken_server
    escaped: list[tuple[str, str]] = []
    client = make_client(server.url)
    try:
        for name in BROKEN_ANSWERS:
            current[0] = name
            try:
                call_method(client, method, CALLS[method])
            except AccountError as exc:
                str(exc)  # the message itself must be buildable
                repr(exc)
            except Exception as exc:  # noqa: BLE001 - what this test exists to find
                escaped.append((name, f"{type(exc).__module__}.{type(exc).__name__}"))
    finally:
        _close(client)
    assert escaped == []
