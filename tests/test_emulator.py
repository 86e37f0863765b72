"""The emulator behaves as the service documents, for our client and for boto3 alike."""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import pytest

from account_mgmt import (
    AccessDeniedException,
    AccountClient,
    ConflictException,
    ConnectionClosedError,
    ExpiredTokenException,
    InvalidSignatureException,
    OutcomeUnknownError,
    RegionOptConcurrencyExceeded,
    ResourceNotFoundException,
    ServiceError,
    TooManyRequestsException,
    UnrecognizedClientException,
    ValidationException,
)
from account_mgmt import _operations as ops
from account_mgmt.exceptions import MissingAuthenticationToken
from account_mgmt.testing import OPT_IN_REGIONS, AccountEmulator, FaultKind

from ._data import CONTACT
from ._fakes import emulator_runtime
from .conftest import Connect


@pytest.fixture
def emulator() -> Iterator[AccountEmulator]:
    with AccountEmulator(member_count=4, region_transition_seconds=0.2, enforce_quotas=False) as e:
        yield e


@pytest.fixture
def mgmt(emulator: AccountEmulator, connect: Connect) -> AccountClient:
    """The management account's client, sync and async (``connect`` closes it)."""
    return connect(emulator, max_attempts=1, rate_limiting=False)


def boto3_client(emulator: AccountEmulator, account_id: str | None = None) -> Any:
    credentials = emulator.credentials_for(account_id)
    return boto3.client(
        "account",
        endpoint_url=emulator.url,
        region_name="us-east-1",
        aws_access_key_id=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
        config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def test_all_eighteen_operations_round_trip(emulator: AccountEmulator, mgmt: AccountClient) -> None:
    member = emulator.member_account_ids[0]
    mgmt.put_alternate_contact(
        alternate_contact_type="BILLING", name="Bill", title="CFO",
        email_address="bill@example.com", phone_number="+1 555 0101", account_id=member,
    )  # fmt: skip
    assert (
        mgmt.get_alternate_contact(alternate_contact_type="BILLING", account_id=member).name
        == "Bill"
    )
    mgmt.delete_alternate_contact(alternate_contact_type="BILLING", account_id=member)
    with pytest.raises(ResourceNotFoundException):
        mgmt.delete_alternate_contact(alternate_contact_type="BILLING", account_id=member)

    mgmt.put_contact_information(contact_information=CONTACT, account_id=member)
    info = mgmt.get_contact_information(account_id=member)
    assert info.contact_information == CONTACT
    assert info.verification_status == "UNVERIFIED"
    assert mgmt.send_phone_number_verification(account_id=member) == "PENDING"
    with pytest.raises(ValidationException):
        mgmt.verify_phone_number(otp="000000", account_id=member)
    assert mgmt.verify_phone_number(otp="123456", account_id=member) == "VERIFIED"
    assert mgmt.get_contact_information(account_id=member).verification_status == "VERIFIED"

    assert (
        mgmt.get_region_opt_status(region_name="af-south-1", account_id=member).region_opt_status
        == "DISABLED"
    )
    mgmt.enable_region(region_name="af-south-1", account_id=member)
    region = mgmt.wait_for_region_opt_status(
        region_name="af-south-1", account_id=member, timeout=5, poll_interval=0.05
    )
    assert region.region_opt_status == "ENABLED"
    mgmt.disable_region(region_name="af-south-1", account_id=member)
    assert (
        mgmt.wait_for_region_opt_status(
            region_name="af-south-1",
            account_id=member,
            statuses=["DISABLED"],
            timeout=5,
            poll_interval=0.05,
        ).region_opt_status
        == "DISABLED"
    )
    regions = list(mgmt.iter_regions(account_id=member, page_size=5))
    assert len(regions) == 29
    assert {r.region_name for r in regions if r.region_opt_status == "DISABLED"} == set(
        OPT_IN_REGIONS
    )
    page = mgmt.list_regions(account_id=member, region_opt_status_contains=["ENABLED_BY_DEFAULT"])
    assert {r.region_opt_status for r in page.regions} == {"ENABLED_BY_DEFAULT"}

    account = mgmt.get_account_information(account_id=member)
    assert account.account_id == member
    assert account.account_created_date is not None
    assert account.account_created_date.tzinfo is not None
    mgmt.put_account_name(account_name="renamed member", account_id=member)
    assert mgmt.get_account_information(account_id=member).account_name == "renamed member"

    assert mgmt.get_primary_email(account_id=member).endswith("@example.com")
    assert (
        mgmt.start_primary_email_update(account_id=member, primary_email="new-root@example.com")
        == "PENDING"
    )
    assert mgmt.get_primary_email_update_status(account_id=member).status == "PENDING"
    assert (
        mgmt.accept_primary_email_update(
            account_id=member, primary_email="new-root@example.com", otp="123456"
        )
        == "ACCEPTED"
    )
    update = mgmt.get_primary_email_update_status(account_id=member)
    assert update.status == "ACCEPTED"
    assert update.updated_at is not None
    assert abs(update.updated_at - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(
        minutes=1
    )
    assert mgmt.get_primary_email(account_id=member) == "new-root@example.com"

    gov = mgmt.get_gov_cloud_account_information()
    assert gov.gov_cloud_account_id == "888800000000"
    with pytest.raises(ResourceNotFoundException):
        mgmt.get_gov_cloud_account_information(standard_account_id=member)
    assert len(emulator.request_counts) == 18


# -- organization mode -----------------------------------------------------------


def test_management_account_may_not_name_itself(
    emulator: AccountEmulator, mgmt: AccountClient
) -> None:
    with pytest.raises(AccessDeniedException):
        mgmt.get_account_information(account_id=emulator.management_account_id)
    assert mgmt.get_account_information().account_id == emulator.management_account_id


def test_delegated_admin_may_act_on_members(emulator: AccountEmulator) -> None:
    admin = emulator.client(emulator.delegated_admin_account_id, max_attempts=1)
    member = emulator.member_account_ids[1]
    assert admin.get_account_information(account_id=member).account_id == member
    with pytest.raises(AccessDeniedException):
        admin.get_account_information(account_id=emulator.management_account_id)


def test_members_and_outsiders_are_refused(emulator: AccountEmulator, mgmt: AccountClient) -> None:
    first, second = emulator.member_account_ids[:2]
    member_client = emulator.client(first, max_attempts=1)
    with pytest.raises(AccessDeniedException):
        member_client.get_account_information(account_id=second)
    assert member_client.get_account_information().account_id == first  # standalone mode works
    with pytest.raises(AccessDeniedException):
        mgmt.get_account_information(account_id=emulator.standalone_account_ids[0])


@pytest.mark.account_emulator(member_count=1, trusted_access_enabled=False, enforce_quotas=False)
def test_without_trusted_access_organization_mode_is_denied(
    account_emulator: AccountEmulator, account_client: AccountClient
) -> None:
    with pytest.raises(AccessDeniedException):
        account_client.get_account_information(account_id=account_emulator.member_account_ids[0])


# -- Regions ----------------------------------------------------------------------


def test_region_switching_rules() -> None:
    # A transition long enough that "still switching" holds on a loaded machine;
    # the end waits for it rather than sleeping a fixed time.
    with AccountEmulator(
        member_count=1, region_transition_seconds=1.0, enforce_quotas=False
    ) as emulator, emulator.client(max_attempts=1, rate_limiting=False) as mgmt:  # fmt: skip
        member = emulator.member_account_ids[0]
        raw = boto3_client(emulator)  # boto3 does not look first: the service answers Conflict
        mgmt.enable_region(region_name="me-south-1", account_id=member)
        mgmt.enable_region(region_name="me-south-1", account_id=member)  # on its way: no call
        assert emulator.request_counts["EnableRegion"] == 1
        with pytest.raises(ConflictException):
            mgmt.disable_region(region_name="me-south-1", account_id=member)
        with pytest.raises(raw.exceptions.ConflictException):
            raw.enable_region(RegionName="me-south-1", AccountId=member)
        with pytest.raises(ValidationException) as by_default:
            mgmt.disable_region(region_name="us-east-1", account_id=member)
        assert by_default.value.reason == "invalidRegionOptTarget"
        with pytest.raises(ValidationException):
            mgmt.get_region_opt_status(region_name="xx-nowhere-1", account_id=member)
        settled = mgmt.wait_for_region_opt_status(
            region_name="me-south-1", account_id=member, statuses={"ENABLED"},
            timeout=10, poll_interval=0.05,
        )  # fmt: skip
        assert settled.region_opt_status == "ENABLED"


@pytest.mark.account_emulator(
    member_count=2, region_opt_concurrency_per_account=2, region_transition_seconds=30,
    enforce_quotas=False,
)  # fmt: skip
def test_concurrency_cap_is_its_own_error_and_not_retried(
    account_emulator: AccountEmulator,
) -> None:
    """The service's cap (2 here) is below the client's (6): its 429 is its own class,
    never retried on a seconds-scale backoff; enable_region waits for room, sending
    one probe per poll_interval, and raises it once its timeout would pass."""
    client = account_emulator.client(rate_limiting=False)
    member = account_emulator.member_account_ids[0]
    client.enable_region(region_name="af-south-1", account_id=member)
    client.enable_region(region_name="ap-east-1", account_id=member)
    before = account_emulator.request_counts["EnableRegion"]
    with pytest.raises(RegionOptConcurrencyExceeded) as caught:
        client.enable_region(
            region_name="me-south-1", account_id=member, timeout=1.0, poll_interval=0.25
        )
    assert isinstance(caught.value, TooManyRequestsException)
    assert caught.value.error_code == "TooManyRequestsException"
    assert caught.value.attempts == 1  # the retry layer left it alone
    probes = account_emulator.request_counts["EnableRegion"] - before
    assert 2 <= probes <= 4  # at 0, 0.25, 0.5 and 0.75 s: no retry storm
    raw = client.with_options(max_attempts=5)  # the bare operation, no gate
    with pytest.raises(RegionOptConcurrencyExceeded):
        raw._run(
            raw._path.call(ops.ENABLE_REGION, {"region_name": "me-south-1", "account_id": member})
        )
    assert account_emulator.request_counts["EnableRegion"] == before + probes + 1


# -- quotas and faults ----------------------------------------------------------------


@pytest.mark.account_emulator(member_count=1)
def test_quotas_are_enforced_and_the_client_paces_itself_under_them(
    account_emulator: AccountEmulator,
) -> None:
    raw = account_emulator.client(rate_limiting=False, max_attempts=1)
    errors = 0
    for _ in range(8):  # GetAccountInformation: 3/s, burst 3
        try:
            raw.get_account_information()
        except TooManyRequestsException:
            errors += 1
    assert errors >= 4
    account_emulator.reset_counts()
    time.sleep(1.1)
    paced = account_emulator.client()
    for _ in range(6):
        paced.get_account_information(account_id=account_emulator.member_account_ids[0])
    assert sum(account_emulator.throttled_counts.values()) == 0


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (FaultKind.THROTTLE, TooManyRequestsException),
        (FaultKind.INTERNAL_ERROR, ServiceError),
        (FaultKind.HTML_503, ServiceError),
        (FaultKind.EMPTY_502, ServiceError),
    ],
)
def test_injected_faults_are_retried_by_our_client(
    emulator: AccountEmulator, connect: Connect, kind: FaultKind, expected: type[Exception]
) -> None:
    client = connect(emulator, rate_limiting=False, runtime=emulator_runtime(), max_attempts=3)
    emulator.inject(kind, count=2, operation="GetAccountInformation")
    assert client.get_account_information().account_id == emulator.management_account_id
    assert emulator.request_counts["GetAccountInformation"] == 3
    emulator.inject(kind, count=1, operation="GetAccountInformation")
    with pytest.raises(expected):
        client.with_options(max_attempts=1).get_account_information()


