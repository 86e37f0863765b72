"""The emulator and moto's server agree where moto implements the service; where moto
differs from the service model, the emulator follows the model (docs/emulator.md)."""

from __future__ import annotations

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
