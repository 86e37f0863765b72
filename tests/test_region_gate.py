"""The Region opt-in concurrency gate: no switch is sent that the caps would refuse."""

from __future__ import annotations

import concurrent.futures
import json
import random
import time
from pathlib import Path
from typing import TypedDict

import pytest
import responses

from account_mgmt import (
    AccountClient,
    FakeClock,
    InternalServerException,
    Quota,
    Runtime,
    WaiterTimeoutError,
    _sync,
)
from account_mgmt._http import HttpRequest, HttpResponse, Transport
from account_mgmt._regionopt import RegionOptGate, SlotClaim
from account_mgmt._regionswitch import ENABLE, _Switching, ensure_region
from account_mgmt.testing import AccountEmulator, FaultKind

from ._fakes import ScriptedTransport, json_answer, scripted_client
from .conftest import ENDPOINT, rotating_credentials_profile


class Caps(TypedDict):
    """The two concurrency caps, as ``RegionOptGate`` takes them."""

    per_account: int
    per_organization: int


FAST = {"EnableRegion": Quota(200.0, 200), "GetRegionOptStatus": Quota(200.0, 200)}


def test_gate_counts_per_account_and_per_caller() -> None:
    gate = RegionOptGate()
    caps: Caps = {"per_account": 2, "per_organization": 3}
    a_r1 = gate.try_acquire("K", "A", "r1", **caps)
    assert a_r1 is not None
    assert gate.try_acquire("K", "A", "r1", **caps) is a_r1  # the same switch: no new slot
    assert gate.try_acquire("K", "A", "r2", **caps)
    assert gate.try_acquire("K", "A", "r3", **caps) is None  # account cap
    assert sorted(gate.blocking("K", "A", **caps)) == [("A", "r1"), ("A", "r2")]
    assert gate.try_acquire("K", "B", "r1", **caps)
    assert gate.try_acquire("K", "C", "r1", **caps) is None  # organization (caller) cap
    assert gate.try_acquire("OTHER", "C", "r1", **caps)  # another caller is counted apart
    gate.accepted(a_r1)
    gate.observe("K", "A", "r1", "ENABLING", sent_at=gate.stamp())
    assert gate.try_acquire("K", "C", "r1", **caps) is None
    gate.observe("K", "A", "r1", "ENABLED", sent_at=gate.stamp())
    assert gate.try_acquire("K", "C", "r1", **caps)


def test_a_claimed_switch_is_freed_by_its_sender_not_by_a_status_read() -> None:
    gate = RegionOptGate()
    caps: Caps = {"per_account": 1, "per_organization": 1}
    switch = gate.try_acquire("K", "A", "r1", **caps)
    assert switch is not None
    gate.observe("K", "A", "r1", "DISABLED", sent_at=gate.stamp())  # not processed yet
    gate.observe("K", "A", "r1", None, sent_at=gate.stamp())
    assert gate.try_acquire("K", "B", "r1", **caps) is None
    gate.release(switch)  # the sender's request failed
    assert gate.try_acquire("K", "B", "r1", **caps)


@pytest.mark.parametrize(
    ("outcomes", "slot_held"),
    [
        (["release", "release"], False),
        (["release", "accepted"], True),
        (["accepted", "release"], True),
        (["accepted", "accepted"], True),
    ],
)
def test_two_senders_of_one_switch_share_its_slot(outcomes: list[str], slot_held: bool) -> None:
    """The slot goes only when every sender failed: one failing sender must not
    free a switch the other got taken."""
    gate = RegionOptGate()
    caps: Caps = {"per_account": 1, "per_organization": 1}
    first = gate.try_acquire("K", "A", "r1", **caps)
    second = gate.try_acquire("K", "A", "r1", **caps)
    assert first is not None
    assert second is first
    getattr(gate, outcomes[0])(first)
    assert gate.blocking("K", "B", **caps) == [("A", "r1")]  # the other still sends
    getattr(gate, outcomes[1])(second)
    assert (gate.try_acquire("K", "B", "r1", **caps) is None) is slot_held


def test_a_late_release_does_not_free_a_newer_claim_of_the_same_region() -> None:
    gate = RegionOptGate()
    caps: Caps = {"per_account": 1, "per_organization": 1}
    old = gate.try_acquire("K", "A", "r1", **caps)
    assert old is not None
    gate.accepted(old)
    gate.observe("K", "A", "r1", "ENABLED", sent_at=gate.stamp())  # settled: slot freed
    new = gate.try_acquire("K", "A", "r1", **caps)
    assert new is not None
    assert new is not old
    gate.release(old)  # e.g. a sender of the old switch whose answer came back last
    assert gate.try_acquire("K", "B", "r1", **caps) is None


