"""The emulator and moto's server agree where moto implements the service; where moto
differs from the service model, the emulator follows the model (docs/emulator.md)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.exceptions
import botocore.session
import pytest

from account_mgmt.testing import AccountEmulator

MEMBER = "300000000000"


@pytest.fixture
def moto_client(moto_url: str) -> Any:
    return boto3.client(
        "account", endpoint_url=moto_url, region_name="us-east-1",
        aws_access_key_id="AKIDMOTO", aws_secret_access_key="moto",
    )  # fmt: skip


@pytest.fixture
def emulator_client() -> Iterator[Any]:
    with AccountEmulator(member_count=1, enforce_quotas=False) as emulator:
        credentials = emulator.credentials_for()
        yield boto3.client(
            "account", endpoint_url=emulator.url, region_name="us-east-1",
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
        )  # fmt: skip


def _scenario(client: Any) -> list[Any]:
    """Put, get, overwrite, get, delete, get and delete again; what each step answered."""
    steps: list[Any] = []

    def record(call: Any) -> None:
        try:
            answer = call()
            answer.pop("ResponseMetadata", None)
            steps.append(answer)
        except botocore.exceptions.ClientError as exc:
            steps.append(("error", exc.response["Error"]["Code"]))

    contact = {"Title": "CISO", "EmailAddress": "sec@example.com", "PhoneNumber": "+1 555 0100"}
    kind = {"AlternateContactType": "SECURITY", "AccountId": MEMBER}
    record(lambda: client.put_alternate_contact(Name="A", **contact, **kind))
    record(lambda: client.get_alternate_contact(**kind))
    record(lambda: client.put_alternate_contact(Name="B", **contact, **kind))
    record(lambda: client.get_alternate_contact(**kind))
    record(lambda: client.delete_alternate_contact(**kind))
    record(lambda: client.get_alternate_contact(**kind))
    record(lambda: client.delete_alternate_contact(**kind))
    return steps


def test_alternate_contact_behaviour_matches_moto(moto_client: Any, emulator_client: Any) -> None:
    ours, theirs = _scenario(emulator_client), _scenario(moto_client)
    assert ours[:6] == theirs[:6]
    assert ours[3]["AlternateContact"]["Name"] == "B"  # an upsert
    assert ours[5] == ("error", "ResourceNotFoundException")
    # Deleting twice: the service answers ResourceNotFoundException (reference
    # guide); moto answers success. The emulator follows the service.
    assert ours[6] == ("error", "ResourceNotFoundException")
    assert theirs[6] == {}


def _status(client: Any) -> int:
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        client.get_alternate_contact(AlternateContactType="BILLING", AccountId="300000000000")
    return int(caught.value.response["ResponseMetadata"]["HTTPStatusCode"])


def test_where_moto_differs_the_emulator_follows_the_model(
    moto_client: Any, emulator_client: Any
) -> None:
    model = botocore.session.get_session().get_service_model("account")
    documented = model.shape_for("ResourceNotFoundException").metadata["error"]["httpStatusCode"]
    assert _status(emulator_client) == documented == 404
    assert _status(moto_client) == 400  # moto's answer, documented in docs/emulator.md


# -- Organizations -------------------------------------------------------------------------


def _org_client(url: str, key: str, secret: str) -> Any:
    return boto3.client(
        "organizations", endpoint_url=url, region_name="us-east-1",
        aws_access_key_id=key, aws_secret_access_key=secret,
    )  # fmt: skip


@pytest.fixture
def moto_organization(moto_url: str) -> Any:
    """moto's server holding an organization with a nested OU and an account in it."""
    org = _org_client(moto_url, "AKIDMOTO", "moto")
    # The session's moto server keeps the organization between tests.
    with contextlib.suppress(org.exceptions.AlreadyInOrganizationException):
        org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    if not org.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]:
        prod = org.create_organizational_unit(ParentId=root, Name="Prod")["OrganizationalUnit"]
        payments = org.create_organizational_unit(ParentId=prod["Id"], Name="Payments")
        created = org.create_account(Email="pay@example.com", AccountName="payments")
        account_id = org.describe_create_account_status(
            CreateAccountRequestId=created["CreateAccountStatus"]["Id"]
        )["CreateAccountStatus"]["AccountId"]
        org.move_account(
            AccountId=account_id,
            SourceParentId=root,
            DestinationParentId=payments["OrganizationalUnit"]["Id"],
        )
    return org


def _walk(org: Any, parent: str) -> list[dict[str, Any]]:
    accounts = list(org.list_accounts_for_parent(ParentId=parent)["Accounts"])
    for ou in org.list_organizational_units_for_parent(ParentId=parent)["OrganizationalUnits"]:
        accounts += _walk(org, ou["Id"])
    return accounts


def test_organizations_answers_have_moto_shapes_with_both_status_fields(
    moto_organization: Any,
) -> None:
    with AccountEmulator(
        member_count=2, ou_layout={"/Prod/Payments": 1}, account_status_field="both"
    ) as emulator:
        credentials = emulator.credentials_for()
        ours = _org_client(emulator.url, credentials.access_key_id, credentials.secret_access_key)
        our_accounts = _walk(ours, ours.list_roots()["Roots"][0]["Id"])
        our_ou = ours.list_organizational_units_for_parent(ParentId=emulator.root_id)
    root = moto_organization.list_roots()["Roots"][0]["Id"]
    their_accounts = _walk(moto_organization, root)
    their_ou = moto_organization.list_organizational_units_for_parent(ParentId=root)
    # moto answers State and the retired Status side by side, as account_status_field="both".
    their_keys = set().union(*(a.keys() for a in their_accounts))
    our_keys = set().union(*(a.keys() for a in our_accounts))
    assert {"State", "Status"} <= their_keys
    assert our_keys - their_keys == {"Paths"}  # moto does not fill the newer Paths
    assert their_keys <= our_keys
    ou_keys = set(our_ou["OrganizationalUnits"][0]) - {"Path"}
    assert ou_keys == set(their_ou["OrganizationalUnits"][0])
    assert len(their_accounts) >= 2
    assert len(our_accounts) == 4


def test_where_moto_differs_organizations_max_results_is_enforced(
    moto_organization: Any,
) -> None:
    # moto pages past the model's MaxResults bound of 20; the service (and the emulator) refuse.
    moto_organization.list_accounts(MaxResults=25)
    with AccountEmulator(member_count=1) as emulator:
        credentials = emulator.credentials_for()
        ours = _org_client(emulator.url, credentials.access_key_id, credentials.secret_access_key)
        with pytest.raises(ours.exceptions.InvalidInputException):
            ours.list_accounts(MaxResults=25)
