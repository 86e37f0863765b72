"""Every error a service, a proxy or the network can produce becomes the right typed error."""

from __future__ import annotations

import inspect
import json
import pickle
import socket
from typing import Any

import pytest
import requests
import responses
from responses.registries import OrderedRegistry

import account_mgmt
from account_mgmt import (
    AccessDeniedException,
    AccountClient,
    AccountError,
    AccountOutcome,
    BulkOperationError,
    ConflictException,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    FakeClock,
    InternalServerException,
    MalformedResponseError,
    OutcomeUnknownError,
    ParamValidationError,
    ReadTimeoutError,
    RegionOptConcurrencyExceeded,
    ResourceNotFoundException,
    ResourceUnavailableException,
    Runtime,
    ServiceError,
    ServiceUnavailable,
    ThrottlingException,
    TLSError,
    TooManyRequestsException,
    TransportError,
    ValidationException,
    ValidationExceptionField,
    WaiterError,
)
from account_mgmt._protocol import decode_error
from account_mgmt._retry import RETRY_QUOTA_CAPACITY
from account_mgmt.exceptions import ERROR_CLASSES

from .conftest import ACCESS_KEY, ENDPOINT, SECRET_KEY

URL = ENDPOINT + "/getAlternateContact"
CONTACT_ANSWER = {"AlternateContact": {"AlternateContactType": "SECURITY", "Name": "Sec"}}


def call(client: AccountClient) -> object:
    return client.get_alternate_contact(alternate_contact_type="SECURITY")


@pytest.fixture
def one_shot(client: AccountClient) -> AccountClient:
    return client.with_options(max_attempts=1)


MODELED = [
    ("AccessDeniedException", 403, AccessDeniedException),
    ("ConflictException", 409, ConflictException),
    ("InternalServerException", 500, InternalServerException),
    ("ResourceNotFoundException", 404, ResourceNotFoundException),
    ("ResourceUnavailableException", 424, ResourceUnavailableException),
    ("TooManyRequestsException", 429, TooManyRequestsException),
    ("ValidationException", 400, ValidationException),
]


@pytest.mark.parametrize(("code", "status", "cls"), MODELED)
@responses.activate
def test_modeled_error_from_header_carries_plain_data(
    one_shot: AccountClient, code: str, status: int, cls: type[ServiceError]
) -> None:
    responses.post(
        URL,
        status=status,
        json={"message": "boom"},
        headers={
            "x-amzn-ErrorType": f"{code}:http://internal.amazon.com/coral/",
            "x-amzn-RequestId": "rid-9",
        },
    )
    with pytest.raises(cls) as caught:
        call(one_shot)
    exc = caught.value
    assert type(exc) is cls
    assert exc.error_code == code == type(exc).__name__
    assert exc.status_code == status
    assert exc.request_id == "rid-9"
    assert exc.message == "boom"
    assert "rid-9" in str(exc)


@pytest.mark.parametrize(("account_id", "hinted"), [("123456789012", True), (None, False)])
@responses.activate
def test_access_denied_in_organization_mode_names_the_causes_an_iam_message_hides(
    one_shot: AccountClient, account_id: str | None, hinted: bool
) -> None:
    """The service's message reads like a missing IAM permission even when the cause
    is trusted access not being enabled for the organization."""
    denied = "User: arn:aws:iam::111111111111:user/ops is not authorized to perform: account:X"
    responses.post(
        URL, status=403, json={"message": denied},
        headers={"x-amzn-ErrorType": "AccessDeniedException"},
    )  # fmt: skip
    with pytest.raises(AccessDeniedException) as caught:
        one_shot.get_alternate_contact(alternate_contact_type="BILLING", account_id=account_id)
    assert denied in str(caught.value)
    assert ("trusted access" in str(caught.value)) is hinted
    assert caught.value.message == denied  # the service's words, untouched


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"__type": "com.amazonaws.account#ConflictException", "message": "m"}, ConflictException),
        ({"__type": "ResourceNotFoundException", "Message": "m"}, ResourceNotFoundException),
        ({"code": "AccessDeniedException", "message": "m"}, AccessDeniedException),
        ({"Code": "ThrottlingException", "Message": "m"}, ThrottlingException),
        ({"__type": "Throttling", "message": "m"}, ThrottlingException),
        ({"__type": "InternalServerErrorException", "message": "m"}, InternalServerException),
    ],
)
@responses.activate
def test_error_code_is_read_from_the_body_when_no_header(
    one_shot: AccountClient, body: dict[str, str], expected: type[ServiceError]
) -> None:
    responses.post(URL, status=400, json=body)
    with pytest.raises(expected) as caught:
        call(one_shot)
    assert caught.value.message == "m"