def test_waiting_threads_share_one_read_per_switch_per_interval() -> None:
    now = [0.0]
    gate = RegionOptGate(clock=lambda: now[0])
    caps: Caps = {"per_account": 6, "per_organization": 2}
    a = gate.try_acquire("K", "A", "r1", **caps)
    b = gate.try_acquire("K", "B", "r1", **caps)
    assert a is not None
    assert b is not None

    def due(account: str = "C", **more_caps: int) -> list[tuple[str, str]]:
        """Every read handed out now, one at a time, as waiting threads take them."""
        taken = []
        for _ in range(5):  # bounded: a switch handed out twice must fail, not hang
            merged: Caps = {
                "per_account": more_caps.get("per_account", caps["per_account"]),
                "per_organization": more_caps.get("per_organization", caps["per_organization"]),
            }
            found = gate.take_due("K", account, **merged, every=5.0)
            if found is None:
                break
            taken.append(found)
        return taken

    def due_in() -> float:
        return gate.next_due_in("K", "C", **caps, every=5.0)

    now[0] = 100.0
    assert due() == []  # claimed: no read can free them, their senders will
    assert due_in() == 5.0
    now[0] = 0.0
    gate.accepted(a)
    gate.accepted(b)
    now[0] = 4.0
    assert due() == []  # just taken: known to be switching
    assert due_in() == 1.0
    now[0] = 10.0
    assert due() == [("A", "r1"), ("B", "r1")]
    now[0] = 11.0
    assert due() == []  # other threads are reading them
    assert due_in() == 4.0
    now[0] = 13.0
    gate.observe("K", "A", "r1", "ENABLING", sent_at=gate.stamp())  # e.g. a waiter's poll
    now[0] = 16.0
    assert due() == [("B", "r1")]
    now[0] = 18.0
    assert due() == [("A", "r1")]
    now[0] = 30.0
    assert due() == [("B", "r1"), ("A", "r1")]  # least recently read first
    assert due("A", per_organization=3) == []  # room: nothing in the way
    assert gate.next_due_in("K", "A", per_account=6, per_organization=3, every=5.0) == 0.0


def test_a_refusal_holds_switches_back_then_lets_one_probe_at_a_time() -> None:
    now = [0.0]
    gate = RegionOptGate(clock=lambda: now[0])
    caps: Caps = {"per_account": 6, "per_organization": 20}
    gate.refused("K", "A", organization=True, retry_in=5.0)
    assert gate.try_acquire("K", "B", "r1", **caps) is None  # the whole organization waits
    assert gate.next_due_in("K", "B", **caps, every=1.0) == 5.0
    assert gate.try_acquire("OTHER", "B", "r1", **caps) is not None  # another caller's count
    now[0] = 5.0
    probe = gate.try_acquire("K", "B", "r1", **caps)
    assert probe is not None
    assert gate.try_acquire("K", "C", "r1", **caps) is None  # one probe at a time
    gate.release(probe)  # refused again, or failed
    now[0] = 9.9
    assert gate.try_acquire("K", "C", "r1", **caps) is None
    now[0] = 10.0
    second_probe = gate.try_acquire("K", "C", "r1", **caps)
    assert second_probe is not None
    gate.accepted(second_probe)  # the service took it: room again
    assert gate.try_acquire("K", "D", "r1", **caps) is not None
    gate.refused("K", "E", organization=False, retry_in=5.0)
    assert gate.try_acquire("K", "E", "r2", **caps) is None  # that account waits
    assert gate.try_acquire("K", "F", "r1", **caps) is not None  # the others do not


