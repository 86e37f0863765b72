"""The exceptions ``account_mgmt`` raises: one tree, plain data, no foreign types.

::

    AccountError
    ├── ParamValidationError (also ValueError)     bad input, nothing was sent
    ├── ConfigurationError (also ValueError)       bad client options
    ├── CredentialsError                           the credential chain failed
    │   └── NoCredentialsError
    ├── PaginationError                            the service repeated a page token
    ├── ClientClosedError                          the client was closed; nothing was sent
    ├── EventLoopMismatchError                     an async client used from another loop
    ├── TransportError                             no complete HTTP answer
    │   ├── EndpointConnectionError                could not connect (request not sent)
    │   ├── ConnectTimeoutError                    connecting timed out (request not sent)
    │   ├── TLSError                               certificate / handshake failure
    │   ├── ReadTimeoutError                       no answer in time (request may have arrived)
    │   ├── ConnectionClosedError                  dropped mid-exchange, or an answer that
    │   │                                          broke HTTP (request may have arrived)
    │   └── ResponseTooLargeError                  over max_response_bytes (never retried)
    ├── DeadlineExceededError                      the call's total_timeout ran out
    ├── OutcomeUnknownError                        an unsafe request may or may not have applied
    ├── WaiterError                                a waited-for state was not reached
    │   ├── WaiterTimeoutError
    │   └── WaiterFailedError
    ├── MalformedResponseError                     a 2xx answer that cannot be read
    └── ServiceError                               the service (or a proxy) answered an error
        ├── AccessDeniedException, ConflictException, InternalServerException,
        │   ResourceNotFoundException, ResourceUnavailableException,
        │   TooManyRequestsException, ValidationException       (the API's own)
        │   └── RegionOptConcurrencyExceeded (a TooManyRequestsException)
        └── ThrottlingException, ExpiredTokenException, InvalidSignatureException,
            UnrecognizedClientException, RequestExpired, ServiceUnavailable, ...
                                                   (common to every AWS service)

Modeled errors keep their AWS names, so ``exc.error_code == type(exc).__name__``
unless AWS sent an alias (``Throttling`` becomes a ``ThrottlingException`` whose
``error_code`` stays ``"Throttling"``). An unknown code becomes a plain
``ServiceError`` with ``error_code`` kept. Retry traits are class data
(``retryable``, ``throttling``) so retry policy and callers read the same facts.
The original foreign exception, where there is one, is in ``__cause__``.
"""

from __future__ import annotations

import datetime
from typing import ClassVar, Final

from account_mgmt._logging import printable
from account_mgmt.models import REDACTED, ValidationExceptionField


def _bounded(text: str | None) -> str:
    return repr(text if text is None else printable(text, 200))


def _restore(cls: type[AccountError], args: tuple[object, ...], state: dict[str, object]) -> object:
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class AccountError(Exception):
    """Root of every exception this package raises on purpose."""

    attempts: int = 0
    """How many requests the call put on the wire before this error was raised (set by
    the call path): 0 when it failed before anything was sent (bad input, no
    credentials, the deadline reached while waiting for the rate quota)."""

    def __reduce__(self) -> tuple[object, ...]:
        # Pickle rebuilds an exception by calling its class with ``args``; most of
        # ours take keyword-only data, so a worker process's error would arrive
        # in the parent as a TypeError. Rebuild from ``args`` and the attributes.
        return (_restore, (type(self), self.args, self.__dict__))


class ParamValidationError(AccountError, ValueError):
    """Input broke a bound of the service model; no request was sent.

    ``violations`` lists every broken rule as ``(parameter, rule, detail)``;
    ``parameter`` and ``rule`` are the first one's. Values of sensitive members
    are never quoted, others only their first characters, and the message
    lists the first ``SHOWN_VIOLATIONS``: its size is bounded whatever the input.
    """

    SHOWN_VIOLATIONS: ClassVar[int] = 10

    def __init__(self, violations: list[tuple[str, str, str]]) -> None:
        self.violations: tuple[tuple[str, str, str], ...] = tuple(violations)
        self.parameter, self.rule = violations[0][0], violations[0][1]
        shown = violations[: self.SHOWN_VIOLATIONS]
        lines = [f"{param}: {detail} [{rule}]" for param, rule, detail in shown]
        if len(violations) > len(shown):
            lines.append(f"and {len(violations) - len(shown)} more")
        noun = "parameter" if len(violations) == 1 else "parameters"
        super().__init__(f"Invalid {noun}: " + "; ".join(lines))


