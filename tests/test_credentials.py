"""The default credential chain, through botocore, end to end on loopback.

The account calls go to a canned server that records what they were signed
with; STS is moto's server. These cover the providers that make botocore
build a client of its own (assume-role, web identity) and one that runs a
process, so a change to how the botocore session is set up cannot break them
unnoticed.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import subprocess
import sys
from pathlib import Path

import botocore.exceptions
import botocore.session
import pytest

from account_mgmt import AccountClient, CredentialsError
from account_mgmt._credentials import AwsSession, _environment_keys, _SharedConfig
from account_mgmt.testing import AccountEmulator

from ._canned_server import CannedServer
from .conftest import rotating_credentials_profile

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


_CONFIG = """\
[default]
region = eu-west-1
max_attempts = 4

[profile dev]
region = us-west-2
max_attempts = 7
ca_bundle = /etc/dev-ca.pem
endpoint_url = https://account.dev.example
use_dualstack_endpoint = true

[profile shared]
region = ap-south-1
"""

_CREDENTIALS = """\
[shared]
aws_access_key_id = AKIDSHAREDPROFILE001
aws_secret_access_key = shared-secret

[only-in-credentials]
aws_access_key_id = AKIDCREDSFILEONLY001
aws_secret_access_key = creds-secret
"""

_VARIABLES = (
    "profile",
    "region",
    "max_attempts",
    "retry_mode",
    "ca_bundle",
    "use_fips_endpoint",
    "use_dualstack_endpoint",
    "config_file",
    "credentials_file",
)


def _answers(session: object) -> object:
    """Everything our client reads from a botocore-style session, or the error it raises."""
    try:
        return (
            {name: session.get_config_variable(name) for name in _VARIABLES},  # type: ignore[attr-defined]
            session.get_scoped_config(),  # type: ignore[attr-defined]
            session.full_config,  # type: ignore[attr-defined]
        )
    except botocore.exceptions.BotoCoreError as exc:
        return type(exc), str(exc)


@pytest.mark.parametrize("profile", [None, "dev", "shared", "only-in-credentials", "missing"])
@pytest.mark.parametrize(
    "environment",
    [
        {},
        {"AWS_PROFILE": "dev"},
        {"AWS_DEFAULT_PROFILE": "shared", "AWS_DEFAULT_REGION": "sa-east-1"},
        {"AWS_REGION": "ca-central-1", "AWS_MAX_ATTEMPTS": "2", "AWS_RETRY_MODE": "adaptive"},
        {"AWS_CA_BUNDLE": "/env/ca.pem", "AWS_USE_FIPS_ENDPOINT": "true"},
        {"AWS_PROFILE": "missing"},
    ],
    ids=["none", "profile", "default-profile", "region-attempts", "bundle-fips", "bad-profile"],
)
@pytest.mark.parametrize("files", ["both", "none"])
def test_configuration_reads_as_a_botocore_session_reads_it(
    profile: str | None,
    environment: dict[str, str],
    files: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if files == "both":
        Path(os.environ["AWS_CONFIG_FILE"]).write_text(_CONFIG)
        Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"]).write_text(_CREDENTIALS)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    ours = _answers(_SharedConfig(profile))
    assert ours == _answers(botocore.session.Session(profile=profile))


def test_environment_keys_are_used_without_loading_botocores_session(
    tmp_path: Path,
) -> None:
    """A Lambda-style cold start: keys in the environment, no profile named."""
    script = (
        "import sys\n"
        "from account_mgmt._credentials import AwsSession\n"
        "creds = AwsSession().credentials()\n"
        "print(creds.access_key, creds.token, 'botocore.session' in sys.modules,\n"
        "      'botocore.credentials' in sys.modules)\n"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AWS_") and key != "PYTHONPATH"
    }
    env.update(
        AWS_ACCESS_KEY_ID="AKIDFROMENVIRONMENT1",
        AWS_SECRET_ACCESS_KEY="env-secret",
        AWS_SESSION_TOKEN="env-token",
        AWS_CONFIG_FILE=str(tmp_path / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["AKIDFROMENVIRONMENT1", "env-token", "False", "False"]


_ENVIRONMENT_KEYS = {
    "AWS_ACCESS_KEY_ID": ["", "AKIDFROMENVIRONMENT1"],
    "AWS_SECRET_ACCESS_KEY": ["", "env-secret"],
    "AWS_SESSION_TOKEN": ["", "session-token"],
    "AWS_SECURITY_TOKEN": ["", "security-token"],
    "AWS_ACCOUNT_ID": ["", "123456789012"],
    "AWS_CREDENTIAL_EXPIRATION": ["", "2099-01-01T00:00:00Z"],
}


def _environments() -> list[dict[str, str]]:
    environments: list[dict[str, str]] = [{}]
    for name, values in _ENVIRONMENT_KEYS.items():
        environments = [
            {**env, name: value} if value is not None else env
            for env in environments
            for value in [None, *values]
        ]
    return environments


def test_environment_keys_read_as_botocores_env_provider_reads_them() -> None:
    # Each variable unset, empty or set (729 environments): where our reading gives keys,
    # they are botocore's; where it gives none, botocore finds none, fails, or makes
    # refreshable credentials (and is then asked by the chain).
    import botocore.credentials

    read = 0
    for environ in _environments():
        ours = _environment_keys(environ)
        try:
            theirs = botocore.credentials.EnvProvider(environ=environ).load()
        except botocore.exceptions.PartialCredentialsError:
            assert ours is None, environ
            continue
        if ours is None:
            assert theirs is None or isinstance(
                theirs, botocore.credentials.RefreshableCredentials
            ), environ
            continue
        assert not isinstance(theirs, botocore.credentials.RefreshableCredentials)
        mine, botocores = ours.get_frozen_credentials(), theirs.get_frozen_credentials()
        for member in ("access_key", "secret_key", "token", "account_id"):
            assert getattr(mine, member) == getattr(botocores, member), (member, environ)
        read += 1
    # Key and secret set, expiry unset or empty: the two tokens x the account id x those two.
    assert read == 3 * 3 * 3 * 2


def test_a_named_profile_wins_over_environment_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in botocore: naming a profile takes the environment provider out of the chain."""
    Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"]).write_text(_CREDENTIALS)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENVIRONMENT1")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    assert _signed_with(profile_name="shared")[0] == "AKIDSHAREDPROFILE001"
    assert _signed_with()[0] == "AKIDFROMENVIRONMENT1"


