"""SigV4: our signer's output is botocore's ``SigV4Auth.add_auth`` output, bit for bit.

The canonical request is built in ``_signing`` (botocore's is slow); botocore
computes the string to sign and the signature. These tests are what lets us
say the headers on the wire are the ones botocore would have produced.
"""

from __future__ import annotations

import datetime

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from account_mgmt._signing import FrozenCredentials, sign

_NOW = datetime.datetime(2026, 11, 27, 12, 0, 0, tzinfo=datetime.UTC)


def _reference(
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    headers: dict[str, str],
    body: bytes,
    token: str | None,
    now: datetime.datetime,
    region: str = "us-east-1",
) -> dict[str, str]:
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: now)
    request = botocore.awsrequest.AWSRequest(method="POST", url=url, data=body, headers=headers)
    botocore.auth.SigV4Auth(
        botocore.credentials.Credentials("AKIDEXAMPLE", "s3cr3t/key+", token), "account", region
    ).add_auth(request)
    return dict(request.headers.items())


def _ours(
    url: str, headers: dict[str, str], body: bytes, token: str | None, now: datetime.datetime,
    region: str = "us-east-1",
) -> dict[str, str]:  # fmt: skip
    return sign(
        method="POST",
        url=url,
        headers=headers,
        body=body,
        credentials=FrozenCredentials("AKIDEXAMPLE", "s3cr3t/key+", token),
        region=region,
        service="account",
        now=now,
    )