class ConfigurationError(AccountError, ValueError):
    """A client option is invalid or inconsistent (e.g. plain http to a remote host)."""


class CredentialsError(AccountError):
    """The credential chain failed: a profile, SSO token or role could not be used."""


class NoCredentialsError(CredentialsError):
    """No credentials were found anywhere in the default chain."""


class PaginationError(AccountError):
    """The service returned a page token it had already returned: paging would never end."""


class ClientClosedError(AccountError):
    """The client (or the copy whose connection pool it shares) was closed.

    Raised by every call after ``close()`` (or the end of its ``with`` block);
    nothing is sent. Make a new client instead of reusing a closed one.
    """


class EventLoopMismatchError(AccountError):
    """An async client was used from an event loop other than the one of its first call.

    Its connections belong to that loop (aiohttp's, like asyncio's, cannot
    move); nothing was sent. Make one client per loop: each ``asyncio.run``
    starts a new one.
    """


class TransportError(AccountError):
    """No complete, well-formed HTTP answer was received.

    ``request_sent`` says whether the request may have reached the service:
    retrying an unsafe operation after such a failure could apply it twice.
    ``retryable`` says whether trying again can help at all (False for an
    answer that will be just as large, or a certificate that will be just as
    untrusted); the retry layer reads both.

    Messages name the endpoint and what failed, and never quote the bytes
    the server sent: a broken answer may still carry contact details.
    """

    request_sent: ClassVar[bool] = True
    retryable: ClassVar[bool] = True


class EndpointConnectionError(TransportError):
    """The connection could not be opened (DNS, refused, unreachable, proxy)."""

    request_sent: ClassVar[bool] = False


class ConnectTimeoutError(TransportError):
    """Opening the connection took longer than ``connect_timeout``."""

    request_sent: ClassVar[bool] = False


class TLSError(TransportError):
    """The TLS handshake failed, typically an untrusted or mismatched certificate."""

    request_sent: ClassVar[bool] = False
    retryable: ClassVar[bool] = False


class ReadTimeoutError(TransportError):
    """The service did not answer within ``read_timeout``."""


class ConnectionClosedError(TransportError):
    """The connection was reset or closed before a complete answer arrived, or the
    answer broke HTTP (no status line, an unasked-for ``101``, conflicting
    ``Content-Length`` headers). The connection is never reused."""


class ResponseTooLargeError(TransportError):
    """The answer was larger than ``max_response_bytes``; reading stopped there.

    Not retryable: the same request would fetch the same oversized answer.
    """

    retryable: ClassVar[bool] = False


class DeadlineExceededError(AccountError):
    """The call's ``total_timeout`` (attempts, backoff and pacing included) ran out."""


class OutcomeUnknownError(AccountError):
    """The request may or may not have been applied, and repeating it blindly is unsafe.

    Raised for the primary-email and phone-verification operations when the
    connection failed after the request was sent. The transport error is in
    ``__cause__``; check the state (``get_primary_email_update_status``,
    ``get_contact_information``) before trying again.
    """

    def __init__(self, operation: str) -> None:
        self.operation = operation
        super().__init__(
            f"{operation}: the connection failed after the request was sent, so it may "
            "have been applied; check the current state before repeating it"
        )


class WaiterError(AccountError):
    """A waiter stopped before the wanted state; ``last_status`` says where it was."""

    def __init__(self, message: str, *, last_status: str | None) -> None:
        self.last_status = last_status
        super().__init__(message)


class WaiterTimeoutError(WaiterError):
    """The wanted state was not reached within the timeout."""


class WaiterFailedError(WaiterError):
    """The resource went the other way (e.g. DISABLING while waiting for ENABLED)."""


class MalformedResponseError(AccountError):
    """A success status with a body that is not the JSON the operation returns.

    Raised instead of an empty success: a proxy's HTML page or a truncated body
    must never read as "the call worked and returned nothing".
    """

    def __init__(self, detail: str, *, status_code: int, request_id: str | None) -> None:
        self.status_code = status_code
        self.request_id = request_id
        rid = None if request_id is None else printable(request_id, 200)
        super().__init__(f"{detail} (HTTP {status_code}, request id {rid})")