@responses.activate
def test_header_code_wins_over_body_code(one_shot: AccountClient) -> None:
    responses.post(
        URL,
        status=409,
        json={"__type": "AccessDeniedException"},
        headers={"x-amzn-ErrorType": "ConflictException"},
    )
    with pytest.raises(ConflictException):
        call(one_shot)


@pytest.mark.parametrize(
    "code",
    [
        "ExpiredTokenException",
        "InvalidSignatureException",
        "UnrecognizedClientException",
        "RequestExpired",
        "ServiceUnavailable",
        "IncompleteSignature",
        "InternalFailure",
        "InvalidAction",
        "InvalidClientTokenId",
        "NotAuthorized",
        "OptInRequired",
        "ValidationError",
        "MissingAuthenticationToken",
        "RequestTimeTooSkewed",
    ],
)
@responses.activate
def test_common_aws_errors_have_their_own_classes(one_shot: AccountClient, code: str) -> None:
    responses.post(URL, status=403, json={"message": "x"}, headers={"x-amzn-ErrorType": code})
    responses.post(URL, status=403, json={"message": "x"}, headers={"x-amzn-ErrorType": code})
    with pytest.raises(ServiceError) as caught:
        call(one_shot)
    assert type(caught.value).__name__ == code
    assert type(caught.value) is getattr(account_mgmt.exceptions, code)


@responses.activate
def test_unknown_code_is_the_base_service_error_with_code_kept(one_shot: AccountClient) -> None:
    responses.post(URL, status=418, json={"__type": "aws#BrandNewException", "message": "hm"})
    with pytest.raises(ServiceError) as caught:
        call(one_shot)
    assert type(caught.value) is ServiceError
    assert caught.value.error_code == "BrandNewException"
    assert caught.value.status_code == 418


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (
            503,
            b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
            "text/html",
        ),
        (502, b"", "text/plain"),
        (500, b'{"__type": "InternalServ', "application/json"),
        (504, b"upstream request timeout", "text/plain"),
        (429, b"[1, 2, 3]", "application/json"),
    ],
    ids=["html-503", "empty-502", "truncated-json-500", "text-504", "json-array-429"],
)
@responses.activate
def test_proxy_answers_still_yield_typed_errors_with_status_and_request_id(
    one_shot: AccountClient, status: int, body: bytes, content_type: str
) -> None:
    responses.post(
        URL,
        status=status,
        body=body,
        content_type=content_type,
        headers={"x-amz-request-id": "proxy-rid"},
    )
    with pytest.raises(ServiceError) as caught:
        call(one_shot)
    assert caught.value.status_code == status
    assert caught.value.request_id == "proxy-rid"
    assert caught.value.error_code is None
    assert str(status) in str(caught.value)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<html>Login required</html>", "text/html"),
        (b'{"AlternateContact": {"Name": "x"', "application/json"),
        (b"", "application/json"),
        (b'["not", "an", "object"]', "application/json"),
        (b'{"AlternateContact": "not-a-structure"}', "application/json"),
        (b'{"AlternateContact": {"Name": 7}}', "application/json"),
        (b"{}", "application/json"),  # "no contact" is a 404: this is not an empty contact
    ],
    ids=["html", "truncated", "empty", "array", "wrong-structure", "wrong-scalar", "no-contact"],
)
@responses.activate
def test_unreadable_success_is_an_error_not_an_empty_success(
    one_shot: AccountClient, body: bytes, content_type: str
) -> None:
    responses.post(
        URL, status=200, body=body, content_type=content_type, headers={"x-amzn-RequestId": "r2"}
    )
    with pytest.raises(MalformedResponseError) as caught:
        call(one_shot)
    assert caught.value.status_code == 200
    assert caught.value.request_id == "r2"


