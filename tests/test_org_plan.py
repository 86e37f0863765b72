"""plan and apply against the emulator: diff, converge, idempotence, failures kept per account."""

from __future__ import annotations

import json

import pytest

from account_mgmt import AccountClient, AlternateContact
from account_mgmt.models import REDACTED
from account_mgmt.org import (
    AccountSelection,
    OrgAccount,
    Organization,
    Targets,
    apply,
    parse_desired_state,
    plan,
    select_accounts,
)
from account_mgmt.testing import AccountEmulator, FaultKind

SPEC = """\
alternate_contacts:
  SECURITY: {name: Security Team, title: SecOps, email_address: sec@example.com,
             phone_number: "+1 206 555 0100"}
  BILLING: absent
regions:
  af-south-1: enabled
accounts:
  "300000000001":
    alternate_contacts:
      OPERATIONS: {name: Ops, title: On call, email_address: ops@example.com,
                   phone_number: "+1 206 555 0101"}
"""

FAST = pytest.mark.account_emulator(member_count=3, region_transition_seconds=0.2)


def targets_for(emulator: AccountEmulator, *, with_management: bool = False) -> Targets:
    ids = list(emulator.member_account_ids)
    if with_management:
        ids.append(emulator.management_account_id)
    return Targets(
        organization=Organization(
            id="o-emulator01", management_account_id=emulator.management_account_id
        ),
        accounts=tuple(OrgAccount(id=i, state="ACTIVE", ou_path="/") for i in sorted(ids)),
    )


def run_apply(client: AccountClient, the_plan: object) -> object:
    from account_mgmt.org import Plan

    assert isinstance(the_plan, Plan)
    return apply(client, the_plan, poll_interval=0.05, region_timeout=30.0)


@FAST
def test_plan_lists_creates_enables_and_an_override(
    account_emulator: AccountEmulator, account_client: AccountClient
) -> None:
    desired = parse_desired_state(SPEC, "spec.yaml")
    result = plan(account_client, targets_for(account_emulator), desired)
    assert not result.failed
    changes = {(c.account_id, c.kind, c.key, c.action) for c in result.changes}
    for account_id in account_emulator.member_account_ids:
        assert (account_id, "alternate_contact", "SECURITY", "create") in changes
        assert (account_id, "region", "af-south-1", "enable") in changes
    assert ("300000000001", "alternate_contact", "OPERATIONS", "create") in changes
    assert not any(c.action == "delete" for c in result.changes)  # no BILLING contact exists
    assert account_emulator.request_counts["PutAlternateContact"] == 0
    assert account_emulator.request_counts["EnableRegion"] == 0


@FAST
def test_apply_converges_and_a_second_plan_is_empty(
    account_emulator: AccountEmulator, account_client: AccountClient
) -> None:
    member = account_emulator.member_account_ids[0]
    account_client.put_alternate_contact(
        alternate_contact_type="BILLING",
        name="Old",
        title="Old",
        email_address="old@example.com",
        phone_number="+1 555",
        account_id=member,
    )
    desired = parse_desired_state(SPEC, "spec.yaml")
    targets = targets_for(account_emulator, with_management=True)
    first = plan(account_client, targets, desired)
    assert ("BILLING", "delete") in {
        (c.key, c.action) for c in first.changes if c.account_id == member
    }
    result = apply(account_client, first, poll_interval=0.05, region_timeout=30.0)
    assert result.converged
    assert {o.outcome for o in result.outcomes} == {"changed"}
    second = plan(account_client, targets, desired)
    assert second.changes == ()
    assert not second.has_changes
    # The management account was changed in standalone mode.
    contact = account_client.get_alternate_contact(alternate_contact_type="SECURITY")
    assert contact.email_address == "sec@example.com"
    status = account_client.get_region_opt_status(region_name="af-south-1", account_id=member)
    assert status.region_opt_status == "ENABLED"


@FAST
def test_update_names_the_differing_fields_and_ignores_spacing(
    account_emulator: AccountEmulator, account_client: AccountClient
) -> None:
    member = account_emulator.member_account_ids[1]
    account_client.put_alternate_contact(
        alternate_contact_type="SECURITY",
        name="Security  Team ",
        title="Sec",
        email_address="sec@example.com",
        phone_number="+1 206 555 0100",
        account_id=member,
    )
    desired = parse_desired_state(
        "alternate_contacts:\n" + SPEC.split("\n", 1)[1].split("  BILLING")[0], "s.yaml"
    )
    result = plan(account_client, targets_for(account_emulator), desired)
    (change,) = [c for c in result.changes if c.account_id == member]
    assert (change.action, change.fields) == ("update", ("title",))


