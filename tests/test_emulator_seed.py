"""The emulator's starting world as docs/emulator.md states it, and seeding it from Python,
the pytest marker and WorldSettings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from account_mgmt import (
    AccountClient,
    AlternateContact,
    AlternateContactType,
    ConflictException,
    ResourceNotFoundException,
)
from account_mgmt.testing import (
    ENABLED_BY_DEFAULT_REGIONS,
    OPT_IN_REGIONS,
    AccountEmulator,
    WorldSettings,
)

from ._data import CONTACT

SECURITY = {
    "name": "Security Team",
    "title": "SecOps",
    "email_address": "sec@example.com",
    "phone_number": "+1 206 555 0100",
}
"""An alternate contact as a snake_case mapping."""

BILLING_WIRE = {
    "Name": "Billing",
    "Title": "AP",
    "EmailAddress": "billing@example.com",
    "PhoneNumber": "+1 206 555 0101",
}
"""An alternate contact as the wire's PascalCase mapping (a JSON seed file's form)."""


@pytest.fixture
def emulator() -> Iterator[AccountEmulator]:
    with AccountEmulator(member_count=3, enforce_quotas=False) as e:
        yield e


@pytest.fixture
def mgmt(emulator: AccountEmulator) -> Iterator[AccountClient]:
    with emulator.client(max_attempts=1, rate_limiting=False) as client:
        yield client


# -- the starting world ------------------------------------------------------------------


def test_every_account_starts_without_contacts(
    emulator: AccountEmulator, mgmt: AccountClient
) -> None:
    for account_id in [None, *emulator.member_account_ids]:
        for kind in AlternateContactType:
            with pytest.raises(ResourceNotFoundException):
                mgmt.get_alternate_contact(alternate_contact_type=kind, account_id=account_id)
        with pytest.raises(ResourceNotFoundException):
            mgmt.get_contact_information(account_id=account_id)


def test_regions_start_enabled_by_default_or_disabled(
    emulator: AccountEmulator, mgmt: AccountClient
) -> None:
    member = emulator.member_account_ids[0]
    statuses = {r.region_name: r.region_opt_status for r in mgmt.iter_regions(account_id=member)}
    assert {n for n, s in statuses.items() if s == "ENABLED_BY_DEFAULT"} == set(
        ENABLED_BY_DEFAULT_REGIONS
    )
    assert {n for n, s in statuses.items() if s == "DISABLED"} == set(OPT_IN_REGIONS)
    assert len(statuses) == 29


def test_accounts_start_with_their_documented_names(mgmt: AccountClient) -> None:
    assert mgmt.get_account_information().account_name == "management"
    member = mgmt.get_account_information(account_id="300000000002")
    assert member.account_name == "member-002"
    assert member.account_state == "ACTIVE"


# -- seeding from Python -------------------------------------------------------------------


def test_seed_sets_contacts_information_regions_and_name(
    emulator: AccountEmulator, mgmt: AccountClient
) -> None:
    member = emulator.member_account_ids[1]
    emulator.seed(
        member,
        alternate_contacts={
            "SECURITY": SECURITY,
            AlternateContactType.BILLING: BILLING_WIRE,
            "OPERATIONS": AlternateContact(
                alternate_contact_type="OPERATIONS",
                name="Ops",
                title="On call",
                email_address="ops@example.com",
                phone_number="+1 206 555 0102",
            ),
        },
        contact_information=CONTACT,
        regions={"af-south-1": "ENABLED", "me-south-1": "DISABLED"},
        account_name="Payments Prod",
    )
    security = mgmt.get_alternate_contact(alternate_contact_type="SECURITY", account_id=member)
    billing = mgmt.get_alternate_contact(alternate_contact_type="BILLING", account_id=member)
    operations = mgmt.get_alternate_contact(alternate_contact_type="OPERATIONS", account_id=member)
    info = mgmt.get_contact_information(account_id=member).contact_information
    region = mgmt.get_region_opt_status(region_name="af-south-1", account_id=member)
    name = mgmt.get_account_information(account_id=member).account_name
    assert security.email_address == "sec@example.com"
    assert billing.name == "Billing"
    assert operations.title == "On call"
    assert info is not None
    assert info.full_name == CONTACT.full_name
    assert info.phone_number == CONTACT.phone_number
    assert region.region_opt_status == "ENABLED"
    assert name == "Payments Prod"
    with pytest.raises(ResourceNotFoundException):
        mgmt.get_alternate_contact(alternate_contact_type="SECURITY")  # others untouched


def test_seed_defaults_to_the_management_account(
    emulator: AccountEmulator, mgmt: AccountClient
) -> None:
    emulator.seed(alternate_contacts={"SECURITY": SECURITY})
    assert mgmt.get_alternate_contact(alternate_contact_type="SECURITY").name == "Security Team"


def test_seeding_none_removes_a_contact(emulator: AccountEmulator, mgmt: AccountClient) -> None:
    emulator.seed(alternate_contacts={"SECURITY": SECURITY, "BILLING": BILLING_WIRE})
    emulator.seed(alternate_contacts={"SECURITY": None})
    with pytest.raises(ResourceNotFoundException):
        mgmt.get_alternate_contact(alternate_contact_type="SECURITY")
    assert mgmt.get_alternate_contact(alternate_contact_type="BILLING").name == "Billing"


def test_a_region_seeded_enabling_is_mid_switch(
    emulator: AccountEmulator, mgmt: AccountClient
) -> None:
    member = emulator.member_account_ids[0]
    emulator.seed(member, regions={"ap-east-1": "ENABLING"})
    status = mgmt.get_region_opt_status(region_name="ap-east-1", account_id=member)
    assert status.region_opt_status == "ENABLING"
    with pytest.raises(ConflictException):
        mgmt.disable_region(region_name="ap-east-1", account_id=member)


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (
            {"alternate_contacts": {"SECURITY": {**SECURITY, "email_address": "x" * 300}}},
            "EmailAddress",
        ),
        ({"alternate_contacts": {"LEGAL": SECURITY}}, "LEGAL"),
        ({"alternate_contacts": {"SECURITY": {"name": "only a name"}}}, "Title"),
        ({"contact_information": {"full_name": "No Address"}}, "AddressLine1"),
        ({"regions": {"us-east-1": "DISABLED"}}, "enabled by default"),
        ({"regions": {"af-south-1": "ON"}}, "af-south-1"),
        ({"regions": {"xx-nowhere-1": "ENABLED"}}, "xx-nowhere-1"),
        ({"account_name": ""}, "AccountName"),
    ],
)
def test_a_seed_the_service_would_refuse_is_a_value_error(
    emulator: AccountEmulator, options: dict[str, Any], words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        emulator.seed(emulator.member_account_ids[0], **options)


def test_a_refused_seed_changes_nothing(emulator: AccountEmulator, mgmt: AccountClient) -> None:
    with pytest.raises(ValueError, match="AccountName"):
        emulator.seed(
            alternate_contacts={"SECURITY": SECURITY},
            regions={"af-south-1": "ENABLED"},
            account_name="",
        )
    with pytest.raises(ResourceNotFoundException):
        mgmt.get_alternate_contact(alternate_contact_type="SECURITY")
    assert mgmt.get_region_opt_status(region_name="af-south-1").region_opt_status == "DISABLED"


def test_seeding_an_unknown_account_is_a_value_error(emulator: AccountEmulator) -> None:
    with pytest.raises(ValueError, match="399999999999"):
        emulator.seed("399999999999", account_name="ghost")


# -- seeding from WorldSettings and the marker ----------------------------------------------


def test_seed_state_applies_to_every_account_then_each_one() -> None:
    seed_state = {
        "*": {"alternate_contacts": {"SECURITY": SECURITY}, "regions": {"af-south-1": "ENABLED"}},
        "300000000001": {"alternate_contacts": {"SECURITY": None}, "account_name": "Sandbox"},
    }
    with (
        AccountEmulator(member_count=2, enforce_quotas=False, seed_state=seed_state) as emulator,
        emulator.client(rate_limiting=False) as mgmt,
    ):
        first = mgmt.get_alternate_contact(
            alternate_contact_type="SECURITY", account_id="300000000000"
        )
        own = mgmt.get_alternate_contact(alternate_contact_type="SECURITY")
        with pytest.raises(ResourceNotFoundException):
            mgmt.get_alternate_contact(alternate_contact_type="SECURITY", account_id="300000000001")
        region = mgmt.get_region_opt_status(region_name="af-south-1", account_id="300000000001")
        credentials = emulator.credentials_for()
        org = boto3.client(
            "organizations", endpoint_url=emulator.url, region_name="us-east-1",
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
        )  # fmt: skip
        described = org.describe_account(AccountId="300000000001")["Account"]
    assert first.name == own.name == "Security Team"
    assert region.region_opt_status == "ENABLED"
    assert described["Name"] == "Sandbox"


@pytest.mark.parametrize(
    ("seed_state", "words"),
    [
        ({"300000000000": {"contacts": {}}}, "unknown keys"),
        ({"300000000000": ["not", "a", "mapping"]}, "mapping"),
        ({"399999999999": {"account_name": "x"}}, "399999999999"),
    ],
)
def test_a_bad_seed_state_is_refused_when_the_world_is_built(
    seed_state: dict[str, Any], words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        AccountEmulator(WorldSettings(member_count=1, seed_state=seed_state))


@pytest.mark.account_emulator(
    member_count=2,
    enforce_quotas=False,
    seed_state={"300000000000": {"contact_information": {"FullName": "Jane Doe",
        "AddressLine1": "1 Main St", "City": "Seattle", "PostalCode": "98101",
        "CountryCode": "US", "PhoneNumber": "+1 206 555 0100"}}},
)  # fmt: skip
def test_the_marker_seeds_the_fixtures_world(account_client: AccountClient) -> None:
    info = account_client.get_contact_information(account_id="300000000000").contact_information
    assert info is not None
    assert info.city == "Seattle"
    with pytest.raises(ResourceNotFoundException):
        account_client.get_contact_information(account_id="300000000001")


def test_settings_repr_shows_no_seeded_personal_data() -> None:
    settings = WorldSettings(
        member_count=1,
        account_names={"300000000000": "Jane's sandbox"},
        seed_state={"*": {"alternate_contacts": {"SECURITY": SECURITY}}},
    )
    text = repr(settings)
    assert "sec@example.com" not in text
    assert "+1 206 555 0100" not in text
    assert "Jane" not in text
    assert "seed_state=<1 entries>" in text
