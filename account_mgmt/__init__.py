"""A typed, validated, SigV4-signed client for the AWS Account Management API.

Everything public is re-exported here; the modules prefixed ``_`` are private.

Every name is imported on first use (PEP 562): ``import account_mgmt`` costs
next to nothing, so a program that needs one piece (``account-mgmt --help``,
the pytest plugin, a script catching one exception) loads only that piece,
and the clients bring botocore, cattrs and their HTTP stack when first used.
A test checks that the three lists below (the imports type checkers read,
the table, ``__all__``) name the same things.
"""

import typing as _typing

from account_mgmt._version import __version__

if _typing.TYPE_CHECKING:
    from account_mgmt._aclient import (
        AsyncAccountClient,
    )
    from account_mgmt._bulk import (
        AccountOutcome,
        BulkOperationError,
        BulkResult,
        for_each_account,
        for_each_account_async,
    )
    from account_mgmt._client import (
        AccountClient,
    )
    from account_mgmt._clock import (
        Clock,
        FakeClock,
        SystemClock,
    )
    from account_mgmt._config import (
        ClientConfig,
    )
    from account_mgmt._http import (
        AsyncTransport,
        HttpRequest,
        HttpResponse,
        Transport,
    )
    from account_mgmt._quotas import (
        DOCUMENTED_QUOTAS,
        Quota,
        WindowCap,
    )
    from account_mgmt._runtime import (
        Runtime,
        default_runtime,
    )
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
        EventLoopMismatchError,
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

_EXPORTS: dict[str, str] = {
    "DOCUMENTED_QUOTAS": "account_mgmt._quotas",
    "AccessDeniedException": "account_mgmt.exceptions",
    "AccountClient": "account_mgmt._client",
    "AccountError": "account_mgmt.exceptions",
    "AccountInformation": "account_mgmt.models",
    "AccountOutcome": "account_mgmt._bulk",
    "AccountState": "account_mgmt.models",
    "AlternateContact": "account_mgmt.models",
    "AlternateContactType": "account_mgmt.models",
    "AsyncAccountClient": "account_mgmt._aclient",
    "AsyncTransport": "account_mgmt._http",
    "BulkOperationError": "account_mgmt._bulk",
    "BulkResult": "account_mgmt._bulk",
    "ClientClosedError": "account_mgmt.exceptions",
    "ClientConfig": "account_mgmt._config",
    "Clock": "account_mgmt._clock",
    "ConfigurationError": "account_mgmt.exceptions",
    "ConflictException": "account_mgmt.exceptions",
    "ConnectTimeoutError": "account_mgmt.exceptions",
    "ConnectionClosedError": "account_mgmt.exceptions",
    "ContactInformation": "account_mgmt.models",
    "CredentialsError": "account_mgmt.exceptions",
    "DeadlineExceededError": "account_mgmt.exceptions",
    "EndpointConnectionError": "account_mgmt.exceptions",
    "EventLoopMismatchError": "account_mgmt.exceptions",
    "ExpiredTokenException": "account_mgmt.exceptions",
    "FakeClock": "account_mgmt._clock",
    "GetContactInformationResponse": "account_mgmt.models",
    "GovCloudAccountInformation": "account_mgmt.models",
    "HttpRequest": "account_mgmt._http",
    "HttpResponse": "account_mgmt._http",
    "InternalServerException": "account_mgmt.exceptions",
    "InvalidSignatureException": "account_mgmt.exceptions",
    "ListRegionsResponse": "account_mgmt.models",
    "MalformedResponseError": "account_mgmt.exceptions",
    "NoCredentialsError": "account_mgmt.exceptions",
    "OutcomeUnknownError": "account_mgmt.exceptions",
    "PaginationError": "account_mgmt.exceptions",
    "ParamValidationError": "account_mgmt.exceptions",
    "PhoneNumberVerificationStatus": "account_mgmt.models",
    "PrimaryEmailUpdate": "account_mgmt.models",
    "PrimaryEmailUpdateStatus": "account_mgmt.models",
    "Quota": "account_mgmt._quotas",
    "ReadTimeoutError": "account_mgmt.exceptions",
    "Region": "account_mgmt.models",
    "RegionOptConcurrencyExceeded": "account_mgmt.exceptions",
    "RegionOptStatus": "account_mgmt.models",
    "RequestExpired": "account_mgmt.exceptions",
    "ResourceNotFoundException": "account_mgmt.exceptions",
    "ResourceUnavailableException": "account_mgmt.exceptions",
    "ResponseTooLargeError": "account_mgmt.exceptions",
    "Runtime": "account_mgmt._runtime",
    "ServiceError": "account_mgmt.exceptions",
    "ServiceUnavailable": "account_mgmt.exceptions",
    "SystemClock": "account_mgmt._clock",
    "TLSError": "account_mgmt.exceptions",
    "ThrottlingException": "account_mgmt.exceptions",
    "TooManyRequestsException": "account_mgmt.exceptions",
    "Transport": "account_mgmt._http",
    "TransportError": "account_mgmt.exceptions",
    "UnrecognizedClientException": "account_mgmt.exceptions",
    "ValidationException": "account_mgmt.exceptions",
    "ValidationExceptionField": "account_mgmt.models",
    "ValidationExceptionReason": "account_mgmt.models",
    "WaiterError": "account_mgmt.exceptions",
    "WaiterFailedError": "account_mgmt.exceptions",
    "WaiterTimeoutError": "account_mgmt.exceptions",
    "WindowCap": "account_mgmt._quotas",
    "default_runtime": "account_mgmt._runtime",
    "for_each_account": "account_mgmt._bulk",
    "for_each_account_async": "account_mgmt._bulk",
}
"""Each public name and the module that defines it."""


def __getattr__(name: str) -> _typing.Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'account_mgmt' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next lookup finds it without this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


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
    "EventLoopMismatchError",
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
