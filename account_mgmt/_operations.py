"""The 18 operations as data: everything the call path needs to know about each one.

One declaration per operation says its input members and their shapes, the
model its answer is read into and the part of it a method returns, and what
to do when an answer is lost after the request may have reached the
service. Client methods are typed front doors over these; the call path
(``_steps``) reads nothing else. A test checks this table against botocore's
model, so a member, a requiredness or a shape cannot silently drift.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any, Final, Generic, TypeVar

import attrs

from account_mgmt import _protocol
from account_mgmt._config import SERVICE_SIGNING_NAME
from account_mgmt._validation import SHAPE_RULES, ShapeRule
from account_mgmt.exceptions import ServiceError
from account_mgmt.models import (
    REDACTED,
    AccountInformation,
    AlternateContact,
    GetContactInformationResponse,
    GovCloudAccountInformation,
    ListRegionsResponse,
    PrimaryEmailUpdate,
    Region,
)

T = TypeVar("T")


class LostAnswer(enum.Enum):
    """What to do when the request may have reached the service but its answer did not come back."""

    REPEAT = "repeat"
    """Sending it again has the same effect as once (a read, an upsert): retry."""
    RESEND_NOT_FOUND_IS_DONE = "resend-not-found-is-done"
    """A delete: send it once more; "not found" then means the lost one did it."""
    READ_REGION_STATUS = "read-region-status"
    """A Region switch: the Region's status says whether it took (see ``_regionswitch``)."""
    OUTCOME_UNKNOWN = "outcome-unknown"
    """A one-time password sent or spent: raise ``OutcomeUnknownError``, never resend."""


class Service:
    """What the call path needs to know of the AWS service an operation belongs to."""

    # Service and Operation are plain slotted classes, not attrs: attrs compiles
    # each class's methods at import (cold start, issue 13). Never assigned
    # after construction.
    __slots__ = ("content_type", "decode_error", "shape_rules", "signing_name", "target_prefix")

    signing_name: str
    """SigV4 signing name, from the service model's ``signingName``."""
    content_type: str
    """The request body's type: ``application/json`` (rest-json) or
    ``application/x-amz-json-1.1`` (JSON 1.1)."""
    target_prefix: str | None
    """JSON 1.1: every operation is ``POST /`` named by ``X-Amz-Target: <prefix>.<Name>``.
    None for rest-json, where the path names it."""
    shape_rules: Mapping[str, ShapeRule]
    """The bounds of every input shape its operations name."""
    decode_error: Callable[..., ServiceError]
    """``(status, headers, body, *, local_time) -> ServiceError``: the typed error of an answer."""

    def __init__(
        self,
        *,
        signing_name: str,
        content_type: str,
        target_prefix: str | None,
        shape_rules: Mapping[str, ShapeRule],
        decode_error: Callable[..., ServiceError],
    ) -> None:
        self.signing_name = signing_name
        self.content_type = content_type
        self.target_prefix = target_prefix
        self.shape_rules = shape_rules
        self.decode_error = decode_error


ACCOUNT: Final = Service(
    signing_name=SERVICE_SIGNING_NAME,
    content_type=_protocol.CONTENT_TYPE,
    target_prefix=None,
    shape_rules=SHAPE_RULES,
    decode_error=_protocol.decode_error,
)
"""The Account Management API: rest-json, ``POST /<lowerCamelName>``."""


@attrs.frozen(kw_only=True)
class _AlternateContactOutput:
    # Required: "no contact" is a 404; a 200 without one is malformed, not an
    # empty contact an audit would count as set.
    alternate_contact: AlternateContact


@attrs.frozen(kw_only=True)
class _StatusOutput:
    # Required: an answer without it is malformed, and the protocol layer says so.
    status: str


@attrs.frozen(kw_only=True)
class _PrimaryEmailOutput:
    primary_email: str = attrs.field(repr=lambda _: REDACTED)


def _nothing(_: object) -> None:
    return None


def _whole(answer: Any) -> Any:
    return answer


