"""Hostile and broken answers (issue 9): each one a typed error, or the right answer.

Against a raw loopback server that writes what a broken proxy or a hostile
server would: interim 1xx answers, conflicting lengths, compressed bodies,
bracket bombs, error documents under a 200, an impossible ``Date``.
"""

from __future__ import annotations

import datetime
import gzip
import json
import random
import re
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence

import pytest
import responses

from account_mgmt import (
    AccessDeniedException,
    AccountClient,
    ConnectionClosedError,
    ListRegionsResponse,
    MalformedResponseError,
    Runtime,
    ServiceError,
    SystemClock,
    TooManyRequestsException,
)
from account_mgmt._config import MAX_CLOCK_SKEW_ADOPTED
from account_mgmt._protocol import decode_error, decode_success, server_time
from account_mgmt.exceptions import ResponseTooLargeError, TransportError
from account_mgmt.models import AccountInformation, PrimaryEmailUpdate

from ._canned_server import CannedServer, Piece, RawRequest, RawServer, Reply, http_answer
from .conftest import ENDPOINT

_JSON = (("Content-Type", "application/json"),)


class _NoWaitClock(SystemClock):
    """Real time, but backoff sleeps return at once."""

    def sleep(self, seconds: float) -> None:
        pass


def _client(url: str = ENDPOINT, **options: object) -> AccountClient:
    return AccountClient(
        endpoint_url=url,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        rate_limiting=False,
        runtime=Runtime(clock=_NoWaitClock()),
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture
def client() -> Iterator[AccountClient]:
    """A client for the real global endpoint, to be intercepted by ``responses``."""
    with _client() as made:
        yield made


def _account_of(request: RawRequest) -> str:
    return str(json.loads(request.body)["AccountId"])


def _account_answer(account: str) -> bytes:
    body = json.dumps({"AccountId": account, "AccountName": "n", "AccountCreatedDate": 0})
    return http_answer(200, body.encode(), _JSON, reason="OK")


# -- 1. interim answers --------------------------------------------------------------


def test_interim_answers_at_random_never_hand_one_call_another_calls_answer() -> None:
    """103 Early Hints and 102 Processing, sent a little before the real answer, were
    taken as the answer: the real one stayed on the pooled connection for the next
    call, maybe another account's. Every answer must carry the account asked for."""
    rng = random.Random(9)
    lock = threading.Lock()

    def answer(request: RawRequest) -> tuple[Sequence[Piece], bool]:
        with lock:
            interim = rng.choice([(), (103,), (102,), (103, 102), (100, 103)])
            pause = rng.choice([0.0, 0.002])
        pieces: list[Piece] = []
        for status in interim:
            pieces += [http_answer(status, headers=[("Link", "</a>; rel=preload")], length=False)]
            pieces += [pause]
        return [*pieces, _account_answer(_account_of(request))], False

    accounts = [f"{n:012d}" for n in range(1, 9)]
    mismatches: list[tuple[str, str]] = []
    failures: list[BaseException] = []
    with RawServer(answer).running() as server, _client(server.url, max_attempts=1) as client:

        def worker(offset: int) -> None:
            for call in range(40):
                wanted = accounts[(offset + call) % len(accounts)]
                try:
                    got = client.get_account_information(account_id=wanted).account_id
                except Exception as exc:  # noqa: BLE001 - collected and asserted below
                    failures.append(exc)
                    continue
                if got != wanted:
                    mismatches.append((wanted, str(got)))

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
    assert mismatches == []
    assert len(server.requests) == 160


def test_an_unasked_for_switching_protocols_fails_typed_and_its_connection_is_dropped() -> None:
    def answer(request: RawRequest) -> tuple[Sequence[Piece], bool]:
        if len(server.requests) == 1:
            switch = http_answer(101, headers=[("Upgrade", "h2c")], length=False)
            return [switch, _account_answer("999999999999")], False
        return [_account_answer(_account_of(request))], False

    with RawServer(answer).running() as server, _client(server.url, max_attempts=1) as client:
        with pytest.raises(ConnectionClosedError, match="101"):
            client.get_account_information(account_id="111111111111")
        assert client.get_account_information(account_id="222222222222").account_id == (
            "222222222222"
        )
    assert [r.connection for r in server.requests] == [0, 1]


def test_endless_interim_answers_fail_typed() -> None:
    def answer(request: RawRequest) -> tuple[Sequence[Piece], bool]:
        return [http_answer(102, length=False)] * 50 + [_account_answer("1" * 12)], False

    with (
        RawServer(answer).running() as server,
        _client(server.url, max_attempts=1) as client,
        pytest.raises(ConnectionClosedError, match="interim"),
    ):
        client.get_account_information()


# -- 6. conflicting lengths ----------------------------------------------------------


@pytest.mark.parametrize(
    "lengths",
    [("Content-Length: 29", "Content-Length: 5"), ("Content-Length: 29, 5",)],
    ids=["two-headers", "one-header-two-values"],
)
def test_conflicting_content_lengths_fail_typed_and_the_connection_is_not_reused(
    lengths: tuple[str, ...],
) -> None:
    body = b'{"AccountId":"111111111111"}'

    def answer(request: RawRequest) -> tuple[Sequence[Piece], bool]:
        if len(server.requests) == 1:
            head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            return [(head + "\r\n".join(lengths) + "\r\n\r\n").encode() + body], False
        return [_account_answer(_account_of(request))], False

    with RawServer(answer).running() as server, _client(server.url, max_attempts=1) as client:
        with pytest.raises(ConnectionClosedError) as caught:
            client.get_account_information(account_id="111111111111")
        assert "29, 5" not in str(caught.value)  # fixed words, not the server's header
        assert "unmatching" not in str(caught.value)
        assert client.get_account_information(account_id="222222222222").account_id == (
            "222222222222"
        )
    assert [r.connection for r in server.requests] == [0, 1]


# -- 7. compressed answers -----------------------------------------------------------


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data)