def test_reset_and_truncation_faults(emulator: AccountEmulator, connect: Connect) -> None:
    client = connect(emulator, rate_limiting=False, runtime=emulator_runtime())
    emulator.inject(FaultKind.RESET, count=1)
    emulator.inject(FaultKind.TRUNCATED_JSON, count=1)
    regions = client.list_regions(max_results=2)  # safe to repeat: retried past both
    assert len(regions.regions) == 2
    assert emulator.request_counts["ListRegions"] == 3


def test_enable_region_survives_a_connection_dropped_after_processing(
    emulator: AccountEmulator,
    connect: Connect,
) -> None:
    client = connect(emulator, rate_limiting=False, runtime=emulator_runtime())
    member = emulator.member_account_ids[0]
    emulator.inject(FaultKind.CLOSE_AFTER_PROCESSING, count=1, operation="EnableRegion")
    client.enable_region(region_name="af-south-1", account_id=member)
    assert emulator.request_counts["EnableRegion"] == 1  # never resent
    assert emulator.request_counts["GetRegionOptStatus"] == 2  # before, and to check
    status = client.get_region_opt_status(region_name="af-south-1", account_id=member)
    assert status.region_opt_status in ("ENABLING", "ENABLED")


def test_email_update_with_a_dropped_connection_is_an_unknown_outcome(
    emulator: AccountEmulator,
    connect: Connect,
) -> None:
    client = connect(emulator, rate_limiting=False, runtime=emulator_runtime())
    member = emulator.member_account_ids[0]
    emulator.inject(FaultKind.CLOSE_AFTER_PROCESSING, count=1, operation="StartPrimaryEmailUpdate")
    with pytest.raises(OutcomeUnknownError) as caught:
        client.start_primary_email_update(account_id=member, primary_email="n@example.com")
    assert isinstance(caught.value.__cause__, ConnectionClosedError)
    assert emulator.request_counts["StartPrimaryEmailUpdate"] == 1
    # It had been applied, which is why it was not resent:
    assert client.get_primary_email_update_status(account_id=member).status == "PENDING"


