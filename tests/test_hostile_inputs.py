"""Hostile and careless inputs (issue 9): refused typed, before anything is sent, quoted bounded.

Credentials with control characters, strings that are not Unicode text,
models of the wrong class, impossible ports, URLs with passwords, quota
overrides of the wrong type, values of megabytes; and the deadline
watchdog's bookkeeping under Ctrl-C.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable

import attrs
import pytest
import responses

from account_mgmt import (
    AccountClient,
    ConfigurationError,
    CredentialsError,
    ParamValidationError,
    Quota,
    Region,
)
from account_mgmt._http import HttpRequest
from account_mgmt._transport import RequestsTransport
from account_mgmt._watchdog import DeadlineWatchdog, Watch
from account_mgmt.exceptions import EndpointConnectionError

from ._data import CONTACT
from .conftest import ACCESS_KEY, ENDPOINT, SECRET_KEY, SESSION_TOKEN

# -- 2. control characters in credentials --------------------------------------------

_BAD_CREDENTIALS = {
    "access key id": {"aws_access_key_id": ACCESS_KEY + "\n"},
    "secret access key": {"aws_secret_access_key": SECRET_KEY + "\r\n"},
    "session token": {"aws_session_token": SESSION_TOKEN + "\n"},
}


@pytest.mark.parametrize("which", sorted(_BAD_CREDENTIALS))
@pytest.mark.parametrize("bad", ["\n", "\r", "\x00", " ", "\u00e9"], ids=repr)
def test_given_credentials_with_a_bad_character_are_refused_at_construction_unquoted(
    which: str, bad: str
) -> None:
    keys = {
        "aws_access_key_id": ACCESS_KEY,
        "aws_secret_access_key": SECRET_KEY,
        "aws_session_token": SESSION_TOKEN,
    }
    name = next(iter(_BAD_CREDENTIALS[which]))
    keys[name] = keys[name][:10] + bad + keys[name][10:]
    with pytest.raises(CredentialsError, match=which) as caught:
        AccountClient(
            aws_access_key_id=keys["aws_access_key_id"],
            aws_secret_access_key=keys["aws_secret_access_key"],
            aws_session_token=keys["aws_session_token"],
        )
    for value in (ACCESS_KEY, SECRET_KEY, SESSION_TOKEN):
        assert value[:10] not in str(caught.value)


@pytest.mark.parametrize("which", sorted(_BAD_CREDENTIALS))
def test_credentials_found_by_the_chain_with_a_trailing_newline_fail_the_call_unquoted(
    which: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token read from a file with its newline gave a bare ValueError quoting the
    token, or the whole Authorization header with its signature."""
    environment = {
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_SESSION_TOKEN": SESSION_TOKEN,
    }
    variable = {
        "access key id": "AWS_ACCESS_KEY_ID",
        "secret access key": "AWS_SECRET_ACCESS_KEY",
        "session token": "AWS_SESSION_TOKEN",
    }[which]
    environment[variable] += "\n"
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with (
        responses.RequestsMock(assert_all_requests_are_fired=False) as mocked,
        AccountClient(rate_limiting=False) as client,
    ):
        mocked.post(ENDPOINT + "/getAccountInformation", json={"AccountId": "1" * 12})
        with pytest.raises(CredentialsError, match=which) as caught:
            client.get_account_information()
        assert len(mocked.calls) == 0
    message = str(caught.value)
    assert ACCESS_KEY[:8] not in message
    assert SESSION_TOKEN[:8] not in message
    assert "Signature" not in message


@pytest.mark.parametrize(
    ("header", "error"),
    [
        ("X-Amz-Security-Token", CredentialsError),
        ("Authorization", CredentialsError),
        ("User-Agent", ConfigurationError),
    ],
)
def test_a_header_http_would_refuse_is_refused_by_name_never_quoted(
    header: str, error: type[Exception]
) -> None:
    transport = RequestsTransport(
        endpoint_url="http://127.0.0.1:1",
        connect_timeout=1,
        read_timeout=1,
        verify=True,
        max_pool_connections=1,
        max_response_bytes=1000,
    )
    request = HttpRequest(
        method="POST",
        url="http://127.0.0.1:1/x",
        headers={header: "SECRET-VALUE\nInjected: yes"},
        body=b"",
    )
    with pytest.raises(error, match=header) as caught:
        transport.send(request)
    assert "SECRET" not in str(caught.value)


# -- 8. input gaps -------------------------------------------------------------------


def _client() -> AccountClient:
    return AccountClient(
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, rate_limiting=False
    )


