"""The seams the reshaped core gives tests: the Runtime, the clock, and the steps.

What clients share lives in a ``Runtime`` a test can reset or replace; time
comes from one ``Clock`` a test can fake; operations are declarations whose
front doors pass exactly their members; every step can be interrupted
without leaving a Region slot claimed.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import botocore.session
import pytest
import responses
from botocore import xform_name
from responses import matchers

from account_mgmt import (
    AccountClient,
    FakeClock,
    HttpRequest,
    HttpResponse,
    MalformedResponseError,
    OutcomeUnknownError,
    PaginationError,
    ParamValidationError,
    Runtime,
    WaiterTimeoutError,
    _sync,
    default_runtime,
)
from account_mgmt import _operations as ops
from account_mgmt.pagination import MAX_PAGES

from ._data import CONTACT, SECURITY_CONTACT
from ._fakes import ScriptedTransport, json_answer, scripted_client
from .conftest import ENDPOINT

SERVICE = botocore.session.get_session().get_service_model("account")
SAME_KEY = "AKIDSAMEKEYEVERYTEST"
MEMBER = "111122223333"


def _client_with_the_same_key(**options: Any) -> AccountClient:
    """A client as a user's test builds one: fixed fake keys, the default runtime."""
    return AccountClient(aws_access_key_id=SAME_KEY, aws_secret_access_key="fake-secret", **options)


def _status_read(region: str, status: str) -> dict[str, Any]:
    return {
        "url": ENDPOINT + "/getRegionOptStatus",
        "json": {"RegionName": region, "RegionOptStatus": status},
        "match": [matchers.json_params_matcher({"RegionName": region, "AccountId": MEMBER})],
    }


def _enable(region: str) -> dict[str, Any]:
    return {
        "url": ENDPOINT + "/enableRegion",
        "body": b"",
        "match": [matchers.json_params_matcher({"RegionName": region, "AccountId": MEMBER})],
    }


# -- the default runtime's reset ------------------------------------------------------


@pytest.mark.parametrize("repetition", range(7))
def test_a_fresh_client_after_a_reset_reads_no_state_an_earlier_client_left(
    repetition: int,
) -> None:
    """Seven identical tests, one key, the default runtime: each enables af-south-1
    with one client, then (after a reset) ap-east-1 with another under a cap of one
    switch per account. Left over, af-south-1 would be in the second's way and be
    polled (a request the strict mock does not know); a switch left by an earlier
    repetition would be in the first's way. Each sends exactly the mocked requests."""
    default_runtime().reset()
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mocked:
        mocked.post(**_status_read("af-south-1", "DISABLED"))
        mocked.post(**_enable("af-south-1"))
        with _client_with_the_same_key(region_opt_concurrency_per_account=1) as first:
            first.enable_region(region_name="af-south-1", account_id=MEMBER)
        caller = first._path.aws.credentials().quota_holder
        caps = {"per_account": 1, "per_organization": 20}
        assert default_runtime().region_gate.blocking(caller, MEMBER, **caps) == [
            (MEMBER, "af-south-1")
        ]
        default_runtime().reset()
        assert default_runtime().region_gate.blocking(caller, MEMBER, **caps) == []
        mocked.post(**_status_read("ap-east-1", "DISABLED"))
        mocked.post(**_enable("ap-east-1"))
        with _client_with_the_same_key(region_opt_concurrency_per_account=1) as second:
            second.enable_region(region_name="ap-east-1", account_id=MEMBER, timeout=1)
        assert [call.request.path_url for call in mocked.calls] == [
            "/getRegionOptStatus",
            "/enableRegion",
            "/getRegionOptStatus",
            "/enableRegion",
        ]


# -- separate and shared runtimes -------------------------------------------------------


@responses.activate
def test_clients_with_separate_runtimes_never_wait_for_each_other() -> None:
    """PutAccountName is 1/s, burst 1, per caller: five clients of one key pace one
    another only when they share a runtime."""
    responses.post(ENDPOINT + "/putAccountName", body=b"")
    separate = [FakeClock() for _ in range(5)]
    for clock in separate:
        with _client_with_the_same_key(runtime=Runtime(clock=clock)) as client:
            client.put_account_name(account_name="separate")
    assert [clock.sleeps for clock in separate] == [[]] * 5
    shared_clock = FakeClock()
    shared = Runtime(clock=shared_clock)
    for _ in range(5):
        with _client_with_the_same_key(runtime=shared) as client:
            client.put_account_name(account_name="shared")
    assert len(shared_clock.sleeps) == 4  # every client after the first waits its turn
    assert all(0.9 < waited <= 1.1 for waited in shared_clock.sleeps)
    assert len(responses.calls) == 10


# -- the waiter on a fake clock ------------------------------------------------------------


@responses.activate
def test_a_waiter_on_a_fake_clock_times_out_after_its_timeout_of_fake_time(
    client: AccountClient, fake_clock: FakeClock
) -> None:
    """timeout=2, poll_interval=5: a read, at most one more at the deadline, and a
    timeout; no spinning through reads while real time stands still."""
    responses.post(
        ENDPOINT + "/getRegionOptStatus",
        json={"RegionName": "af-south-1", "RegionOptStatus": "DISABLED"},
    )
    with pytest.raises(WaiterTimeoutError) as caught:
        client.wait_for_region_opt_status(region_name="af-south-1", timeout=2, poll_interval=5)
    assert caught.value.last_status == "DISABLED"
    assert 1 <= len(responses.calls) <= 2
    assert sum(fake_clock.sleeps) <= 2.0


# -- front doors and declarations --------------------------------------------------------