# -- signatures ------------------------------------------------------------------------


def test_wrong_secret_is_an_invalid_signature(emulator: AccountEmulator) -> None:
    access_key = emulator.credentials_for().access_key_id
    with AccountClient(
        endpoint_url=emulator.url, aws_access_key_id=access_key,
        aws_secret_access_key="not-the-secret", max_attempts=1,
    ) as client, pytest.raises(InvalidSignatureException):  # fmt: skip
        client.get_account_information()


def test_unknown_key_is_unrecognized(emulator: AccountEmulator) -> None:
    with AccountClient(
        endpoint_url=emulator.url, aws_access_key_id="AKIANOBODY", aws_secret_access_key="x",
        max_attempts=1,
    ) as client, pytest.raises(UnrecognizedClientException):  # fmt: skip
        client.get_account_information()


def test_unsigned_request_is_refused(emulator: AccountEmulator) -> None:
    import requests

    response = requests.post(emulator.url + "/getAccountInformation", data=b"{}", timeout=5)
    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"].startswith("MissingAuthenticationTokenException")
    assert MissingAuthenticationToken.__name__ in response.headers["x-amzn-ErrorType"]


def test_expired_session_token(emulator: AccountEmulator) -> None:
    credentials = emulator.issue_session_credentials()
    assert credentials.session_token is not None
    with AccountClient(
        endpoint_url=emulator.url,
        max_attempts=1,
        aws_access_key_id=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
        aws_session_token=credentials.session_token,
    ) as client:
        assert client.get_account_information().account_id == emulator.management_account_id
        emulator.expire_session_token(credentials.session_token)
        with pytest.raises(ExpiredTokenException):
            client.get_account_information()
    assert emulator.request_counts["GetAccountInformation"] == 3  # one refresh-and-retry


