"""``account-mgmt`` as a subprocess over an organization of 200 accounts in nested OUs,
with throttling and concurrent-modification faults switched on.

The emulator does not enforce the quotas here and the CLI is told, as a user
whose quotas AWS raised would tell it (``--quota``, through the
ACCOUNT_MGMT_QUOTAS variable), to pace far above the documented ones: what
is under test is the scale and the faults, not the pacing (for that, see
benchmarks/org_plan.py), and a 200-account job at the documented quotas
lasts minutes.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from account_mgmt.testing import AccountEmulator, FaultKind

from ._cli_run import cli_environment, run_cli, start_cli

ORGANIZATION = pytest.mark.account_emulator(
    member_count=200,
    ou_depth=3,
    ou_fanout=3,
    suspended_count=3,
    closed_count=2,
    org_empty_page_every=3,
    region_transition_seconds=0.1,
    enforce_quotas=False,
    seed=23,
)

RAISED_QUOTAS = (
    " ".join(
        f"{operation}=2000/200"
        for operation in (
            "GetAlternateContact",
            "PutAlternateContact",
            "DeleteAlternateContact",
            "GetContactInformation",
            "PutContactInformation",
            "ListRegions",
            "GetRegionOptStatus",
            "EnableRegion",
            "DisableRegion",
        )
    )
    + " Organizations=2000"
)

SPEC = """\
alternate_contacts:
  SECURITY: {name: Security Team, title: SecOps, email_address: sec@example.com,
             phone_number: "+1 206 555 0100"}
  BILLING: absent
regions:
  af-south-1: enabled
organizational_units:
  /OU1/OU1-2:
    regions: {af-south-1: disabled}
    alternate_contacts:
      OPERATIONS: {name: Ops, title: On call, email_address: ops@example.com,
                   phone_number: "+1 206 555 0101"}
