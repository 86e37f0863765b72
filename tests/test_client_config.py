"""Client construction: endpoints, partitions, configuration sources, copies, threads."""

from __future__ import annotations

import concurrent.futures
import json
from pathlib import Path

import pytest
import responses

from account_mgmt import (
    AccountClient,
    ConfigurationError,
    CredentialsError,
    NoCredentialsError,
    PaginationError,
    Quota,
    Region,
    WindowCap,
)
from account_mgmt.testing import AccountEmulator

from .conftest import ENDPOINT

KEYS = {"aws_access_key_id": "AKIDTEST", "aws_secret_access_key": "secret"}


@pytest.mark.parametrize(
    ("options", "url", "signing_region"),
    [
        ({}, "https://account.us-east-1.amazonaws.com", "us-east-1"),
        ({"region_name": "eu-west-1"}, "https://account.us-east-1.amazonaws.com", "us-east-1"),
        (
            {"region_name": "cn-north-1"},
            "https://account.cn-northwest-1.amazonaws.com.cn",
            "cn-northwest-1",
        ),
        (
            {"region_name": "us-gov-east-1"},
            "https://account.us-gov-west-1.amazonaws.com",
            "us-gov-west-1",
        ),
        ({"use_fips_endpoint": True}, "https://account-fips.us-east-1.amazonaws.com", "us-east-1"),
        ({"use_dualstack_endpoint": True}, "https://account.us-east-1.api.aws", "us-east-1"),
        (
            {"use_fips_endpoint": True, "use_dualstack_endpoint": True},
            "https://account-fips.us-east-1.api.aws",
            "us-east-1",
        ),
        ({"endpoint_url": "http://127.0.0.1:8080/"}, "http://127.0.0.1:8080", "us-east-1"),
        ({"endpoint_url": "http://localhost:9"}, "http://localhost:9", "us-east-1"),
        ({"endpoint_url": "http://[::1]:9"}, "http://[::1]:9", "us-east-1"),
        (
            {"endpoint_url": "https://vpce-1.example.com", "region_name": "eu-west-1"},
            "https://vpce-1.example.com",
            "eu-west-1",
        ),
    ],
)
def test_endpoint_and_signing_region_follow_the_rule_set(
    options: dict[str, object], url: str, signing_region: str
) -> None:
    client = AccountClient(**KEYS, **options)  # type: ignore[arg-type]
    assert client.config.endpoint_url == url
    assert client.config.signing_region == signing_region


@pytest.mark.parametrize(
    "url",
    [
        "http://account.example.com",
        "http://10.0.0.1:80",
        "ftp://127.0.0.1",
        "https://",
        "https://h/?q=1",
    ],
)
def test_unsafe_or_malformed_endpoints_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError):
        AccountClient(**KEYS, endpoint_url=url)  # type: ignore[arg-type]


def test_endpoint_url_environment_variables_in_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1111")
    assert AccountClient(**KEYS).config.endpoint_url == "http://127.0.0.1:1111"  # type: ignore[arg-type]
    monkeypatch.setenv("AWS_ENDPOINT_URL_ACCOUNT", "http://127.0.0.1:2222")
    assert AccountClient(**KEYS).config.endpoint_url == "http://127.0.0.1:2222"  # type: ignore[arg-type]
    explicit = AccountClient(**KEYS, endpoint_url="http://127.0.0.1:3333")  # type: ignore[arg-type]
    assert explicit.config.endpoint_url == "http://127.0.0.1:3333"
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    assert AccountClient(**KEYS).config.endpoint_url == ENDPOINT  # type: ignore[arg-type]