def test_session_credentials_are_a_new_key_that_needs_its_token(
    emulator: AccountEmulator,
) -> None:
    first = emulator.issue_session_credentials()
    second = emulator.issue_session_credentials()
    assert first.access_key_id.startswith("ASIA")
    assert len({first.access_key_id, second.access_key_id}) == 2
    for credentials in (first, second):
        with AccountClient(
            endpoint_url=emulator.url,
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
            aws_session_token=credentials.session_token,
        ) as client:
            account = client.get_account_information().account_id
            assert account == emulator.management_account_id
    with (
        AccountClient(
            endpoint_url=emulator.url,
            max_attempts=1,
            aws_access_key_id=first.access_key_id,
            aws_secret_access_key=first.secret_access_key,
        ) as tokenless,
        pytest.raises(UnrecognizedClientException),
    ):
        tokenless.get_account_information()
    with emulator.client() as long_term:  # the account's own key is unaffected
        assert long_term.get_account_information().account_id == emulator.management_account_id


# -- boto3 as an independent client ------------------------------------------------------


def test_boto3_gets_the_same_answers(emulator: AccountEmulator, mgmt: AccountClient) -> None:
    member = emulator.member_account_ids[2]
    b3 = boto3_client(emulator)
    b3.put_alternate_contact(
        AlternateContactType="SECURITY", Name="Sec", Title="CISO",
        EmailAddress="sec@example.com", PhoneNumber="+1 555 0100", AccountId=member,
    )  # fmt: skip
    ours = mgmt.get_alternate_contact(alternate_contact_type="SECURITY", account_id=member)
    theirs = b3.get_alternate_contact(AlternateContactType="SECURITY", AccountId=member)[
        "AlternateContact"
    ]
    assert (ours.name, ours.title, ours.email_address) == (
        theirs["Name"],
        theirs["Title"],
        theirs["EmailAddress"],
    )
    paginated = [
        r
        for page in b3.get_paginator("list_regions").paginate(AccountId=member)
        for r in page["Regions"]
    ]
    assert [r["RegionName"] for r in paginated] == [
        r.region_name for r in mgmt.iter_regions(account_id=member)
    ]
    info = b3.get_account_information(AccountId=member)
    assert (
        info["AccountCreatedDate"]
        == mgmt.get_account_information(account_id=member).account_created_date
    )


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (
            lambda c, m: c.get_alternate_contact(AlternateContactType="SECURITY", AccountId=m),
            "ResourceNotFoundException",
        ),
        (lambda c, m: c.get_account_information(AccountId="111111111111"), "AccessDeniedException"),
        (lambda c, m: c.disable_region(RegionName="us-east-1", AccountId=m), "ValidationException"),
        (
            lambda c, m: c.put_account_name(AccountName="bad<>name", AccountId=m),
            "ValidationException",
        ),
        (lambda c, m: c.list_regions(MaxResults=51), "ValidationException"),
        (
            lambda c, m: c.accept_primary_email_update(
                AccountId=m, PrimaryEmail="a@b.co", Otp="123456"
            ),
            "ResourceNotFoundException",
        ),
    ],
)
def test_boto3_sees_aws_error_codes(emulator: AccountEmulator, call: Any, code: str) -> None:
    b3 = boto3_client(emulator)
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call(b3, emulator.member_account_ids[3])
    assert caught.value.response["Error"]["Code"] == code
    assert caught.value.response["ResponseMetadata"]["RequestId"]


