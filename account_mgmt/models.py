"""Typed models for the Account Management API's shapes.

Models are frozen, keyword-only attrs classes that know nothing of the wire:
the client maps them to AWS's PascalCase names. Each field's ``metadata["shape"]``
names the AWS shape it holds, which is how validation finds the field's
bounds and how the tests pin every field to botocore's model.

Enum-valued fields are typed ``str``: AWS adds values over time and a value
this release does not know is kept as it came, never a parse failure. The
``StrEnum`` classes compare equal to their values, so
``region.region_opt_status == RegionOptStatus.ENABLED`` reads naturally.

Fields the model marks ``sensitive`` show as ``<redacted>`` in ``repr()``.

Output fields marked ``answer_required`` in their metadata are the members an
answer must carry to mean anything (AWS's model marks few output members
required, but an answer without them would read as an all-``None`` success):
a 2xx without one is ``MalformedResponseError``. Members AWS may leave out
(``NextToken`` on the last page, an unset ``AccountName``) stay optional.
"""

from __future__ import annotations

import datetime
import enum
from typing import Final

import attrs

REDACTED: Final = "<redacted>"
"""What a sensitive value looks like in a repr, a log line or an error message."""


def _redact(value: object) -> str:
    return "None" if value is None else REDACTED


def _shape(name: str) -> dict[str, str]:
    return {"shape": name}


def _answer(name: str) -> dict[str, object]:
    # An output member without which an answer means nothing (see the module docstring).
    return {"shape": name, "answer_required": True}


class AlternateContactType(enum.StrEnum):
    """Which alternate contact: one of each type per account."""

    BILLING = "BILLING"
    OPERATIONS = "OPERATIONS"
    SECURITY = "SECURITY"


class RegionOptStatus(enum.StrEnum):
    """Where a Region stands for an account. ENABLING and DISABLING can last hours."""

    ENABLED = "ENABLED"
    ENABLING = "ENABLING"
    DISABLING = "DISABLING"
    DISABLED = "DISABLED"
    ENABLED_BY_DEFAULT = "ENABLED_BY_DEFAULT"


class AccountState(enum.StrEnum):
    """Lifecycle state of an account."""

    PENDING_ACTIVATION = "PENDING_ACTIVATION"
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    CLOSED = "CLOSED"


class PrimaryEmailUpdateStatus(enum.StrEnum):
    """Progress of a primary email change (older models knew only the first two)."""

    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class PhoneNumberVerificationStatus(enum.StrEnum):
    """Whether the primary contact's phone number has been verified."""

    PENDING = "PENDING"
    VERIFIED = "VERIFIED"
    UNVERIFIED = "UNVERIFIED"
    NOT_SUPPORTED = "NOT_SUPPORTED"


class ValidationExceptionReason(enum.StrEnum):
    """Why the service rejected input, as carried by ``ValidationException.reason``."""

    INVALID_REGION_OPT_TARGET = "invalidRegionOptTarget"
    FIELD_VALIDATION_FAILED = "fieldValidationFailed"


@attrs.frozen(kw_only=True)
class AlternateContact:
    """An alternate contact (billing, operations or security) of an account."""

    alternate_contact_type: str | None = attrs.field(
        default=None, metadata=_shape("AlternateContactType")
    )
    """BILLING, OPERATIONS or SECURITY (see ``AlternateContactType``)."""
    name: str | None = attrs.field(default=None, repr=_redact, metadata=_shape("Name"))
    """The contact's name, 1-64 characters."""
    title: str | None = attrs.field(default=None, repr=_redact, metadata=_shape("Title"))
    """The contact's title, 1-50 characters."""
    email_address: str | None = attrs.field(
        default=None, repr=_redact, metadata=_shape("EmailAddress")
    )
    """The contact's email address, 1-254 characters."""
    phone_number: str | None = attrs.field(
        default=None, repr=_redact, metadata=_shape("PhoneNumber")
    )
    """The contact's phone number, 1-25 characters of digits, spaces, ``()+-``."""