class Operation(Generic[T]):
    """One API operation; ``T`` is what its client method returns."""

    __slots__ = ("lost_answer", "members", "name", "output", "quota_key", "result", "service")

    name: str
    """The AWS operation name, e.g. ``GetAlternateContact``."""
    members: Mapping[str, tuple[str, bool]]
    """Parameter name (snake_case) -> (AWS shape, required). Every call passes all of them."""
    output: type | None
    """The model a success's body is read into; None when the answer has no body."""
    result: Callable[[Any], T]
    """The part of the decoded answer the client method returns."""
    lost_answer: LostAnswer
    """What to do when the answer is lost after the request may have arrived."""
    service: Service
    """The service it belongs to: protocol, signing name, input bounds, errors (``ACCOUNT``
    unless given)."""
    quota_key: str | None
    """The rate bucket it draws on; its own name when None (the Account API's
    quotas are per operation; a service with one published rate shares one)."""

    def __init__(
        self,
        *,
        name: str,
        members: Mapping[str, tuple[str, bool]],
        output: type | None,
        result: Callable[[Any], T],
        lost_answer: LostAnswer,
        service: Service = ACCOUNT,
        quota_key: str | None = None,
    ) -> None:
        self.name = name
        self.members = members
        self.output = output
        self.result = result
        self.lost_answer = lost_answer
        self.service = service
        self.quota_key = quota_key

    @property
    def bucket(self) -> str:
        """The name of the quota its requests are paced at."""
        return self.quota_key or self.name

    @property
    def safe_to_repeat(self) -> bool:
        """Whether the retry layer may send it again after a lost answer."""
        return self.lost_answer is LostAnswer.REPEAT

    @property
    def path(self) -> str:
        """``/getAlternateContact`` in rest-json (the lowerCamel name); ``/`` in JSON 1.1."""
        if self.service.target_prefix is not None:
            return "/"
        return "/" + self.name[:1].lower() + self.name[1:]

    @property
    def headers(self) -> dict[str, str]:
        """The protocol's headers for this operation (content type, JSON 1.1 target)."""
        headers = {"Content-Type": self.service.content_type}
        if self.service.target_prefix is not None:
            headers["X-Amz-Target"] = f"{self.service.target_prefix}.{self.name}"
        return headers

    @property
    def target_member(self) -> str | None:
        """The parameter naming the account acted on, for per-account quotas."""
        for name in ("account_id", "standard_account_id"):
            if name in self.members:
                return name
        return None


_ACCOUNT_ID: Final = ("AccountId", False)
_ACCOUNT_ID_REQUIRED: Final = ("AccountId", True)
_CONTACT_TYPE: Final = ("AlternateContactType", True)
_REGION_NAME: Final = ("RegionName", True)


def _status(answer: _StatusOutput) -> str:
    return answer.status


