"""Enumerate, plan and apply against the emulator's organization: nested OUs, non-ACTIVE members."""

from __future__ import annotations

from pathlib import Path

import pytest

from account_mgmt import AccountClient
from account_mgmt.org import (
    AccountSelection,
    DesiredState,
    DesiredStateError,
    OrganizationsClient,
    apply,
    load_desired_state,
    plan,
    select_accounts,
)
from account_mgmt.testing import AccountEmulator, FaultKind

NESTED = pytest.mark.account_emulator(
    member_count=30,
    ou_depth=3,
    ou_fanout=2,
    suspended_count=2,
    closed_count=1,
    org_empty_page_every=2,
    region_transition_seconds=0.2,
)

SPEC = """\
alternate_contacts:
  SECURITY: {name: Security Team, title: SecOps, email_address: sec@example.com,
             phone_number: "+1 206 555 0100"}
regions:
  af-south-1: enabled
organizational_units:
  /OU1/OU1-1:
    regions: {af-south-1: disabled}
"""


def organizations_for(emulator: AccountEmulator, **options: object) -> OrganizationsClient:
    credentials = emulator.credentials_for()
    return OrganizationsClient(
        endpoint_url=emulator.url,
        aws_access_key_id=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
        requests_per_second=200.0,
        **options,  # type: ignore[arg-type]
    )


@NESTED
def test_whole_organization_matches_the_emulators_tree(account_emulator: AccountEmulator) -> None:
    with organizations_for(account_emulator) as organizations:
        targets = select_accounts(AccountSelection(all_accounts=True), organizations)
    everyone = set(account_emulator.organization_account_ids)
    active = {a for a in everyone if account_emulator.account_state(a) == "ACTIVE"}
    assert set(targets.account_ids) == active
    assert {s.account_id: s.reason for s in targets.skipped} == {
        a: account_emulator.account_state(a) for a in everyone - active
    }
    assert account_emulator.request_counts["ListParents"] == 0
    assert account_emulator.request_counts["ListAccounts"] == 0
    for account in targets.accounts:
        assert account.parent_id == account_emulator.account_parent_id(account.id)
    assert targets.call_account_id(account_emulator.management_account_id) is None


@NESTED
def test_ou_path_selects_its_subtree(account_emulator: AccountEmulator) -> None:
    with organizations_for(account_emulator) as organizations:
        targets = select_accounts(AccountSelection(ou_paths=("/OU2",)), organizations)
        flat = select_accounts(AccountSelection(ou_paths=("/OU2",), recursive=False), organizations)
    expected = set(account_emulator.accounts_under("/OU2"))
    chosen = set(targets.account_ids) | {s.account_id for s in targets.skipped}
    assert chosen == expected
    assert set(flat.account_ids) <= set(account_emulator.accounts_under("/OU2", recursive=False))
    assert all(a.ou_path is not None and a.ou_path.startswith("/OU2") for a in targets.accounts)


@NESTED
def test_throttled_enumeration_is_retried(account_emulator: AccountEmulator) -> None:
    account_emulator.inject(FaultKind.THROTTLE, count=2, operation="ListAccountsForParent")
    account_emulator.inject(
        FaultKind.CONCURRENT_MODIFICATION, count=1, operation="ListOrganizationalUnitsForParent"
    )
    with organizations_for(account_emulator) as organizations:
        targets = select_accounts(AccountSelection(all_accounts=True), organizations)
    active = [
        a
        for a in account_emulator.organization_account_ids
        if account_emulator.account_state(a) == "ACTIVE"
    ]
    assert len(targets.accounts) == len(active)


@pytest.mark.account_emulator(
    member_count=10,
    ou_depth=2,
    ou_fanout=2,
    suspended_count=1,
    org_empty_page_every=2,
    region_transition_seconds=0.2,
)
def test_plan_apply_plan_again_is_empty_with_ou_overrides(
    account_emulator: AccountEmulator, account_client: AccountClient, tmp_path: Path
) -> None:
    spec = tmp_path / "desired.yaml"
    spec.write_text(SPEC)
    desired = load_desired_state(spec)
    with organizations_for(account_emulator) as organizations:
        targets = select_accounts(AccountSelection(all_accounts=True), organizations)
    first = plan(account_client, targets, desired)
    assert not first.failed
    under_override = set(account_emulator.accounts_under("/OU1/OU1-1"))
    enables = {c.account_id for c in first.changes if c.kind == "region"}
    assert enables == set(targets.account_ids) - under_override
    result = apply(account_client, first, poll_interval=0.05, region_timeout=60.0)
    assert result.converged, [o for o in result.outcomes if o.outcome == "failed"]
    assert result.count("changed") == len(targets.accounts)
    assert {o.account_id for o in result.outcomes if o.outcome == "skipped"} == {
        s.account_id for s in targets.skipped
    }
    assert plan(account_client, targets, desired).changes == ()


@NESTED
def test_spec_with_errors_sends_nothing(account_emulator: AccountEmulator, tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(
        "alternate_contacts:\n  SECURITY: {name: x}\nregions:\n  af-south-1: on\n"
        "accounts:\n  '123': {}\n"
    )
    with pytest.raises(DesiredStateError) as caught:
        load_desired_state(spec)
    assert len(caught.value.problems) >= 5  # 3 missing fields, the Region value, the id
    assert sum(account_emulator.request_counts.values()) == 0


@pytest.mark.account_emulator(
    member_count=200,
    ou_depth=3,
    ou_fanout=3,
    suspended_count=3,
    closed_count=2,
    org_empty_page_every=3,
    region_transition_seconds=0.1,
    enforce_quotas=False,
    seed=11,
)
def test_two_hundred_accounts_in_nested_ous_converge_with_faults_on(
    account_emulator: AccountEmulator,
) -> None:
    # Quotas off on both sides so the scale, not the pacing, is under test;
    # the pacing is measured by benchmarks/org_plan.py.
    account_emulator.inject(FaultKind.THROTTLE, probability=0.03)
    for operation in ("ListAccountsForParent", "ListOrganizationalUnitsForParent"):
        account_emulator.inject(
            FaultKind.CONCURRENT_MODIFICATION, probability=0.05, operation=operation
        )
    desired = load_desired_state_text(SPEC)
    with (
        organizations_for(account_emulator, max_attempts=10) as organizations,
        account_emulator.client(
            rate_limiting=False, max_attempts=10, max_pool_connections=16
        ) as client,
    ):
        targets = select_accounts(AccountSelection(all_accounts=True), organizations)
        assert len(targets.accounts) == len(account_emulator.organization_account_ids) - 5
        first = plan(client, targets, desired, max_workers=16)
        assert not first.failed
        result = apply(client, first, max_workers=16, poll_interval=0.05, region_timeout=120.0)
        assert result.converged, [o.error for o in result.outcomes if o.outcome == "failed"]
        again = plan(client, targets, desired, max_workers=16)
        assert again.changes == ()
        assert not again.failed


def load_desired_state_text(text: str) -> DesiredState:
    from account_mgmt.org import parse_desired_state

    return parse_desired_state(text, "desired.yaml")