_SURROGATE_CALLS: dict[str, Callable[[AccountClient], object]] = {
    "account_name": lambda c: c.put_account_name(account_name="ab\ud800c"),
    "region_name": lambda c: c.get_region_opt_status(region_name="af-south-\udfff"),
    "contact_information.city": lambda c: c.put_contact_information(
        contact_information=attrs.evolve(CONTACT, city="Sea\ud83dttle")
    ),
    "next_token": lambda c: c.list_regions(next_token="\ud800"),
}


@pytest.mark.parametrize("parameter", sorted(_SURROGATE_CALLS))
def test_a_lone_surrogate_is_a_validation_error_naming_the_parameter(parameter: str) -> None:
    """A lone surrogate passed the length check, then raised UnicodeEncodeError."""
    with _client() as client, pytest.raises(ParamValidationError) as caught:
        _SURROGATE_CALLS[parameter](client)
    assert (caught.value.parameter, caught.value.rule) == (parameter, "encoding")


@attrs.frozen
class _ForeignModel:
    full_name: str = "x"


@pytest.mark.parametrize(
    "model",
    [Region(region_name="af-south-1"), _ForeignModel(), {"FullName": "x"}],
    ids=["our-other-model", "foreign-attrs-class", "dict"],
)
def test_a_model_of_the_wrong_class_is_a_validation_error_naming_the_field(
    model: object,
) -> None:
    with _client() as client, pytest.raises(ParamValidationError) as caught:
        client.put_contact_information(contact_information=model)  # type: ignore[arg-type]
    assert caught.value.parameter == "contact_information"
    assert caught.value.rule == "type"
    assert "ContactInformation" in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:99999",
        "http://127.0.0.1:-1",
        "http://127.0.0.1:http",
        "http://127.0.0.1:0",
        "https://[::1",
    ],
)
def test_an_endpoint_url_with_an_impossible_port_is_refused_at_construction(url: str) -> None:
    with pytest.raises(ConfigurationError, match="endpoint_url"):
        AccountClient(endpoint_url=url, aws_access_key_id="AKID", aws_secret_access_key="s")


@pytest.mark.parametrize(
    "overrides",
    [["GetAlternateContact"], "GetAlternateContact", {"GetAlternateContact": 5}, 7],
    ids=["list", "str", "not-a-quota", "int"],
)
def test_quota_overrides_of_the_wrong_type_are_a_configuration_error(overrides: object) -> None:
    with pytest.raises(ConfigurationError, match="quota_overrides"):
        AccountClient(
            quota_overrides=overrides,  # type: ignore[arg-type]
            aws_access_key_id="AKID",
            aws_secret_access_key="s",
        )


def test_a_quota_override_with_a_valid_quota_is_still_accepted() -> None:
    with AccountClient(
        quota_overrides={"GetAlternateContact": Quota(rate=20, burst=20)},
        aws_access_key_id="AKID",
        aws_secret_access_key="s",
    ):
        pass


_HUGE = "9" * 5_000_000

_HUGE_CALLS: dict[str, Callable[[AccountClient], object]] = {
    "account_id": lambda c: c.get_account_information(account_id=_HUGE),
    "region_name": lambda c: c.get_region_opt_status(region_name=_HUGE),
    "next_token": lambda c: c.list_regions(next_token=_HUGE),
    "max_results": lambda c: c.list_regions(max_results=10**5000),
    "region_opt_status_contains": lambda c: c.list_regions(
        region_opt_status_contains=["NOPE"] * 100_000
    ),
}


@pytest.mark.parametrize("parameter", sorted(_HUGE_CALLS))
def test_a_huge_invalid_value_is_quoted_bounded(parameter: str) -> None:
    """A 5 MB account_id was quoted whole; an int of 5,000 digits raised a bare ValueError."""
    with _client() as client, pytest.raises(ParamValidationError) as caught:
        _HUGE_CALLS[parameter](client)
    assert caught.value.parameter.startswith(parameter)
    assert len(str(caught.value)) < 2000


def test_a_quoted_value_says_how_long_the_whole_is() -> None:
    with _client() as client, pytest.raises(ParamValidationError) as caught:
        client.get_account_information(account_id=_HUGE)
    assert "(5000000 characters)" in str(caught.value)


