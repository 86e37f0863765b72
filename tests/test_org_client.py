"""OrganizationsClient on the wire: JSON 1.1 requests, signing, paging, pacing, typed errors."""

from __future__ import annotations

import itertools
import json
import logging

import pytest

from account_mgmt import FakeClock, Runtime
from account_mgmt._http import HttpRequest, HttpResponse
from account_mgmt._ratelimit import PACING_FRACTION
from account_mgmt.exceptions import (
    AccessDeniedException,
    ConfigurationError,
    PaginationError,
    ParamValidationError,
    TooManyRequestsException,
)
from account_mgmt.org import (
    ConcurrentModificationException,
    OrganizationsClient,
    ParentNotFoundException,
)
from account_mgmt.org._endpoints import GLOBAL_ENDPOINTS, resolve_organizations_endpoint
from tests._org_fake import FakeOrganizations

SECRET = "org-secret-key-0123456789abcdefghijklmn"
TOKEN = "org-session-token-SHOULD-NOT-LEAK"


def make_client(
    fake: FakeOrganizations, clock: FakeClock | None = None, **options: object
) -> OrganizationsClient:
    clock = clock or FakeClock()
    return OrganizationsClient(
        aws_access_key_id="AKIDORGTEST000000001",
        aws_secret_access_key=SECRET,
        aws_session_token=TOKEN,
        transport=fake,
        runtime=Runtime(clock=clock),
        rng=lambda: 0.5,
        **options,  # type: ignore[arg-type]
    )


def test_request_is_json_1_1_signed_for_organizations_in_us_east_1() -> None:
    fake = FakeOrganizations()
    client = make_client(fake)
    organization = client.describe_organization()
    assert organization.id == "o-fake000001"
    assert organization.management_account_id == "111111111111"
    (request,) = fake.requests
    assert request.url == "https://organizations.us-east-1.amazonaws.com/"
    assert request.headers["X-Amz-Target"] == "AWSOrganizationsV20161128.DescribeOrganization"
    assert request.headers["Content-Type"] == "application/x-amz-json-1.1"
    assert "/us-east-1/organizations/aws4_request" in request.headers["Authorization"]
    assert "x-amz-target" in request.headers["Authorization"].split("SignedHeaders=")[1]
    assert request.headers["X-Amz-Security-Token"] == TOKEN
    assert json.loads(request.body) == {}


def test_list_calls_page_at_twenty_and_continue_past_empty_pages() -> None:
    fake = FakeOrganizations(empty_pages=True)
    for index in range(45):
        fake.add_account(f"{200000000000 + index}")
    client = make_client(fake)
    accounts = list(client.iter_accounts_for_parent(parent_id=fake.root_id))
    assert [a.id for a in accounts] == [f"{200000000000 + i}" for i in range(45)]
    bodies = [json.loads(r.body) for r in fake.requests]
    assert all(body["MaxResults"] == 20 for body in bodies)
    assert len(bodies) == 6  # three real pages, each behind an empty one
    assert all(a.parent_id == fake.root_id for a in accounts)


def test_repeated_page_token_raises_pagination_error() -> None:
    class Repeating(FakeOrganizations):
        def send(self, request: HttpRequest, *, deadline: float | None = None) -> HttpResponse:
            self.requests.append(request)
            return self._answer(200, {"Roots": [], "NextToken": "same"})

    with pytest.raises(PaginationError, match="already returned"):
        list(make_client(Repeating()).iter_roots())


def test_endless_page_tokens_stop_at_max_pages() -> None:
    counter = itertools.count()

    class Endless(FakeOrganizations):
        def send(self, request: HttpRequest, *, deadline: float | None = None) -> HttpResponse:
            self.requests.append(request)
            return self._answer(200, {"Roots": [], "NextToken": f"t{next(counter)}"})

    fake = Endless()
    with pytest.raises(PaginationError, match="after 3 pages"):
        list(make_client(fake, max_pages=3).iter_roots())
    assert len(fake.requests) == 3


