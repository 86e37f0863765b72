"""Nothing secret reaches a log line, a repr, a str or an exception message."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from account_mgmt import (
    AccountClient,
    AccountInformation,
    AlternateContact,
    AsyncAccountClient,
    ContactInformation,
    ParamValidationError,
    ServiceError,
)
from account_mgmt._http import HttpRequest, HttpResponse
from account_mgmt._signing import FrozenCredentials
from account_mgmt._steps import Send

from ._canned_server import CannedServer
from ._facade import blocking

CANARIES = {
    "secret_key": "CANARYsecretKEY0000000000000000000000000",
    "token": "CANARYsessionTOKENxyzzy",
    "name": "CanaryName Zed",
    "email": "canary.mail@example.com",
    "phone": "+1 999 555 0123",
    "otp": "CnRy42",
    "account_name": "canary-account-name",
    "street": "42 Canary Street",
}


def _json(payload: object) -> bytes:
    return json.dumps(payload).encode()


def test_debug_logging_of_every_layer_shows_no_secret(
    caplog: pytest.LogCaptureFixture, client_kind: str
) -> None:
    """Run once with each client: the async one logs through aiohttp, not requests."""
    kind = AccountClient if client_kind == "sync" else AsyncAccountClient
    echo = f"Invalid email {CANARIES['email']}"
    replies = [
        (
            200,
            {"Content-Type": "application/json"},
            _json(
                {
                    "AlternateContact": {
                        "AlternateContactType": "SECURITY",
                        "Name": CANARIES["name"],
                        "EmailAddress": CANARIES["email"],
                        "PhoneNumber": CANARIES["phone"],
                        "Title": "T",
                    }
                }
            ),
        ),
        (200, {}, b""),
        (
            400,
            {"x-amzn-ErrorType": "ValidationException"},
            _json(
                {
                    "message": echo,
                    "reason": "fieldValidationFailed",
                    "fieldList": [{"name": "Otp", "message": echo}],
                }
            ),
        ),
        (200, {}, _json({"AccountId": "111122223333", "AccountName": CANARIES["account_name"]})),
        (200, {}, b""),
    ]
    caplog.set_level(logging.DEBUG)  # the root logger: every library's DEBUG output
    texts: list[str] = []
    with (
        CannedServer(replies).running() as server,
        _client_of_kind(
            kind,
            endpoint_url=server.url,
            aws_access_key_id="AKIDCANARY",
            aws_secret_access_key=CANARIES["secret_key"],
            aws_session_token=CANARIES["token"],
            max_attempts=1,
        ) as client,
    ):
        contact = client.get_alternate_contact(alternate_contact_type="SECURITY")
        client.put_alternate_contact(
            alternate_contact_type="SECURITY",
            name=CANARIES["name"],
            title="T",
            email_address=CANARIES["email"],
            phone_number=CANARIES["phone"],
        )
        with pytest.raises(ServiceError) as service_error:
            client.verify_phone_number(otp=CANARIES["otp"])
        info = client.get_account_information()
        client.put_contact_information(
            contact_information=ContactInformation(
                full_name=CANARIES["name"],
                address_line1=CANARIES["street"],
                city="C",
                postal_code="1",
                country_code="US",
                phone_number=CANARIES["phone"],
            )
        )
        with pytest.raises(ParamValidationError) as param_error:
            client.verify_phone_number(otp=CANARIES["otp"] + "!")
        texts += [repr(contact), str(contact), repr(info), repr(client)]
        for exc in (service_error.value, param_error.value):
            texts += [str(exc), repr(exc), repr(exc.args)]
        signed_headers = server.requests[0][1]

    assert signed_headers["X-Amz-Security-Token"] == CANARIES["token"]  # the wire has it...
    assert contact.name == CANARIES["name"]  # ...and so does the value the user asked for
    assert caplog.records, "DEBUG logging produced nothing: the test would prove nothing"
    texts += [record.getMessage() for record in caplog.records]
    texts.append(caplog.text)
    signature = signed_headers["Authorization"].rsplit("Signature=", 1)[1]
    for text in texts:
        for label, secret in {**CANARIES, "signature": signature}.items():
            assert secret not in text, f"{label} leaked into: {text[:200]}"
    assert any(r.name.startswith("account_mgmt") for r in caplog.records)


def _client_of_kind(kind: type, **options: Any) -> AccountClient:
    if kind is AccountClient:
        return AccountClient(**options)
    return blocking(AsyncAccountClient(**options))


def test_library_never_configures_logging() -> None:
    logger = logging.getLogger("account_mgmt")
    assert logger.handlers == []
    assert logger.level == logging.NOTSET
    assert logger.propagate is True


@pytest.mark.parametrize(
    "model",
    [
        AlternateContact(
            name=CANARIES["name"],
            email_address=CANARIES["email"],
            phone_number=CANARIES["phone"],
            title="CISO",
        ),
        ContactInformation(
            full_name=CANARIES["name"],
            address_line1=CANARIES["street"],
            city="c",
            postal_code="p",
            country_code="US",
            phone_number=CANARIES["phone"],
        ),
        AccountInformation(account_name=CANARIES["account_name"]),
    ],
)
def test_sensitive_fields_show_as_redacted(model: object) -> None:
    text = repr(model)
    assert "<redacted>" in text
    for secret in CANARIES.values():
        assert secret not in text


def test_unset_sensitive_fields_show_none_not_redacted() -> None:
    assert "name=None" in repr(AlternateContact(alternate_contact_type="BILLING"))
    assert "alternate_contact_type='BILLING'" in repr(
        AlternateContact(alternate_contact_type="BILLING")
    )


def test_credentials_snapshot_repr_hides_the_secret() -> None:
    creds = FrozenCredentials("AKIDEXAMPLE", CANARIES["secret_key"], CANARIES["token"])
    assert CANARIES["secret_key"] not in repr(creds)
    assert CANARIES["token"] not in repr(creds)


def _signed_request(body: bytes) -> HttpRequest:
    """A request as the client hands it to a transport: signed, with a session token."""
    return HttpRequest(
        method="POST",
        url="https://account.us-east-1.amazonaws.com/putAlternateContact",
        headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/x, Signature=CANARYsignature",
            "X-Amz-Security-Token": CANARIES["token"],
            "Content-Type": "application/json",
        },
        body=body,
    )


def test_send_effect_repr_shows_no_signed_header() -> None:
    # A Send carries the signed request, and a driver could print one: neither the
    # effect's repr nor the request's may show a credential.
    shown = repr(Send(_signed_request(b"{}"), 5.0))
    assert CANARIES["token"] not in shown
    assert "CANARYsignature" not in shown


def test_an_http_request_and_response_repr_show_no_credential_and_no_body() -> None:
    # A user's test transport may print what it is given: the signature, the session
    # token and a body carrying a contact's details must not show.
    body = _json({"Name": CANARIES["name"], "EmailAddress": CANARIES["email"]})
    request = _signed_request(body)
    response = HttpResponse(status_code=200, headers={"x-amzn-requestid": "r-1"}, body=body)
    for shown in (repr(request), repr(response)):
        for secret in (CANARIES["token"], "CANARYsignature", CANARIES["name"], CANARIES["email"]):
            assert secret not in shown
        assert f"<{len(body)} bytes>" in shown
    assert "application/json" in repr(request)  # what is not secret still shows
    assert "r-1" in repr(response)