class ServiceError(AccountError):
    """An error answer from the service or from something in front of it.

    Attributes are plain data: ``status_code``, ``error_code`` (``None`` when
    the answer named none, e.g. a load balancer's HTML page), ``message``,
    ``request_id`` and ``retry_after`` (seconds the server asked us to wait).
    """

    retryable: ClassVar[bool] = False
    throttling: ClassVar[bool] = False
    sensitive_message: ClassVar[bool] = False
    """True where the model marks the message ``sensitive``: it stays out of ``str()``."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        error_code: str | None,
        request_id: str | None,
        retry_after: float | None = None,
    ) -> None:
        self.message = message
        self.status_code = status_code
        self.error_code = error_code
        self.request_id = request_id
        self.retry_after = retry_after
        self.server_time: datetime.datetime | None = None
        """The server's clock (its ``Date`` header), for clock-skew correction."""
        self.hint: str | None = None
        """What the client knows that the service's message does not say, or None."""
        super().__init__(self._describe())

    def __str__(self) -> str:
        return self._describe()  # not args[0]: a hint may be added after construction

    def _describe(self) -> str:
        # What the server sent is shown bounded and with control characters
        # escaped: a message of megabytes, or one forging a log line, stays
        # whole in the attributes but not in str().
        shown = REDACTED if self.sensitive_message and self.message else printable(self.message)
        code = printable(self.error_code or f"HTTP {self.status_code}", 200)
        text = f"{code}: {shown}" if shown else code
        rid = None if self.request_id is None else printable(self.request_id, 200)
        described = f"{text} (HTTP {self.status_code}, request id {rid})"
        return f"{described}. {self.hint}" if self.hint else described

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(error_code={_bounded(self.error_code)}, "
            f"status_code={self.status_code}, request_id={_bounded(self.request_id)})"
        )


class AccessDeniedException(ServiceError):
    """The caller may not do this.

    In organization mode this is also what the service answers when trusted
    access for ``account.amazonaws.com`` is not enabled, or when the management
    account passes its own ``AccountId``; the client then says so in ``hint``,
    since the service's message reads like a missing IAM permission.
    """

    ORGANIZATION_MODE_HINT: ClassVar[str] = (
        "With an account_id this is also the answer when trusted access for "
        "account.amazonaws.com is not enabled in the organization, when the caller is "
        "neither the management account nor the delegated administrator, or when the "
        "management account names its own account"
    )


class ConflictException(ServiceError):
    """The resource is mid-change (a Region ENABLING or DISABLING): wait, then act."""


class InternalServerException(ServiceError):
    """A fault inside the service."""

    retryable = True


class ResourceNotFoundException(ServiceError):
    """The resource does not exist (e.g. an alternate contact that was never set)."""


class ResourceUnavailableException(ServiceError):
    """The resource exists but cannot be read now (e.g. GovCloud account information)."""


class TooManyRequestsException(ServiceError):
    """The caller exceeded a rate quota or the Region opt-in concurrency quota."""

    retryable = True
    throttling = True


class RegionOptConcurrencyExceeded(TooManyRequestsException):
    """Too many Regions are ENABLING/DISABLING at once (6 per account, 20 per organization).

    A 429 like rate throttling, but backing off for seconds cannot clear it:
    an opt-in takes minutes to hours. Wait for a switching Region to settle
    (``AccountClient.wait_for_region_opt_status``) before starting another.
    ``error_code`` stays ``TooManyRequestsException``, as AWS sent it.
    """

    retryable = False
    throttling = False

    @property
    def cap(self) -> str:
        """``"account"`` or ``"organization"``: the cap the message names (the
        organization's, the wider one, when it names neither)."""
        named_account = "for an account" in self.message
        return "account" if named_account else "organization"


class ValidationException(ServiceError):
    """The service rejected the input.

    ``reason`` is ``invalidRegionOptTarget`` or ``fieldValidationFailed`` (or a
    value AWS adds later); ``field_list`` names the fields. The model marks the
    messages ``sensitive`` (they can quote the input), so they stay out of
    ``str()`` and ``repr()``; read ``message`` deliberately if you need it.
    """

    sensitive_message = True

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        error_code: str | None,
        request_id: str | None,
        retry_after: float | None = None,
        reason: str | None = None,
        field_list: tuple[ValidationExceptionField, ...] = (),
    ) -> None:
        self.reason = reason
        self.field_list = field_list
        super().__init__(
            message,
            status_code=status_code,
            error_code=error_code,
            request_id=request_id,
            retry_after=retry_after,
        )

    def _describe(self) -> str:
        text = super()._describe()
        extra = []
        if self.reason:
            extra.append(f"reason={printable(self.reason, 200)}")
        if self.field_list:
            extra.append("fields=" + printable(",".join(f.name for f in self.field_list), 200))
        return f"{text} [{'; '.join(extra)}]" if extra else text