def test_signature_is_exactly_botocores(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "https://account.us-east-1.amazonaws.com/getAlternateContact"
    body = b'{"AlternateContactType":"SECURITY"}'
    headers = {"Content-Type": "application/json", "User-Agent": "ua"}
    ours = _ours(url, headers, body, "tok", _NOW)
    assert ours == _reference(monkeypatch, url, headers, body, "tok", _NOW)
    assert ours["Authorization"].startswith(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/us-east-1/account/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature="
    )


_segment = st.text(
    alphabet=st.sampled_from("abcXYZ019-_.~ %+=:@!$&'()*,;éü/"), min_size=0, max_size=12
)
_header_name = st.text(alphabet=st.sampled_from("abcdefxyzABCXYZ0189-"), min_size=1, max_size=10)
_header_value = st.text(
    alphabet=st.sampled_from("abc XYZ019-_.~ \t;,=/:\"'"), min_size=0, max_size=20
)


@settings(max_examples=300, deadline=None)
@given(
    scheme=st.sampled_from(["https", "http"]),
    host=st.sampled_from(
        ["account.us-east-1.amazonaws.com", "127.0.0.1:8080", "Example.COM:443", "h:80", "[::1]:9"]
    ),
    segments=st.lists(_segment, max_size=4),
    headers=st.dictionaries(_header_name, _header_value, max_size=6),
    body=st.binary(max_size=64),
    token=st.none() | st.text(alphabet=st.sampled_from("AbZ09+/="), min_size=1, max_size=30),
    seconds=st.integers(min_value=0, max_value=10**9),
    region=st.sampled_from(["us-east-1", "cn-northwest-1", "us-gov-west-1"]),
)
def test_any_request_signs_as_botocore_signs_it(
    scheme: str,
    host: str,
    segments: list[str],
    headers: dict[str, str],
    body: bytes,
    token: str | None,
    seconds: int,
    region: str,
) -> None:
    url = f"{scheme}://{host}/" + "/".join(segments)
    now = datetime.datetime.fromtimestamp(seconds, datetime.UTC)
    with pytest.MonkeyPatch.context() as monkeypatch:
        reference = _reference(monkeypatch, url, headers, body, token, now, region)
    assert _ours(url, headers, body, token, now, region) == reference


@pytest.mark.parametrize("token", [None, "tok en"])
@pytest.mark.parametrize(
    "headers",
    [
        {"X-Amz-Foo": "between"},  # sorts between x-amz-date and x-amz-security-token
        {"X-Amz-Zzz": "after", "Zebra": "last"},  # after the token
        {"A": "first", "X-Amz-Foo": "b", "X-Amz-Target": "c", "Host": "given.example"},
        {"X-Amz-Date": "stale", "x-amz-security-token": "stale"},  # replaced, not kept
    ],
)
def test_headers_on_every_side_of_the_signing_headers_sign_as_botocore(
    monkeypatch: pytest.MonkeyPatch, headers: dict[str, str], token: str | None
) -> None:
    # The canonical lines around X-Amz-Date and the token are worked out once per
    # header set: a header sorting before, between or after them keeps its place.
    url = "https://account.us-east-1.amazonaws.com/listRegions"
    body = b'{"MaxResults":50}'
    ours = _ours(url, headers, body, token, _NOW)
    reference_headers = {
        k: v for k, v in headers.items() if k.lower() not in ("x-amz-date", "x-amz-security-token")
    }
    assert ours == _reference(monkeypatch, url, reference_headers, body, token, _NOW)


def test_a_url_with_a_query_string_takes_botocores_own_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = "https://proxy.example/prefix/getRegionOptStatus?b=2&a=1 x"
    ours = _ours(url, {"Content-Type": "application/json"}, b"{}", None, _NOW)
    assert ours == _reference(
        monkeypatch, url, {"Content-Type": "application/json"}, b"{}", None, _NOW
    )


def test_resigning_replaces_stale_signing_headers() -> None:
    first = _ours("https://h/x", {}, b"", None, _NOW)
    again = _ours("https://h/x", {**first, "X-Amz-Security-Token": "old"}, b"", None, _NOW)
    assert "X-Amz-Security-Token" not in again
    assert again["Authorization"] == first["Authorization"]
    assert list(again).count("Authorization") == 1


def test_one_snapshot_signs_as_botocore_across_days_regions_and_services(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    credentials = FrozenCredentials("AKIDEXAMPLE", "s3cr3t/key+", "tok")
    url = "https://account.us-east-1.amazonaws.com/listRegions"
    body = b'{"MaxResults":50}'
    headers = {"Content-Type": "application/json"}
    for day, region, service in [
        (1, "us-east-1", "account"),
        (1, "us-east-1", "account"),  # the kept key
        (1, "eu-west-1", "account"),
        (2, "us-east-1", "account"),
        (2, "us-east-1", "organizations"),
        (1, "us-east-1", "account"),
    ]:
        now = datetime.datetime(2026, 12, day, 23, 59, 59, tzinfo=datetime.UTC)
        monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda now=now: now)
        request = botocore.awsrequest.AWSRequest(
            method="POST", url=url, data=body, headers=dict(headers)
        )
        botocore.auth.SigV4Auth(
            botocore.credentials.Credentials("AKIDEXAMPLE", "s3cr3t/key+", "tok"), service, region
        ).add_auth(request)
        ours = sign(
            method="POST", url=url, headers=headers, body=body, credentials=credentials,
            region=region, service=service, now=now,
        )  # fmt: skip
        assert ours == dict(request.headers.items())


def test_signing_keys_are_not_shared_between_snapshots() -> None:
    now = _NOW
    first = sign(
        method="POST", url="https://h/x", headers={}, body=b"", now=now, region="us-east-1",
        service="account", credentials=FrozenCredentials("AKIDEXAMPLE", "secret-one", None),
    )  # fmt: skip
    second = sign(
        method="POST", url="https://h/x", headers={}, body=b"", now=now, region="us-east-1",
        service="account", credentials=FrozenCredentials("AKIDEXAMPLE", "secret-two", None),
    )  # fmt: skip
    assert first["Authorization"] != second["Authorization"]
    assert FrozenCredentials("a", "b", None) == FrozenCredentials("a", "b", None)
    assert "secret-one" not in repr(FrozenCredentials("AKIDEXAMPLE", "secret-one", None))


def test_credential_snapshots_are_equal_when_their_five_values_are() -> None:
    values = ["AKIDEXAMPLE", "secret", "token", "123456789012", "chain:"]
    snapshot = FrozenCredentials(*values)
    used = FrozenCredentials(*values)
    used.signing_key("20240102", "us-east-1", "account")  # the cache takes no part
    assert snapshot == used
    assert hash(snapshot) == hash(used)
    for index in range(len(values)):
        changed = [*values[:index], "x", *values[index + 1 :]]
        assert snapshot != FrozenCredentials(*changed), index
    assert snapshot != tuple(values)


def test_a_credential_snapshot_cannot_be_changed() -> None:
    # Its signing keys are derived from the secret it holds: a changed secret would
    # sign with the old one's keys.
    import weakref

    snapshot = FrozenCredentials("AKIDEXAMPLE", "secret", None)
    with pytest.raises(AttributeError, match="frozen"):
        snapshot.secret_key = "other"
    with pytest.raises(AttributeError, match="frozen"):
        del snapshot.token
    assert snapshot.secret_key == "secret"
    assert weakref.ref(snapshot)() is snapshot