@responses.activate
def test_empty_success_is_fine_for_operations_without_output(one_shot: AccountClient) -> None:
    responses.post(ENDPOINT + "/putAccountName", status=200, body=b"")
    responses.post(ENDPOINT + "/putAccountName", status=200, json={})
    one_shot.put_account_name(account_name="a")
    one_shot.put_account_name(account_name="a")
    assert len(responses.calls) == 2


@responses.activate
def test_html_success_is_an_error_even_for_operations_without_output(
    one_shot: AccountClient,
) -> None:
    responses.post(ENDPOINT + "/putAccountName", status=200, body=b"<html>captive portal</html>")
    with pytest.raises(MalformedResponseError):
        one_shot.put_account_name(account_name="a")


@responses.activate
def test_status_operations_without_status_are_an_unknown_outcome(client: AccountClient) -> None:
    # A 200 the client cannot read: the service acted, but on what we cannot say.
    responses.post(ENDPOINT + "/verifyPhoneNumber", json={}, headers={"x-amzn-RequestId": "r3"})
    with pytest.raises(OutcomeUnknownError) as caught:
        client.verify_phone_number(otp="123456")
    assert isinstance(caught.value.__cause__, MalformedResponseError)
    assert caught.value.__cause__.request_id == "r3"
    assert len(responses.calls) == 1


@responses.activate
def test_validation_exception_carries_reason_and_fields_but_never_their_messages(
    one_shot: AccountClient,
) -> None:
    secret_echo = "value 'canary-private@example.com' is invalid"
    responses.post(
        URL,
        status=400,
        json={
            "message": secret_echo,
            "reason": "fieldValidationFailed",
            "fieldList": [{"name": "EmailAddress", "message": secret_echo}],
        },
        headers={"x-amzn-ErrorType": "ValidationException"},
    )
    with pytest.raises(ValidationException) as caught:
        call(one_shot)
    exc = caught.value
    assert exc.reason == "fieldValidationFailed"
    assert exc.field_list == (ValidationExceptionField(name="EmailAddress", message=secret_echo),)
    assert exc.message == secret_echo  # readable on purpose...
    for shown in (str(exc), repr(exc), repr(exc.field_list), repr(exc.args)):
        assert "canary-private" not in shown  # ...but never shown
    assert "EmailAddress" in str(exc)
    assert "fieldValidationFailed" in str(exc)


@responses.activate
def test_redirects_are_never_followed(one_shot: AccountClient) -> None:
    responses.post(URL, status=307, headers={"Location": "https://evil.example.com/steal"})
    with pytest.raises(ServiceError) as caught:
        call(one_shot)
    assert caught.value.status_code == 307
    assert len(responses.calls) == 1


TRANSPORT_FAILURES: list[tuple[BaseException, type[TransportError]]] = [
    (requests.exceptions.SSLError("certificate verify failed"), TLSError),
    (requests.exceptions.ConnectTimeout("connect timed out"), ConnectTimeoutError),
    (requests.exceptions.ReadTimeout("read timed out"), ReadTimeoutError),
    (requests.exceptions.ProxyError("proxy refused"), EndpointConnectionError),
    (requests.exceptions.ChunkedEncodingError("incomplete read"), ConnectionClosedError),
    (requests.exceptions.ConnectionError("Connection aborted"), ConnectionClosedError),
]


@pytest.mark.parametrize(("raised", "expected"), TRANSPORT_FAILURES)
@responses.activate
def test_transport_failures_are_translated_and_chained(
    one_shot: AccountClient, raised: BaseException, expected: type[TransportError]
) -> None:
    responses.post(URL, body=raised)
    with pytest.raises(expected) as caught:
        call(one_shot)
    assert caught.value.__cause__ is raised
    assert not any(
        isinstance(value, requests.RequestException) for value in vars(caught.value).values()
    )