@FAST
def test_disabling_a_default_region_is_a_plan_problem_not_a_change(
    account_emulator: AccountEmulator, account_client: AccountClient
) -> None:
    desired = parse_desired_state(
        "regions: {us-east-1: disabled, af-south-1: disabled}\n", "s.yaml"
    )
    result = plan(account_client, targets_for(account_emulator), desired)
    assert result.changes == ()
    assert len(result.failed) == 3
    problem = result.failed[0].problems[0]
    assert (problem.key, "ENABLED_BY_DEFAULT" in problem.message) == ("us-east-1", True)
    applied = apply(account_client, result)
    assert not applied.converged
    assert account_emulator.request_counts["DisableRegion"] == 0


@FAST
def test_one_failing_account_is_recorded_and_the_others_planned(
    account_emulator: AccountEmulator,
) -> None:
    client = account_emulator.client(max_attempts=1)
    account_emulator.inject(FaultKind.INTERNAL_ERROR, count=1, operation="ListRegions")
    desired = parse_desired_state("regions: {af-south-1: enabled}\n", "s.yaml")
    result = plan(client, targets_for(account_emulator), desired, max_workers=1)
    (failed,) = result.failed
    assert failed.error is not None
    assert failed.error.error_code == "InternalServerException"  # type: ignore[attr-defined]
    assert len(result.changes) == 2
    rendered = result.to_json()
    assert rendered["failed"] == [
        {
            "account_id": failed.account_id,
            "error": {
                "type": "InternalServerException",
                "error_code": "InternalServerException",
                "message": str(failed.error),
            },
        }
    ]


@FAST
def test_renderings_mask_contacts_unless_asked(
    account_emulator: AccountEmulator, account_client: AccountClient
) -> None:
    desired = parse_desired_state(SPEC, "spec.yaml")
    result = plan(account_client, targets_for(account_emulator), desired)
    masked = json.dumps(result.to_json())
    assert "sec@example.com" not in masked
    assert "+1 206 555 0100" not in masked
    assert REDACTED in masked
    assert "sec@example.com" not in " ".join(c.describe() for c in result.changes)
    assert "sec@example.com" in json.dumps(result.to_json(show_sensitive=True))
    change = result.changes[0].to_json()
    assert {"account_id", "kind", "key", "action"} <= set(change)


@FAST
def test_interrupted_apply_rerun_converges(
    account_emulator: AccountEmulator, account_client: AccountClient
) -> None:
    # Contacts only: an account is reported done as soon as its changes are sent.
    contacts_only = SPEC.replace("regions:\n  af-south-1: enabled\n", "")
    desired = parse_desired_state(contacts_only, "spec.yaml")
    assert not desired.defaults.regions
    targets = targets_for(account_emulator)
    first = plan(account_client, targets, desired)

    class Interrupt(Exception):
        pass

    seen: list[str] = []

    def stop_after_first(event: object) -> None:
        from account_mgmt.org import ProgressEvent

        assert isinstance(event, ProgressEvent)
        if event.phase == "done":
            seen.append(event.account_id)
            raise Interrupt

    with pytest.raises(Interrupt):
        apply(
            account_client, first, max_workers=1, on_progress=stop_after_first, poll_interval=0.05
        )
    assert len(seen) == 1
    puts_before = account_emulator.request_counts["PutAlternateContact"]
    rerun = plan(account_client, targets, desired)
    remaining = {c.account_id for c in rerun.changes}
    # The account reported done (and any in flight with it) is not planned again...
    assert remaining
    assert not remaining & set(seen)
    result = apply(account_client, rerun, poll_interval=0.05, region_timeout=30.0)
    assert result.converged
    assert {o.account_id for o in result.outcomes if o.outcome == "changed"} == remaining
    # ...and nothing done before the interruption was sent again.
    puts = [c for c in rerun.changes if c.kind == "alternate_contact"]
    assert account_emulator.request_counts["PutAlternateContact"] - puts_before == len(puts)
    assert len(puts) < len([c for c in first.changes if c.kind == "alternate_contact"])
    assert plan(account_client, targets, desired).changes == ()


@pytest.mark.account_emulator(member_count=2)
def test_skipped_accounts_are_carried_to_the_outcome(account_client: AccountClient) -> None:
    targets = select_accounts(
        AccountSelection(account_ids=("300000000000", "300000000001"), exclude=("300000000001",)),
        None,
    )
    desired = parse_desired_state("alternate_contacts: {BILLING: absent}\n", "s.yaml")
    result = apply(account_client, plan(account_client, targets, desired))
    assert [(o.account_id, o.outcome) for o in result.outcomes] == [
        ("300000000000", "unchanged"),
        ("300000000001", "skipped"),
    ]
    assert result.outcomes[1].reason == "excluded"
    assert result.converged


