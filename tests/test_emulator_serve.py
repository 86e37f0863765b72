"""``python -m account_mgmt.testing serve`` as a user runs it: keys for four identities, an
env file, a seed file and a request log, driven as a subprocess over loopback."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import pytest

import account_mgmt

REPO_ROOT = Path(account_mgmt.__file__).resolve().parent.parent
"""The checkout under test: put first on the subprocess's path."""

STARTUP_LIMIT = 60.0
"""Seconds to wait for a line from the server before calling it hung (not a timing assertion)."""


class Server:
    """A running ``serve`` subprocess and the lines it prints."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "account_mgmt.testing", "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str) -> str:
        while True:
            line = self.lines.get(timeout=STARTUP_LIMIT)
            self.seen.append(line)
            if text in line:
                return line

    def drain(self) -> list[str]:
        while not self.lines.empty():
            self.seen.append(self.lines.get_nowait())
        return self.seen

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=STARTUP_LIMIT)


@pytest.fixture
def seed_file(tmp_path: Path) -> Path:
    path = tmp_path / "seed.json"
    seed = {
        "*": {"regions": {"af-south-1": "ENABLED"}},
        "300000000000": {
            "alternate_contacts": {
                "SECURITY": {
                    "Name": "Security Team",
                    "Title": "SecOps",
                    "EmailAddress": "sec@example.com",
                    "PhoneNumber": "+1 206 555 0100",
                }
            },
            "account_name": "Payments",
        },
    }
    path.write_text(json.dumps(seed), encoding="utf-8")
    return path


@pytest.fixture
def served(tmp_path: Path, seed_file: Path) -> Iterator[tuple[Server, dict[str, str]]]:
    env_file = tmp_path / "emulator.env"
    server = Server(
        "--members", "3", "--ou-depth", "2", "--closed", "1",
        "--seed-file", str(seed_file), "--env-file", str(env_file), "--log-requests",
    )  # fmt: skip
    try:
        server.wait_for("written to")
        values = dict(
            line.split("=", 1)
            for line in env_file.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")
        )
        yield server, values
    finally:
        server.stop()


def _client(service: str, env: dict[str, str], prefix: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_REGION"],
        aws_access_key_id=env[f"EMULATOR_{prefix}_AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env[f"EMULATOR_{prefix}_AWS_SECRET_ACCESS_KEY"],
        config=botocore.config.Config(retries={"total_max_attempts": 1}),
    )


def test_env_file_holds_four_identities_that_work(
    served: tuple[Server, dict[str, str]], tmp_path: Path
) -> None:
    _, env = served
    assert env["AWS_ENDPOINT_URL_ACCOUNT"] == env["AWS_ENDPOINT_URL_ORGANIZATIONS"]
    assert env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert env["AWS_ACCESS_KEY_ID"] == env["EMULATOR_MANAGEMENT_AWS_ACCESS_KEY_ID"]
    assert (tmp_path / "emulator.env").stat().st_mode & 0o077 == 0
    expected_accounts = {
        "MANAGEMENT": "111111111111",
        "DELEGATED_ADMIN": "222222222222",
        "MEMBER": "300000000000",
        "STANDALONE": "900000000000",
    }
    for prefix, account_id in expected_accounts.items():
        assert env[f"EMULATOR_{prefix}_ACCOUNT_ID"] == account_id
        info = _client("account", env, prefix).get_account_information()
        assert info["AccountId"] == account_id
    organization = _client("organizations", env, "DELEGATED_ADMIN").describe_organization()
    assert organization["Organization"]["MasterAccountId"] == "111111111111"
    with pytest.raises(botocore.exceptions.ClientError, match="AWSOrganizationsNotInUse"):
        _client("organizations", env, "STANDALONE").list_roots()


def test_the_seed_file_seeds_the_served_world(served: tuple[Server, dict[str, str]]) -> None:
    _, env = served
    management = _client("account", env, "MANAGEMENT")
    contact = management.get_alternate_contact(
        AlternateContactType="SECURITY", AccountId="300000000000"
    )["AlternateContact"]
    region = management.get_region_opt_status(RegionName="af-south-1", AccountId="300000000001")
    organizations = _client("organizations", env, "MANAGEMENT")
    ous = organizations.list_organizational_units_for_parent(ParentId="r-emu1")
    described = organizations.describe_account(AccountId="300000000002")["Account"]
    assert contact["Name"] == "Security Team"
    assert region["RegionOptStatus"] == "ENABLED"
    assert len(ous["OrganizationalUnits"]) == 3
    assert described["State"] == "CLOSED"


def test_requests_are_logged_one_line_each_without_secrets(
    served: tuple[Server, dict[str, str]],
) -> None:
    server, env = served
    member = _client("account", env, "MEMBER")
    member.get_account_information()
    with pytest.raises(botocore.exceptions.ClientError):
        member.get_alternate_contact(AlternateContactType="BILLING")
    _client("organizations", env, "MANAGEMENT").list_roots()
    server.wait_for("ListRoots")
    lines = server.drain()
    assert "GetAccountInformation account=300000000000 status=200 throttled=no" in lines
    assert (
        "GetAlternateContact account=300000000000 status=404 throttled=no "
        "error=ResourceNotFoundException"
    ) in lines
    assert "ListRoots account=111111111111 status=200 throttled=no" in lines
    printed = "\n".join(lines)
    for name, value in env.items():
        if "SECRET" in name:
            assert value not in printed


def test_without_an_env_file_the_keys_are_printed_as_exports() -> None:
    server = Server("--members", "2")
    try:
        server.wait_for("EMULATOR_STANDALONE_AWS_SECRET_ACCESS_KEY")
    finally:
        server.stop()
    exports = [line.strip() for line in server.seen if line.strip().startswith("export ")]
    names = {line.removeprefix("export ").split("=", 1)[0] for line in exports}
    for prefix in ("MANAGEMENT", "DELEGATED_ADMIN", "MEMBER", "STANDALONE"):
        assert f"EMULATOR_{prefix}_AWS_ACCESS_KEY_ID" in names
    assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL_ORGANIZATIONS"} <= names


def test_a_bad_seed_file_is_refused_with_the_reason(tmp_path: Path) -> None:
    seed = tmp_path / "bad.json"
    seed.write_text(json.dumps({"300000000000": {"account_name": ""}}), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "account_mgmt.testing", "serve", "--seed-file", str(seed)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        timeout=STARTUP_LIMIT,
        check=False,
    )
    assert result.returncode == 2
    assert "AccountName" in result.stderr
    assert "300000000000" in result.stderr


def test_a_seed_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    seed = tmp_path / "bad.json"
    seed.write_text("{not json", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "account_mgmt.testing", "serve", "--seed-file", str(seed)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        timeout=STARTUP_LIMIT,
        check=False,
    )
    assert result.returncode != 0
    assert "not JSON" in result.stderr