def test_a_cap_full_of_switches_started_elsewhere_is_waited_for() -> None:
    """Another tool (here the delegated administrator) fills the organization's cap
    of 2: this process's count says there is room, the service says 429. The
    switches wait and probe one at a time until the service takes them."""
    with AccountEmulator(
        member_count=5,
        enforce_quotas=False,
        region_transition_seconds=1.5,  # time to start this job before they settle
        region_opt_concurrency_per_organization=2,
    ) as e:
        members = e.member_account_ids
        other_tool = e.client(e.delegated_admin_account_id, quota_overrides=FAST)
        for member in members[:2]:
            other_tool.enable_region(region_name="af-south-1", account_id=member)
        client = e.client(quota_overrides=FAST)  # 20 per organization: it cannot know
        started = time.monotonic()

        def enable(account_id: str) -> None:
            client.enable_region(
                region_name="af-south-1", account_id=account_id, poll_interval=0.1, timeout=10
            )

        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            list(pool.map(enable, members[2:]))  # raises what any raised
        elapsed = time.monotonic() - started
        ours = e.request_counts["EnableRegion"] - 2
        assert ours > 3  # at least one was refused before the cap had room
        assert ours <= elapsed / 0.1 + 3 + 3  # one probe per interval, not one per thread
        statuses = {
            client.get_region_opt_status(region_name="af-south-1", account_id=a).region_opt_status
            for a in members[2:]
        }
        assert statuses <= {"ENABLING", "ENABLED"}


def test_a_read_sent_before_the_switch_was_accepted_does_not_free_it() -> None:
    """The race CI caught: another thread's read of the Region, answered DISABLED
    before the EnableRegion was processed, arrives after its sender recorded the
    acceptance. Freeing the slot on it let a 21st switch out and earned a 429."""
    gate = RegionOptGate()
    caps: Caps = {"per_account": 1, "per_organization": 1}
    switch = gate.try_acquire("K", "A", "r1", **caps)
    assert switch is not None
    stale_read = gate.stamp()  # sent while the EnableRegion was in flight
    gate.accepted(switch)
    gate.observe("K", "A", "r1", "DISABLED", sent_at=stale_read)
    gate.observe("K", "A", "r1", None, sent_at=stale_read)
    assert gate.try_acquire("K", "B", "r1", **caps) is None
    gate.observe("K", "A", "r1", "ENABLED", sent_at=gate.stamp())  # a read sent since
    assert gate.try_acquire("K", "B", "r1", **caps)


@responses.activate
def test_get_region_opt_status_dates_its_read_from_before_it_is_sent(
    client: AccountClient,
) -> None:
    """The sender records its acceptance while this read is on the wire: the read's
    DISABLED must not free the switch (the stamp is taken before sending, not after)."""
    caller = _caller(client)
    gate = client.runtime.region_gate
    caps: Caps = {"per_account": 6, "per_organization": 1}
    switch = gate.try_acquire(caller, "111100000001", "af-south-1", **caps)
    assert switch is not None

    def answer_then_accept(_: object) -> tuple[int, dict[str, str], str]:
        gate.accepted(switch)
        return 200, {}, json.dumps({"RegionName": "af-south-1", "RegionOptStatus": "DISABLED"})

    responses.add_callback(
        responses.POST, ENDPOINT + "/getRegionOptStatus", callback=answer_then_accept
    )
    client.get_region_opt_status(region_name="af-south-1", account_id="111100000001")
    assert gate.blocking(caller, "111100000002", **caps) == [("111100000001", "af-south-1")]


@pytest.mark.parametrize("processing_delay", [0.0, 0.3], ids=["prompt", "slow-service"])
def test_many_threads_never_trip_the_organization_cap(processing_delay: float) -> None:
    """25 accounts, a cap of 20. With a slow service each EnableRegion is still in
    flight (its Region still reads DISABLED) while other threads poll the switches in
    their way: that must not count as "settled" and free the slot."""
    with AccountEmulator(
        member_count=25, enforce_quotas=False, region_transition_seconds=0.4
    ) as emulator:
        if processing_delay:
            emulator.inject(
                FaultKind.DELAY, delay=processing_delay, count=25, operation="EnableRegion"
            )
        client = emulator.client(quota_overrides=FAST)

        def enable(account_id: str) -> None:
            client.enable_region(
                region_name="eu-south-2", account_id=account_id, poll_interval=0.02
            )

        with concurrent.futures.ThreadPoolExecutor(25) as pool:
            list(pool.map(enable, emulator.member_account_ids))
        assert emulator.request_counts["EnableRegion"] == 25  # every one accepted first time
        statuses = {
            client.get_region_opt_status(region_name="eu-south-2", account_id=a).region_opt_status
            for a in emulator.member_account_ids
        }
        assert statuses <= {"ENABLING", "ENABLED"}


