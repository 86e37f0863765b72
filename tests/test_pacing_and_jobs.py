"""Rate limiting, the Region waiter, the fan-out, and the quickstart job."""

from __future__ import annotations

import io
import random
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import responses
from hypothesis import given, settings
from hypothesis import strategies as st

from account_mgmt import (
    AccountClient,
    AccountOutcome,
    BulkOperationError,
    DeadlineExceededError,
    FakeClock,
    ParamValidationError,
    Quota,
    Region,
    ResourceNotFoundException,
    Runtime,
    TooManyRequestsException,
    WaiterFailedError,
    WaiterTimeoutError,
    WindowCap,
    _sync,
    for_each_account,
)
from account_mgmt._quotas import DOCUMENTED_QUOTAS, TokenBucket, quotas_for_partition
from account_mgmt._ratelimit import (
    DELIVERY_TOLERANCE,
    IDLE_SECONDS,
    PACING_FRACTION,
    RECOVERY_FRACTION,
    SWEEP_THRESHOLD,
    THROTTLE_BACKOFF_FACTOR,
    RateLimiter,
    RateLimiterRegistry,
    paced_burst,
)
from account_mgmt._waiters import wait_for_region_opt_status
from account_mgmt.quickstart import SecurityContact, main, run
from account_mgmt.testing import AccountEmulator, FaultKind

from . import _fakes
from ._fakes import ScriptedTransport, json_answer, scripted_client
from .conftest import ENDPOINT, rotating_credentials_profile