"""


def account_mgmt(
    emulator: AccountEmulator, tmp_path: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    return run_cli(environment(emulator, tmp_path), *args, "--concurrency", "16", timeout=600)


def environment(emulator: AccountEmulator, tmp_path: Path) -> dict[str, str]:
    return cli_environment(
        emulator,
        tmp_path,
        AWS_MAX_ATTEMPTS="10",  # faults on everywhere: a streak must not fail a test
        ACCOUNT_MGMT_QUOTAS=RAISED_QUOTAS,
    )


def faults_on(emulator: AccountEmulator) -> None:
    # A few that fire for certain, then a share of everything at random.
    emulator.inject(FaultKind.CONCURRENT_MODIFICATION, count=2, operation="ListAccountsForParent")
    emulator.inject(FaultKind.THROTTLE, count=3, operation="PutAlternateContact")
    emulator.inject(FaultKind.THROTTLE, count=2, operation="EnableRegion")
    emulator.inject(FaultKind.THROTTLE, probability=0.03)
    for operation in ("ListAccountsForParent", "ListOrganizationalUnitsForParent"):
        emulator.inject(FaultKind.CONCURRENT_MODIFICATION, probability=0.05, operation=operation)


def accepted(emulator: AccountEmulator, operation: str) -> int:
    """Requests of ``operation`` the emulator acted on: received, less injected faults."""
    return emulator.request_counts[operation] - emulator.fault_counts[operation]


def active(emulator: AccountEmulator) -> set[str]:
    return {a for a in emulator.organization_account_ids if emulator.account_state(a) == "ACTIVE"}


@ORGANIZATION
def test_spec_errors_plan_apply_and_plan_again_over_two_hundred_accounts(
    account_emulator: AccountEmulator, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "alternate_contacts:\n  SECURITY: {name: x}\nregions:\n  af-south-1: on\n"
        "organizational_units:\n  Prod: {}\naccounts:\n  '123': {}\n"
    )
    refused = account_mgmt(account_emulator, tmp_path, "apply", str(bad), "--all", "--yes")
    assert refused.returncode == 1
    for line in (2, 4, 6, 8):  # every problem, each with its line
        assert f"{bad}:{line}: " in refused.stderr, refused.stderr
    assert sum(account_emulator.request_counts.values()) == 0

    spec = tmp_path / "desired.yaml"
    spec.write_text(SPEC)
    faults_on(account_emulator)
    everyone, targeted = set(account_emulator.organization_account_ids), active(account_emulator)
    assert len(everyone) == 202  # the management account, a delegated admin, 200 members
    overridden = set(account_emulator.accounts_under("/OU1/OU1-2")) & targeted
    assert overridden  # the seed puts accounts three levels down

    planned = account_mgmt(
        account_emulator, tmp_path, "plan", str(spec), "--all", "--output", "json"
    )
    assert planned.returncode == 2, planned.stderr
    document = json.loads(planned.stdout)
    assert document["failed"] == []
    assert {s["account_id"]: s["reason"] for s in document["skipped"]} == {
        a: account_emulator.account_state(a) for a in everyone - targeted
    }
    changes = {(c["account_id"], c["kind"], c["key"], c["action"]) for c in document["changes"]}
    assert {a for a, kind, _, _ in changes if kind == "region"} == targeted - overridden
    assert {(a, "alternate_contact", "SECURITY", "create") for a in targeted} <= changes
    assert {a for a, _, key, _ in changes if key == "OPERATIONS"} == overridden
    assert "sec@example.com" not in planned.stdout + planned.stderr

    applied = account_mgmt(account_emulator, tmp_path, "apply", str(spec), "--all", "--yes",
                           "--poll-interval", "0.2", "--output", "json")  # fmt: skip
    assert applied.returncode == 0, applied.stdout[-2000:] + applied.stderr[-2000:]
    result = json.loads(applied.stdout)
    assert result["converged"] is True
    rows = {row["account_id"]: row["outcome"] for row in result["outcomes"]}
    assert {a for a, outcome in rows.items() if outcome == "changed"} == targeted
    assert {a for a, outcome in rows.items() if outcome == "skipped"} == everyone - targeted
    assert accepted(account_emulator, "EnableRegion") == len(targeted - overridden)
    assert account_emulator.request_counts["ListParents"] == 0
    assert account_emulator.fault_counts["ListAccountsForParent"] >= 2  # the faults did fire
    assert account_emulator.fault_counts["PutAlternateContact"] >= 3
    assert account_emulator.fault_counts["EnableRegion"] >= 2

    again = account_mgmt(account_emulator, tmp_path, "plan", str(spec), "--all")
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    skipped = len(everyone - targeted)
    assert f"0 change(s) in 0 of {len(targeted)} account(s); 0 failed; {skipped} skipped" in (
        again.stderr
    )


@ORGANIZATION
def test_interrupted_apply_over_two_hundred_accounts_reruns_to_convergence(
    account_emulator: AccountEmulator, tmp_path: Path
) -> None:
    spec = tmp_path / "desired.yaml"
    spec.write_text(SPEC)
    faults_on(account_emulator)
    targeted = active(account_emulator)
    enabling = targeted - set(account_emulator.accounts_under("/OU1/OU1-2"))
    process = start_cli(
        environment(account_emulator, tmp_path),
        "apply", str(spec), "--all", "--yes", "--concurrency", "16", "--poll-interval", "0.2",
    )  # fmt: skip
    give_up = time.monotonic() + 300
    while account_emulator.request_counts["EnableRegion"] < 40 and time.monotonic() < give_up:
        time.sleep(0.02)  # readiness poll, not a timing assertion
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 130, stderr[-2000:]
    assert "interrupted" in stderr
    assert accepted(account_emulator, "EnableRegion") < len(enabling)  # stopped part of the way

    rerun = account_mgmt(account_emulator, tmp_path, "apply", str(spec), "--all", "--yes",
                         "--poll-interval", "0.2")  # fmt: skip
    assert rerun.returncode == 0, rerun.stdout[-2000:] + rerun.stderr[-2000:]
    # Each account's Region was enabled once in all: nothing sent before the
    # interrupt was sent again, and every account converged.
    assert accepted(account_emulator, "EnableRegion") == len(enabling)
    final = account_mgmt(account_emulator, tmp_path, "plan", str(spec), "--all")
    assert final.returncode == 0, final.stdout[-2000:] + final.stderr[-2000:]