def test_boto3_validation_errors_carry_field_list(emulator: AccountEmulator) -> None:
    b3 = boto3_client(emulator)
    with pytest.raises(b3.exceptions.ValidationException) as caught:
        b3.put_alternate_contact(
            AlternateContactType="SECURITY", Name="n", Title="t",
            EmailAddress="é@example.com", PhoneNumber="+1",
        )  # fmt: skip
    assert caught.value.response["reason"] == "fieldValidationFailed"
    assert caught.value.response["fieldList"][0]["name"] == "EmailAddress"


def test_the_emulator_catches_what_our_validation_would_have_caught(
    emulator: AccountEmulator,
) -> None:
    """Both sides reject the same bad value: client-side rules and the emulator agree."""
    b3 = boto3_client(emulator)
    fullwidth = "".join(chr(0xFF10 + int(d)) for d in "123456789012")
    for account_id in ("12345", fullwidth):
        with pytest.raises(botocore.exceptions.ClientError):
            b3.get_account_information(AccountId=account_id)


# -- pytest plugin --------------------------------------------------------------------


def test_plugin_fixtures_give_a_ready_client(
    account_emulator: AccountEmulator, account_client: AccountClient
) -> None:
    assert account_client.config.endpoint_url == account_emulator.url
    assert len(account_emulator.member_account_ids) == 50
    assert (
        account_client.get_account_information().account_id
        == account_emulator.management_account_id
    )


def test_every_account_has_its_own_key_and_emulators_do_not_share_keys() -> None:
    first, second = AccountEmulator(member_count=50), AccountEmulator(member_count=50)
    keys = [first.credentials_for(a).access_key_id for a in first.world.accounts]
    assert len(set(keys)) == len(keys) == 53
    assert all(len(key) == 20 and key.startswith("AKIA") for key in keys)
    assert first.credentials_for().access_key_id != second.credentials_for().access_key_id


def test_fault_counts_count_the_answers_a_fault_replaced() -> None:
    with AccountEmulator(member_count=1) as emulator:
        emulator.inject(FaultKind.THROTTLE, count=2, operation="GetAccountInformation")
        emulator.inject(FaultKind.DELAY, count=1, delay=0.01, operation="ListRegions")
        with emulator.client(max_attempts=5) as client:
            client.get_account_information()
            client.list_regions()

        assert emulator.request_counts["GetAccountInformation"] == 3
        assert emulator.fault_counts == {"GetAccountInformation": 2}  # the delayed one ran
        emulator.reset_counts()
        assert emulator.fault_counts == {}