@responses.activate
def test_unknown_requests_errors_propagate_untouched(one_shot: AccountClient) -> None:
    # Not a network failure (a bug somewhere): it must not pass for one and be retried.
    responses.post(URL, body=requests.exceptions.InvalidURL("bad url"))
    with pytest.raises(requests.exceptions.InvalidURL):
        call(one_shot)


def test_connection_refused_on_loopback_is_an_endpoint_connection_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # The port is closed now: nothing listens there.
    with (
        AccountClient(
            endpoint_url=f"http://127.0.0.1:{port}",
            aws_access_key_id="AKID",
            aws_secret_access_key="secret",
            max_attempts=2,
            runtime=Runtime(clock=FakeClock()),
        ) as client,
        pytest.raises(EndpointConnectionError) as caught,
    ):
        call(client)
    assert caught.value.request_sent is False
    # The message names the endpoint and the socket's own words, not urllib3's
    # wrappers ("Max retries exceeded" of a pool that never retries, private classes).
    assert (
        str(caught.value)
        == f"could not connect to 127.0.0.1:{port}: [Errno 111] Connection refused"
    )
    assert caught.value.attempts == 2


def test_a_failing_proxy_is_named_without_its_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("HTTPS_PROXY", f"http://ops:pr0xy-s3cret@127.0.0.1:{port}")
    with (
        AccountClient(aws_access_key_id="AKID", aws_secret_access_key="secret", max_attempts=1)
        as client,
        pytest.raises(EndpointConnectionError) as caught,
    ):  # fmt: skip
        call(client)
    message = str(caught.value)
    assert "account.us-east-1.amazonaws.com through the proxy at 127.0.0.1" in message
    assert "Connection refused" in message
    assert "pr0xy-s3cret" not in message


def test_every_error_class_in_the_table_is_a_documented_service_error() -> None:
    for code, cls in ERROR_CLASSES.items():
        assert issubclass(cls, ServiceError), code
        assert cls.__doc__, f"{cls.__name__} needs a docstring"


def test_no_foreign_types_in_public_signatures() -> None:
    for name in account_mgmt.__all__:
        obj = getattr(account_mgmt, name)
        members: list[Any] = [obj]
        if inspect.isclass(obj):
            members += [m for _, m in inspect.getmembers(obj, inspect.isfunction)]
        for member in members:
            if not callable(member):
                continue
            try:
                annotations = inspect.get_annotations(member)
            except TypeError:
                continue
            text = json.dumps({k: str(v) for k, v in annotations.items()})
            for foreign in ("requests", "botocore", "tenacity", "urllib3"):
                assert foreign not in text, f"{name}.{getattr(member, '__name__', '')}: {text}"


# -- retries ---------------------------------------------------------------


@responses.activate(registry=OrderedRegistry)
def test_transient_errors_are_retried_until_success(
    client: AccountClient, fake_clock: FakeClock
) -> None:
    responses.post(URL, status=503, body=b"<html>busy</html>", content_type="text/html")
    responses.post(
        URL, status=500, json={}, headers={"x-amzn-ErrorType": "InternalServerException"}
    )
    responses.post(URL, json={"AlternateContact": {"Name": "ok"}})
    assert call(client) == account_mgmt.AlternateContact(name="ok")
    assert len(responses.calls) == 3
    # Full jitter with rng() == 1.0: the ceilings 50 ms, then 100 ms.
    assert fake_clock.sleeps == pytest.approx([0.05, 0.1])


@responses.activate(registry=OrderedRegistry)
def test_throttling_backs_off_from_one_second(client: AccountClient, fake_clock: FakeClock) -> None:
    for _ in range(2):
        responses.post(
            URL, status=429, json={}, headers={"x-amzn-ErrorType": "TooManyRequestsException"}
        )
    responses.post(URL, json=CONTACT_ANSWER)
    call(client)
    assert fake_clock.sleeps == pytest.approx([1.0, 2.0])


