"""The default credential chain, through botocore, end to end on loopback.

The account calls go to a canned server that records what they were signed
with; STS is moto's server. These cover the providers that make botocore
build a client of its own (assume-role, web identity) and one that runs a
process, so a change to how the botocore session is set up cannot break them
unnoticed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from account_mgmt import AccountClient

from ._canned_server import CannedServer

_INFO = b'{"AccountId":"123456789012","AccountName":"a","AccountCreatedDate":0}'


def _signed_with(**options: object) -> tuple[str, dict[str, str]]:
    """The access key and headers of one call made with ``options``."""
    replies = [(200, {"Content-Type": "application/json"}, _INFO)]
    with CannedServer(replies).running() as server, AccountClient(
        endpoint_url=server.url, rate_limiting=False, **options  # type: ignore[arg-type]
    ) as client:  # fmt: skip
        client.get_account_information()
    headers = server.requests[0][1]
    credential = headers["Authorization"].split("Credential=", 1)[1]
    return credential.split("/", 1)[0], headers


def test_assume_role_profile_signs_with_the_role_credentials_from_sts(
    moto_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"]).write_text(
        "[base]\naws_access_key_id = AKIDBASEPROFILE00001\naws_secret_access_key = base-secret\n"
    )
    Path(os.environ["AWS_CONFIG_FILE"]).write_text(
        "[profile auditor]\nrole_arn = arn:aws:iam::123456789012:role/auditor\n"
        "source_profile = base\nregion = us-east-1\n"
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", moto_url)
    access_key, headers = _signed_with(profile_name="auditor")
    assert access_key.startswith("ASIA")  # moto's temporary keys, not the base profile's
    assert headers["X-Amz-Security-Token"]


def test_web_identity_from_the_environment_signs_with_sts_credentials(
    moto_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    token = tmp_path / "token"
    token.write_text("eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl")
    monkeypatch.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", str(token))
    monkeypatch.setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ci")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", moto_url)
    access_key, headers = _signed_with()
    assert access_key.startswith("ASIA")
    assert headers["X-Amz-Security-Token"]


def test_credential_process_profile_signs_with_what_the_process_printed(
    tmp_path: Path,
) -> None:
    script = tmp_path / "creds.py"
    script.write_text(
        "import json\nprint(json.dumps({'Version': 1, 'AccessKeyId': 'AKIDFROMPROCESS00001',"
        " 'SecretAccessKey': 'process-secret', 'SessionToken': 'process-token'}))\n"
    )
    Path(os.environ["AWS_CONFIG_FILE"]).write_text(
        f"[profile tool]\ncredential_process = {sys.executable} {script}\nregion = us-east-1\n"
    )
    access_key, headers = _signed_with(profile_name="tool")
    assert access_key == "AKIDFROMPROCESS00001"
    assert headers["X-Amz-Security-Token"] == "process-token"


def test_explicit_keys_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENVIRONMENT1")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    access_key, headers = _signed_with(
        aws_access_key_id="AKIDEXPLICIT00000001", aws_secret_access_key="s"
    )
    assert access_key == "AKIDEXPLICIT00000001"
    assert "X-Amz-Security-Token" not in headers
