"""``account-mgmt`` run as a user runs it, in a fresh interpreter, against an emulator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from account_mgmt.testing import AccountEmulator

from .conftest import sigint_as_in_a_terminal

ROOT = Path(__file__).resolve().parent.parent
"""The checkout: ``python -m`` run from here imports this tree, not an installed copy."""


def cli_environment(emulator: AccountEmulator, tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a user whose only AWS settings are the emulator's keys and
    endpoint: no config or credentials file, no instance metadata, nothing inherited."""
    keys = emulator.credentials_for()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ACCOUNT_MGMT_"))}
    env.update(
        AWS_ACCESS_KEY_ID=keys.access_key_id,
        AWS_SECRET_ACCESS_KEY=keys.secret_access_key,
        AWS_CONFIG_FILE=str(tmp_path / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_ENDPOINT_URL=emulator.url,
        # Injected throttling is retried; enough attempts that a streak of faults is
        # not what a test sees fail.
        AWS_MAX_ATTEMPTS="8",
    )
    env.update(extra)
    return env


def run_cli(
    env: dict[str, str], *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``account-mgmt ARGS`` to its end."""
    return subprocess.run(
        [sys.executable, "-m", "account_mgmt.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_cli(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    """``account-mgmt ARGS`` started, with SIGINT handled as in a terminal (to interrupt it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "account_mgmt.cli", *args],
        cwd=ROOT,
        env=env,
        preexec_fn=sigint_as_in_a_terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