def test_aws_profile_in_the_environment_still_lets_environment_keys_win(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """botocore skips the environment's keys only for a profile given to the session."""
    Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"]).write_text(_CREDENTIALS)
    monkeypatch.setenv("AWS_PROFILE", "shared")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENVIRONMENT1")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    expected = botocore.session.Session().get_credentials().access_key
    assert expected == "AKIDFROMENVIRONMENT1"
    assert _signed_with()[0] == expected


def test_a_misspelt_profile_fails_at_construction() -> None:
    with pytest.raises(CredentialsError, match="nope"):
        AccountClient(profile_name="nope")


@pytest.mark.parametrize("threads", [1, 4])
def test_an_expired_token_from_the_chain_is_replaced_by_walking_it_again(
    tmp_path: Path, threads: int
) -> None:
    """botocore thinks the role's credentials good for an hour; the service says the
    token expired. The refresh must reach the provider again (botocore's session
    caches what it found), once however many calls were refused together."""
    with AccountEmulator(member_count=1, enforce_quotas=False) as emulator:
        sessions = [emulator.issue_session_credentials() for _ in range(4)]
        refreshes = rotating_credentials_profile(
            tmp_path, sessions, account_id=None, expires_in_minutes=60
        )
        with AccountClient(
            profile_name="rotating", endpoint_url=emulator.url, rate_limiting=False
        ) as client:
            client.get_account_information()
            assert sessions[0].session_token is not None
            emulator.expire_session_token(sessions[0].session_token)
            with concurrent.futures.ThreadPoolExecutor(threads) as pool:
                answers = list(pool.map(lambda _: client.get_account_information(), range(threads)))
        assert {a.account_id for a in answers} == {emulator.management_account_id}
        assert int(refreshes.read_text()) == 2  # the first session, then one replacement


@pytest.mark.parametrize("expiry", ["garbage", "2099-13-45T99:00:00Z"])
def test_an_unreadable_expiry_in_the_environment_is_a_credentials_error(
    expiry: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENVIRONMENT1")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    monkeypatch.setenv("AWS_CREDENTIAL_EXPIRATION", expiry)
    client = AccountClient(endpoint_url="http://127.0.0.1:9", region_name="us-east-1")
    with pytest.raises(CredentialsError, match="AWS_CREDENTIAL_EXPIRATION") as caught:
        client.get_account_information()
    assert "env-secret" not in str(caught.value)


def test_keys_from_the_environment_are_logged_as_found_there(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENVIRONMENT1")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    caplog.set_level(logging.DEBUG, logger="account_mgmt")
    assert AwsSession().credentials().access_key == "AKIDFROMENVIRONMENT1"
    assert "found credentials in environment variables" in caplog.messages
    assert "env-secret" not in caplog.text
