"""Every operation under every fault, against a real loopback server, with request counts.

Transient faults (429, 500, an HTML 503, an empty 502) are retried for every
operation. Faults after which the request may have been applied (a reset, a
connection closed after processing, a truncated 200) are retried only where
repeating is harmless; otherwise the client checks the state or says the
outcome is unknown, and never resends blindly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from account_mgmt import (
    AccountClient,
    ConnectionClosedError,
    MalformedResponseError,
    OutcomeUnknownError,
)
from account_mgmt._operations import ALL_OPERATIONS
from account_mgmt.testing import AccountEmulator, FaultKind

from ._data import CONTACT
from ._data import SECURITY_CONTACT as ALTERNATE
from ._fakes import emulator_runtime
from .conftest import Connect

Setup = Callable[[AccountClient, str, AccountEmulator], None]
Call = Callable[[AccountClient, str], Any]


def _nothing(client: AccountClient, member: str, emulator: AccountEmulator) -> None:
    pass


def _contact(client: AccountClient, member: str, emulator: AccountEmulator) -> None:
    client.put_alternate_contact(**ALTERNATE, account_id=member)


def _primary(client: AccountClient, member: str, emulator: AccountEmulator) -> None:
    client.put_contact_information(contact_information=CONTACT, account_id=member)


def _email_started(client: AccountClient, member: str, emulator: AccountEmulator) -> None:
    client.start_primary_email_update(account_id=member, primary_email="new@example.com")


def _otp_sent(client: AccountClient, member: str, emulator: AccountEmulator) -> None:
    _primary(client, member, emulator)
    client.send_phone_number_verification(account_id=member)


def _region_enabled(client: AccountClient, member: str, emulator: AccountEmulator) -> None:
    emulator.world.accounts[member].regions["af-south-1"].status = "ENABLED"


# operation -> (setup, call, kind of operation)
CASES: dict[str, tuple[Setup, Call, str]] = {
    "GetAlternateContact": (
        _contact,
        lambda c, m: c.get_alternate_contact(alternate_contact_type="SECURITY", account_id=m),
        "safe",
    ),
    "PutAlternateContact": (
        _nothing,
        lambda c, m: c.put_alternate_contact(**ALTERNATE, account_id=m),
        "safe",
    ),
    "DeleteAlternateContact": (
        _contact,
        lambda c, m: c.delete_alternate_contact(alternate_contact_type="SECURITY", account_id=m),
        "delete",
    ),
    "GetContactInformation": (
        _primary,
        lambda c, m: c.get_contact_information(account_id=m),
        "safe",
    ),
    "PutContactInformation": (
        _nothing,
        lambda c, m: c.put_contact_information(contact_information=CONTACT, account_id=m),
        "safe",
    ),
    "GetRegionOptStatus": (
        _nothing,
        lambda c, m: c.get_region_opt_status(region_name="af-south-1", account_id=m),
        "safe",
    ),
    "ListRegions": (_nothing, lambda c, m: c.list_regions(account_id=m), "safe"),
    "EnableRegion": (
        _nothing,
        lambda c, m: c.enable_region(region_name="af-south-1", account_id=m),
        "region",
    ),
    "DisableRegion": (
        _region_enabled,
        lambda c, m: c.disable_region(region_name="af-south-1", account_id=m),
        "region",
    ),
    "GetAccountInformation": (
        _nothing,
        lambda c, m: c.get_account_information(account_id=m),
        "safe",
    ),
    "PutAccountName": (
        _nothing,
        lambda c, m: c.put_account_name(account_name="renamed", account_id=m),
        "safe",
    ),
    "GetPrimaryEmail": (_nothing, lambda c, m: c.get_primary_email(account_id=m), "safe"),
    "StartPrimaryEmailUpdate": (
        _nothing,
        lambda c, m: c.start_primary_email_update(account_id=m, primary_email="new@example.com"),
        "unknown",
    ),
    "AcceptPrimaryEmailUpdate": (
        _email_started,
        lambda c, m: c.accept_primary_email_update(
            account_id=m, primary_email="new@example.com", otp="123456"
        ),
        "unknown",
    ),
    "GetPrimaryEmailUpdateStatus": (
        _email_started,
        lambda c, m: c.get_primary_email_update_status(account_id=m),
        "safe",
    ),
    "GetGovCloudAccountInformation": (
        _nothing,
        lambda c, m: c.get_gov_cloud_account_information(),
        "safe",
    ),
    "SendPhoneNumberVerification": (
        _primary,
        lambda c, m: c.send_phone_number_verification(account_id=m),
        "unknown",
    ),
    "VerifyPhoneNumber": (
        _otp_sent,
        lambda c, m: c.verify_phone_number(otp="123456", account_id=m),
        "unknown",
    ),
}

TRANSIENT = [FaultKind.THROTTLE, FaultKind.INTERNAL_ERROR, FaultKind.HTML_503, FaultKind.EMPTY_502]
AMBIGUOUS = [FaultKind.RESET, FaultKind.CLOSE_AFTER_PROCESSING, FaultKind.TRUNCATED_JSON]

# (kind of operation, fault) -> (expected error or None, requests the server receives)
AMBIGUOUS_OUTCOMES: dict[tuple[str, FaultKind], tuple[type[Exception] | None, int]] = {
    **{("safe", fault): (None, 2) for fault in AMBIGUOUS},
    # Repeating a delete is harmless; "not found" after a lost answer means done.
    **{("delete", fault): (None, 2) for fault in AMBIGUOUS},
    # Enable/disable: the Region's status decides. Only the closed-after-processing
    # request took effect (the emulator drops the other two before acting).
    ("region", FaultKind.RESET): (ConnectionClosedError, 1),
    ("region", FaultKind.CLOSE_AFTER_PROCESSING): (None, 1),
    ("region", FaultKind.TRUNCATED_JSON): (MalformedResponseError, 1),
    **{("unknown", fault): (OutcomeUnknownError, 1) for fault in AMBIGUOUS},
}


def test_the_matrix_covers_every_operation() -> None:
    assert set(CASES) == {op.name for op in ALL_OPERATIONS}
    for operation in ALL_OPERATIONS:
        kind = CASES[operation.name][2]
        assert (kind == "safe") == operation.safe_to_repeat, operation.name


def _run(
    connect: Connect, operation: str, fault: FaultKind, count: int
) -> tuple[BaseException | None, int]:
    setup, call, _ = CASES[operation]
    with AccountEmulator(member_count=1, enforce_quotas=False, region_transition_seconds=60) as emu:
        member = emu.member_account_ids[0]
        client = connect(emu, rate_limiting=False, runtime=emulator_runtime(), read_timeout=5)
        setup(client, member, emu)
        emu.reset_counts()
        emu.inject(fault, count=count, operation=operation)
        try:
            call(client, member)
        except Exception as exc:  # noqa: BLE001 - the test inspects whatever was raised
            return exc, emu.request_counts[operation]
        return None, emu.request_counts[operation]


@pytest.mark.parametrize("fault", TRANSIENT)
@pytest.mark.parametrize("operation", sorted(CASES))
def test_transient_faults_are_retried_for_every_operation(
    connect: Connect, operation: str, fault: FaultKind
) -> None:
    error, received = _run(connect, operation, fault, count=2)
    assert error is None, repr(error)
    assert received == 3


@pytest.mark.parametrize("fault", AMBIGUOUS)
@pytest.mark.parametrize("operation", sorted(CASES))
def test_ambiguous_faults_never_repeat_an_unsafe_request_blindly(
    connect: Connect, operation: str, fault: FaultKind
) -> None:
    expected_error, expected_received = AMBIGUOUS_OUTCOMES[(CASES[operation][2], fault)]
    error, received = _run(connect, operation, fault, count=1)
    if expected_error is None:
        assert error is None, repr(error)
    else:
        assert isinstance(error, expected_error), repr(error)
    assert received == expected_received