def test_state_is_read_and_status_only_when_state_is_absent() -> None:
    fake = FakeOrganizations()
    fake.add_account("200000000001", state="PENDING_CLOSURE")
    fake.add_account("200000000002", state="SUSPENDED", legacy_status_only=True)
    accounts = {a.id: a for a in make_client(fake).iter_accounts_for_parent(parent_id="r-abcd")}
    # The fake sends a contradicting Status beside State: State wins.
    assert accounts["200000000001"].state == "PENDING_CLOSURE"
    assert accounts["200000000002"].state == "SUSPENDED"


@pytest.mark.parametrize(
    "code", ["TooManyRequestsException", "ConcurrentModificationException", "ServiceException"]
)
def test_throttling_and_service_faults_are_retried_with_backoff(code: str) -> None:
    fake = FakeOrganizations()
    fake.errors = [(400 if code != "ServiceException" else 500, code)] * 2
    clock = FakeClock()
    client = make_client(fake, clock, requests_per_second=1000.0)
    assert client.describe_organization().id == "o-fake000001"
    assert len(fake.requests) == 3
    backoffs = [s for s in clock.sleeps if s > 0.01]
    assert len(backoffs) == 2


def test_throttling_that_persists_raises_the_typed_error_after_max_attempts() -> None:
    fake = FakeOrganizations()
    fake.errors = [(400, "TooManyRequestsException")] * 10
    with pytest.raises(TooManyRequestsException) as caught:
        make_client(fake, max_attempts=4).describe_organization()
    assert caught.value.attempts == 4
    assert len(fake.requests) == 4


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (403, "AccessDeniedException", AccessDeniedException),
        (400, "ParentNotFoundException", ParentNotFoundException),
        (400, "ConcurrentModificationException", ConcurrentModificationException),
    ],
)
def test_error_codes_map_to_typed_errors(status: int, code: str, expected: type[Exception]) -> None:
    fake = FakeOrganizations()
    fake.errors = [(status, code)] * 10
    with pytest.raises(expected) as caught:
        make_client(fake, max_attempts=1).describe_organization()
    assert getattr(caught.value, "error_code", None) == code
    assert len(fake.requests) == 1


def test_access_denied_is_not_retried() -> None:
    fake = FakeOrganizations()
    fake.errors = [(403, "AccessDeniedException")] * 3
    with pytest.raises(AccessDeniedException):
        make_client(fake).describe_organization()
    assert len(fake.requests) == 1


def test_bad_parent_id_is_refused_before_sending() -> None:
    fake = FakeOrganizations()
    with pytest.raises(ParamValidationError, match="parent_id"):
        list(make_client(fake).iter_accounts_for_parent(parent_id="Prod"))
    assert fake.requests == []


def test_requests_are_paced_at_the_configured_rate() -> None:
    fake = FakeOrganizations()
    clock = FakeClock()
    client = make_client(fake, clock, requests_per_second=4.0)
    for _ in range(5):
        client.describe_organization()
    # The package's pacing: the configured rate less its 5% headroom (PACING_FRACTION).
    assert clock.sleeps == pytest.approx([1 / (4.0 * PACING_FRACTION)] * 4)


def test_secrets_never_reach_repr_or_debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeOrganizations()
    client = make_client(fake)
    with caplog.at_level(logging.DEBUG):
        organization = client.describe_organization()
        list(client.iter_roots())
    text = caplog.text + repr(client) + repr(organization)
    assert SECRET not in text
    assert TOKEN not in text
    assert "mgmt@example.com" not in text
    assert "Signature=" not in text