def test_two_threads_switching_the_same_region_both_succeed_and_hold_one_slot() -> None:
    """Both read DISABLED and send; the service takes one EnableRegion and answers
    the other with a ConflictException (the Region is ENABLING). That one is on its
    way, as asked: no error. And the loser must not free the winner's slot: with a
    cap of one switch per account, another Region may go only once it settles."""
    with AccountEmulator(
        member_count=1,
        enforce_quotas=False,
        region_transition_seconds=0.6,
        region_opt_concurrency_per_account=1,
    ) as e:
        # Slow enough that both threads have read DISABLED before either is processed.
        e.inject(FaultKind.DELAY, delay=0.5, count=2, operation="EnableRegion")
        client = e.client(quota_overrides=FAST, region_opt_concurrency_per_account=1)
        member = e.member_account_ids[0]

        def enable(region: str) -> None:
            client.enable_region(region_name=region, account_id=member, poll_interval=0.05)

        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            list(pool.map(enable, ["af-south-1", "af-south-1"]))  # raises what either raised
        assert e.request_counts["EnableRegion"] == 2  # both were sent, one was refused
        caller = _caller(client)
        caps: Caps = {"per_account": 1, "per_organization": 20}
        assert client.runtime.region_gate.blocking(caller, member, **caps) == [
            (member, "af-south-1")
        ]
        enable("ap-east-1")  # waits for af-south-1 to settle rather than earn a 429
        assert e.request_counts["EnableRegion"] == 3


@pytest.mark.parametrize("named_account", [True, False], ids=["account-named", "unnamed"])
def test_the_gate_outlives_a_credential_refresh(tmp_path: Path, named_account: bool) -> None:
    """An assumed role's key changes at every refresh (here, every request); its
    account does not. A gate keyed by the key forgot the switch in flight and sent
    the next one into the account cap's 429. Credentials that name no account
    (an instance role's) are known by where the chain found them."""
    management = f"{random.randrange(10**11, 10**12)}"  # this test's own identity
    with AccountEmulator(
        member_count=1,
        enforce_quotas=False,
        region_transition_seconds=0.5,
        region_opt_concurrency_per_account=1,
        management_account_id=management,
    ) as e:
        sessions = [e.issue_session_credentials() for _ in range(60)]
        refreshes = rotating_credentials_profile(
            tmp_path, sessions, account_id=management if named_account else None
        )
        member = e.member_account_ids[0]
        with AccountClient(
            profile_name="rotating",
            endpoint_url=e.url,
            quota_overrides=FAST,
            region_opt_concurrency_per_account=1,
        ) as client:
            client.enable_region(region_name="af-south-1", account_id=member)
            client.enable_region(region_name="ap-east-1", account_id=member, poll_interval=0.1)
        assert e.request_counts["EnableRegion"] == 2  # the second waited; none was refused
        assert int(refreshes.read_text()) > 4  # a new key for every request


def test_the_seventh_region_in_one_account_waits_for_one_to_settle() -> None:
    with AccountEmulator(member_count=1, enforce_quotas=False, region_transition_seconds=0.3) as e:
        client = e.client(quota_overrides=FAST)
        member = e.member_account_ids[0]
        regions = ["af-south-1", "ap-east-1", "ap-south-2", "ap-southeast-3", "ap-southeast-4",
                   "ca-west-1", "eu-central-2"]  # fmt: skip
        for region in regions:
            client.enable_region(region_name=region, account_id=member, poll_interval=0.05)
        assert e.request_counts["EnableRegion"] == 7  # none refused for concurrency
        assert e.request_counts["GetRegionOptStatus"] > 7  # the seventh polled the others


def test_a_refused_switch_frees_its_slot() -> None:
    with AccountEmulator(member_count=1, enforce_quotas=False) as e:
        client = e.client(
            quota_overrides=FAST, max_attempts=1, region_opt_concurrency_per_account=1
        )
        member = e.member_account_ids[0]
        e.inject(FaultKind.INTERNAL_ERROR, count=1, operation="EnableRegion")
        with pytest.raises(InternalServerException):
            client.enable_region(region_name="il-central-1", account_id=member)
        client.enable_region(region_name="me-central-1", account_id=member, timeout=1)
        assert e.request_counts["EnableRegion"] == 2