@responses.activate(registry=OrderedRegistry)
def test_server_retry_hint_is_honoured_and_clamped(
    client: AccountClient, fake_clock: FakeClock
) -> None:
    responses.post(URL, status=503, json={}, headers={"x-amz-retry-after": "1500"})
    responses.post(URL, status=503, json={}, headers={"Retry-After": "3600"})
    responses.post(URL, json=CONTACT_ANSWER)
    call(client)
    assert fake_clock.sleeps == pytest.approx([1.5, 20.0])


@responses.activate(registry=OrderedRegistry)
def test_last_typed_error_is_raised_with_attempt_count(client: AccountClient) -> None:
    for _ in range(3):
        responses.post(
            URL,
            status=500,
            json={"message": "down"},
            headers={"x-amzn-ErrorType": "InternalServerException"},
        )
    with pytest.raises(InternalServerException) as caught:
        call(client)
    assert caught.value.attempts == 3
    assert len(responses.calls) == 3


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "ValidationException"),
        (409, "ConflictException"),
        (403, "AccessDeniedException"),
        (404, "ResourceNotFoundException"),
        (400, None),
    ],
)
@responses.activate
def test_client_errors_are_never_retried(
    client: AccountClient, fake_clock: FakeClock, status: int, code: str | None
) -> None:
    headers = {"x-amzn-ErrorType": code} if code else {}
    responses.post(URL, status=status, json={"message": "no"}, headers=headers)
    with pytest.raises(ServiceError) as caught:
        call(client)
    assert caught.value.attempts == 1
    assert len(responses.calls) == 1
    assert fake_clock.sleeps == []


@responses.activate
def test_tls_failures_are_never_retried(client: AccountClient) -> None:
    responses.post(URL, body=requests.exceptions.SSLError("bad cert"))
    with pytest.raises(TLSError):
        call(client)
    assert len(responses.calls) == 1


@pytest.mark.parametrize(
    ("method", "kwargs", "path"),
    [
        ("verify_phone_number", {"otp": "123456"}, "/verifyPhoneNumber"),
        ("send_phone_number_verification", {}, "/sendPhoneNumberVerification"),
        (
            "start_primary_email_update",
            {"account_id": "111122223333", "primary_email": "n@example.com"},
            "/startPrimaryEmailUpdate",
        ),
        (
            "accept_primary_email_update",
            {"account_id": "111122223333", "primary_email": "n@example.com", "otp": "123456"},
            "/acceptPrimaryEmailUpdate",
        ),
    ],
)
@pytest.mark.parametrize(
    "failure",
    [
        requests.exceptions.ReadTimeout("slow"),
        requests.exceptions.ConnectionError("Connection aborted"),
        requests.exceptions.ChunkedEncodingError("cut"),
    ],
    ids=["read-timeout", "reset", "cut-off"],
)
@responses.activate
def test_unrepeatable_operation_after_a_lost_answer_is_an_unknown_outcome(
    client: AccountClient, method: str, kwargs: dict[str, str], path: str, failure: Exception
) -> None:
    responses.post(ENDPOINT + path, body=failure)
    with pytest.raises(OutcomeUnknownError) as caught:
        getattr(client, method)(**kwargs)
    assert isinstance(caught.value.__cause__, TransportError)
    assert caught.value.attempts == 1
    assert len(responses.calls) == 1  # never resent blindly


@responses.activate(registry=OrderedRegistry)
def test_enable_region_after_a_lost_answer_checks_the_status(client: AccountClient) -> None:
    responses.post(ENDPOINT + "/getRegionOptStatus", json={"RegionOptStatus": "DISABLED"})
    responses.post(ENDPOINT + "/enableRegion", body=requests.exceptions.ReadTimeout("slow"))
    responses.post(ENDPOINT + "/getRegionOptStatus", json={"RegionOptStatus": "ENABLING"})
    client.enable_region(region_name="af-south-1")
    assert [c.request.url.rsplit("/", 1)[1] for c in responses.calls] == [  # type: ignore[union-attr]
        "getRegionOptStatus",
        "enableRegion",
        "getRegionOptStatus",
    ]