def _deflate(data: bytes) -> bytes:
    return zlib.compress(data)


_ENCODINGS: dict[str, Callable[[bytes], bytes]] = {"gzip": _gzip, "deflate": _deflate}
_STATUS_BODY = b'{"Status":"PENDING","UpdatedAt":1577934245}'


@pytest.mark.parametrize("encoding", sorted(_ENCODINGS))
@pytest.mark.parametrize("with_length", [True, False], ids=["content-length", "close-delimited"])
@pytest.mark.parametrize(
    "operation",
    ["get_primary_email_update_status", "send_phone_number_verification", "put_account_name"],
)
def test_a_complete_compressed_answer_is_read_whole(
    encoding: str, with_length: bool, operation: str
) -> None:
    """The decoded length was compared with the encoded Content-Length, so a whole
    answer read as cut off: retried by safe operations, OutcomeUnknown for unsafe ones."""
    plain = b"" if operation == "put_account_name" else _STATUS_BODY
    headers = {"Content-Type": "application/json", "Content-Encoding": encoding}
    if not with_length:
        headers["Content-Length"] = ""
    replies = [(200, headers, _ENCODINGS[encoding](plain))]
    with CannedServer(replies).running() as server, _client(server.url) as client:
        if operation == "get_primary_email_update_status":
            assert client.get_primary_email_update_status().status == "PENDING"
        elif operation == "send_phone_number_verification":
            assert client.send_phone_number_verification() == "PENDING"
        else:
            client.put_account_name(account_name="renamed")
    assert len(server.requests) == 1


def test_a_truncated_compressed_answer_is_still_cut_off() -> None:
    squeezed = _gzip(_STATUS_BODY)

    def answer(request: RawRequest) -> tuple[Sequence[Piece], bool]:
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {len(squeezed)}\r\n\r\n"
        )
        return [head.encode() + squeezed[:-8]], True

    with (
        RawServer(answer).running() as server,
        _client(server.url, max_attempts=1) as client,
        pytest.raises(ConnectionClosedError),
    ):
        client.get_primary_email_update_status()


def test_a_corrupt_compressed_answer_is_a_typed_error_quoting_nothing() -> None:
    replies = [(200, {"Content-Encoding": "gzip"}, b"\x1f\x8b\x08\x00secret-ish bytes")]
    with (
        CannedServer(replies).running() as server,
        _client(server.url, max_attempts=1) as client,
        pytest.raises(TransportError) as caught,
    ):
        client.get_primary_email_update_status()
    assert "secret-ish" not in str(caught.value)


def test_a_compressed_answer_that_inflates_past_the_cap_is_too_large() -> None:
    bomb = _gzip(b"{" + b" " * (11 * 1024 * 1024) + b"}")
    replies = [(200, {"Content-Encoding": "gzip"}, bomb)]
    with (
        CannedServer(replies).running() as server,
        _client(server.url, max_attempts=1) as client,
        pytest.raises(ResponseTooLargeError),
    ):
        client.get_primary_email_update_status()


def test_a_too_large_answer_says_it_is_not_worth_retrying() -> None:
    assert ResponseTooLargeError.retryable is False
    assert ConnectionClosedError.retryable is True


