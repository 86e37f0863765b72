"""account-mgmt as a user runs it: a fresh interpreter per command, against the emulator.

Each test here costs an interpreter start (about half a second), so there
are few; behaviour in detail is in test_cli.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from account_mgmt.testing import AccountEmulator

from .conftest import sigint_as_in_a_terminal

ROOT = Path(__file__).resolve().parents[1]
"""The checkout: ``python -m`` run from here imports this tree, not an installed copy."""

HEAVY = ("botocore", "requests", "urllib3", "account_mgmt._client")
"""What ``--help`` must not import: the AWS stack and the client that loads it."""

DRAWING = ("rich", "yaml", "account_mgmt.cli._common", "account_mgmt.cli._contacts")
"""What ``--help`` must not import: rich and PyYAML, and the command modules (lazy)."""

_HELP_PROBE = """
import json, runpy, sys
sys.argv = ["account-mgmt", "--help"]
code = 0
try:
    runpy.run_module("account_mgmt.cli", run_name="__main__")
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def account_mgmt(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``account-mgmt ARGS`` in a fresh interpreter (``python -m account_mgmt.cli``)."""
    return subprocess.run(
        [sys.executable, "-m", "account_mgmt.cli", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def help_run() -> dict[str, Any]:
    probe = subprocess.run(
        [sys.executable, "-c", _HELP_PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report: dict[str, Any] = json.loads(probe.stderr.strip().splitlines()[-1])
    report["stdout"] = probe.stdout
    return report


def test_help_loads_no_command_module_and_no_drawing_library(help_run: dict[str, Any]) -> None:
    assert help_run["code"] == 0
    assert "contact-info" in help_run["stdout"]
    assert "click" in help_run["modules"]
    assert [name for name in DRAWING if name in help_run["modules"]] == []


def test_help_imports_no_aws_stack(help_run: dict[str, Any]) -> None:
    assert [name for name in HEAVY if name in help_run["modules"]] == []


@pytest.fixture
def emulator() -> Iterator[AccountEmulator]:
    with AccountEmulator(member_count=2, region_transition_seconds=0.0) as running:
        yield running


def test_set_then_audit_against_the_emulator_with_env_credentials(
    emulator: AccountEmulator,
) -> None:
    keys = emulator.credentials_for()
    env = {"AWS_ACCESS_KEY_ID": keys.access_key_id, "AWS_SECRET_ACCESS_KEY": keys.secret_access_key}
    endpoint = ("--endpoint-url", emulator.url)

    set_ = account_mgmt(
        "contacts",
        "set",
        "--type",
        "SECURITY",
        "--name",
        "Grace Hopper",
        "--title",
        "Rear Admiral",
        "--email",
        "grace@example.com",
        "--phone",
        "+1 206 555 0100",
        *endpoint,
        env=env,
    )
    audit = account_mgmt("contacts", "get", "--all", "--output", "json", *endpoint, env=env)
    refused = account_mgmt(
        "contacts", "get", *endpoint, env={**env, "AWS_SECRET_ACCESS_KEY": "wrong-secret-0123"}
    )

    assert set_.returncode == 0, set_.stderr
    assert set_.stdout == "SECURITY    set\n"
    assert audit.returncode == 0, audit.stderr
    *accounts, summary = [json.loads(line) for line in audit.stdout.splitlines()]
    assert summary["type"] == "summary"
    assert summary["ok"] == len(emulator.organization_account_ids)
    by_id = {line["account_id"]: line["result"]["contacts"] for line in accounts}
    management = by_id[emulator.management_account_id]  # set above in standalone mode
    assert management["SECURITY"]["state"] == "present"
    assert management["SECURITY"]["email_address"] == "<redacted>"
    assert management["BILLING"] == {"state": "missing"}
    for member in emulator.member_account_ids:
        assert by_id[member]["SECURITY"] == {"state": "missing"}
    count = len(emulator.organization_account_ids)
    assert f"[{count}/{count}]" in audit.stderr  # plain progress lines: stderr is not a TTY
    assert refused.returncode == 1
    assert refused.stderr.startswith("account-mgmt: error: InvalidSignatureException")
    assert refused.stderr.count("\n") == 1
    everything = set_.stdout + set_.stderr + audit.stdout + audit.stderr + refused.stderr
    for secret in (keys.secret_access_key, "wrong-secret-0123", "grace@example.com"):
        assert secret not in everything


def test_local_acts_on_a_built_in_emulator() -> None:
    result = account_mgmt("info", "--local", "--output", "json")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["account_id"] == "111111111111"
    assert "--local: acting on a built-in emulator" in result.stderr
    assert "secret" not in result.stderr


def test_ctrl_c_during_region_waits_exits_130_at_once_listing_accounts_in_flight() -> None:
    # Switches that take ten minutes: if Ctrl-C waited for the accounts in
    # flight, communicate() would time out and fail the test.
    with AccountEmulator(member_count=2, region_transition_seconds=600.0) as emulator:
        keys = emulator.credentials_for()
        process = subprocess.Popen(
            [sys.executable, "-m", "account_mgmt.cli", "regions", "enable", "--all",
             "--region-name", "af-south-1", "--wait", "--endpoint-url", emulator.url],
            cwd=ROOT,
            env={**os.environ, "AWS_ACCESS_KEY_ID": keys.access_key_id,
                 "AWS_SECRET_ACCESS_KEY": keys.secret_access_key},
            preexec_fn=sigint_as_in_a_terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        accounts = len(emulator.organization_account_ids)
        while emulator.request_counts["EnableRegion"] < accounts and process.poll() is None:
            time.sleep(0.05)  # readiness poll, not a timing assertion
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)

    assert process.returncode == 130
    assert stderr.splitlines()[0] == "account-mgmt: interrupted"
    assert f"0 of {accounts} accounts finished, {accounts} in flight" in stderr
    assert f"{emulator.management_account_id} in flight" in stderr
    assert "Traceback" not in stderr
    assert stdout == ""