@pytest.mark.parametrize(
    "options",
    [
        {"region_name": "x" * 1_000_000},
        {"connect_timeout": "9" * 1_000_000},
        {"endpoint_url": "https://" + "a" * 1_000_000 + ".com/?q"},
        {"verify": "/no/such/" + "d" * 1_000_000},
    ],
    ids=["region_name", "connect_timeout", "endpoint_url", "verify"],
)
def test_a_huge_invalid_option_is_quoted_bounded(options: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError) as caught:
        AccountClient(aws_access_key_id="AKID", aws_secret_access_key="s", **options)  # type: ignore[arg-type]
    assert len(str(caught.value)) < 2000


@pytest.mark.parametrize("verify", [5, 1.5, ["ca.pem"], b"/ca.pem"], ids=repr)
def test_verify_of_the_wrong_type_is_a_configuration_error(verify: object) -> None:
    with pytest.raises(ConfigurationError, match="verify"):
        AccountClient(verify=verify, aws_access_key_id="AKID", aws_secret_access_key="s")  # type: ignore[arg-type]


# -- 10. passwords in endpoint URLs --------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://user:hunter2@127.0.0.1:8080",
        "https://user:hunter2@account.us-east-1.amazonaws.com",
        "https://hunter2@account.us-east-1.amazonaws.com",
        "http://user:hunter2@/",
    ],
)
def test_an_endpoint_url_with_userinfo_is_refused_without_echoing_it(url: str) -> None:
    with pytest.raises(ConfigurationError, match="password") as caught:
        AccountClient(endpoint_url=url, aws_access_key_id="AKID", aws_secret_access_key="s")
    assert "hunter2" not in str(caught.value)


def test_an_endpoint_url_with_userinfo_from_the_environment_is_refused_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_ACCOUNT", "http://u:hunter2@127.0.0.1:8080")
    with pytest.raises(ConfigurationError) as caught:
        AccountClient(aws_access_key_id="AKID", aws_secret_access_key="s")
    assert "hunter2" not in str(caught.value)


def test_a_transport_error_never_shows_url_userinfo() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    transport = RequestsTransport(
        endpoint_url=f"http://user:hunter2@127.0.0.1:{port}",
        connect_timeout=1,
        read_timeout=1,
        verify=True,
        max_pool_connections=1,
        max_response_bytes=1000,
    )
    request = HttpRequest(method="POST", url=f"http://127.0.0.1:{port}/x", headers={}, body=b"")
    with pytest.raises(EndpointConnectionError) as caught:
        transport.send(request)
    assert "hunter2" not in str(caught.value)
    assert f"127.0.0.1:{port}" in str(caught.value)


# -- the watchdog --------------------------------------------------------------------


class _InterruptedWhileAdding(DeadlineWatchdog):
    """Ctrl-C lands just after the watch was registered, before anyone could release it."""

    def add(self, watch: Watch) -> None:
        super().add(watch)
        raise KeyboardInterrupt


def test_ctrl_c_while_taking_a_watch_leaves_nothing_watched() -> None:
    """A watch left behind would shut the socket down later, under whichever call
    had taken the connection from the pool by then."""
    from account_mgmt._transport import _headers_by_deadline, _waiting

    watchdog = _InterruptedWhileAdding()
    ours, peer = socket.socketpair()
    _waiting.deadline = time.monotonic() + 60
    try:
        with ours, peer, pytest.raises(KeyboardInterrupt):
            _headers_by_deadline(ours, lambda: pytest.fail("never reached"), watchdog)
    finally:
        _waiting.deadline = None
    assert watchdog.pending == 0


def test_ctrl_c_while_waiting_for_the_head_leaves_nothing_watched() -> None:
    from account_mgmt._transport import _headers_by_deadline, _waiting

    watchdog = DeadlineWatchdog()

    def interrupted() -> object:
        raise KeyboardInterrupt

    ours, peer = socket.socketpair()
    _waiting.deadline = time.monotonic() + 60
    try:
        with ours, peer, pytest.raises(KeyboardInterrupt):
            _headers_by_deadline(ours, interrupted, watchdog)  # type: ignore[arg-type]
    finally:
        _waiting.deadline = None
    assert watchdog.pending == 0


def test_importing_the_package_starts_no_thread_and_registers_no_fork_hook() -> None:
    probe = (
        "import threading, account_mgmt\n"
        "from account_mgmt._watchdog import WATCHDOG\n"
        "assert threading.active_count() == 1, threading.enumerate()\n"
        "assert not WATCHDOG._fork_hook_registered\n"
        "assert WATCHDOG._thread is None\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_huge_configured_max_attempts_is_quoted_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "x" * 1_000_000)
    with pytest.raises(ConfigurationError, match="max_attempts") as caught:
        AccountClient(aws_access_key_id="AKID", aws_secret_access_key="s")
    assert len(str(caught.value)) < 500