def test_a_switch_interrupted_while_sending_frees_its_slot() -> None:
    """Ctrl-C (or any exception that is not the service's answer) while the request
    is out: the slot must not stay claimed for the rest of the process."""
    with AccountEmulator(member_count=1, enforce_quotas=False) as e:
        client = e.client(quota_overrides=FAST, region_opt_concurrency_per_account=1)
        member = e.member_account_ids[0]

        interrupting = _InterruptOn("/enableRegion", client._transport)
        with pytest.raises(KeyboardInterrupt):
            _sync.run(
                ensure_region(
                    client._path, ENABLE, region_name="il-central-1", account_id=member,
                    wait=False, timeout=1, poll_interval=0.05,
                ),
                interrupting,
                client.runtime.clock,
            )  # fmt: skip
        assert interrupting.interrupted == 1
        client.enable_region(region_name="me-central-1", account_id=member, timeout=1)
        assert e.request_counts["EnableRegion"] == 1


def test_a_switch_that_can_no_longer_be_read_stops_blocking() -> None:
    with AccountEmulator(member_count=1, enforce_quotas=False) as e:
        client = e.client(quota_overrides=FAST, region_opt_concurrency_per_organization=2)
        caller = _caller(client)
        gate = client.runtime.region_gate
        caps: Caps = {"per_account": 6, "per_organization": 2}
        # Two switches in accounts this caller can no longer see (e.g. they left the org).
        for gone in ("777700000001", "777700000002"):
            switch = gate.try_acquire(caller, gone, "af-south-1", **caps)
            assert switch is not None
            gate.accepted(switch)
        member = e.member_account_ids[0]
        client.enable_region(
            region_name="af-south-1", account_id=member, timeout=2, poll_interval=0.05
        )
        assert e.request_counts["EnableRegion"] == 1
        # The first unreadable switch made room; the second is read when next in the way.
        assert sorted(gate.blocking(caller, member, **caps)) == [
            (member, "af-south-1"),
            ("777700000002", "af-south-1"),
        ]
        client.enable_region(
            region_name="ap-east-1", account_id=member, timeout=2, poll_interval=0.05
        )
        assert e.request_counts["EnableRegion"] == 2
        assert ("777700000002", "af-south-1") not in gate.blocking(caller, member, **caps)


def test_a_throttled_read_of_a_switch_in_the_way_does_not_free_its_slot() -> None:
    """A switch in the way (organization cap 1) is read while the slot is awaited; every
    read is throttled, which says nothing about the switch: it keeps its slot and the
    wait ends in a timeout."""
    clock = FakeClock()
    runtime = Runtime(clock=clock)
    throttled = json_answer({"message": "Rate exceeded"}, 429, "TooManyRequestsException")
    transport = ScriptedTransport([throttled])
    client = scripted_client(
        transport, runtime, rate_limiting=False, max_attempts=1,
        region_opt_concurrency_per_organization=1,
    )  # fmt: skip
    caller = _caller(client)
    gate = runtime.region_gate
    caps: Caps = {"per_account": 6, "per_organization": 1}
    switch = gate.try_acquire(caller, "111100000001", "af-south-1", **caps)
    assert switch is not None
    gate.accepted(switch)
    switching = _Switching(
        client._path, ENABLE, caller, "af-south-1", "111100000002",
        timeout=0.25, poll_interval=0.0625,
    )  # fmt: skip
    claim = SlotClaim()
    # Binary fractions of a second, so fake time adds up exactly: with 0.01 s the gate's
    # take_due (now - read_at >= every) and next_due_in (read_at + every - now) round
    # apart, and the wait yields Sleep(0.0) forever under a fake clock.
    with pytest.raises(WaiterTimeoutError):
        _sync.run(switching._await_slot(claim, clock.monotonic() + 0.25), transport, clock)
    assert len(transport.sent) >= 1
    assert set(transport.operations()) == {"/getRegionOptStatus"}
    assert claim.switch is None
    assert gate.blocking(caller, "111100000002", **caps) == [("111100000001", "af-south-1")]


def _caller(client: AccountClient) -> str:
    """The identity the client's quotas and Region gate are counted against."""
    return client._path.aws.credentials().quota_holder


class _InterruptOn:
    """A transport raising KeyboardInterrupt (Ctrl-C) for requests to one path."""

    def __init__(self, path: str, inner: Transport) -> None:
        self.path = path
        self.inner = inner
        self.interrupted = 0

    def send(self, request: HttpRequest, *, deadline: float | None = None) -> HttpResponse:
        if request.url.endswith(self.path):
            self.interrupted += 1
            raise KeyboardInterrupt
        return self.inner.send(request, deadline=deadline)

    def close(self) -> None:
        self.inner.close()