def test_alternate_contact_model_is_what_plan_compares() -> None:
    # A guard for the comparison's field list: the model has exactly these fields.
    import attrs

    assert [f.name for f in attrs.fields(AlternateContact)] == [
        "alternate_contact_type",
        "name",
        "title",
        "email_address",
        "phone_number",
    ]


@pytest.mark.account_emulator(member_count=1)
def test_standalone_targets_call_without_account_id(
    account_emulator: AccountEmulator, account_client: AccountClient
) -> None:
    targets = Targets.for_caller(account_emulator.management_account_id)
    assert targets.call_account_id(account_emulator.management_account_id) is None
    desired = parse_desired_state(SPEC, "spec.yaml")
    result = apply(account_client, plan(account_client, targets, desired), poll_interval=0.05)
    assert result.converged
    contact = account_client.get_alternate_contact(alternate_contact_type="SECURITY")
    assert contact.title == "SecOps"


@pytest.mark.account_emulator(member_count=4, region_transition_seconds=0.2)
def test_an_accounts_switch_is_waited_on_while_later_accounts_are_sent(
    account_emulator: AccountEmulator, account_client: AccountClient
) -> None:
    import threading

    from account_mgmt.org import ProgressEvent

    targets = targets_for(account_emulator)
    desired = parse_desired_state("regions: {af-south-1: enabled}\n", "spec.yaml")
    the_plan = plan(account_client, targets, desired)
    last = targets.accounts[-1].id
    one_done = threading.Event()
    held: list[bool] = []

    def hold_the_last_until_one_is_done(event: ProgressEvent) -> None:
        if event.phase == "done":
            one_done.set()
        if event.phase == "started" and event.account_id == last:
            # With the waits after all the sending (as before), no account is done
            # before the last one starts: this would give up after a minute.
            held.append(one_done.wait(timeout=60))

    result = apply(
        account_client,
        the_plan,
        max_workers=1,
        on_progress=hold_the_last_until_one_is_done,
        poll_interval=0.05,
        region_timeout=60.0,
    )
    assert held == [True]
    assert result.converged
    assert result.count("changed") == 4


@pytest.mark.account_emulator(member_count=4, region_transition_seconds=600.0)
def test_a_callback_failing_while_switches_settle_stops_the_sending_and_the_waits(
    account_emulator: AccountEmulator, account_client: AccountClient
) -> None:
    from account_mgmt.org import ProgressEvent

    targets = targets_for(account_emulator)
    desired = parse_desired_state("regions: {af-south-1: enabled}\n", "spec.yaml")
    the_plan = plan(account_client, targets, desired)

    class Stop(Exception):
        pass

    def stop_at_the_first_wait(event: ProgressEvent) -> None:
        if event.phase == "waiting_region_switch":
            raise Stop  # on a waiting thread, while the sending thread goes on

    with pytest.raises(Stop) as caught:
        apply(
            account_client,
            the_plan,
            max_workers=1,
            on_progress=stop_at_the_first_wait,
            poll_interval=0.05,
            region_timeout=30.0,
        )
    sent = account_emulator.request_counts["EnableRegion"]
    # The sending stopped (EnableRegion's 1/s pacing leaves it time to see the stop)...
    assert 1 <= sent < len(targets.accounts)
    # ...and so did the waits: waiting out their 30 s at these intervals would have
    # read the status about ninety times.
    assert account_emulator.request_counts["GetRegionOptStatus"] < 10
    note = "\n".join(getattr(caught.value, "__notes__", []))
    assert "apply stopped; where each account stood:" in note
    assert "switching, not waited for: af-south-1" in note
    assert "not started" in note


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"region_timeout": -1.0}, "region_timeout"),
        ({"poll_interval": float("inf")}, "poll_interval"),
        ({"poll_interval": 0}, "poll_interval"),
        ({"max_workers": 0}, "max_workers"),
    ],
)
def test_bad_apply_options_are_refused_before_anything_is_sent(
    options: dict[str, object], field: str
) -> None:
    from account_mgmt import ParamValidationError
    from account_mgmt.org import Plan

    with pytest.raises(ParamValidationError) as caught:
        apply(None, Plan(accounts=(), skipped=()), **options)  # type: ignore[arg-type]
    assert field in str(caught.value)
