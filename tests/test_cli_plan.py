"""``account-mgmt plan|apply|accounts list`` as a subprocess against the emulator."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from account_mgmt.testing import AccountEmulator, FaultKind

from ._cli_run import cli_environment, run_cli, start_cli

SPEC = """\
alternate_contacts:
  SECURITY: {name: Security Team, title: SecOps, email_address: sec@example.com,
             phone_number: "+1 206 555 0100"}
  BILLING: absent
regions:
  af-south-1: enabled
organizational_units:
  /OU1:
    regions: {af-south-1: disabled}
"""

WORLD = pytest.mark.account_emulator(
    member_count=6,
    ou_depth=1,
    ou_fanout=2,
    suspended_count=1,
    region_transition_seconds=0.3,
    seed=7,
)


def cli(emulator: AccountEmulator, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(cli_environment(emulator, tmp_path), *args)


@WORLD
def test_plan_apply_plan_again_exit_codes(
    account_emulator: AccountEmulator, tmp_path: Path
) -> None:
    spec = tmp_path / "desired.yaml"
    spec.write_text(SPEC)
    account_emulator.inject(FaultKind.THROTTLE, probability=0.05)  # faults on throughout
    first = cli(account_emulator, tmp_path, "plan", str(spec), "--all", "--output", "json")
    assert first.returncode == 2, first.stderr
    document = json.loads(first.stdout)
    assert document["changes"]
    for change in document["changes"]:
        assert {"account_id", "kind", "key", "action"} <= set(change)
    assert "sec@example.com" not in first.stdout
    assert {s["reason"] for s in document["skipped"]} == {"SUSPENDED"}
    under_ou1 = set(account_emulator.accounts_under("/OU1"))
    enabled = {c["account_id"] for c in document["changes"] if c["kind"] == "region"}
    assert not enabled & under_ou1

    applied = cli(account_emulator, tmp_path, "apply", str(spec), "--all", "--yes")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert " changed" in applied.stdout
    assert "skipped" in applied.stdout

    again = cli(account_emulator, tmp_path, "plan", str(spec), "--all")
    assert again.returncode == 0, again.stdout + again.stderr


@WORLD
def test_plan_text_masks_unless_show_sensitive(
    account_emulator: AccountEmulator, tmp_path: Path
) -> None:
    spec = tmp_path / "desired.yaml"
    spec.write_text(SPEC)
    member = account_emulator.member_account_ids[0]
    client = account_emulator.client()
    client.put_alternate_contact(
        alternate_contact_type="SECURITY",
        name="Old Name",
        title="SecOps",
        email_address="old@example.com",
        phone_number="+1 206 555 0100",
        account_id=member,
    )
    masked = cli(account_emulator, tmp_path, "plan", str(spec), "--accounts", member)
    assert masked.returncode == 2
    assert "update alternate_contact SECURITY (name, email_address)" in masked.stdout
    assert "old@example.com" not in masked.stdout + masked.stderr
    shown = cli(
        account_emulator, tmp_path, "plan", str(spec), "--accounts", member, "--show-sensitive"
    )
    assert "old@example.com" in shown.stdout


@WORLD
def test_spec_with_errors_reports_all_and_sends_nothing(
    account_emulator: AccountEmulator, tmp_path: Path
) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(
        "alternate_contacts:\n  SECURITY: {name: x}\nregions:\n  af-south-1: on\n"
        "accounts:\n  '123': {}\n"
    )
    result = cli(account_emulator, tmp_path, "apply", str(spec), "--all", "--yes")
    assert result.returncode == 1
    assert f"{spec}:2: alternate_contacts.SECURITY.title: is required" in result.stderr
    assert f"{spec}:4: regions.af-south-1" in result.stderr
    assert f"{spec}:6: accounts.123" in result.stderr
    assert sum(account_emulator.request_counts.values()) == 0


@pytest.mark.account_emulator(
    member_count=6, ou_depth=1, region_transition_seconds=2.0, enforce_quotas=True
)
def test_interrupted_apply_rerun_converges(
    account_emulator: AccountEmulator, tmp_path: Path
) -> None:
    spec = tmp_path / "desired.yaml"
    spec.write_text("regions: {af-south-1: enabled}\nalternate_contacts: {BILLING: absent}\n")
    process = start_cli(
        cli_environment(account_emulator, tmp_path), "apply", str(spec), "--all", "--yes"
    )
    give_up = time.monotonic() + 120
    while account_emulator.request_counts["EnableRegion"] < 1 and time.monotonic() < give_up:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr
    enables_before = account_emulator.request_counts["EnableRegion"]

    rerun = cli(account_emulator, tmp_path, "apply", str(spec), "--all", "--yes")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    accounts = len(account_emulator.organization_account_ids)
    # Each account's Region was enabled once in all: nothing redone after the interrupt.
    assert account_emulator.request_counts["EnableRegion"] == accounts
    assert enables_before >= 1
    final = cli(account_emulator, tmp_path, "plan", str(spec), "--all")
    assert final.returncode == 0, final.stdout + final.stderr


@WORLD
def test_accounts_list_by_ou_as_json(account_emulator: AccountEmulator, tmp_path: Path) -> None:
    result = cli(account_emulator, tmp_path, "accounts", "list", "--ou", "/OU2", "--output", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    listed = {row["account_id"] for row in document["accounts"]} | {
        row["account_id"] for row in document["skipped"]
    }
    assert listed == set(account_emulator.accounts_under("/OU2"))
    assert all(row["email"] in ("<redacted>", None) for row in document["accounts"])
    assert all(row["ou_path"].startswith("/OU2") for row in document["accounts"])
