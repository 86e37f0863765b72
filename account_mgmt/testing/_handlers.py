"""What each of the 18 operations does to the emulated world.

Each handler gets the world (its lock held), the caller's account id and the
validated request body, and returns the response body (None: empty body).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any, Final

from account_mgmt.testing._world import ApiError, World, invalid, not_found

Handler = Callable[[World, str, dict[str, Any]], dict[str, Any] | None]

DEFAULT_LIST_REGIONS_PAGE: Final = 20
"""ListRegions' page size when MaxResults is not given."""


def get_alternate_contact(world: World, caller: str, body: dict[str, Any]) -> dict[str, Any]:
    account = world.target(caller, body)
    contact = account.alternate_contacts.get(body["AlternateContactType"])
    if contact is None:
        raise not_found("No contact of the inputted alternate contact type found.")
    return {"AlternateContact": dict(contact)}


def put_alternate_contact(world: World, caller: str, body: dict[str, Any]) -> None:
    account = world.target(caller, body)
    kind = body["AlternateContactType"]
    account.alternate_contacts[kind] = {
        "AlternateContactType": kind,
        **{key: body[key] for key in ("Name", "Title", "EmailAddress", "PhoneNumber")},
    }


def delete_alternate_contact(world: World, caller: str, body: dict[str, Any]) -> None:
    account = world.target(caller, body)
    if account.alternate_contacts.pop(body["AlternateContactType"], None) is None:
        raise not_found("No contact of the inputted alternate contact type found.")


def get_contact_information(world: World, caller: str, body: dict[str, Any]) -> dict[str, Any]:
    account = world.target(caller, body)
    if account.contact_information is None:
        raise not_found("No contact information found for this account.")
    return {
        "ContactInformation": dict(account.contact_information),
        "VerificationStatus": account.verification_status,
    }


def put_contact_information(world: World, caller: str, body: dict[str, Any]) -> None:
    account = world.target(caller, body)
    new = dict(body["ContactInformation"])
    old_phone = (account.contact_information or {}).get("PhoneNumber")
    if new.get("PhoneNumber") != old_phone:
        account.verification_status = "UNVERIFIED"
        account.phone_otp_sent = False
    account.contact_information = new


def get_region_opt_status(world: World, caller: str, body: dict[str, Any]) -> dict[str, Any]:
    account = world.target(caller, body)
    state = world.region(account, body["RegionName"])
    return {"RegionName": body["RegionName"], "RegionOptStatus": state.status}


def _decode_token(token: str) -> int:
    try:
        offset = int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("offset:"))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise invalid("The NextToken is not valid.", field="NextToken") from None
    if offset < 0:
        raise invalid("The NextToken is not valid.", field="NextToken")
    return offset


def list_regions(world: World, caller: str, body: dict[str, Any]) -> dict[str, Any]:
    account = world.target(caller, body)
    wanted = set(body.get("RegionOptStatusContains") or [])
    world.region(account, "us-east-1")  # settles pending switches
    rows = [
        {"RegionName": name, "RegionOptStatus": state.status}
        for name, state in sorted(account.regions.items())
        if not wanted or state.status in wanted
    ]
    start = _decode_token(body["NextToken"]) if body.get("NextToken") else 0
    size = body.get("MaxResults") or DEFAULT_LIST_REGIONS_PAGE
    answer: dict[str, Any] = {"Regions": rows[start : start + size]}
    if start + size < len(rows):
        answer["NextToken"] = base64.urlsafe_b64encode(f"offset:{start + size}".encode()).decode()
    return answer


def enable_region(world: World, caller: str, body: dict[str, Any]) -> None:
    world.switch_region(world.target(caller, body), body["RegionName"], enable=True)


def disable_region(world: World, caller: str, body: dict[str, Any]) -> None:
    world.switch_region(world.target(caller, body), body["RegionName"], enable=False)


def get_account_information(world: World, caller: str, body: dict[str, Any]) -> dict[str, Any]:
    # Reads the account's own state, so it answers for a SUSPENDED or CLOSED one too.
    account = world.target(caller, body, any_state=True)
    return {
        "AccountId": account.account_id,
        "AccountName": account.name,
        "AccountCreatedDate": account.created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "AccountState": account.state,
    }


def put_account_name(world: World, caller: str, body: dict[str, Any]) -> None:
    world.target(caller, body).name = body["AccountName"]