class ManualClock:
    """A monotonic clock for the buckets alone: ``now`` moves when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


# -- quotas and buckets ---------------------------------------------------------------


def test_quota_table_covers_every_operation_and_china_is_lower() -> None:
    assert len(DOCUMENTED_QUOTAS) == 18
    assert DOCUMENTED_QUOTAS["GetAlternateContact"] == Quota(10.0, 15)
    assert quotas_for_partition("aws-cn")["GetAlternateContact"] == Quota(3.0, 5)
    assert quotas_for_partition("aws")["EnableRegion"] == Quota(1.0, 1)


def test_token_bucket_allows_the_burst_then_the_rate() -> None:
    clock = ManualClock()
    bucket = TokenBucket(Quota(5.0, 3), clock=clock)
    assert [bucket.try_acquire() for _ in range(4)] == [True, True, True, False]
    clock.now += 0.2
    assert bucket.try_acquire()
    assert not bucket.try_acquire()


def test_limiter_paces_a_burst_at_the_documented_rate_with_headroom() -> None:
    clock = ManualClock()
    limiter = RateLimiter(
        {"GetRegionOptStatus": Quota(5.0, 5)},
        registry=RateLimiterRegistry(clock),
    )
    start = clock.now
    for _ in range(104):
        clock.sleep(limiter.reserve("AKID", "GetRegionOptStatus", None))
    elapsed = clock.now - start
    # The burst less the delivery slack (5 - 2) go at once; the other 101 at 95% of 5/s.
    assert paced_burst(Quota(5.0, 5)) == 3
    assert elapsed == pytest.approx(101 / (5.0 * PACING_FRACTION), rel=0.01)


def test_limiter_limits_the_target_account_too() -> None:
    clock = ManualClock()
    limiter = RateLimiter({"EnableRegion": Quota(1.0, 1)}, registry=RateLimiterRegistry(clock))
    limiter.reserve("KEY-A", "EnableRegion", "111122223333")
    waited = limiter.reserve("KEY-B", "EnableRegion", "111122223333")  # other caller, same target
    assert waited == pytest.approx(1 / PACING_FRACTION)
    assert limiter.reserve("KEY-C", "EnableRegion", "444455556666") == 0.0


def test_limiter_is_shared_between_limiters_of_one_registry() -> None:
    clock = ManualClock()
    registry = RateLimiterRegistry(clock)
    first = RateLimiter({"PutAccountName": Quota(1.0, 1)}, registry=registry)
    second = RateLimiter({"PutAccountName": Quota(1.0, 1)}, registry=registry)
    first.reserve("KEY", "PutAccountName", None)
    assert second.reserve("KEY", "PutAccountName", None) > 0


def test_throttling_lowers_the_rate_and_successes_restore_it() -> None:
    clock = ManualClock()
    registry = RateLimiterRegistry(clock)
    limiter = RateLimiter({"ListRegions": Quota(5.0, 5)}, registry=registry)
    bucket = registry.bucket("caller:KEY", "ListRegions", Quota(5.0, 5))
    ceiling = bucket.quota.rate
    limiter.throttled("KEY", "ListRegions", None)
    assert bucket.quota.rate == pytest.approx(ceiling * 0.7)
    for _ in range(10):
        limiter.throttled("KEY", "ListRegions", None)
    assert bucket.quota.rate == pytest.approx(0.5)  # floor: 10% of documented
    for _ in range(100):
        limiter.admitted("KEY", "ListRegions", None)
    assert bucket.quota.rate == pytest.approx(ceiling)


@pytest.mark.parametrize(
    "operation",
    sorted(op for op, quota in DOCUMENTED_QUOTAS.items() if quota.burst > 1),
)
def test_a_first_burst_delivered_late_stays_inside_the_services_bucket(operation: str) -> None:
    """The first requests reach the service up to DELIVERY_TOLERANCE late (TLS, a slow
    first answer), the rest on time: the service's own bucket must never run dry.

    (A burst of 1 leaves nothing to hold back: only the 5% rate headroom absorbs
    a late first delivery there, and a throttle costs one retry.)"""
    quota = DOCUMENTED_QUOTAS[operation]
    clock = ManualClock()
    limiter = RateLimiter({operation: quota}, registry=RateLimiterRegistry(clock))
    start = clock.now
    sent: list[float] = []
    for _ in range(3 * quota.burst + 20):  # one thread, so each send waits for its slot
        clock.sleep(limiter.reserve("KEY", operation, None))
        sent.append(clock.now)
    late = start + DELIVERY_TOLERANCE
    arrivals = sorted(max(at, late) for at in sent)
    server_clock = ManualClock()
    server_clock.now = start
    server = TokenBucket(quota, clock=server_clock)
    for arrival in arrivals:
        server_clock.now = arrival
        assert server.try_acquire(), f"{operation}: throttled at +{arrival - start:.3f}s"


def test_the_rate_recovers_on_answers_that_are_not_throttles(fake_clock: FakeClock) -> None:
    """A bulk audit mostly gets 404s (no contact yet): those are the service admitting
    the request under its quota, so they must restore a rate cut by a throttle."""
    quota = Quota(10.0, 1)
    runtime = Runtime(clock=fake_clock)
    bucket = runtime.rate_limits.bucket(
        "caller:key:AKIDRECOVERY00000001", "GetAlternateContact", quota
    )
    ceiling = bucket.ceiling.rate
    with responses.RequestsMock() as mocked, AccountClient(
        aws_access_key_id="AKIDRECOVERY00000001", aws_secret_access_key="s",
        quota_overrides={"GetAlternateContact": quota}, runtime=runtime, rng=lambda: 0.0,
    ) as client:  # fmt: skip
        url = f"{ENDPOINT}/getAlternateContact"
        mocked.post(url, status=429, json={"message": "Rate exceeded"},
                    headers={"x-amzn-ErrorType": "TooManyRequestsException"})  # fmt: skip
        not_found = {"x-amzn-ErrorType": "ResourceNotFoundException"}
        for _ in range(12):
            mocked.post(url, status=404, json={"message": "none"}, headers=not_found)
        with pytest.raises(ResourceNotFoundException):  # throttled, then a 404 on the retry
            client.get_alternate_contact(alternate_contact_type="SECURITY")
        step = 10.0 * RECOVERY_FRACTION
        assert bucket.quota.rate == pytest.approx(ceiling * THROTTLE_BACKOFF_FACTOR + step)
        for _ in range(11):
            with pytest.raises(ResourceNotFoundException):
                client.get_alternate_contact(alternate_contact_type="SECURITY")
        assert bucket.quota.rate == pytest.approx(ceiling)


START_EMAIL = "StartPrimaryEmailUpdate"


def test_a_window_cap_holds_the_fourth_start_until_the_first_leaves_the_window() -> None:
    """StartPrimaryEmailUpdate: 1/s, and at most 3 per 30 s for one target account."""
    clock = ManualClock()
    limiter = RateLimiter(
        {START_EMAIL: DOCUMENTED_QUOTAS[START_EMAIL]}, registry=RateLimiterRegistry(clock)
    )
    sent: list[float] = []
    for _ in range(7):
        clock.sleep(limiter.reserve("KEY", START_EMAIL, "000000000001"))
        sent.append(clock.now)
    span = 30.0 + DELIVERY_TOLERANCE
    assert sent[1] - sent[0] == pytest.approx(1 / PACING_FRACTION)  # the rate alone
    assert sent[3] - sent[0] == pytest.approx(span)  # no later than the window allows
    assert all(sent[i + 3] - sent[i] >= span - 1e-9 for i in range(len(sent) - 3))
    # Another account's window is its own: only the caller's 1/s bucket holds it back.
    assert limiter.reserve("KEY", START_EMAIL, "000000000002") <= 1 / PACING_FRACTION


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0.0, 40.0), st.floats(0.0, 20.0)), min_size=1, max_size=25),
    st.integers(1, 4),
    st.floats(1.0, 60.0),
)
def test_no_window_ever_holds_more_than_its_cap(
    calls: list[tuple[float, float]], count: int, seconds: float
) -> None:
    """Whatever the gaps between calls and the delays their buckets impose first (a
    rate that recovered between two calls can give the later one the shorter delay),
    slots go out in the order they were asked for, and any ``count + 1`` sends span
    more than the window plus the delivery tolerance."""
    clock = ManualClock()
    window = RateLimiterRegistry(clock).window("target:1", START_EMAIL, WindowCap(count, seconds))
    sends: list[float] = []
    for gap, bucket_delay in calls:
        clock.now += gap
        wait = window.reserve(bucket_delay)
        assert wait >= bucket_delay - 1e-9
        sends.append(clock.now + wait)
    assert sends == sorted(sends)
    for first, later in zip(sends, sends[count:], strict=False):
        assert later - first >= seconds + DELIVERY_TOLERANCE - 1e-9


def test_a_call_refused_by_its_deadline_leaves_no_window_slot_booked() -> None:
    """The fourth start in a window would wait 30 s; a call with 5 s left refuses it.
    Had it booked that slot anyway, the third start after it would wait a whole
    window more (its slot counted three back from the phantom)."""
    quota = Quota(50.0, 50, WindowCap(3, 30.0))
    runtime = _fakes.emulator_runtime()
    clock = runtime.clock
    assert isinstance(clock, FakeClock)
    with AccountEmulator(
        member_count=1, enforce_quotas=False, primary_email_update_window=WindowCap(99, 1.0)
    ) as emulator, emulator.client(
        quota_overrides={START_EMAIL: quota}, runtime=runtime
    ) as client:  # fmt: skip
        member = emulator.member_account_ids[0]
        for n in range(3):
            client.start_primary_email_update(account_id=member, primary_email=f"a{n}@example.com")
        with pytest.raises(DeadlineExceededError):
            client.with_options(total_timeout=5).start_primary_email_update(
                account_id=member, primary_email="late@example.com"
            )
        started = clock.monotonic()
        for n in range(3):  # each waits for the start three back to leave the window
            client.start_primary_email_update(account_id=member, primary_email=f"b{n}@example.com")
        assert emulator.request_counts[START_EMAIL] == 6  # the refused one was never sent
    # Fake time passes as the client sleeps: the first b-start waits out the window
    # (29-30 s), the next two follow the first two a-starts out of it at the rate.
    # A phantom slot would have held the third a whole window longer (60 s in all).
    waits = [s for s in clock.sleeps if s > 1.0]
    assert len(waits) == 1
    assert 29.0 < waits[0] <= 30.0 + DELIVERY_TOLERANCE
    assert clock.monotonic() - started <= 30.0 + DELIVERY_TOLERANCE + 1.0


def test_without_an_account_id_the_window_is_the_callers_own_account() -> None:
    clock = ManualClock()
    quota = Quota(100.0, 100, WindowCap(1, 10.0))
    limiter = RateLimiter({START_EMAIL: quota}, registry=RateLimiterRegistry(clock))
    assert limiter.reserve("KEY", START_EMAIL, None) == 0.0
    assert limiter.reserve("KEY", START_EMAIL, None) == pytest.approx(10.0 + DELIVERY_TOLERANCE)
    assert limiter.reserve("OTHERKEY", START_EMAIL, None) == 0.0


@pytest.mark.parametrize(
    ("window", "quota", "throttled"),
    [
        pytest.param(WindowCap(3, 1.0), Quota(20.0, 20, WindowCap(3, 1.0)), 0, id="capped"),
        pytest.param(WindowCap(3, 1.0), Quota(20.0, 20), 2, id="rate-only"),
    ],
)
def test_primary_email_starts_stay_inside_the_services_window(
    window: WindowCap, quota: Quota, throttled: int
) -> None:
    """Five starts for one account against an emulator that takes 3 per second: with
    the window cap the client waits for it and nothing is refused; without, the
    fourth and fifth are refused (the control: the test can fail)."""
    with AccountEmulator(
        member_count=1, enforce_quotas=False, primary_email_update_window=window
    ) as emulator, emulator.client(
        quota_overrides={START_EMAIL: quota}, max_attempts=1
    ) as client:  # fmt: skip
        member = emulator.member_account_ids[0]
        outcomes: list[str] = []
        for n in range(5):
            try:
                outcomes.append(client.start_primary_email_update(
                    account_id=member, primary_email=f"new{n}@example.com"
                ))  # fmt: skip
            except TooManyRequestsException:
                outcomes.append("refused")
        assert outcomes.count("refused") == throttled
        assert outcomes.count("PENDING") == 5 - throttled
        assert emulator.request_counts[START_EMAIL] == 5


def test_the_registry_drops_state_left_idle_and_at_rest() -> None:
    """A job over 5,000 accounts, then another over 5,000 others two minutes later:
    the first job's buckets (full again, so no different from new ones) are dropped
    rather than kept for the life of the process (about a kilobyte each)."""
    clock = ManualClock()
    registry = RateLimiterRegistry(clock)
    limiter = RateLimiter({"GetAlternateContact": Quota(10.0, 15)}, registry=registry)
    for n in range(5000):
        limiter.reserve("KEY", "GetAlternateContact", f"{n:012d}")
    clock.sleep(120.0)
    for n in range(5000, 10000):
        limiter.reserve("KEY", "GetAlternateContact", f"{n:012d}")
    assert len(registry) == 5000 + 1  # the second job's targets, and the caller's bucket


def test_state_in_use_or_not_at_rest_survives_a_sweep() -> None:
    clock = ManualClock()
    registry = RateLimiterRegistry(clock)
    quota = Quota(1.0, 1)
    backlogged = registry.bucket("target:backlogged", "EnableRegion", quota)
    for _ in range(100):
        backlogged.reserve()  # slots booked 100 s ahead: not at rest for 100 s
    throttled = registry.bucket("target:throttled", "EnableRegion", quota)
    throttled.slow_down()  # a learnt lower rate is not at rest either
    clock.sleep(IDLE_SECONDS + 1.0)
    recent = registry.bucket("target:recent", "EnableRegion", quota)  # handed out just now
    for n in range(2 * SWEEP_THRESHOLD):
        registry.bucket(f"target:{n}", "EnableRegion", quota)
    assert registry.bucket("target:backlogged", "EnableRegion", quota) is backlogged
    assert registry.bucket("target:throttled", "EnableRegion", quota) is throttled
    assert registry.bucket("target:recent", "EnableRegion", quota) is recent


def test_a_window_is_kept_while_its_sends_can_hold_one_back() -> None:
    clock = ManualClock()
    registry = RateLimiterRegistry(clock)
    cap = WindowCap(3, 100.0)
    window = registry.window("target:1", START_EMAIL, cap)
    window.reserve(0.0)
    clock.sleep(IDLE_SECONDS + 1.0)  # idle, but that send counts for 40 s more
    for n in range(2 * SWEEP_THRESHOLD):
        registry.window(f"target:a{n}", START_EMAIL, cap)
    assert registry.window("target:1", START_EMAIL, cap) is window
    clock.sleep(100.0 + DELIVERY_TOLERANCE + IDLE_SECONDS)
    for n in range(4 * SWEEP_THRESHOLD):
        registry.window(f"target:b{n}", START_EMAIL, cap)
    assert registry.window("target:1", START_EMAIL, cap) is not window


def test_limiter_off_means_no_wait() -> None:
    clock = ManualClock()
    limiter = RateLimiter({}, registry=RateLimiterRegistry(clock))
    for _ in range(100):
        assert limiter.reserve("KEY", "EnableRegion", None) == 0.0


def test_concurrent_reservations_get_distinct_slots() -> None:
    clock = ManualClock()
    bucket = TokenBucket(Quota(10.0, 1), clock=clock)
    waits: list[float] = []
    lock = threading.Lock()

    def take() -> None:
        wait = bucket.reserve()
        with lock:
            waits.append(wait)

    threads = [threading.Thread(target=take) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(waits) == pytest.approx([i / 10 for i in range(20)])


# -- waiter ------------------------------------------------------------------------------


def _run_waiter(
    statuses: list[str], *, timeout: float, poll_interval: float
) -> tuple[FakeClock, ScriptedTransport, Callable[[], Region]]:
    """The waiter's step over a transport answering ``statuses`` in turn (the last repeats),
    driven by the blocking driver on a fake clock; returns the clock, the transport and
    a function running the wait."""
    clock = FakeClock()
    transport = ScriptedTransport([json_answer({"RegionOptStatus": s}) for s in statuses])
    client = scripted_client(transport, Runtime(clock=clock), rate_limiting=False)

    def wait() -> Region:
        steps = wait_for_region_opt_status(
            client._path, region_name="af-south-1", account_id=None, statuses={"ENABLED"},
            timeout=timeout, poll_interval=poll_interval,
        )  # fmt: skip
        return _sync.run(steps, transport, clock)

    return clock, transport, wait


def test_waiter_returns_when_the_status_arrives() -> None:
    clock, transport, wait = _run_waiter(
        ["DISABLED", "ENABLING", "ENABLING", "ENABLED"], timeout=60, poll_interval=5
    )
    region = wait()
    assert region.region_opt_status == "ENABLED"
    assert transport.operations() == ["/getRegionOptStatus"] * 4
    assert clock.monotonic() == 1015.0


def test_waiter_fails_when_the_region_goes_the_other_way() -> None:
    _, _, wait = _run_waiter(["ENABLING", "DISABLING"], timeout=60, poll_interval=1)
    with pytest.raises(WaiterFailedError) as caught:
        wait()
    assert caught.value.last_status == "DISABLING"


def test_waiter_fails_when_the_region_falls_back_after_moving() -> None:
    _, _, wait = _run_waiter(["ENABLING", "DISABLED"], timeout=60, poll_interval=1)
    with pytest.raises(WaiterFailedError):
        wait()


def test_waiter_times_out_with_the_last_status() -> None:
    clock, transport, wait = _run_waiter(["DISABLED"], timeout=10, poll_interval=3)
    with pytest.raises(WaiterTimeoutError) as caught:
        wait()
    assert caught.value.last_status == "DISABLED"
    assert "af-south-1" in str(caught.value)
    assert len(transport.sent) == 5  # t=0,3,6,9,10
    assert clock.monotonic() == 1010.0


# -- fan-out ------------------------------------------------------------------------------


def test_every_account_gets_an_outcome_in_input_order() -> None:
    seen: list[str] = []

    def action(account_id: str) -> int:
        if account_id.endswith("3"):
            raise ValueError("boom " + account_id)
        return int(account_id)

    result = for_each_account(
        [f"{i:012d}" for i in range(10)] + ["000000000001"],  # a duplicate is run once
        action,
        max_workers=4,
        on_outcome=lambda outcome: seen.append(outcome.account_id),
    )
    assert [o.account_id for o in result.outcomes] == [f"{i:012d}" for i in range(10)]
    assert sorted(seen) == [f"{i:012d}" for i in range(10)]
    assert [o.account_id for o in result.failed] == ["000000000003"]
    assert isinstance(result.failed[0].error, ValueError)
    assert result.succeeded[2] == AccountOutcome(
        account_id="000000000002", value=2, seconds=result.succeeded[2].seconds
    )
    with pytest.raises(BulkOperationError) as caught:
        result.raise_for_failures()
    assert "000000000003" in str(caught.value)


@pytest.mark.parametrize(
    ("account_ids", "max_workers", "parameter"),
    [
        ("000000000001", 4, "account_ids"),
        (["000000000001"], 0, "max_workers"),
        (["000000000001"], 2.5, "max_workers"),
    ],
)
def test_a_fan_out_that_cannot_run_as_meant_runs_nothing(
    account_ids: list[str], max_workers: int, parameter: str
) -> None:
    ran: list[str] = []
    with pytest.raises(ParamValidationError) as caught:
        for_each_account(account_ids, ran.append, max_workers=max_workers)
    assert caught.value.parameter == parameter
    assert ran == []


@pytest.mark.parametrize("stop", [OSError, KeyboardInterrupt])
def test_a_failing_progress_callback_stops_the_job_and_notes_what_ran(
    stop: type[BaseException],
) -> None:
    """The callback fails (or Ctrl-C lands) on the first outcome while three accounts
    are in flight:
    accounts not yet started never start, those in flight finish, and the exception
    names every account the action ran for and how it ended, so nothing was applied
    without the caller being told."""
    ids = [f"{i:012d}" for i in range(50)]
    ran: list[str] = []
    four_started = threading.Barrier(4)  # the first outcome comes once four are in flight
    in_flight_may_finish = threading.Event()

    def action(account_id: str) -> str:
        ran.append(account_id)
        if account_id in ids[:4]:
            four_started.wait(5)
        if account_id != ids[0]:
            in_flight_may_finish.wait(5)
        if account_id == ids[1]:
            raise ValueError("refused")
        return "done"

    def progress(outcome: AccountOutcome[str]) -> None:
        threading.Timer(0.2, in_flight_may_finish.set).start()
        raise stop("progress log: disk full")

    with pytest.raises(stop, match="disk full") as caught:
        for_each_account(ids, action, max_workers=4, on_outcome=progress)
    assert sorted(ran[:4]) == ids[:4]
    assert len(ran) < 12  # about four workers' worth, not all 50
    header, *lines = caught.value.__notes__[0].splitlines()
    assert f"{len(ran)} of 50 accounts ran, {50 - len(ran)} never started" in header
    assert sorted(line.split()[0] for line in lines) == sorted(ran)
    assert f"{ids[1]} ValueError" in lines
    assert f"{ids[2]} ok" in lines


def test_an_audit_whose_first_requests_arrive_late_is_not_throttled() -> None:
    """8 threads audit 40 accounts at the real quota (10/s, burst 15) while the service
    takes the first 8 requests 0.25 s late: pacing holds enough of the burst back."""
    with AccountEmulator(member_count=40, enforce_quotas=True) as emulator:
        emulator.inject(FaultKind.DELAY, delay=0.25, count=8)
        with emulator.client() as client:
            result = for_each_account(
                emulator.member_account_ids,
                lambda account_id: client.get_alternate_contact(
                    alternate_contact_type="SECURITY", account_id=account_id
                ),
                max_workers=8,
            )
        assert all(isinstance(o.error, ResourceNotFoundException) for o in result.failed)
        assert len(result.failed) == 40  # none has a contact yet: every answer is a 404
        assert emulator.throttled_counts["GetAlternateContact"] == 0
        assert emulator.request_counts["GetAlternateContact"] == 40


# -- the main job -------------------------------------------------------------------------


def test_quickstart_secures_every_member_without_being_throttled() -> None:
    out = io.StringIO()
    contact = SecurityContact(
        name="Sec", title="CISO", email_address="sec@example.com", phone_number="+1 555 0100"
    )
    with AccountEmulator(member_count=4, region_transition_seconds=0.2) as emulator:
        already = emulator.member_account_ids[0]
        with emulator.client() as client:
            client.enable_region(region_name="me-south-1", account_id=already)
            emulator.reset_counts()
            result = run(
                client, emulator.member_account_ids, contact=contact, region_name="me-south-1",
                max_workers=4, poll_interval=0.05, timeout=30, out=out,
            )  # fmt: skip
            for account_id in emulator.member_account_ids:
                assert (
                    client.get_alternate_contact(
                        alternate_contact_type="SECURITY", account_id=account_id
                    ).email_address
                    == "sec@example.com"
                )
        counts, throttled = emulator.request_counts, emulator.throttled_counts
    assert [o.value for o in result.outcomes] == ["ENABLED"] * 4
    assert counts["EnableRegion"] == 3  # the one already switching was left alone
    assert sum(throttled.values()) == 0
    assert out.getvalue().count(" ok ") == 4


def test_quickstart_main_runs_on_the_emulator(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--members", "3", "--region", "il-central-1"]) == 0
    text = capsys.readouterr().out
    assert "3 accounts: 3 succeeded, 0 failed" in text
    assert "requests it throttled (429): 0" in text


def test_quickstart_on_aws_needs_accounts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--aws"]) == 2


def test_clients_with_different_quotas_do_not_reset_each_others_buckets() -> None:
    clock = ManualClock()
    registry = RateLimiterRegistry(clock)
    slow = RateLimiter({"PutAccountName": Quota(1.0, 1)}, registry=registry)
    other = RateLimiter({"PutAccountName": Quota(2.0, 1)}, registry=registry)
    slow.reserve("KEY", "PutAccountName", None)
    other.reserve("KEY", "PutAccountName", None)
    # Still paced: the other client's different quota must not hand this one a fresh bucket.
    assert slow.reserve("KEY", "PutAccountName", None) > 0


def test_a_credential_refresh_keeps_the_callers_rate_bucket(tmp_path: Path) -> None:
    """A new key at every refresh, one account: the second call still waits its turn
    at 0.1/s. Keyed by the key, each refresh handed the job a full bucket again."""
    management = f"{random.randrange(10**11, 10**12)}"  # this test's own identity
    with AccountEmulator(
        member_count=1, management_account_id=management, enforce_quotas=False
    ) as e:
        sessions = [e.issue_session_credentials() for _ in range(10)]
        refreshes = rotating_credentials_profile(tmp_path, sessions, account_id=management)
        runtime = _fakes.emulator_runtime()
        clock = runtime.clock
        assert isinstance(clock, FakeClock)
        with AccountClient(
            profile_name="rotating",
            endpoint_url=e.url,
            quota_overrides={"PutAccountName": Quota(0.1, 1)},
            runtime=runtime,
        ) as client:
            client.put_account_name(account_name="first")
            client.put_account_name(account_name="second")
        assert int(refreshes.read_text()) >= 2  # each call signed with a new key
        assert sum(clock.sleeps) > 5  # the second waited ~10 s for the first's token