# Errors every AWS service can answer, whatever its model says.


class ThrottlingException(ServiceError):
    """Throttled by the AWS front end rather than by the Account service."""

    retryable = True
    throttling = True


class ServiceUnavailable(ServiceError):
    """The service is temporarily unable to answer."""

    retryable = True


class InternalFailure(ServiceError):
    """An unknown fault in the AWS front end."""

    retryable = True


class RequestTimeout(ServiceError):
    """The server timed out waiting for the request."""

    retryable = True


class ExpiredTokenException(ServiceError):
    """The session token has expired: refresh the credentials."""


class InvalidSignatureException(ServiceError):
    """The signature did not match, or has expired (clock skew)."""


class RequestTimeTooSkewed(ServiceError):
    """The request's timestamp is too far from the server's clock."""


class RequestExpired(ServiceError):
    """The request's date is more than 15 minutes from the server's."""


class IncompleteSignature(ServiceError):
    """The request signature does not conform to AWS standards."""


class InvalidClientTokenId(ServiceError):
    """The access key id does not exist in AWS's records."""


class UnrecognizedClientException(ServiceError):
    """The access key id or security token is not valid."""


class MissingAuthenticationToken(ServiceError):
    """The request was not signed."""


class NotAuthorized(ServiceError):
    """The caller is not authorized for this action."""


class OptInRequired(ServiceError):
    """The account is not subscribed to the service."""


class InvalidAction(ServiceError):
    """The action is not valid for this endpoint."""


class ValidationError(ServiceError):
    """The AWS front end rejected the input (distinct from the API's ValidationException)."""


_MODELED: tuple[type[ServiceError], ...] = (
    AccessDeniedException,
    ConflictException,
    ExpiredTokenException,
    IncompleteSignature,
    InternalFailure,
    InternalServerException,
    InvalidAction,
    InvalidClientTokenId,
    InvalidSignatureException,
    MissingAuthenticationToken,
    NotAuthorized,
    OptInRequired,
    RequestExpired,
    RequestTimeTooSkewed,
    RequestTimeout,
    ResourceNotFoundException,
    ResourceUnavailableException,
    ServiceUnavailable,
    ThrottlingException,
    TooManyRequestsException,
    UnrecognizedClientException,
    ValidationError,
    ValidationException,
)

_ALIASES: dict[str, type[ServiceError]] = {
    "AccessDenied": AccessDeniedException,
    "ExpiredToken": ExpiredTokenException,
    "IncompleteSignatureException": IncompleteSignature,
    "InternalServerErrorException": InternalServerException,
    "MissingAuthenticationTokenException": MissingAuthenticationToken,
    "RequestLimitExceeded": ThrottlingException,
    "RequestThrottled": ThrottlingException,
    "RequestThrottledException": ThrottlingException,
    "RequestTimeoutException": RequestTimeout,
    "ServiceUnavailableException": ServiceUnavailable,
    "SlowDown": ThrottlingException,
    "Throttling": ThrottlingException,
    "ThrottledException": ThrottlingException,
}

ERROR_CLASSES: dict[str, type[ServiceError]] = {
    **{cls.__name__: cls for cls in _MODELED},
    **_ALIASES,
}
"""Error code on the wire -> the class raised for it."""


REGION_OPT_CONCURRENCY_MARKER: Final = "region-opt"
"""Text in a TooManyRequestsException message that marks the concurrency quota, not the rate."""


def error_class_for(error_code: str | None, message: str = "") -> type[ServiceError]:
    """The class for a wire error code; ``ServiceError`` for unknown or missing codes."""
    if error_code is None:
        return ServiceError
    cls = ERROR_CLASSES.get(error_code, ServiceError)
    if cls is TooManyRequestsException and REGION_OPT_CONCURRENCY_MARKER in message:
        return RegionOptConcurrencyExceeded
    return cls


def is_clock_skew(error: ServiceError) -> bool:
    """Whether the service refused the request because our clock is off."""
    if isinstance(error, RequestTimeTooSkewed | RequestExpired):
        return True
    return isinstance(error, InvalidSignatureException) and "Signature expired" in error.message
