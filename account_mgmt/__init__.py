"""A typed, validated, SigV4-signed client for the AWS Account Management API.

Everything public is re-exported here; the modules prefixed ``_`` are private.

The two clients are imported on first use (PEP 562): they bring botocore and
cattrs, which a program importing only a model, an exception or a submodule
(``account-mgmt --help``, the pytest plugin) should not pay for.
"""

from typing import TYPE_CHECKING, Any

from account_mgmt._bulk import (
    AccountOutcome,
    BulkOperationError,
    BulkResult,
    for_each_account,
    for_each_account_async,
)
from account_mgmt._clock import Clock, FakeClock, SystemClock
from account_mgmt._config import ClientConfig
from account_mgmt._http import AsyncTransport, HttpRequest, HttpResponse, Transport
from account_mgmt._quotas import DOCUMENTED_QUOTAS, Quota, WindowCap
from account_mgmt._runtime import Runtime, default_runtime
from account_mgmt._version import __version__
from account_mgmt.exceptions import (
    AccessDeniedException,
    AccountError,
    ClientClosedError,
    ConfigurationError,
    ConflictException,
    ConnectionClosedError,
    ConnectTimeoutError,
    CredentialsError,
    DeadlineExceededError,
    EndpointConnectionError,
    ExpiredTokenException,
    InternalServerException,
    InvalidSignatureException,
    MalformedResponseError,
    NoCredentialsError,
    OutcomeUnknownError,
    PaginationError,
    ParamValidationError,
    ReadTimeoutError,
    RegionOptConcurrencyExceeded,
    RequestExpired,
    ResourceNotFoundException,
    ResourceUnavailableException,
    ResponseTooLargeError,
    ServiceError,
    ServiceUnavailable,
    ThrottlingException,
    TLSError,
    TooManyRequestsException,
    TransportError,
    UnrecognizedClientException,
    ValidationException,
    WaiterError,
    WaiterFailedError,
    WaiterTimeoutError,
)
from account_mgmt.models import (
    AccountInformation,
    AccountState,
    AlternateContact,
    AlternateContactType,
    ContactInformation,
    GetContactInformationResponse,
    GovCloudAccountInformation,
    ListRegionsResponse,
    PhoneNumberVerificationStatus,
    PrimaryEmailUpdate,
    PrimaryEmailUpdateStatus,
    Region,
    RegionOptStatus,
    ValidationExceptionField,
    ValidationExceptionReason,
)

if TYPE_CHECKING:
    from account_mgmt._aclient import AsyncAccountClient
    from account_mgmt._client import AccountClient

_LAZY = {
    "AccountClient": "account_mgmt._client",
    "AsyncAccountClient": "account_mgmt._aclient",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'account_mgmt' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next lookup finds it without this function
    return value


__all__ = [
    "DOCUMENTED_QUOTAS",
    "AccessDeniedException",
    "AccountClient",
    "AccountError",
    "AccountInformation",
    "AccountOutcome",
    "AccountState",
    "AlternateContact",
    "AlternateContactType",
    "AsyncAccountClient",
    "AsyncTransport",
    "BulkOperationError",
    "BulkResult",
    "ClientClosedError",
    "ClientConfig",
    "Clock",
    "ConfigurationError",
    "ConflictException",
    "ConnectTimeoutError",
    "ConnectionClosedError",
    "ContactInformation",
    "CredentialsError",
    "DeadlineExceededError",
    "EndpointConnectionError",
    "ExpiredTokenException",
    "FakeClock",
    "GetContactInformationResponse",
    "GovCloudAccountInformation",
    "HttpRequest",
    "HttpResponse",
    "InternalServerException",
    "InvalidSignatureException",
    "ListRegionsResponse",
    "MalformedResponseError",
    "NoCredentialsError",
    "OutcomeUnknownError",
    "PaginationError",
    "ParamValidationError",
    "PhoneNumberVerificationStatus",
    "PrimaryEmailUpdate",
    "PrimaryEmailUpdateStatus",
    "Quota",
    "ReadTimeoutError",
    "Region",
    "RegionOptConcurrencyExceeded",
    "RegionOptStatus",
    "RequestExpired",
    "ResourceNotFoundException",
    "ResourceUnavailableException",
    "ResponseTooLargeError",
    "Runtime",
    "ServiceError",
    "ServiceUnavailable",
    "SystemClock",
    "TLSError",
    "ThrottlingException",
    "TooManyRequestsException",
    "Transport",
    "TransportError",
    "UnrecognizedClientException",
    "ValidationException",
    "ValidationExceptionField",
    "ValidationExceptionReason",
    "WaiterError",
    "WaiterFailedError",
    "WaiterTimeoutError",
    "WindowCap",
    "__version__",
    "default_runtime",
    "for_each_account",
    "for_each_account_async",
]
