"""End to end against moto's server on 127.0.0.1, for the three operations moto implements."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from account_mgmt import (
    AccountClient,
    AlternateContact,
    AlternateContactType,
    ResourceNotFoundException,
)

MEMBER = "210987654321"


@pytest.fixture
def moto_client(moto_url: str) -> Iterator[AccountClient]:
    with AccountClient(
        endpoint_url=moto_url,
        aws_access_key_id="AKIDMOTOTEST",
        aws_secret_access_key="moto-secret",
        max_attempts=1,
    ) as client:
        yield client


@pytest.mark.parametrize("account_id", [None, MEMBER])
def test_alternate_contact_lifecycle(moto_client: AccountClient, account_id: str | None) -> None:
    kind = AlternateContactType.OPERATIONS
    moto_client.put_alternate_contact(
        alternate_contact_type=kind,
        name="Ops Team",
        title="On call",
        email_address="ops@example.com",
        phone_number="+1 555 0100",
        account_id=account_id,
    )
    assert moto_client.get_alternate_contact(
        alternate_contact_type=kind, account_id=account_id
    ) == AlternateContact(
        alternate_contact_type="OPERATIONS",
        name="Ops Team",
        title="On call",
        email_address="ops@example.com",
        phone_number="+1 555 0100",
    )

    # PutAlternateContact is an upsert.
    moto_client.put_alternate_contact(
        alternate_contact_type=kind,
        name="Ops Team 2",
        title="Lead",
        email_address="ops2@example.com",
        phone_number="+1 555 0199",
        account_id=account_id,
    )
    updated = moto_client.get_alternate_contact(alternate_contact_type=kind, account_id=account_id)
    assert updated.name == "Ops Team 2"

    moto_client.delete_alternate_contact(alternate_contact_type=kind, account_id=account_id)
    with pytest.raises(ResourceNotFoundException) as caught:
        moto_client.get_alternate_contact(alternate_contact_type=kind, account_id=account_id)
    # moto answers 400 where the service model says 404: the class comes from the
    # error code, so it is right either way.
    assert caught.value.status_code == 400
    assert caught.value.error_code == "ResourceNotFoundException"
    assert caught.value.attempts == 1


def test_contacts_of_other_types_and_accounts_are_independent(moto_client: AccountClient) -> None:
    moto_client.put_alternate_contact(
        alternate_contact_type="BILLING",
        name="Bill",
        title="CFO",
        email_address="bill@example.com",
        phone_number="+1 555 0101",
        account_id=MEMBER,
    )
    with pytest.raises(ResourceNotFoundException):
        moto_client.get_alternate_contact(alternate_contact_type="SECURITY", account_id=MEMBER)
    with pytest.raises(ResourceNotFoundException):
        moto_client.get_alternate_contact(
            alternate_contact_type="BILLING", account_id="333344445555"
        )
    assert (
        moto_client.get_alternate_contact(alternate_contact_type="BILLING", account_id=MEMBER).title
        == "CFO"
    )