@responses.activate(registry=OrderedRegistry)
def test_enable_region_after_a_lost_answer_that_did_not_take_raises(
    client: AccountClient,
) -> None:
    responses.post(ENDPOINT + "/getRegionOptStatus", json={"RegionOptStatus": "DISABLED"})
    responses.post(ENDPOINT + "/enableRegion", body=requests.exceptions.ReadTimeout("slow"))
    responses.post(ENDPOINT + "/getRegionOptStatus", json={"RegionOptStatus": "DISABLED"})
    with pytest.raises(ReadTimeoutError):
        client.enable_region(region_name="af-south-1")
    assert len(responses.calls) == 3


_REFUSED_AS_SWITCHING = [
    ("ConflictException", 409, "af-south-1 is ENABLING"),
    ("ValidationException", 400, "Unable to switch region status: af-south-1 is ENABLING"),
]


@pytest.mark.parametrize(
    ("quota", "cap"),
    [
        ("Number of concurrent region-opt requests for an account", "account"),
        ("Number of concurrent region-opt requests for an organization", "organization"),
        ("Number of concurrent region-opt requests", "organization"),  # the wider, if unnamed
    ],
)
def test_a_region_opt_concurrency_refusal_names_its_cap(quota: str, cap: str) -> None:
    error = decode_error(
        429,
        {"x-amzn-errortype": "TooManyRequestsException"},
        json.dumps({"message": f"This request has exceeded the quota for '{quota}'"}).encode(),
    )
    assert isinstance(error, RegionOptConcurrencyExceeded)
    assert error.cap == cap


def _switch_refused(path: str, before: str, refusal: tuple[str, int, str], after: str) -> None:
    """The Region reads ``before``, the switch is refused, then the Region reads ``after``."""
    code, status, message = refusal
    responses.post(ENDPOINT + "/getRegionOptStatus", json={"RegionOptStatus": before})
    responses.post(
        ENDPOINT + path, status=status, json={"message": message},
        headers={"x-amzn-ErrorType": code},
    )  # fmt: skip
    responses.post(ENDPOINT + "/getRegionOptStatus", json={"RegionOptStatus": after})


@pytest.mark.parametrize(("code", "status", "message"), _REFUSED_AS_SWITCHING)
@responses.activate(registry=OrderedRegistry)
def test_enable_region_refused_because_another_enable_got_there_first_succeeds(
    client: AccountClient, code: str, status: int, message: str
) -> None:
    """Read DISABLED, then another caller's enable landed first: the refusal (a 409, or
    the 400 field reports describe) means the Region is on its way, as asked."""
    _switch_refused("/enableRegion", "DISABLED", (code, status, message), "ENABLING")
    client.enable_region(region_name="af-south-1")
    assert len(responses.calls) == 3


@pytest.mark.parametrize(("code", "status", "message"), _REFUSED_AS_SWITCHING)
@responses.activate(registry=OrderedRegistry)
def test_disable_region_refused_while_the_region_is_enabling_raises(
    client: AccountClient, code: str, status: int, message: str
) -> None:
    """The same refusal when the Region is going the other way is a real conflict."""
    _switch_refused("/disableRegion", "ENABLED", (code, status, message), "ENABLING")
    with pytest.raises(ServiceError) as caught:
        client.disable_region(region_name="af-south-1")
    assert caught.value.error_code == code
    assert len(responses.calls) == 3


@pytest.mark.parametrize("status", ["ENABLED", "ENABLING", "ENABLED_BY_DEFAULT"])
@responses.activate
def test_enable_region_sends_nothing_when_already_there(client: AccountClient, status: str) -> None:
    responses.post(ENDPOINT + "/getRegionOptStatus", json={"RegionOptStatus": status})
    client.enable_region(region_name="af-south-1")
    assert len(responses.calls) == 1