def test_profile_supplies_region_attempts_and_credentials(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    config.write_text(
        "[profile ops]\nregion = cn-northwest-1\nmax_attempts = 7\n"
        "aws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    client = AccountClient(profile_name="ops")
    assert client.config.endpoint_url == "https://account.cn-northwest-1.amazonaws.com.cn"
    assert client.config.max_attempts == 7
    assert client._path.aws.credentials().access_key == "AKIDPROFILE"


def test_environment_max_attempts_and_fips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "5")
    monkeypatch.setenv("AWS_USE_FIPS_ENDPOINT", "true")
    client = AccountClient(**KEYS)  # type: ignore[arg-type]
    assert client.config.max_attempts == 5
    assert client.config.endpoint_url.startswith("https://account-fips.")


@responses.activate
def test_environment_credentials_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    responses.post(ENDPOINT + "/getAccountInformation", json={"AccountId": "111122223333"})
    AccountClient().get_account_information()
    assert "Credential=AKIDFROMENV/" in responses.calls[0].request.headers["Authorization"]


def test_missing_profile_fails_at_construction() -> None:
    with pytest.raises(CredentialsError):
        AccountClient(profile_name="does-not-exist")


def test_half_a_key_pair_is_refused() -> None:
    with pytest.raises(CredentialsError):
        AccountClient(aws_access_key_id="AKID")


@responses.activate
def test_no_credentials_anywhere_is_a_typed_error_and_nothing_is_sent() -> None:
    client = AccountClient()
    with pytest.raises(NoCredentialsError):
        client.get_account_information()
    assert len(responses.calls) == 0


@pytest.mark.parametrize(
    "options",
    [
        {"max_attempts": 0},
        {"connect_timeout": 0},
        {"read_timeout": -1},
        {"max_pool_connections": 0},
        {"use_fips_endpoint": True, "endpoint_url": "https://x.example.com"},
        # NaN passes every `<= 0` test; an infinite socket timeout overflows on connect.
        {"total_timeout": float("nan")},
        {"read_timeout": float("nan")},
        {"connect_timeout": float("inf")},
        {"max_pool_connections": 2.5},
        {"region_opt_concurrency_per_account": 1.5},
        # botocore refuses these too: they would be spliced into URLs and scopes.
        {"region_name": "not a region"},
        {"region_name": "us-east-1/../evil"},
        {"region_name": "-us-east-1"},
    ],
)
def test_invalid_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError) as caught:
        AccountClient(**KEYS, **options)  # type: ignore[arg-type]
    assert any(name in str(caught.value) for name in options)


def test_an_infinite_total_timeout_means_no_deadline(
    account_emulator: AccountEmulator,
) -> None:
    member = account_emulator.member_account_ids[0]
    with account_emulator.client(total_timeout=float("inf")) as client:
        assert client.get_account_information(account_id=member).account_id == member