def _organization_only(world: World, caller: str, body: dict[str, Any]) -> Any:
    # These operations exist for organization mode only: AccountId is required
    # (the model says so) and must name a member account.
    return world.target(caller, body)


def get_primary_email(world: World, caller: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"PrimaryEmail": _organization_only(world, caller, body).email}


def start_primary_email_update(world: World, caller: str, body: dict[str, Any]) -> dict[str, Any]:
    account = _organization_only(world, caller, body)
    now = world.clock()
    window = world.settings.primary_email_update_window
    recent = [t for t in account.email_update_starts if now - t < window.seconds]
    if len(recent) >= window.count:
        raise ApiError(
            "TooManyRequestsException", 429, "Too many primary email updates for this account."
        )
    account.email_update_starts = [*recent, now]
    account.pending_email = body["PrimaryEmail"]
    account.email_update_status = "PENDING"
    account.email_updated_at = world.wall_clock()
    return {"Status": "PENDING"}


def accept_primary_email_update(world: World, caller: str, body: dict[str, Any]) -> dict[str, Any]:
    account = _organization_only(world, caller, body)
    if account.pending_email is None:
        raise not_found("There is no pending primary email update for this account.")
    if body["PrimaryEmail"] != account.pending_email:
        raise invalid("The email does not match the pending update.", field="PrimaryEmail")
    if body["Otp"] != world.settings.otp:
        raise invalid("The one-time password is not valid.", field="Otp")
    account.email = account.pending_email
    account.pending_email = None
    account.email_update_status = "ACCEPTED"
    account.email_updated_at = world.wall_clock()
    return {"Status": "ACCEPTED"}


def get_primary_email_update_status(
    world: World, caller: str, body: dict[str, Any]
) -> dict[str, Any]:
    account = world.target(caller, body)
    if account.email_update_status is None:
        raise not_found("No primary email update was requested for this account.")
    return {"Status": account.email_update_status, "UpdatedAt": account.email_updated_at}


def get_gov_cloud_account_information(
    world: World, caller: str, body: dict[str, Any]
) -> dict[str, Any]:
    account = world.target(caller, body, key="StandardAccountId")
    if account.gov_cloud_account_id is None:
        raise not_found("No GovCloud account is linked to this account.")
    return {"GovCloudAccountId": account.gov_cloud_account_id, "AccountState": "ACTIVE"}


def send_phone_number_verification(
    world: World, caller: str, body: dict[str, Any]
) -> dict[str, Any]:
    account = world.target(caller, body)
    if account.contact_information is None:
        raise not_found("The account has no primary contact phone number to verify.")
    if account.verification_status == "VERIFIED":
        raise ApiError("ConflictException", 409, "The phone number is already verified.")
    account.phone_otp_sent = True
    account.verification_status = "PENDING"
    return {"Status": "PENDING"}


def verify_phone_number(world: World, caller: str, body: dict[str, Any]) -> dict[str, Any]:
    account = world.target(caller, body)
    if not account.phone_otp_sent:
        raise not_found("No verification code was sent for this account.")
    if body["Otp"] != world.settings.otp:
        raise invalid("The one-time password is not valid.", field="Otp")
    account.phone_otp_sent = False
    account.verification_status = "VERIFIED"
    return {"Status": "VERIFIED"}


HANDLERS: Final[dict[str, Handler]] = {
    "AcceptPrimaryEmailUpdate": accept_primary_email_update,
    "DeleteAlternateContact": delete_alternate_contact,
    "DisableRegion": disable_region,
    "EnableRegion": enable_region,
    "GetAccountInformation": get_account_information,
    "GetAlternateContact": get_alternate_contact,
    "GetContactInformation": get_contact_information,
    "GetGovCloudAccountInformation": get_gov_cloud_account_information,
    "GetPrimaryEmail": get_primary_email,
    "GetPrimaryEmailUpdateStatus": get_primary_email_update_status,
    "GetRegionOptStatus": get_region_opt_status,
    "ListRegions": list_regions,
    "PutAccountName": put_account_name,
    "PutAlternateContact": put_alternate_contact,
    "PutContactInformation": put_contact_information,
    "SendPhoneNumberVerification": send_phone_number_verification,
    "StartPrimaryEmailUpdate": start_primary_email_update,
    "VerifyPhoneNumber": verify_phone_number,
}
