"""The per-call deadline, and recovering from a skewed local clock."""

from __future__ import annotations

import concurrent.futures
import datetime
import itertools
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import responses
from responses.registries import OrderedRegistry

from account_mgmt import (
    AccountClient,
    DeadlineExceededError,
    FakeClock,
    InternalServerException,
    InvalidSignatureException,
    ParamValidationError,
    Quota,
    ReadTimeoutError,
    Runtime,
    SystemClock,
)
from account_mgmt.testing import AccountEmulator, FaultKind

from .conftest import ENDPOINT


class SkewedClock(SystemClock):
    """Real time, but a wall clock read from ``now`` (a skewed or stalling machine)."""

    def __init__(self, now: Callable[[], datetime.datetime]) -> None:
        self._now = now

    def now(self) -> datetime.datetime:
        return self._now()


@pytest.fixture(params=["body", "headers"])
def dripping_server(request: pytest.FixtureRequest) -> Iterator[str]:
    """Answers 200 one byte every 0.1 s, from the body on or from the status line on.

    Every byte comes well within any read timeout, so only the deadline can end it.
    """
    drip_from_status_line = request.param == "headers"
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.recv(65536)
                body = b'{"AccountId": "111122223333", "AccountName": "dripping.........."}'
                head = (
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                )
                if drip_from_status_line:
                    body = head + body
                else:
                    connection.sendall(head)
                for byte in body:
                    if stop.is_set():
                        break
                    try:
                        connection.sendall(bytes([byte]))
                    except OSError:
                        break
                    time.sleep(0.1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(timeout=5)
    listener.close()


def test_a_dripping_server_cannot_hold_a_call_past_its_deadline(dripping_server: str) -> None:
    with AccountClient(
        endpoint_url=dripping_server, aws_access_key_id="AKID", aws_secret_access_key="s",
        read_timeout=5, total_timeout=0.6, max_attempts=1, rate_limiting=False,
    ) as client:  # fmt: skip
        started = time.monotonic()
        with pytest.raises(ReadTimeoutError, match="total_timeout"):
            client.get_account_information()
        assert time.monotonic() - started < 2.0  # the drip would take 6 s or more


def test_a_silent_server_is_cut_at_the_deadline_not_the_read_timeout() -> None:
    with AccountEmulator(member_count=1, enforce_quotas=False) as emulator:
        emulator.inject(FaultKind.DELAY, delay=3.0, count=1)
        client = emulator.client(read_timeout=30, total_timeout=0.5, rate_limiting=False)
        started = time.monotonic()
        with pytest.raises(ReadTimeoutError):
            client.get_account_information()
        assert time.monotonic() - started < 2.0


@responses.activate(registry=OrderedRegistry)
def test_no_retry_starts_whose_backoff_would_overrun_the_deadline(fake_clock: FakeClock) -> None:
    responses.post(
        ENDPOINT + "/getAccountInformation", status=500, json={},
        headers={"x-amzn-ErrorType": "InternalServerException", "x-amz-retry-after": "5000"},
    )  # fmt: skip
    with AccountClient(
        aws_access_key_id="AKID", aws_secret_access_key="s", total_timeout=2,
        max_attempts=5, runtime=Runtime(clock=fake_clock), rate_limiting=False,
    ) as client, pytest.raises(InternalServerException) as caught:  # fmt: skip
        client.get_account_information()
    assert caught.value.attempts == 1
    assert fake_clock.sleeps == []  # waiting 5 s would pass the 2 s deadline: give up now


@responses.activate
def test_a_pacing_wait_past_the_deadline_fails_at_once(fake_clock: FakeClock) -> None:
    responses.post(ENDPOINT + "/putAccountName", body=b"")
    with AccountClient(
        aws_access_key_id="AKIDDEADLINEPACING", aws_secret_access_key="s", total_timeout=1,
        quota_overrides={"PutAccountName": Quota(0.01, 1)}, runtime=Runtime(clock=fake_clock),
    ) as client:  # fmt: skip
        client.put_account_name(account_name="first")
        with pytest.raises(DeadlineExceededError) as caught:
            client.put_account_name(account_name="second")  # next slot: ~100 s away
    assert len(responses.calls) == 1
    assert fake_clock.sleeps == []
    assert caught.value.attempts == 0  # nothing of this call went on the wire


def test_an_error_before_anything_was_sent_reports_no_attempt(client: AccountClient) -> None:
    with pytest.raises(ParamValidationError) as caught:
        client.put_account_name(account_name="")
    assert caught.value.attempts == 0


def test_a_skewed_clock_is_corrected_from_the_server_and_remembered() -> None:
    skew = datetime.timedelta(minutes=20)
    with AccountEmulator(member_count=1, enforce_quotas=False) as emulator:
        client = emulator.client(
            runtime=Runtime(clock=SkewedClock(lambda: datetime.datetime.now(datetime.UTC) - skew)),
            rate_limiting=False,
        )
        assert client.get_account_information().account_id == emulator.management_account_id
        assert emulator.request_counts["GetAccountInformation"] == 2  # refused, re-signed
        client.get_account_information()
        assert emulator.request_counts["GetAccountInformation"] == 3  # the offset is kept
        copy = client.with_options(max_attempts=1)
        copy.get_account_information()
        assert emulator.request_counts["GetAccountInformation"] == 4  # and shared


def test_threads_refused_for_one_skew_at_once_agree_on_one_correction() -> None:
    """Eight workers' first requests, all signed 20 minutes slow, all refused: each
    finds the same offset. Adding each one's correction to the last made the clock
    2 h 20 min fast, and the re-signed requests were refused again."""
    skew = datetime.timedelta(minutes=20)
    workers = 8
    first_signings = threading.Barrier(workers)
    signings = itertools.count()

    def slow_clock() -> datetime.datetime:
        if next(signings) < workers:
            first_signings.wait(5)  # every first request signed before any is answered
        return datetime.datetime.now(datetime.UTC) - skew

    with AccountEmulator(member_count=1, enforce_quotas=False) as emulator:
        client = emulator.client(
            runtime=Runtime(clock=SkewedClock(slow_clock)), rate_limiting=False
        )
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            answers = list(pool.map(lambda _: client.get_account_information(), range(workers)))
        assert {a.account_id for a in answers} == {emulator.management_account_id}
        # Each refused request was re-signed once. Most or all first requests were
        # refused together (one released late from the barrier may sign after a
        # correction and pass at once); two corrections at once were the bug.
        requests = emulator.request_counts["GetAccountInformation"]
        assert workers + 2 <= requests <= 2 * workers
        assert client._path.offset.offset == pytest.approx(skew.total_seconds(), abs=5)


def test_a_clock_off_by_less_than_the_window_needs_no_correction() -> None:
    with AccountEmulator(member_count=1, enforce_quotas=False) as emulator:
        client = emulator.client(
            runtime=Runtime(
                clock=SkewedClock(
                    lambda: datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=3)
                )
            ),
            rate_limiting=False,
        )
        client.get_account_information()
        assert emulator.request_counts["GetAccountInformation"] == 1


@responses.activate
def test_skew_without_a_server_date_is_retried_once_then_raised(client: AccountClient) -> None:
    responses.post(
        ENDPOINT + "/getAccountInformation", status=403,
        json={"message": "Signature expired: 20200101T000000Z is now earlier than ..."},
        headers={"x-amzn-ErrorType": "InvalidSignatureException"},
    )  # fmt: skip
    with pytest.raises(InvalidSignatureException):
        client.get_account_information()
    assert len(responses.calls) == 2