# -- 4. nesting depth ----------------------------------------------------------------

_BRACKET_BOMB = b"[" * 100_000 + b"]" * 100_000


def test_deeply_nested_json_on_a_success_is_malformed() -> None:
    with pytest.raises(MalformedResponseError, match="nested"):
        decode_success(200, {}, _BRACKET_BOMB, AccountInformation)
    with pytest.raises(MalformedResponseError, match="nested"):
        decode_success(200, {}, b'{"AccountId":' + _BRACKET_BOMB + b"}", AccountInformation)


@pytest.mark.parametrize("status", [400, 500])
def test_deeply_nested_json_on_an_error_status_is_a_service_error(status: int) -> None:
    error = decode_error(status, {"x-amzn-requestid": "r-1"}, _BRACKET_BOMB)
    assert type(error) is ServiceError
    assert (error.status_code, error.request_id) == (status, "r-1")


def test_deeply_nested_json_over_the_wire_is_typed() -> None:
    replies: list[Reply] = [(200, {}, _BRACKET_BOMB), (500, {}, _BRACKET_BOMB)]
    with CannedServer(replies).running() as server, _client(server.url, max_attempts=1) as client:
        with pytest.raises(MalformedResponseError):
            client.get_account_information()
        with pytest.raises(ServiceError):
            client.get_account_information()


# -- 5. an implausible Date ----------------------------------------------------------

_NOW = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    "date",
    [
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "Mon, 01 Jan 0001 00:00:00 GMT",
        "Thu, 01 Jan 1970 00:00:00 GMT",
        "Tue, 01 Dec 2026 12:00:01 GMT",  # a day and a second ahead
        "not a date",
        "Fri, 31 Dec 99999 23:59:59 GMT",
        "",
    ],
)
def test_a_date_no_real_server_clock_could_show_gives_no_server_time(date: str) -> None:
    assert server_time({"date": date}, _NOW) is None


@pytest.mark.parametrize(
    "date",
    [
        "Mon, 30 Nov 2026 12:20:00 GMT",
        "Sun, 29 Nov 2026 22:00:00 GMT",
        "Mon, 30 Nov 2026 12:00:00 -0000",
    ],
)
def test_a_plausibly_skewed_date_is_the_server_time(date: str) -> None:
    found = server_time({"date": date}, _NOW)
    assert found is not None
    assert abs((found - _NOW).total_seconds()) <= MAX_CLOCK_SKEW_ADOPTED


def test_a_skew_error_dated_in_the_year_9999_leaves_the_client_working() -> None:
    """It was stored as the clock offset; every later call of the client and its
    copies raised a bare OverflowError and sent nothing."""
    skewed = http_answer(
        403,
        b'{"__type":"RequestTimeTooSkewed","message":"too skewed"}',
        [*_JSON, ("Date", "Fri, 31 Dec 9999 23:59:59 GMT")],
    )
    sent = 0

    def answer(request: RawRequest) -> tuple[Sequence[Piece], bool]:
        nonlocal sent
        sent += 1
        return [skewed if sent <= 2 else _account_answer(_account_of(request))], False

    with RawServer(answer).running() as server, _client(server.url, max_attempts=1) as client:
        with pytest.raises(ServiceError) as caught:
            client.get_account_information(account_id="111111111111")
        assert caught.value.error_code == "RequestTimeTooSkewed"
        assert caught.value.server_time is None
        for working in (client, client.with_options(max_attempts=2)):
            assert working.get_account_information(account_id="222222222222").account_id == (
                "222222222222"
            )


# -- 9. error documents and empty answers under a 2xx --------------------------------


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_a_200_carrying_an_error_document_is_the_error_it_names(
    client: AccountClient, mocked: responses.RequestsMock
) -> None:
    mocked.post(
        ENDPOINT + "/getRegionOptStatus",
        json={"__type": "com.amazon#AccessDeniedException", "message": "no"},
    )
    with pytest.raises(AccessDeniedException) as caught:
        client.get_region_opt_status(region_name="af-south-1")
    assert caught.value.status_code == 200


def test_a_200_with_an_error_type_header_is_the_error_it_names_even_without_output(
    client: AccountClient, mocked: responses.RequestsMock
) -> None:
    mocked.post(
        ENDPOINT + "/putAccountName",
        body=b"",
        headers={"x-amzn-ErrorType": "AccessDeniedException:http://internal"},
    )
    with pytest.raises(AccessDeniedException):
        client.put_account_name(account_name="x")