GET_ALTERNATE_CONTACT: Final[Operation[AlternateContact]] = Operation(
    name="GetAlternateContact",
    members={"alternate_contact_type": _CONTACT_TYPE, "account_id": _ACCOUNT_ID},
    output=_AlternateContactOutput,
    result=lambda answer: answer.alternate_contact,
    lost_answer=LostAnswer.REPEAT,
)
PUT_ALTERNATE_CONTACT: Final[Operation[None]] = Operation(
    name="PutAlternateContact",
    members={
        "alternate_contact_type": _CONTACT_TYPE,
        "name": ("Name", True),
        "title": ("Title", True),
        "email_address": ("EmailAddress", True),
        "phone_number": ("PhoneNumber", True),
        "account_id": _ACCOUNT_ID,
    },
    output=None,
    result=_nothing,
    lost_answer=LostAnswer.REPEAT,  # an upsert
)
DELETE_ALTERNATE_CONTACT: Final[Operation[None]] = Operation(
    name="DeleteAlternateContact",
    members={"alternate_contact_type": _CONTACT_TYPE, "account_id": _ACCOUNT_ID},
    output=None,
    result=_nothing,
    lost_answer=LostAnswer.RESEND_NOT_FOUND_IS_DONE,
)
GET_CONTACT_INFORMATION: Final[Operation[GetContactInformationResponse]] = Operation(
    name="GetContactInformation",
    members={"account_id": _ACCOUNT_ID},
    output=GetContactInformationResponse,
    result=_whole,  # the whole answer, so that verification_status is kept
    lost_answer=LostAnswer.REPEAT,
)
PUT_CONTACT_INFORMATION: Final[Operation[None]] = Operation(
    name="PutContactInformation",
    members={
        "contact_information": ("ContactInformation", True),
        "account_id": _ACCOUNT_ID,
    },
    output=None,
    result=_nothing,
    lost_answer=LostAnswer.REPEAT,
)
GET_REGION_OPT_STATUS: Final[Operation[Region]] = Operation(
    name="GetRegionOptStatus",
    members={"region_name": _REGION_NAME, "account_id": _ACCOUNT_ID},
    output=Region,
    result=_whole,
    lost_answer=LostAnswer.REPEAT,
)
LIST_REGIONS: Final[Operation[ListRegionsResponse]] = Operation(
    name="ListRegions",
    members={
        "account_id": _ACCOUNT_ID,
        "max_results": ("ListRegionsRequestMaxResultsInteger", False),
        "next_token": ("ListRegionsRequestNextTokenString", False),
        "region_opt_status_contains": ("RegionOptStatusList", False),
    },
    output=ListRegionsResponse,
    result=_whole,
    lost_answer=LostAnswer.REPEAT,
)
ENABLE_REGION: Final[Operation[None]] = Operation(
    name="EnableRegion",
    members={"region_name": _REGION_NAME, "account_id": _ACCOUNT_ID},
    output=None,
    result=_nothing,
    lost_answer=LostAnswer.READ_REGION_STATUS,
)
DISABLE_REGION: Final[Operation[None]] = Operation(
    name="DisableRegion",
    members={"region_name": _REGION_NAME, "account_id": _ACCOUNT_ID},
    output=None,
    result=_nothing,
    lost_answer=LostAnswer.READ_REGION_STATUS,
)
GET_ACCOUNT_INFORMATION: Final[Operation[AccountInformation]] = Operation(
    name="GetAccountInformation",
    members={"account_id": _ACCOUNT_ID},
    output=AccountInformation,
    result=_whole,
    lost_answer=LostAnswer.REPEAT,
)
PUT_ACCOUNT_NAME: Final[Operation[None]] = Operation(
    name="PutAccountName",
    members={"account_name": ("AccountName", True), "account_id": _ACCOUNT_ID},
    output=None,
    result=_nothing,
    lost_answer=LostAnswer.REPEAT,
)
GET_PRIMARY_EMAIL: Final[Operation[str]] = Operation(
    name="GetPrimaryEmail",
    members={"account_id": _ACCOUNT_ID_REQUIRED},
    output=_PrimaryEmailOutput,
    result=lambda answer: answer.primary_email,
    lost_answer=LostAnswer.REPEAT,
)
START_PRIMARY_EMAIL_UPDATE: Final[Operation[str]] = Operation(
    name="StartPrimaryEmailUpdate",
    members={"account_id": _ACCOUNT_ID_REQUIRED, "primary_email": ("PrimaryEmailAddress", True)},
    output=_StatusOutput,
    result=_status,
    lost_answer=LostAnswer.OUTCOME_UNKNOWN,
)
ACCEPT_PRIMARY_EMAIL_UPDATE: Final[Operation[str]] = Operation(
    name="AcceptPrimaryEmailUpdate",
    members={
        "account_id": _ACCOUNT_ID_REQUIRED,
        "primary_email": ("PrimaryEmailAddress", True),
        "otp": ("Otp", True),
    },
    output=_StatusOutput,
    result=_status,
    lost_answer=LostAnswer.OUTCOME_UNKNOWN,
)
GET_PRIMARY_EMAIL_UPDATE_STATUS: Final[Operation[PrimaryEmailUpdate]] = Operation(
    name="GetPrimaryEmailUpdateStatus",
    members={"account_id": _ACCOUNT_ID},
    output=PrimaryEmailUpdate,
    result=_whole,
    lost_answer=LostAnswer.REPEAT,
)
GET_GOV_CLOUD_ACCOUNT_INFORMATION: Final[Operation[GovCloudAccountInformation]] = Operation(
    name="GetGovCloudAccountInformation",
    members={"standard_account_id": ("AccountId", False)},
    output=GovCloudAccountInformation,
    result=_whole,
    lost_answer=LostAnswer.REPEAT,
)
SEND_PHONE_NUMBER_VERIFICATION: Final[Operation[str]] = Operation(
    name="SendPhoneNumberVerification",
    members={"account_id": _ACCOUNT_ID},
    output=_StatusOutput,
    result=_status,
    lost_answer=LostAnswer.OUTCOME_UNKNOWN,
)
VERIFY_PHONE_NUMBER: Final[Operation[str]] = Operation(
    name="VerifyPhoneNumber",
    members={"otp": ("Otp", True), "account_id": _ACCOUNT_ID},
    output=_StatusOutput,
    result=_status,
    lost_answer=LostAnswer.OUTCOME_UNKNOWN,
)

ALL_OPERATIONS: Final[tuple[Operation[Any], ...]] = (
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