def test_a_front_door_passing_an_undeclared_member_is_a_type_error(
    client: AccountClient,
) -> None:
    transport = ScriptedTransport([json_answer({"AccountId": MEMBER})])
    steps = client._path.call(ops.GET_ACCOUNT_INFORMATION, {"acount_id": None})
    with pytest.raises(TypeError, match="acount_id"):
        _sync.run(steps, transport, client.runtime.clock)
    assert transport.sent == []


VALID_ARGUMENTS: dict[str, object] = {
    **SECURITY_CONTACT,
    "account_id": MEMBER,
    "standard_account_id": MEMBER,
    "contact_information": CONTACT,
    "region_name": "af-south-1",
    "max_results": 10,
    "next_token": "page-2",
    "region_opt_status_contains": ["ENABLED"],
    "primary_email": "new@example.com",
    "otp": "123456",
    "account_name": "renamed",
}
"""A valid value for every member of every operation."""


@pytest.mark.parametrize("only_required", [False, True], ids=["every-member", "required-only"])
@pytest.mark.parametrize("operation", ops.ALL_OPERATIONS, ids=lambda op: op.name)
def test_every_front_door_sends_exactly_its_declared_members(
    client: AccountClient, operation: ops.Operation[Any], only_required: bool
) -> None:
    shape = SERVICE.operation_model(operation.name).input_shape
    wanted = set(shape.required_members) if only_required else set(shape.members)
    arguments = {
        name: VALID_ARGUMENTS[name]
        for name, (_, required) in operation.members.items()
        if required or not only_required
    }
    before = "ENABLED" if operation.name == "DisableRegion" else "DISABLED"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        mocked.post(
            ENDPOINT + "/getRegionOptStatus",
            json={"RegionName": "af-south-1", "RegionOptStatus": before},
        )
        mocked.post(ENDPOINT + operation.path, body=b"{}")
        with contextlib.suppress(MalformedResponseError, OutcomeUnknownError):
            getattr(client, xform_name(operation.name))(**arguments)
        sent = [call.request for call in mocked.calls if call.request.path_url == operation.path]
    assert sent  # (a read answered "{}" is malformed and retried: each attempt is checked)
    assert all(set(json.loads(request.body or b"{}")) == wanted for request in sent)


@pytest.mark.parametrize("method", ["enable_region", "disable_region"])
def test_a_wait_that_is_not_a_bool_is_refused_before_anything_is_sent(
    client: AccountClient, method: str
) -> None:
    with responses.RequestsMock() as mocked:
        with pytest.raises(ParamValidationError) as caught:
            getattr(client, method)(region_name="af-south-1", wait="False")
        assert caught.value.parameter == "wait"
        assert "wait" in str(caught.value)
        assert len(mocked.calls) == 0


# -- pagination ------------------------------------------------------------------------


@responses.activate
def test_a_service_handing_out_fresh_page_tokens_forever_ends_after_max_pages(
    client: AccountClient,
) -> None:
    pages = [0]

    def fresh_page(_: Any) -> tuple[int, dict[str, str], str]:
        pages[0] += 1
        region = {"RegionName": "af-south-1", "RegionOptStatus": "DISABLED"}
        return 200, {}, json.dumps({"Regions": [region], "NextToken": f"token-{pages[0]}"})

    responses.add_callback(responses.POST, ENDPOINT + "/listRegions", callback=fresh_page)
    seen: list[object] = []

    def walk() -> None:
        for region in client.iter_regions():
            seen.append(region)

    with pytest.raises(PaginationError, match=f"after {MAX_PAGES} pages"):
        walk()
    assert pages[0] == MAX_PAGES
    assert len(seen) == MAX_PAGES


# -- interrupted switches -----------------------------------------------------------------


class _InterruptAt:
    """Answers as a service with af-south-1 and ap-east-1 DISABLED would; raises
    KeyboardInterrupt (Ctrl-C) at the ``at``-th request (0-based), once."""

    def __init__(self, at: int) -> None:
        self.at = at
        self.sent: list[str] = []

    def send(self, request: HttpRequest, *, deadline: float | None = None) -> HttpResponse:
        self.sent.append(request.url.removeprefix(ENDPOINT))
        if len(self.sent) - 1 == self.at:
            raise KeyboardInterrupt
        if request.url.endswith("/getRegionOptStatus"):
            region = json.loads(request.body)["RegionName"]
            return json_answer({"RegionName": region, "RegionOptStatus": "DISABLED"})
        return HttpResponse(status_code=200, headers={}, body=b"")

    def close(self) -> None:
        pass


@pytest.mark.parametrize("at", [0, 1], ids=["status-read", "enable-send"])
def test_ctrl_c_at_any_effect_of_enable_region_leaves_no_slot_claimed(at: int) -> None:
    clock = FakeClock()
    runtime = Runtime(clock=clock)
    transport = _InterruptAt(at)
    client = scripted_client(
        transport,
        runtime,
        rate_limiting=False,
        region_opt_concurrency_per_account=1,
    )
    with pytest.raises(KeyboardInterrupt):
        client.enable_region(region_name="af-south-1", account_id=MEMBER, timeout=1)
    assert transport.sent[at] == ["/getRegionOptStatus", "/enableRegion"][at]
    caller = client._path.aws.credentials().quota_holder
    caps = {"per_account": 1, "per_organization": 20}
    assert runtime.region_gate.blocking(caller, MEMBER, **caps) == []
    before = len(transport.sent)
    client.enable_region(region_name="ap-east-1", account_id=MEMBER, timeout=1)
    assert transport.sent[before:] == ["/getRegionOptStatus", "/enableRegion"]
    assert clock.sleeps == []  # nothing in the way to wait for