@attrs.frozen(kw_only=True)
class ContactInformation:
    """The primary contact of an account: who AWS writes to, and the postal address.

    The members without defaults are the ones the service requires on
    ``put_contact_information``.
    """

    full_name: str = attrs.field(repr=_redact, metadata=_shape("FullName"))
    """Full name of the primary contact, 1-50 characters."""
    address_line1: str = attrs.field(repr=_redact, metadata=_shape("AddressLine"))
    """First line of the address, 1-60 characters."""
    city: str = attrs.field(repr=_redact, metadata=_shape("City"))
    """City, 1-50 characters."""
    postal_code: str = attrs.field(repr=_redact, metadata=_shape("PostalCode"))
    """Postal code, 1-20 characters."""
    country_code: str = attrs.field(repr=_redact, metadata=_shape("CountryCode"))
    """ISO 3166-1 alpha-2 country code, exactly 2 characters."""
    phone_number: str = attrs.field(repr=_redact, metadata=_shape("ContactInformationPhoneNumber"))
    """Phone number starting with ``+``, 1-20 characters."""
    address_line2: str | None = attrs.field(
        default=None, repr=_redact, metadata=_shape("AddressLine")
    )
    """Second line of the address, 1-60 characters."""
    address_line3: str | None = attrs.field(
        default=None, repr=_redact, metadata=_shape("AddressLine")
    )
    """Third line of the address, 1-60 characters."""
    state_or_region: str | None = attrs.field(
        default=None, repr=_redact, metadata=_shape("StateOrRegion")
    )
    """State or region, 1-50 characters."""
    district_or_county: str | None = attrs.field(
        default=None, repr=_redact, metadata=_shape("DistrictOrCounty")
    )
    """District or county, 1-50 characters."""
    company_name: str | None = attrs.field(
        default=None, repr=_redact, metadata=_shape("CompanyName")
    )
    """Company name, 1-50 characters."""
    website_url: str | None = attrs.field(default=None, repr=_redact, metadata=_shape("WebsiteUrl"))
    """Website, 1-256 characters."""


@attrs.frozen(kw_only=True)
class GetContactInformationResponse:
    """Everything GetContactInformation answers: the contact and its phone verification.

    Kept whole rather than narrowed to ``ContactInformation`` so that
    ``verification_status``, which is not part of the contact one puts, is not lost.
    """

    contact_information: ContactInformation | None = attrs.field(
        default=None, metadata=_answer("ContactInformation")
    )
    """The primary contact; an answer without it is ``MalformedResponseError``."""
    verification_status: str | None = attrs.field(
        default=None, metadata=_shape("PhoneNumberVerificationStatus")
    )
    """See ``PhoneNumberVerificationStatus``."""


@attrs.frozen(kw_only=True)
class Region:
    """A Region and its opt-in status for one account."""

    region_name: str | None = attrs.field(default=None, metadata=_shape("RegionName"))
    """The Region code, e.g. ``af-south-1``."""
    region_opt_status: str | None = attrs.field(default=None, metadata=_answer("RegionOptStatus"))
    """See ``RegionOptStatus``."""


@attrs.frozen(kw_only=True)
class ListRegionsResponse:
    """One page of ListRegions: pass ``next_token`` back for the next, until it is None."""

    regions: tuple[Region, ...] = attrs.field(default=(), metadata=_answer("RegionOptList"))
    """The Regions on this page."""
    next_token: str | None = attrs.field(default=None, metadata=_shape("String"))
    """The token for the next page; None on the last page."""


@attrs.frozen(kw_only=True)
class AccountInformation:
    """Name, creation date and state of an account."""

    account_id: str | None = attrs.field(default=None, metadata=_answer("AccountId"))
    """The 12-digit account id."""
    account_name: str | None = attrs.field(
        default=None, repr=_redact, metadata=_shape("AccountName")
    )
    """The account's name, 1-50 characters."""
    account_created_date: datetime.datetime | None = attrs.field(
        default=None, metadata=_shape("AccountCreatedDate")
    )
    """When the account was created, timezone-aware UTC."""
    account_state: str | None = attrs.field(default=None, metadata=_shape("AccountState"))
    """See ``AccountState``."""


@attrs.frozen(kw_only=True)
class PrimaryEmailUpdate:
    """State of the latest primary email change of an account."""

    status: str | None = attrs.field(default=None, metadata=_answer("PrimaryEmailUpdateStatus"))
    """See ``PrimaryEmailUpdateStatus``."""
    updated_at: datetime.datetime | None = attrs.field(default=None, metadata=_shape("Timestamp"))
    """When the status last changed, timezone-aware UTC."""


@attrs.frozen(kw_only=True)
class GovCloudAccountInformation:
    """The GovCloud account linked to a standard account."""

    gov_cloud_account_id: str | None = attrs.field(default=None, metadata=_answer("AccountId"))
    """The linked GovCloud account id."""
    account_state: str | None = attrs.field(default=None, metadata=_answer("AwsAccountState"))
    """See ``AccountState``."""


@attrs.frozen(kw_only=True)
class ValidationExceptionField:
    """One field the service rejected, as listed in ``ValidationException.field_list``."""

    name: str = attrs.field(metadata=_shape("String"))
    """The field's wire name, e.g. ``EmailAddress``."""
    message: str = attrs.field(repr=_redact, metadata=_shape("SensitiveString"))
    """Why it was rejected; the model marks it sensitive since it can quote the input."""
