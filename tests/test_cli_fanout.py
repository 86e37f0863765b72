"""account-mgmt over many accounts (--accounts, --ou, --all, --exclude), in process,
against an emulated organization with nested OUs and suspended/closed members."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner, Result

from account_mgmt import AccountClient
from account_mgmt.cli import EXIT_FAILED, EXIT_OK, main
from account_mgmt.exceptions import ResourceNotFoundException
from account_mgmt.testing import AccountEmulator

LAYOUT = {"/Prod/Payments": 2, "/Prod/Web": 2, "/Dev": 2}
"""Six members in OUs; the last of them SUSPENDED (suspended_count=1)."""

SECURITY = {
    "name": "Grace Hopper",
    "title": "Rear Admiral",
    "email_address": "grace@example.com",
    "phone_number": "+1 206 555 0100",
}


@pytest.fixture
def emulator() -> Iterator[AccountEmulator]:
    with AccountEmulator(
        member_count=6,
        ou_layout=LAYOUT,
        suspended_count=1,
        region_transition_seconds=0.0,
    ) as running:
        yield running


@pytest.fixture
def manager(emulator: AccountEmulator) -> Iterator[AccountClient]:
    with emulator.client() as client:
        yield client


def run(emulator: AccountEmulator, *args: str) -> Result:
    keys = emulator.credentials_for()
    return CliRunner().invoke(
        main,
        [*args, "--endpoint-url", emulator.url],
        env={
            "AWS_ACCESS_KEY_ID": keys.access_key_id,
            "AWS_SECRET_ACCESS_KEY": keys.secret_access_key,
        },
    )


def json_lines(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_audit_all_reports_every_account_present_missing_and_skipped(
    emulator: AccountEmulator, manager: AccountClient
) -> None:
    management = emulator.management_account_id
    first_member = emulator.accounts_under("/Prod/Payments")[0]
    manager.put_alternate_contact(alternate_contact_type="SECURITY", **SECURITY)  # standalone
    manager.put_alternate_contact(
        alternate_contact_type="SECURITY", account_id=first_member, **SECURITY
    )

    result = run(emulator, "contacts", "get", "--all", "--output", "json")

    assert result.exit_code == EXIT_OK, result.output
    lines = json_lines(result)
    summary = lines[-1]
    accounts = {line["account_id"]: line for line in lines[:-1]}
    organization = emulator.organization_account_ids
    assert set(accounts) == set(organization)
    assert summary == {
        "type": "summary",
        "command": "contacts get",
        "accounts": len(organization),
        "ok": len(organization) - 1,
        "failed": 0,
        "skipped": 1,
    }
    (suspended,) = [line for line in lines[:-1] if line["status"] == "skipped"]
    assert suspended["reason"] == "SUSPENDED"
    for account_id in (management, first_member):  # the management account called standalone
        security = accounts[account_id]["result"]["contacts"]["SECURITY"]
        assert security == {
            "state": "present",
            "name": "<redacted>",
            "title": "<redacted>",
            "email_address": "<redacted>",
            "phone_number": "<redacted>",
        }
    untouched = [
        line for line in lines[:-1]
        if line["status"] == "ok" and line["account_id"] not in (management, first_member)
    ]  # fmt: skip
    assert len(untouched) == len(organization) - 3
    for line in untouched:
        assert line["result"]["contacts"]["SECURITY"] == {"state": "missing"}
        assert line["result"]["contacts"]["BILLING"] == {"state": "missing"}
    assert "grace@example.com" not in result.output


def test_failed_account_is_reported_with_its_error_type_and_exit_1(
    emulator: AccountEmulator,
) -> None:
    # One worker: the first account (the management account, in id order) meets
    # every injected fault, through all its attempts; the rest run clean.
    emulator.inject("internal_error", count=3, operation="GetAccountInformation")

    result = run(emulator, "info", "--ou", "/Prod", "--accounts", emulator.management_account_id,
                 "--concurrency", "1")  # fmt: skip

    assert result.exit_code == EXIT_FAILED
    blocks = result.stdout.splitlines()
    assert blocks[0].startswith(
        f"{emulator.management_account_id}  failed  InternalServerException"
    )
    assert sum(1 for line in blocks if line.endswith("  ok")) == 4
    assert "info: 5 accounts: 4 ok, 1 failed, 0 skipped" in result.stderr
    assert "[5/5]" in result.stderr


def test_set_under_an_ou_with_an_exclusion_writes_only_the_targets(
    emulator: AccountEmulator, manager: AccountClient
) -> None:
    payments = emulator.accounts_under("/Prod/Payments")
    web = emulator.accounts_under("/Prod/Web")

    result = run(
        emulator,
        "contacts",
        "set",
        "--ou",
        "/Prod",
        "--exclude",
        "/Prod/Web",
        "--type",
        "OPERATIONS",
        "--name",
        SECURITY["name"],
        "--title",
        SECURITY["title"],
        "--email",
        SECURITY["email_address"],
        "--phone",
        SECURITY["phone_number"],
        "--quiet",
    )

    assert result.exit_code == EXIT_OK, result.output
    assert result.stderr == "account-mgmt: contacts set: 4 accounts: 2 ok, 0 failed, 2 skipped\n"
    for account_id in payments:
        contact = manager.get_alternate_contact(
            alternate_contact_type="OPERATIONS", account_id=account_id
        )
        assert contact.email_address == SECURITY["email_address"]
    for account_id in web:
        with pytest.raises(ResourceNotFoundException):
            manager.get_alternate_contact(
                alternate_contact_type="OPERATIONS", account_id=account_id
            )


def test_bad_value_stops_the_fan_out_before_anything_is_sent(emulator: AccountEmulator) -> None:
    result = run(
        emulator,
        "contacts",
        "set",
        "--all",
        "--type",
        "BILLING",
        "--name",
        "n",
        "--title",
        "t",
        "--email",
        "e@example.com",
        "--phone",
        "not a phone number",
    )

    assert result.exit_code == EXIT_FAILED
    assert result.stderr.splitlines()[-1].startswith("account-mgmt: error: ParamValidationError")
    assert "Traceback" not in result.output
    assert emulator.request_counts["PutAlternateContact"] == 0


def test_regions_enable_wait_over_an_ou_settles_every_account(
    emulator: AccountEmulator, manager: AccountClient
) -> None:
    dev = emulator.accounts_under("/Dev")
    active = [a for a in dev if emulator.account_state(a) == "ACTIVE"]

    result = run(
        emulator, "regions", "enable", "--ou", "/Dev", "--region-name", "af-south-1", "--wait",
        "--output", "json",
    )  # fmt: skip

    assert result.exit_code == EXIT_OK, result.output
    lines = json_lines(result)
    assert {line["account_id"] for line in lines[:-1] if line["status"] == "ok"} == set(active)
    for line in lines[:-1]:
        if line["status"] == "ok":
            assert line["result"] == {
                "regions": [{"region_name": "af-south-1", "region_opt_status": "ENABLED"}]
            }
    for account_id in active:
        region = manager.get_region_opt_status(region_name="af-south-1", account_id=account_id)
        assert region.region_opt_status == "ENABLED"


def test_unknown_ou_path_is_one_typed_line(emulator: AccountEmulator) -> None:
    result = run(emulator, "info", "--ou", "/Nowhere")

    assert result.exit_code == EXIT_FAILED
    assert result.stderr.startswith("account-mgmt: error: ParamValidationError")
    assert "Nowhere" in result.stderr
