"""One credential snapshot per set of keys: reused while botocore's answer is unchanged.

The snapshot carries the derived signing keys, so handing out the same one
saves work on every call; a snapshot must still never outlive the keys it
was made from.
"""

from __future__ import annotations

import pytest

from account_mgmt._credentials import AwsSession


def _clear_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ACCOUNT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", f"{tmp_path}/config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", f"{tmp_path}/credentials")


def test_keys_given_outright_are_one_snapshot_handed_out_without_the_chain(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    _clear_environment(monkeypatch, tmp_path)
    session = AwsSession(aws_access_key_id="AKIDGIVEN", aws_secret_access_key="given-secret")
    first = session.credentials()
    assert session.given_credentials() is first
    assert session.credentials() is first
    assert (first.access_key, first.secret_key, first.origin) == ("AKIDGIVEN", "given-secret", None)


def test_chain_credentials_are_reused_until_the_keys_change(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    _clear_environment(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFIRST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "first-secret")
    session = AwsSession()
    first = session.credentials()
    assert session.given_credentials() is None
    assert session.credentials() is first

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDSECOND")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "second-secret")
    session.force_refresh(first)  # as after an expired-token refusal: walk the chain again
    second = session.credentials()
    assert second is not first
    assert (second.access_key, second.secret_key) == ("AKIDSECOND", "second-secret")
    assert session.credentials() is second