@pytest.mark.parametrize(
    ("environment", "options", "named"),
    [
        ({}, {"verify": "/nonexistent/ca.pem"}, "/nonexistent/ca.pem"),
        ({"AWS_CA_BUNDLE": "/nonexistent/env-ca.pem"}, {}, "/nonexistent/env-ca.pem"),
        ({"AWS_MAX_ATTEMPTS": "three"}, {}, "AWS_MAX_ATTEMPTS"),
        ({"AWS_MAX_ATTEMPTS": "0"}, {}, "max_attempts"),
    ],
)
def test_settings_from_options_or_environment_that_cannot_work_are_refused_at_construction(
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    options: dict[str, object],
    named: str,
) -> None:
    """Not at the first call, as a bare OSError (requests' missing CA bundle) or
    ValueError (int("three"))."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=named):
        AccountClient(**KEYS, **options)  # type: ignore[arg-type]


def test_a_ca_bundle_directory_is_accepted(tmp_path: Path) -> None:
    client = AccountClient(
        aws_access_key_id="AKIDTEST", aws_secret_access_key="s", verify=str(tmp_path)
    )
    assert client.config.verify == str(tmp_path)


@pytest.mark.parametrize(
    ("overrides", "named", "rule"),
    [
        ({"GetAlternateContacts": Quota(1.0, 1)}, "'GetAlternateContacts'", "not an Account"),
        ({"get_alternate_contact": Quota(1.0, 1)}, "'get_alternate_contact'", "the AWS name"),
        ({"ListRegions": Quota(0.0, 1)}, "['ListRegions'].rate", "positive number"),
        ({"ListRegions": Quota(-5.0, 1)}, "['ListRegions'].rate", "positive number"),
        ({"ListRegions": Quota(5.0, 0)}, "['ListRegions'].burst", "int >= 1"),
        ({"ListRegions": Quota(5.0, 2.5)}, "['ListRegions'].burst", "int >= 1"),  # type: ignore[arg-type]
        ({"ListRegions": (5.0, 5)}, "['ListRegions']", "must be a Quota"),
        (
            {"StartPrimaryEmailUpdate": Quota(1.0, 1, WindowCap(0, 30.0))},
            "per_target_window.count",
            "int >= 1",
        ),
        (
            {"StartPrimaryEmailUpdate": Quota(1.0, 1, WindowCap(3, 0.0))},
            "per_target_window.seconds",
            "positive number",
        ),
    ],
)
@pytest.mark.parametrize("rate_limiting", [True, False])
def test_quota_overrides_that_cannot_be_paced_are_refused_by_name(
    overrides: dict[str, object], named: str, rule: str, rate_limiting: bool
) -> None:
    """A misspelt operation would otherwise be ignored in silence, and a zero rate
    would divide by zero on the first call."""
    with pytest.raises(ConfigurationError) as caught:
        AccountClient(**KEYS, quota_overrides=overrides, rate_limiting=rate_limiting)  # type: ignore[arg-type]
    assert named in str(caught.value)
    assert rule in str(caught.value)


@responses.activate
def test_with_options_copies_without_touching_the_original(sync_client: AccountClient) -> None:
    client = sync_client
    one_shot = client.with_options(max_attempts=1)
    assert one_shot.config.max_attempts == 1
    assert client.config.max_attempts == 3
    assert one_shot._transport is client._transport
    slower = client.with_options(read_timeout=120)
    assert slower._transport is not client._transport
    assert slower.config.read_timeout == 120
    responses.post(ENDPOINT + "/getAccountInformation", status=500, json={})
    with pytest.raises(Exception, match="HTTP 500"):
        one_shot.get_account_information()
    assert len(responses.calls) == 1


def test_context_manager_closes_the_pool() -> None:
    closed: list[bool] = []
    with AccountClient(**KEYS) as client:  # type: ignore[arg-type]
        original = client._transport.close

        def close() -> None:
            closed.append(True)
            original()

        client._transport.close = close  # type: ignore[method-assign]
    assert closed == [True]


@responses.activate
def test_one_client_is_safe_to_share_between_threads(sync_client: AccountClient) -> None:
    client = sync_client

    def answer(request: object) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body)  # type: ignore[attr-defined]
        return 200, {}, json.dumps({"RegionName": body["RegionName"], "RegionOptStatus": "ENABLED"})

    responses.add_callback(responses.POST, ENDPOINT + "/getRegionOptStatus", callback=answer)
    names = [f"xx-test-{i}" for i in range(64)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda n: client.get_region_opt_status(region_name=n), names))
    assert [r.region_name for r in results] == names
    assert len(responses.calls) == 64


# -- pagination ------------------------------------------------------------------


@responses.activate
def test_iter_regions_follows_every_page_with_the_largest_page_size(
    client: AccountClient,
) -> None:
    pages = {
        None: ({"Regions": [{"RegionName": "a"}, {"RegionName": "b"}], "NextToken": "p2"}),
        "p2": ({"Regions": [{"RegionName": "c"}], "NextToken": "p3"}),
        "p3": ({"Regions": []}),
    }

    def answer(request: object) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body)  # type: ignore[attr-defined]
        return 200, {}, json.dumps(pages[body.get("NextToken")])

    responses.add_callback(responses.POST, ENDPOINT + "/listRegions", callback=answer)
    regions = list(
        client.iter_regions(region_opt_status_contains=["ENABLED"], account_id="111122223333")
    )
    assert regions == [Region(region_name=n) for n in "abc"]
    sent = [json.loads(call.request.body) for call in responses.calls]  # type: ignore[arg-type]
    assert [s.get("NextToken") for s in sent] == [None, "p2", "p3"]
    assert all(s["MaxResults"] == 50 for s in sent)
    assert all(s["RegionOptStatusContains"] == ["ENABLED"] for s in sent)
    assert all(s["AccountId"] == "111122223333" for s in sent)


@responses.activate
def test_iter_regions_is_lazy(client: AccountClient) -> None:
    responses.post(
        ENDPOINT + "/listRegions", json={"Regions": [{"RegionName": "a"}], "NextToken": "n"}
    )
    iterator = client.iter_regions(page_size=1)
    assert len(responses.calls) == 0
    assert next(iterator).region_name == "a"
    assert len(responses.calls) == 1


@responses.activate
def test_iter_regions_stops_when_the_service_repeats_a_token(client: AccountClient) -> None:
    responses.post(
        ENDPOINT + "/listRegions", json={"Regions": [{"RegionName": "a"}], "NextToken": "same"}
    )
    with pytest.raises(PaginationError):
        list(client.iter_regions())
    assert len(responses.calls) == 2