@pytest.mark.parametrize(
    ("method", "status"),
    [("enable_region", "ENABLED"), ("enable_region", "ENABLED_BY_DEFAULT"),
     ("disable_region", "DISABLED")],
)  # fmt: skip
@responses.activate
def test_waiting_for_a_region_already_settled_reads_its_status_once(
    client: AccountClient, method: str, status: str
) -> None:
    responses.post(ENDPOINT + "/getRegionOptStatus", json={"RegionOptStatus": status})
    getattr(client, method)(region_name="af-south-1", wait=True)
    assert len(responses.calls) == 1  # not a second read by the waiter


@responses.activate(registry=OrderedRegistry)
def test_delete_after_a_lost_answer_counts_not_found_as_done(client: AccountClient) -> None:
    url = ENDPOINT + "/deleteAlternateContact"
    responses.post(url, body=requests.exceptions.ReadTimeout("slow"))
    responses.post(
        url, status=404, json={}, headers={"x-amzn-ErrorType": "ResourceNotFoundException"}
    )
    client.delete_alternate_contact(alternate_contact_type="BILLING")
    assert len(responses.calls) == 2


@responses.activate(registry=OrderedRegistry)
def test_safe_operation_is_repeated_after_a_read_timeout(client: AccountClient) -> None:
    responses.post(ENDPOINT + "/getRegionOptStatus", body=requests.exceptions.ReadTimeout("slow"))
    responses.post(
        ENDPOINT + "/getRegionOptStatus",
        json={"RegionName": "af-south-1", "RegionOptStatus": "ENABLED"},
    )
    assert client.get_region_opt_status(region_name="af-south-1").region_name == "af-south-1"


@responses.activate(registry=OrderedRegistry)
def test_unsafe_operation_is_retried_when_the_request_never_left(client: AccountClient) -> None:
    url = ENDPOINT + "/sendPhoneNumberVerification"
    responses.post(url, body=requests.exceptions.ConnectTimeout("no route"))
    responses.post(url, json={"Status": "PENDING"})
    assert client.send_phone_number_verification() == "PENDING"
    assert len(responses.calls) == 2


@responses.activate(registry=OrderedRegistry)
def test_expired_token_refreshes_credentials_once_and_retries(client: AccountClient) -> None:
    expired = {"x-amzn-ErrorType": "ExpiredTokenException"}
    responses.post(URL, status=400, json={"message": "expired"}, headers=expired)
    responses.post(URL, json=CONTACT_ANSWER)
    call(client)
    assert len(responses.calls) == 2


@responses.activate
def test_retry_quota_exhaustion_fails_fast(client: AccountClient) -> None:
    responses.post(
        URL, status=500, json={}, headers={"x-amzn-ErrorType": "InternalServerException"}
    )
    quota = client._path.retry.quota
    while quota.available >= 14:
        assert quota.acquire(14)
    with pytest.raises(InternalServerException) as caught:
        call(client)
    assert caught.value.attempts == 1


@pytest.mark.parametrize(
    ("code", "status", "cost"),
    [("InternalServerException", 500, 14), ("ThrottlingException", 400, 5)],
)
@responses.activate
def test_a_call_that_runs_out_of_attempts_pays_only_for_the_retries_it_made(
    client: AccountClient, code: str, status: int, cost: int
) -> None:
    responses.post(URL, status=status, json={}, headers={"x-amzn-ErrorType": code})
    quota = client._path.retry.quota
    before = quota.available
    with pytest.raises(ServiceError) as caught:
        call(client)
    assert caught.value.attempts == 3
    assert before - quota.available == 2 * cost  # two retries; the third failure retries nothing


@responses.activate
def test_a_retry_the_deadline_refuses_costs_no_tokens(fake_clock: FakeClock) -> None:
    responses.post(
        URL, status=500, json={}, headers={"x-amzn-ErrorType": "InternalServerException"}
    )
    with AccountClient(
        rate_limiting=False, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
        runtime=Runtime(clock=fake_clock), rng=lambda: 1.0, total_timeout=0.03,
    ) as client:  # fmt: skip
        quota = client._path.retry.quota
        with pytest.raises(InternalServerException) as caught:
            call(client)  # the 50 ms backoff would end past the 30 ms deadline
        assert caught.value.attempts == 1
        assert quota.available == RETRY_QUOTA_CAPACITY


