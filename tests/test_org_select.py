"""Enumerating the organization: top-down walk, OU paths, excludes, skipped accounts."""

from __future__ import annotations

from pathlib import Path

import pytest

from account_mgmt import FakeClock, Runtime
from account_mgmt.exceptions import ParamValidationError
from account_mgmt.org import (
    AccountSelection,
    OrganizationsClient,
    format_ou_path,
    parse_ou_path,
    read_account_ids_file,
    select_accounts,
)
from tests._org_fake import FakeOrganizations


def org_client(fake: FakeOrganizations) -> OrganizationsClient:
    return OrganizationsClient(
        aws_access_key_id="AKIDORGTEST000000001",
        aws_secret_access_key="secret",
        transport=fake,
        requests_per_second=10_000.0,
        runtime=Runtime(clock=FakeClock()),
    )


def sample_org() -> FakeOrganizations:
    """root: mgmt, 100000000001(SUSPENDED) | Prod: 100000000002 | Prod/Payments: 100000000003,
    100000000004(CLOSED) | Prod/Pay/ments (a '/' in a name): 100000000005 | Dev: 100000000006"""
    fake = FakeOrganizations(page_size=1, empty_pages=True)
    prod = fake.add_ou("ou-abcd-prod0001", "Prod")
    payments = fake.add_ou("ou-abcd-paym0001", "Payments", prod)
    slash = fake.add_ou("ou-abcd-slsh0001", "Pay/ments", prod)
    dev = fake.add_ou("ou-abcd-dev00001", "Dev")
    fake.add_account("111111111111")
    fake.add_account("100000000001", state="SUSPENDED")
    fake.add_account("100000000002", prod)
    fake.add_account("100000000003", payments)
    fake.add_account("100000000004", payments, state="CLOSED")
    fake.add_account("100000000005", slash)
    fake.add_account("100000000006", dev)
    return fake


def test_all_accounts_targets_active_ones_and_reports_the_rest_with_their_state() -> None:
    fake = sample_org()
    targets = select_accounts(AccountSelection(all_accounts=True), org_client(fake))
    assert targets.account_ids == (
        "100000000002",
        "100000000003",
        "100000000005",
        "100000000006",
        "111111111111",
    )
    assert {(s.account_id, s.reason) for s in targets.skipped} == {
        ("100000000001", "SUSPENDED"),
        ("100000000004", "CLOSED"),
    }
    paths = {a.id: a.ou_path for a in targets.accounts}
    assert paths["100000000005"] == "/Prod/Pay\\/ments"
    assert paths["111111111111"] == "/"
    assert "ListParents" not in fake.operations
    assert "ListAccounts" not in fake.operations


def test_management_account_is_called_without_account_id() -> None:
    targets = select_accounts(AccountSelection(all_accounts=True), org_client(sample_org()))
    assert targets.call_account_id("111111111111") is None
    assert targets.call_account_id("100000000002") == "100000000002"


def test_ou_path_is_recursive_by_default_and_walks_only_its_subtree() -> None:
    fake = sample_org()
    targets = select_accounts(AccountSelection(ou_paths=("/Prod",)), org_client(fake))
    assert targets.account_ids == ("100000000002", "100000000003", "100000000005")
    parents_listed = {
        r.body
        for r in fake.requests
        if b"ListAccountsForParent" in r.headers["X-Amz-Target"].encode()
    }
    assert not any(b"ou-abcd-dev00001" in body for body in parents_listed)


def test_ou_path_not_recursive_takes_direct_children_only() -> None:
    targets = select_accounts(
        AccountSelection(ou_paths=("/Prod",), recursive=False), org_client(sample_org())
    )
    assert targets.account_ids == ("100000000002",)


def test_ou_name_with_a_slash_is_reached_by_its_escaped_path() -> None:
    targets = select_accounts(
        AccountSelection(ou_paths=("/Prod/Pay\\/ments",)), org_client(sample_org())
    )
    assert targets.account_ids == ("100000000005",)


def test_ou_names_match_exactly() -> None:
    with pytest.raises(ParamValidationError, match="no OU named 'prod'"):
        select_accounts(AccountSelection(ou_paths=("/prod",)), org_client(sample_org()))


def test_excludes_take_accounts_and_whole_ous_out() -> None:
    targets = select_accounts(
        AccountSelection(all_accounts=True, exclude=("/Prod/Payments", "100000000006")),
        org_client(sample_org()),
    )
    assert targets.account_ids == ("100000000002", "100000000005", "111111111111")
    reasons = {s.account_id: s.reason for s in targets.skipped}
    assert reasons["100000000003"] == "excluded"
    assert reasons["100000000006"] == "excluded"


def test_ou_id_selection_and_unknown_explicit_ids() -> None:
    targets = select_accounts(
        AccountSelection(ou_ids=("ou-abcd-dev00001",), account_ids=("999999999999",)),
        org_client(sample_org()),
    )
    assert targets.account_ids == ("100000000006",)
    assert [(s.account_id, s.reason) for s in targets.skipped] == [
        ("999999999999", "not in the organization")
    ]


def test_explicit_ids_without_an_organization_are_all_targeted() -> None:
    targets = select_accounts(
        AccountSelection(account_ids=("100000000002", "100000000003"), exclude=("100000000003",)),
        None,
    )
    assert targets.organization is None
    assert targets.account_ids == ("100000000002",)
    assert targets.call_account_id("100000000002") == "100000000002"


def test_bad_selection_lists_every_problem_before_anything_is_sent() -> None:
    fake = sample_org()
    with pytest.raises(ParamValidationError) as caught:
        select_accounts(
            AccountSelection(account_ids=("12345",), ou_ids=("ou-x",), ou_paths=("Prod",)),
            org_client(fake),
        )
    assert {v[0] for v in caught.value.violations} == {"account_ids[0]", "ou_ids[0]", "ou_paths[0]"}
    assert fake.requests == []


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("/", ()),
        ("/Prod", ("Prod",)),
        ("/Prod/", ("Prod",)),
        ("/Prod/Payments", ("Prod", "Payments")),
        ("/a\\/b/c", ("a/b", "c")),
        ("/back\\\\slash", ("back\\slash",)),
    ],
)
def test_ou_paths_parse_and_format_round_trip(path: str, names: tuple[str, ...]) -> None:
    assert parse_ou_path(path) == names
    assert parse_ou_path(format_ou_path(names)) == names


@pytest.mark.parametrize("path", ["Prod", "//Prod", "/Prod//x", "/Prod\\"])
def test_malformed_ou_paths_are_refused(path: str) -> None:
    with pytest.raises(ParamValidationError):
        parse_ou_path(path)


def test_account_ids_file_reads_ids_and_reports_bad_lines(tmp_path: Path) -> None:
    good = tmp_path / "ids.txt"
    good.write_text("# prod accounts\n100000000002\n\n100000000003  # payments\n100000000002\n")
    assert read_account_ids_file(good) == ("100000000002", "100000000003")
    bad = tmp_path / "bad.txt"
    bad.write_text("100000000002\n1234\nabc\n")
    with pytest.raises(ParamValidationError) as caught:
        read_account_ids_file(bad)
    assert [v[0] for v in caught.value.violations] == [f"{bad}:2", f"{bad}:3"]
