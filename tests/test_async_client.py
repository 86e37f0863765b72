"""What only the asyncio client has to show: the loop is never blocked, tasks share limits,
cancellation frees what a call held, and the async fan-out.

Everything the two clients share (the wire, errors, retries, pacing, Regions)
is tested once against both, through ``tests/_facade.py``.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from account_mgmt import (
    AccountClient,
    AsyncAccountClient,
    BulkResult,
    FakeClock,
    HttpRequest,
    HttpResponse,
    ParamValidationError,
    Quota,
    Runtime,
    for_each_account_async,
)
from account_mgmt.testing import AccountEmulator, FaultKind
from account_mgmt.testing._mock import AsyncMockTransport, MockTransport

MEMBER = "111122223333"


def _answer(body: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    return HttpResponse(
        status_code=status,
        headers={"content-type": "application/json"},
        body=b"" if body is None else json.dumps(body).encode(),
    )


def _info(request: HttpRequest) -> HttpResponse:
    sent = json.loads(request.body)
    return _answer({"AccountId": sent.get("AccountId", MEMBER), "AccountName": "demo"})


def _client(transport: Any, runtime: Runtime | None = None, **options: Any) -> AsyncAccountClient:
    return AsyncAccountClient(
        aws_access_key_id="AKIDASYNCTESTS000001",
        aws_secret_access_key="secret",
        transport=transport,
        runtime=runtime if runtime is not None else Runtime(),
        **options,
    )


def test_paced_calls_wait_without_blocking_the_loop() -> None:
    """100 calls paced at 100/s queue for about a second; a heartbeat task ticking every
    10 ms must keep ticking. A pacing wait taken with time.sleep would stall the loop
    for up to that second at once."""

    async def scenario() -> float:
        client = _client(
            AsyncMockTransport(_info), quota_overrides={"GetAccountInformation": Quota(100, 1)}
        )
        worst_lag = 0.0
        done = asyncio.Event()

        async def heartbeat() -> None:
            nonlocal worst_lag
            while not done.is_set():
                before = time.monotonic()
                await asyncio.sleep(0.01)
                worst_lag = max(worst_lag, time.monotonic() - before - 0.01)

        beat = asyncio.create_task(heartbeat())
        started = time.monotonic()
        await asyncio.gather(*(client.get_account_information() for _ in range(100)))
        elapsed = time.monotonic() - started
        done.set()
        await beat
        assert elapsed > 0.5  # they were paced: 100 at 100/s cannot all go at once
        return worst_lag

    worst_lag = asyncio.run(scenario())
    assert worst_lag < 0.5


def test_sync_and_async_clients_of_one_runtime_share_the_rate_bucket() -> None:
    clock = FakeClock()
    runtime = Runtime(clock=clock)
    quota = {"PutAccountName": Quota(1.0, 1)}
    options: dict[str, Any] = {
        "aws_access_key_id": "AKIDSHAREDBUCKET0001",
        "aws_secret_access_key": "secret",
        "runtime": runtime,
        "quota_overrides": quota,
    }
    sync_client = AccountClient(transport=MockTransport(lambda _: _answer()), **options)
    async_client = AsyncAccountClient(transport=AsyncMockTransport(lambda _: _answer()), **options)
    sync_client.put_account_name(account_name="one")
    assert clock.sleeps == []
    asyncio.run(async_client.put_account_name(account_name="two"))
    assert sum(clock.sleeps) > 0.9  # the async call waited for the sync one's token


def test_separate_runtimes_never_wait_for_each_other() -> None:
    for _ in range(5):
        clock = FakeClock()
        client = _client(
            AsyncMockTransport(lambda _: _answer()),
            runtime=Runtime(clock=clock),
            quota_overrides={"PutAccountName": Quota(1.0, 1)},
        )
        asyncio.run(client.put_account_name(account_name="fresh"))
        assert clock.sleeps == []


def test_async_iter_regions_follows_every_page() -> None:
    pages: dict[str | None, dict[str, Any]] = {
        None: {"Regions": [{"RegionName": "af-south-1", "RegionOptStatus": "DISABLED"}],
               "NextToken": "t1"},
        "t1": {"Regions": [{"RegionName": "ap-east-1", "RegionOptStatus": "ENABLED"}]},
    }  # fmt: skip

    def handler(request: HttpRequest) -> HttpResponse:
        return _answer(pages[json.loads(request.body).get("NextToken")])

    async def walk() -> list[str | None]:
        async with _client(AsyncMockTransport(handler), rate_limiting=False) as client:
            return [region.region_name async for region in client.iter_regions()]

    assert asyncio.run(walk()) == ["af-south-1", "ap-east-1"]


def test_enable_region_waits_on_a_fake_clock_without_real_time() -> None:
    statuses = iter(["DISABLED", "ENABLING", "ENABLING", "ENABLED"])
    sent: list[str] = []

    def handler(request: HttpRequest) -> HttpResponse:
        sent.append(request.url.rsplit("/", 1)[1])
        if request.url.endswith("/getRegionOptStatus"):
            return _answer({"RegionName": "af-south-1", "RegionOptStatus": next(statuses)})
        return _answer()

    clock = FakeClock()
    client = _client(AsyncMockTransport(handler), runtime=Runtime(clock=clock), rate_limiting=False)
    started = time.monotonic()
    asyncio.run(
        client.enable_region(
            region_name="af-south-1", account_id=MEMBER, wait=True, poll_interval=5
        )
    )
    assert time.monotonic() - started < 5  # 10 fake seconds of polling, not real ones
    assert sent == ["getRegionOptStatus", "enableRegion", *["getRegionOptStatus"] * 3]
    assert clock.sleeps == [5, 5]


def test_a_cancelled_enable_frees_its_region_slot() -> None:
    """The task is cancelled while EnableRegion is out: the slot it claimed must be
    released at once, or every later switch in that account waits for it."""
    runtime = Runtime()

    async def scenario() -> None:
        hang = asyncio.Event()

        async def handler(request: HttpRequest) -> HttpResponse:
            if request.url.endswith("/getRegionOptStatus"):
                return _answer({"RegionName": "x", "RegionOptStatus": "DISABLED"})
            await hang.wait()  # EnableRegion never answers
            return _answer()

        client = _client(
            AsyncMockTransport(handler),
            runtime=runtime,
            rate_limiting=False,
            region_opt_concurrency_per_account=1,
        )
        task = asyncio.create_task(
            client.enable_region(region_name="af-south-1", account_id=MEMBER, timeout=5)
        )
        while not _claimed(runtime):  # EnableRegion is out, its slot claimed
            await asyncio.sleep(0.001)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert not _claimed(runtime)


def _claimed(runtime: Runtime) -> bool:
    return bool(runtime.region_gate._in_flight)


def test_async_fan_out_bounds_concurrency_and_reports_every_account() -> None:
    running = 0
    most = 0

    async def action(account_id: str) -> str:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.001)
        running -= 1
        if account_id.endswith("3"):
            raise ValueError("boom")
        return account_id[::-1]

    ids = [f"11112222000{n}" for n in range(10)]
    result = asyncio.run(for_each_account_async(ids, action, max_concurrency=3))
    assert most == 3
    assert [o.account_id for o in result.outcomes] == ids
    assert [o.account_id for o in result.failed] == ["111122220003"]
    assert result.outcomes[0].value == "000022221111"
    assert "1 failed (ValueError: 1)" in repr(result)


def test_async_fan_out_refuses_a_single_string_before_running() -> None:
    async def action(account_id: str) -> None:
        raise AssertionError("must not run")

    with pytest.raises(ParamValidationError, match="account_ids"):
        asyncio.run(for_each_account_async("111122223333", action))


def test_async_client_is_closed_by_async_with() -> None:
    transport = AsyncMockTransport(_info)

    async def scenario() -> None:
        async with _client(transport, rate_limiting=False) as client:
            info = await client.get_account_information(account_id=MEMBER)
            assert info.account_id == MEMBER

    asyncio.run(scenario())
    assert transport.closed


FAST = {"EnableRegion": Quota(200.0, 200), "GetRegionOptStatus": Quota(200.0, 200)}


def _async_client_for(emulator: AccountEmulator, **options: Any) -> AsyncAccountClient:
    credentials = emulator.credentials_for()
    return AsyncAccountClient(
        endpoint_url=emulator.url,
        aws_access_key_id=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
        **options,
    )


@pytest.mark.parametrize("processing_delay", [0.0, 0.3], ids=["prompt", "slow-service"])
def test_many_tasks_never_trip_the_organization_cap(processing_delay: float) -> None:
    """The async twin of the 25-threads test: 25 tasks over aiohttp, a cap of 20, each
    EnableRegion possibly still in flight while other tasks poll the switches in their way."""
    with AccountEmulator(
        member_count=25, enforce_quotas=False, region_transition_seconds=0.4
    ) as emulator:
        if processing_delay:
            emulator.inject(
                FaultKind.DELAY, delay=processing_delay, count=25, operation="EnableRegion"
            )

        async def job() -> BulkResult[None]:
            async with _async_client_for(emulator, quota_overrides=FAST) as client:

                async def enable(account_id: str) -> None:
                    await client.enable_region(
                        region_name="eu-south-2", account_id=account_id, poll_interval=0.02
                    )

                return await for_each_account_async(
                    emulator.member_account_ids, enable, max_concurrency=25
                )

        result = asyncio.run(job())
        assert result.failed == ()
        assert emulator.request_counts["EnableRegion"] == 25  # every one accepted first time


def test_a_sync_and_an_async_client_share_one_region_gate() -> None:
    """Per-account cap 1: a Region the sync client set switching holds the account's
    slot, so the async client's enable of another Region waits for it to settle
    instead of sending into the service's cap."""
    runtime = Runtime()
    with AccountEmulator(
        member_count=1, enforce_quotas=False, region_transition_seconds=0.5
    ) as emulator:
        member = emulator.member_account_ids[0]
        options: dict[str, Any] = {
            "quota_overrides": FAST,
            "runtime": runtime,
            "region_opt_concurrency_per_account": 1,
        }
        with emulator.client(**options) as sync_client:
            sync_client.enable_region(region_name="af-south-1", account_id=member)
        started = time.monotonic()

        async def enable_another() -> None:
            async with _async_client_for(emulator, **options) as client:
                await client.enable_region(
                    region_name="ap-east-1", account_id=member, poll_interval=0.05
                )

        asyncio.run(enable_another())
        assert time.monotonic() - started >= 0.3  # it waited for the first switch to settle
        assert emulator.request_counts["EnableRegion"] == 2  # neither was refused