def _example(cls: type[AccountError]) -> AccountError:
    """An instance of ``cls`` with every attribute its constructor sets filled in."""
    if issubclass(cls, ValidationException):
        return cls(
            "bad", status_code=400, error_code="ValidationException", request_id="rid",
            reason="fieldValidationFailed",
            field_list=(ValidationExceptionField(name="RegionName", message="no"),),
        )  # fmt: skip
    if issubclass(cls, ServiceError):
        error = cls(
            "m", status_code=403, error_code=cls.__name__, request_id="rid", retry_after=2.0
        )
        error.hint = "a hint"
        return error
    if issubclass(cls, ParamValidationError):
        return cls([("account_id", "pattern", "not 12 digits")])
    if issubclass(cls, WaiterError):
        return cls("still ENABLING", last_status="ENABLING")
    if issubclass(cls, MalformedResponseError):
        return cls("not JSON", status_code=200, request_id="rid")
    if issubclass(cls, OutcomeUnknownError):
        return cls("StartPrimaryEmailUpdate")
    if issubclass(cls, BulkOperationError):
        failed: AccountOutcome[None] = AccountOutcome(
            account_id="000000000001", error=ConnectionClosedError("cut")
        )
        return cls((failed,))
    return cls("plain message")


PUBLIC_ERRORS = sorted(
    (obj for obj in vars(account_mgmt).values()
     if inspect.isclass(obj) and issubclass(obj, AccountError)),
    key=lambda cls: cls.__name__,
)  # fmt: skip


@pytest.mark.parametrize("cls", PUBLIC_ERRORS, ids=lambda cls: cls.__name__)
def test_every_error_survives_pickling_whole(cls: type[AccountError]) -> None:
    """A worker process's error reaches its parent (multiprocessing, a process pool)
    as itself, not as a TypeError from a constructor pickle cannot call."""
    error = _example(cls)
    error.attempts = 3
    error.add_note("for_each_account stopped: ...")
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - bytes this test just made
    assert type(copy) is cls
    assert str(copy) == str(error)
    assert repr(copy) == repr(error)
    assert copy.__dict__.keys() == error.__dict__.keys()
    assert copy.attempts == 3


def test_every_exception_derives_from_the_root() -> None:
    for name in account_mgmt.__all__:
        obj = getattr(account_mgmt, name)
        if inspect.isclass(obj) and issubclass(obj, BaseException):
            assert issubclass(obj, AccountError), name
    assert issubclass(account_mgmt.ParamValidationError, ValueError)
    for builtin in ("TimeoutError", "ConnectionError"):
        assert builtin not in account_mgmt.__all__


@responses.activate
def test_service_unavailable_common_error_is_retryable(
    client: AccountClient, fake_clock: FakeClock
) -> None:
    responses.post(URL, status=503, json={}, headers={"x-amzn-ErrorType": "ServiceUnavailable"})
    with pytest.raises(ServiceUnavailable) as caught:
        call(client)
    assert caught.value.attempts == 3
    assert len(fake_clock.sleeps) == 2


@responses.activate
def test_oversized_answers_are_refused(one_shot: AccountClient) -> None:
    big = b'{"AlternateContact": {"Name": "' + b"x" * (11 * 1024 * 1024) + b'"}}'
    responses.post(URL, body=big)
    with pytest.raises(account_mgmt.ResponseTooLargeError):
        call(one_shot)


def test_oversized_answers_without_a_length_are_cut_off_while_reading() -> None:
    from ._canned_server import CannedServer

    big = b"[" + b"0," * (6 * 1024 * 1024) + b"0]"
    with CannedServer([(200, {"Content-Length": ""}, big)]).running() as server, AccountClient(
        endpoint_url=server.url, aws_access_key_id="AKID", aws_secret_access_key="s",
        max_attempts=1, rate_limiting=False,
    ) as client:  # fmt: skip
        client._transport._max_response_bytes = 1024 * 1024  # type: ignore[attr-defined]
        with pytest.raises(account_mgmt.ResponseTooLargeError):
            client.get_account_information()
