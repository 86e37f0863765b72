"""The 18 operations as data: wire path, input members and their shapes, retry safety.

A test checks this table against botocore's model, so a member, a
requiredness or a shape cannot silently drift.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import attrs


@attrs.frozen
class Operation:
    """One API operation."""

    name: str
    """The AWS operation name, e.g. ``GetAlternateContact``."""
    members: Mapping[str, tuple[str, bool]]
    """Parameter name (snake_case) -> (AWS shape, required)."""
    has_output: bool
    """Whether a success carries a JSON body to read."""
    safe_to_repeat: bool
    """Whether sending it twice has the same effect as once.

    Decides if a request that may have reached the service (a read timeout, a
    connection dropped mid-answer) is retried. Puts are upserts; a repeated
    delete answers ResourceNotFound, and a repeated Region or email change
    may fail or act twice, so those are not.
    """

    @property
    def path(self) -> str:
        """``/getAlternateContact``: every operation is POST to its lowerCamel name."""
        return "/" + self.name[:1].lower() + self.name[1:]


_ACCOUNT_ID: Final = ("AccountId", False)
_ACCOUNT_ID_REQUIRED: Final = ("AccountId", True)
_CONTACT_TYPE: Final = ("AlternateContactType", True)
_REGION_NAME: Final = ("RegionName", True)


def _op(
    operation_name: str, /, *, output: bool, safe: bool, **members: tuple[str, bool]
) -> Operation:
    return Operation(name=operation_name, members=members, has_output=output, safe_to_repeat=safe)


GET_ALTERNATE_CONTACT: Final = _op(
    "GetAlternateContact",
    output=True,
    safe=True,
    alternate_contact_type=_CONTACT_TYPE,
    account_id=_ACCOUNT_ID,
)
PUT_ALTERNATE_CONTACT: Final = _op(
    "PutAlternateContact",
    output=False,
    safe=True,
    alternate_contact_type=_CONTACT_TYPE,
    name=("Name", True),
    title=("Title", True),
    email_address=("EmailAddress", True),
    phone_number=("PhoneNumber", True),
    account_id=_ACCOUNT_ID,
)
DELETE_ALTERNATE_CONTACT: Final = _op(
    "DeleteAlternateContact",
    output=False,
    safe=False,
    alternate_contact_type=_CONTACT_TYPE,
    account_id=_ACCOUNT_ID,
)
GET_CONTACT_INFORMATION: Final = _op(
    "GetContactInformation", output=True, safe=True, account_id=_ACCOUNT_ID
)
PUT_CONTACT_INFORMATION: Final = _op(
    "PutContactInformation",
    output=False,
    safe=True,
    contact_information=("ContactInformation", True),
    account_id=_ACCOUNT_ID,
)
GET_REGION_OPT_STATUS: Final = _op(
    "GetRegionOptStatus", output=True, safe=True, region_name=_REGION_NAME, account_id=_ACCOUNT_ID
)
LIST_REGIONS: Final = _op(
    "ListRegions",
    output=True,
    safe=True,
    account_id=_ACCOUNT_ID,
    max_results=("ListRegionsRequestMaxResultsInteger", False),
    next_token=("ListRegionsRequestNextTokenString", False),
    region_opt_status_contains=("RegionOptStatusList", False),
)
ENABLE_REGION: Final = _op(
    "EnableRegion", output=False, safe=False, region_name=_REGION_NAME, account_id=_ACCOUNT_ID
)
DISABLE_REGION: Final = _op(
    "DisableRegion", output=False, safe=False, region_name=_REGION_NAME, account_id=_ACCOUNT_ID
)
GET_ACCOUNT_INFORMATION: Final = _op(
    "GetAccountInformation", output=True, safe=True, account_id=_ACCOUNT_ID
)
PUT_ACCOUNT_NAME: Final = _op(
    "PutAccountName",
    output=False,
    safe=True,
    account_name=("AccountName", True),
    account_id=_ACCOUNT_ID,
)
GET_PRIMARY_EMAIL: Final = _op(
    "GetPrimaryEmail", output=True, safe=True, account_id=_ACCOUNT_ID_REQUIRED
)
START_PRIMARY_EMAIL_UPDATE: Final = _op(
    "StartPrimaryEmailUpdate",
    output=True,
    safe=False,
    account_id=_ACCOUNT_ID_REQUIRED,
    primary_email=("PrimaryEmailAddress", True),
)
ACCEPT_PRIMARY_EMAIL_UPDATE: Final = _op(
    "AcceptPrimaryEmailUpdate",
    output=True,
    safe=False,
    account_id=_ACCOUNT_ID_REQUIRED,
    primary_email=("PrimaryEmailAddress", True),
    otp=("Otp", True),
)
GET_PRIMARY_EMAIL_UPDATE_STATUS: Final = _op(
    "GetPrimaryEmailUpdateStatus", output=True, safe=True, account_id=_ACCOUNT_ID
)
GET_GOV_CLOUD_ACCOUNT_INFORMATION: Final = _op(
    "GetGovCloudAccountInformation",
    output=True,
    safe=True,
    standard_account_id=("AccountId", False),
)
SEND_PHONE_NUMBER_VERIFICATION: Final = _op(
    "SendPhoneNumberVerification", output=True, safe=False, account_id=_ACCOUNT_ID
)
VERIFY_PHONE_NUMBER: Final = _op(
    "VerifyPhoneNumber", output=True, safe=False, otp=("Otp", True), account_id=_ACCOUNT_ID
)

ALL_OPERATIONS: Final[tuple[Operation, ...]] = (
    ACCEPT_PRIMARY_EMAIL_UPDATE,
    DELETE_ALTERNATE_CONTACT,
    DISABLE_REGION,
    ENABLE_REGION,
    GET_ACCOUNT_INFORMATION,
    GET_ALTERNATE_CONTACT,
    GET_CONTACT_INFORMATION,
    GET_GOV_CLOUD_ACCOUNT_INFORMATION,
    GET_PRIMARY_EMAIL,
    GET_PRIMARY_EMAIL_UPDATE_STATUS,
    GET_REGION_OPT_STATUS,
    LIST_REGIONS,
    PUT_ACCOUNT_NAME,
    PUT_ALTERNATE_CONTACT,
    PUT_CONTACT_INFORMATION,
    SEND_PHONE_NUMBER_VERIFICATION,
    START_PRIMARY_EMAIL_UPDATE,
    VERIFY_PHONE_NUMBER,
)