def test_a_200_error_document_that_is_retryable_is_retried(
    client: AccountClient, mocked: responses.RequestsMock
) -> None:
    mocked.post(ENDPOINT + "/getAccountInformation", json={"__type": "TooManyRequestsException"})
    with pytest.raises(TooManyRequestsException) as caught:
        client.get_account_information()
    assert caught.value.attempts == 3


_EMPTY_ANSWER_CALLS: dict[str, Callable[[AccountClient], object]] = {
    "get_region_opt_status": lambda c: c.get_region_opt_status(region_name="af-south-1"),
    "list_regions": lambda c: c.list_regions(),
    "get_account_information": lambda c: c.get_account_information(),
    "get_contact_information": lambda c: c.get_contact_information(),
    "get_primary_email_update_status": lambda c: c.get_primary_email_update_status(),
    "get_gov_cloud_account_information": lambda c: c.get_gov_cloud_account_information(),
    "get_alternate_contact": lambda c: c.get_alternate_contact(alternate_contact_type="BILLING"),
    "get_primary_email": lambda c: c.get_primary_email(account_id="111111111111"),
}


@pytest.mark.parametrize("body", [{}, {"Unrelated": 1}, {"RegionOptStatus": None}])
@pytest.mark.parametrize("method", sorted(_EMPTY_ANSWER_CALLS))
def test_an_answer_without_what_the_operation_returns_is_malformed(
    method: str, body: dict[str, object], client: AccountClient, mocked: responses.RequestsMock
) -> None:
    mocked.post(re.compile(re.escape(ENDPOINT) + "/.*"), json=body)
    with pytest.raises(MalformedResponseError, match=r"lacks|fit|without"):
        _EMPTY_ANSWER_CALLS[method](client.with_options(max_attempts=1))


def test_a_waiter_on_an_empty_answer_fails_at_once_instead_of_polling_to_its_timeout(
    client: AccountClient, mocked: responses.RequestsMock
) -> None:
    mocked.post(ENDPOINT + "/getRegionOptStatus", json={})
    with pytest.raises(MalformedResponseError):
        client.with_options(max_attempts=1).wait_for_region_opt_status(
            region_name="af-south-1", timeout=2
        )
    assert len(mocked.calls) == 1


def test_members_aws_may_leave_out_stay_optional() -> None:
    page = decode_success(200, {}, b'{"Regions":[]}', ListRegionsResponse)
    assert page is not None
    assert page.next_token is None
    status = decode_success(200, {}, b'{"Status":"PENDING"}', PrimaryEmailUpdate)
    assert status is not None
    assert status.updated_at is None


# -- 10. no response bytes in transport errors ---------------------------------------


def test_an_answer_without_a_status_line_is_not_quoted_in_the_error() -> None:
    def answer(request: RawRequest) -> tuple[Sequence[Piece], bool]:
        return [b'FullName: Jane Q. Secret\r\n\r\n{"PhoneNumber":"+1 555 0100"}'], True

    with (
        RawServer(answer).running() as server,
        _client(server.url, max_attempts=1) as client,
        pytest.raises(ConnectionClosedError) as caught,
    ):
        client.get_contact_information()
    message = str(caught.value) + repr(caught.value)
    assert "Jane" not in message
    assert "555 0100" not in message
    assert "status line" in message


def test_a_bad_chunk_length_is_not_quoted_in_the_error() -> None:
    def answer(request: RawRequest) -> tuple[Sequence[Piece], bool]:
        head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        return [head + b"SECRETCHUNK\r\n{}\r\n0\r\n\r\n"], True

    with (
        RawServer(answer).running() as server,
        _client(server.url, max_attempts=1) as client,
        pytest.raises(ConnectionClosedError) as caught,
    ):
        client.get_account_information()
    assert "SECRETCHUNK" not in str(caught.value)


def test_a_huge_error_message_is_shown_bounded_and_kept_whole() -> None:
    message = "line one\nFORGED LOG LINE " + "x" * 100_000
    error = decode_error(400, {}, json.dumps({"__type": "Nope", "message": message}).encode())
    assert error.message == message
    assert len(str(error)) < 1500
    assert "\n" not in str(error)


def test_a_2xx_error_document_dates_its_server_time_by_the_local_clock_given() -> None:
    local = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    headers = {"date": "Wed, 01 Jan 2020 00:10:00 GMT"}
    with pytest.raises(ServiceError) as caught:
        decode_success(200, headers, b'{"__type":"RequestTimeTooSkewed"}', None, local_time=local)
    assert caught.value.server_time == local + datetime.timedelta(minutes=10)
