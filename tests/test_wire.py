"""The exact request each operation puts on the wire, and what it makes of the answer."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import attrs
import pytest
import responses

from account_mgmt import (
    AccountClient,
    AccountInformation,
    AlternateContact,
    AlternateContactType,
    GetContactInformationResponse,
    GovCloudAccountInformation,
    ListRegionsResponse,
    PrimaryEmailUpdate,
    Region,
    RegionOptStatus,
)

from . import _data
from .conftest import ACCESS_KEY, ENDPOINT, SESSION_TOKEN

MEMBER = "111122223333"
# The shared contact, plus optional members, and a phone number with dashes.
CONTACT = attrs.evolve(
    _data.CONTACT,
    phone_number="+1 206-555-0100",
    state_or_region="WA",
    company_name="Example Corp",
)
CONTACT_WIRE = {
    "FullName": "Jane Doe",
    "AddressLine1": "1 Main St",
    "City": "Seattle",
    "PostalCode": "98101",
    "CountryCode": "US",
    "PhoneNumber": "+1 206-555-0100",
    "StateOrRegion": "WA",
    "CompanyName": "Example Corp",
}

# method, kwargs, path, expected request body, response body, expected result
CASES: list[tuple[str, dict[str, Any], str, dict[str, Any], Any, Any]] = [
    (
        "get_alternate_contact",
        {"alternate_contact_type": AlternateContactType.SECURITY, "account_id": MEMBER},
        "/getAlternateContact",
        {"AlternateContactType": "SECURITY", "AccountId": MEMBER},
        {
            "AlternateContact": {
                "AlternateContactType": "SECURITY",
                "Name": "Sec Team",
                "Title": "CISO",
                "EmailAddress": "sec@example.com",
                "PhoneNumber": "+1 555 0100",
            }
        },
        AlternateContact(
            alternate_contact_type="SECURITY",
            name="Sec Team",
            title="CISO",
            email_address="sec@example.com",
            phone_number="+1 555 0100",
        ),
    ),
    (
        "put_alternate_contact",
        {
            "alternate_contact_type": "BILLING",
            "name": "Bill",
            "title": "CFO",
            "email_address": "bill@example.com",
            "phone_number": "+1 555 0101",
        },
        "/putAlternateContact",
        {
            "AlternateContactType": "BILLING",
            "Name": "Bill",
            "Title": "CFO",
            "EmailAddress": "bill@example.com",
            "PhoneNumber": "+1 555 0101",
        },
        None,
        None,
    ),
    (
        "delete_alternate_contact",
        {"alternate_contact_type": "OPERATIONS", "account_id": MEMBER},
        "/deleteAlternateContact",
        {"AlternateContactType": "OPERATIONS", "AccountId": MEMBER},
        None,
        None,
    ),
    (
        "get_contact_information",
        {},
        "/getContactInformation",
        {},
        {"ContactInformation": CONTACT_WIRE, "VerificationStatus": "VERIFIED"},
        GetContactInformationResponse(contact_information=CONTACT, verification_status="VERIFIED"),
    ),
    (
        "put_contact_information",
        {"contact_information": CONTACT, "account_id": MEMBER},
        "/putContactInformation",
        {"ContactInformation": CONTACT_WIRE, "AccountId": MEMBER},
        None,
        None,
    ),
    (
        "get_region_opt_status",
        {"region_name": "af-south-1"},
        "/getRegionOptStatus",
        {"RegionName": "af-south-1"},
        {"RegionName": "af-south-1", "RegionOptStatus": "ENABLING"},
        Region(region_name="af-south-1", region_opt_status="ENABLING"),
    ),
    (
        "list_regions",
        {
            "account_id": MEMBER,
            "max_results": 2,
            "next_token": "t1",
            "region_opt_status_contains": [RegionOptStatus.ENABLED, "DISABLED"],
        },
        "/listRegions",
        {
            "AccountId": MEMBER,
            "MaxResults": 2,
            "NextToken": "t1",
            "RegionOptStatusContains": ["ENABLED", "DISABLED"],
        },
        {
            "Regions": [
                {"RegionName": "af-south-1", "RegionOptStatus": "DISABLED"},
                {"RegionName": "ap-east-1", "RegionOptStatus": "ENABLED"},
            ],
            "NextToken": "t2",
        },
        ListRegionsResponse(
            regions=(
                Region(region_name="af-south-1", region_opt_status="DISABLED"),
                Region(region_name="ap-east-1", region_opt_status="ENABLED"),
            ),
            next_token="t2",
        ),
    ),
    (
        "enable_region",
        {"region_name": "af-south-1", "account_id": MEMBER},
        "/enableRegion",
        {"RegionName": "af-south-1", "AccountId": MEMBER},
        None,
        None,
    ),
    (
        "disable_region",
        {"region_name": "af-south-1"},
        "/disableRegion",
        {"RegionName": "af-south-1"},
        None,
        None,
    ),
    (
        "get_account_information",
        {"account_id": MEMBER},
        "/getAccountInformation",
        {"AccountId": MEMBER},
        {
            "AccountId": MEMBER,
            "AccountName": "prod",
            "AccountCreatedDate": "2020-01-02T03:04:05Z",
            "AccountState": "ACTIVE",
        },
        AccountInformation(
            account_id=MEMBER,
            account_name="prod",
            account_created_date=datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
            account_state="ACTIVE",
        ),
    ),
    (
        "put_account_name",
        {"account_name": "prod-2"},
        "/putAccountName",
        {"AccountName": "prod-2"},
        None,
        None,
    ),
    (
        "get_primary_email",
        {"account_id": MEMBER},
        "/getPrimaryEmail",
        {"AccountId": MEMBER},
        {"PrimaryEmail": "root@example.com"},
        "root@example.com",
    ),
    (
        "start_primary_email_update",
        {"account_id": MEMBER, "primary_email": "new@example.com"},
        "/startPrimaryEmailUpdate",
        {"AccountId": MEMBER, "PrimaryEmail": "new@example.com"},
        {"Status": "PENDING"},
        "PENDING",
    ),
    (
        "accept_primary_email_update",
        {"account_id": MEMBER, "primary_email": "new@example.com", "otp": "a1B2c3"},
        "/acceptPrimaryEmailUpdate",
        {"AccountId": MEMBER, "PrimaryEmail": "new@example.com", "Otp": "a1B2c3"},
        {"Status": "ACCEPTED"},
        "ACCEPTED",
    ),
    (
        "get_primary_email_update_status",
        {"account_id": MEMBER},
        "/getPrimaryEmailUpdateStatus",
        {"AccountId": MEMBER},
        {"Status": "COMPLETED", "UpdatedAt": 1700000000},
        PrimaryEmailUpdate(
            status="COMPLETED",
            updated_at=datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=datetime.UTC),
        ),
    ),
    (
        "get_gov_cloud_account_information",
        {"standard_account_id": MEMBER},
        "/getGovCloudAccountInformation",
        {"StandardAccountId": MEMBER},
        {"GovCloudAccountId": "444455556666", "AccountState": "ACTIVE"},
        GovCloudAccountInformation(gov_cloud_account_id="444455556666", account_state="ACTIVE"),
    ),
    (
        "send_phone_number_verification",
        {},
        "/sendPhoneNumberVerification",
        {},
        {"Status": "PENDING"},
        "PENDING",
    ),
    (
        "verify_phone_number",
        {"otp": "123456", "account_id": MEMBER},
        "/verifyPhoneNumber",
        {"Otp": "123456", "AccountId": MEMBER},
        {"Status": "VERIFIED"},
        "VERIFIED",
    ),
]

REGION_SWITCHES = {"enable_region", "disable_region"}

AUTH = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request, "
    r"SignedHeaders=(?P<signed>[^,]+), Signature=(?P<sig>[0-9a-f]{64})"
)


def test_cases_cover_every_operation() -> None:
    assert len({case[0] for case in CASES}) == 18


@pytest.mark.parametrize(
    ("method", "kwargs", "path", "request_body", "response_body", "expected"),
    CASES,
    ids=[case[0] for case in CASES],
)
@responses.activate(assert_all_requests_are_fired=True)
def test_operation_sends_exact_request_and_returns_typed_result(
    client: AccountClient,
    method: str,
    kwargs: dict[str, Any],
    path: str,
    request_body: dict[str, Any],
    response_body: Any,
    expected: Any,
) -> None:
    looks_first = method in REGION_SWITCHES
    if looks_first:  # enable/disable read the Region's status before acting
        status = "DISABLED" if method == "enable_region" else "ENABLED"
        responses.post(ENDPOINT + "/getRegionOptStatus", json={"RegionOptStatus": status})
    responses.post(
        ENDPOINT + path,
        body=b"" if response_body is None else json.dumps(response_body).encode(),
        status=200,
        headers={"x-amzn-RequestId": "rid-1"},
    )

    result = getattr(client, method)(**kwargs)

    assert result == expected
    assert len(responses.calls) == (2 if looks_first else 1)
    sent = responses.calls[-1].request
    assert sent.method == "POST"
    assert sent.url == ENDPOINT + path
    assert sent.body is not None
    assert json.loads(sent.body) == request_body
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.headers["X-Amz-Security-Token"] == SESSION_TOKEN
    assert re.fullmatch(r"\d{8}T\d{6}Z", sent.headers["X-Amz-Date"])
    match = AUTH.fullmatch(sent.headers["Authorization"])
    assert match is not None
    assert match["key"] == ACCESS_KEY
    assert match["date"] == sent.headers["X-Amz-Date"][:8]
    assert match["region"] == "us-east-1"
    assert match["service"] == "account"
    assert {"host", "x-amz-date", "x-amz-security-token", "content-type"} <= set(
        match["signed"].split(";")
    )
    assert sent.headers["User-Agent"].startswith("account_mgmt/")


@responses.activate
def test_enum_members_and_plain_strings_send_the_same_body(client: AccountClient) -> None:
    responses.post(ENDPOINT + "/deleteAlternateContact", body=b"")
    client.delete_alternate_contact(alternate_contact_type=AlternateContactType.BILLING)
    client.delete_alternate_contact(alternate_contact_type="BILLING")
    bodies = [call.request.body for call in responses.calls]
    assert bodies[0] == bodies[1] == b'{"AlternateContactType":"BILLING"}'


@responses.activate
def test_non_ascii_values_are_sent_as_utf8_json(client: AccountClient) -> None:
    responses.post(ENDPOINT + "/putAccountName", body=b"")
    client.put_account_name(account_name="caf~")
    responses.post(ENDPOINT + "/putAlternateContact", body=b"")
    client.put_alternate_contact(
        alternate_contact_type="SECURITY",
        name="Zoë Ünal",
        title="Sécurité",
        email_address="zoe@example.com",
        phone_number="+33 1 23 45 67 89",
    )
    sent = responses.calls[1].request.body
    assert isinstance(sent, bytes)
    assert json.loads(sent.decode("utf-8"))["Name"] == "Zoë Ünal"


@responses.activate
def test_no_session_token_header_without_a_token() -> None:
    responses.post(ENDPOINT + "/getAccountInformation", json={"AccountId": MEMBER})
    with AccountClient(aws_access_key_id="AKIDPLAIN", aws_secret_access_key="plain-secret") as c:
        c.get_account_information()
    sent = responses.calls[0].request
    assert "X-Amz-Security-Token" not in sent.headers
    assert "x-amz-security-token" not in sent.headers["Authorization"]


@responses.activate
def test_each_attempt_is_signed_afresh_without_duplicate_signing_headers(
    client: AccountClient,
) -> None:
    responses.post(ENDPOINT + "/getRegionOptStatus", status=500, json={})
    responses.post(
        ENDPOINT + "/getRegionOptStatus",
        json={"RegionName": "af-south-1", "RegionOptStatus": "ENABLED"},
    )
    client.get_region_opt_status(region_name="af-south-1")
    first, second = (call.request for call in responses.calls)
    for request in (first, second):
        assert request.headers["Authorization"].count("AWS4-HMAC-SHA256") == 1
        assert "," not in request.headers["X-Amz-Security-Token"]


@responses.activate
def test_unknown_response_members_and_enum_values_are_kept_leniently(
    client: AccountClient,
) -> None:
    responses.post(
        ENDPOINT + "/listRegions",
        json={
            "Regions": [
                {"RegionName": "xx-new-1", "RegionOptStatus": "PAUSED", "Brand": "new"},
            ],
            "SomethingAwsAddedLater": {"nested": True},
        },
    )
    page = client.list_regions()
    assert page == ListRegionsResponse(
        regions=(Region(region_name="xx-new-1", region_opt_status="PAUSED"),), next_token=None
    )


@responses.activate
def test_account_created_date_accepts_epoch_seconds_too(client: AccountClient) -> None:
    responses.post(
        ENDPOINT + "/getAccountInformation",
        json={"AccountId": MEMBER, "AccountCreatedDate": 1577934245.5},
    )
    info = client.get_account_information()
    assert info.account_created_date == datetime.datetime(
        2020, 1, 2, 3, 4, 5, 500000, tzinfo=datetime.UTC
    )