def test_endpoint_precedence_follows_the_sdks(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeOrganizations()
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9001")
    assert make_client(fake).endpoint_url == "http://127.0.0.1:9001"
    monkeypatch.setenv("AWS_ENDPOINT_URL_ORGANIZATIONS", "http://127.0.0.1:9002")
    assert make_client(fake).endpoint_url == "http://127.0.0.1:9002"
    client = make_client(fake, endpoint_url="http://127.0.0.1:9003")
    assert client.endpoint_url == "http://127.0.0.1:9003"
    assert client.signing_region == "us-east-1"
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    assert make_client(fake).endpoint_url == "https://organizations.us-east-1.amazonaws.com"


def test_endpoint_from_the_profile(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    import pathlib

    assert isinstance(tmp_path, pathlib.Path)
    config = tmp_path / "config"
    config.write_text("[profile emu]\nendpoint_url = http://127.0.0.1:9004\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    client = make_client(FakeOrganizations(), profile_name="emu")
    assert client.endpoint_url == "http://127.0.0.1:9004"


def test_the_account_services_endpoint_variable_is_not_organizations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_ACCOUNT", "http://127.0.0.1:9005")
    client = make_client(FakeOrganizations())
    assert client.endpoint_url == "https://organizations.us-east-1.amazonaws.com"


@pytest.mark.parametrize(
    ("options", "environment", "message"),
    [
        ({}, {"AWS_MAX_ATTEMPTS": "9" * 5000 + "x"}, "max_attempts"),
        ({"verify": "/no/such/bundle.pem"}, {}, "no CA bundle file"),
        ({"connect_timeout": 0}, {}, "connect_timeout"),
        ({"requests_per_second": "x" * 5000}, {}, "requests_per_second"),
        ({"max_pages": 0}, {}, "max_pages"),
    ],
)
def test_bad_options_are_refused_at_construction_quoted_bounded(
    options: dict[str, object],
    environment: dict[str, str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=message) as caught:
        make_client(FakeOrganizations(), None, **options)
    assert len(str(caught.value)) < 300


def test_default_attempts_are_organizations_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_MAX_ATTEMPTS", raising=False)
    fake = FakeOrganizations()
    fake.errors = [(400, "TooManyRequestsException")] * 9
    with pytest.raises(TooManyRequestsException):
        make_client(fake).describe_organization()
    assert len(fake.requests) == 5
    assert "organizations" in fake.requests[0].headers["User-Agent"]


def test_plain_http_to_a_remote_endpoint_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="https"):
        make_client(FakeOrganizations(), endpoint_url="http://example.com")


@pytest.mark.parametrize(
    ("region", "partition"),
    [("eu-west-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-east-1", "aws-us-gov")],
)
@pytest.mark.parametrize("fips", [False, True])
@pytest.mark.parametrize("dualstack", [False, True])
def test_endpoint_table_matches_botocores_rule_set(
    region: str, partition: str, fips: bool, dualstack: bool
) -> None:
    import botocore.endpoint_provider
    import botocore.loaders

    loader = botocore.loaders.create_loader()
    version = loader.determine_latest_version("organizations", "endpoint-rule-set-1")
    provider = botocore.endpoint_provider.EndpointProvider(
        loader.load_data(f"organizations/{version}/endpoint-rule-set-1"),
        loader.load_data("partitions"),
    )
    expected = provider.resolve_endpoint(Region=region, UseFIPS=fips, UseDualStack=dualstack)
    ours = resolve_organizations_endpoint(
        region_name=region,
        endpoint_url=None,
        use_fips_endpoint=fips,
        use_dualstack_endpoint=dualstack,
    )
    assert ours == GLOBAL_ENDPOINTS[(partition, fips, dualstack)]
    assert ours.url == expected.url
    assert ours.signing_region == expected.properties["authSchemes"][0]["signingRegion"]


def test_max_attempts_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    fake = FakeOrganizations()
    fake.errors = [(400, "TooManyRequestsException")] * 5
    with pytest.raises(TooManyRequestsException):
        make_client(fake).describe_organization()
    assert len(fake.requests) == 2
