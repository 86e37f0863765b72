"""The AWS Organizations errors, in the package's ``AccountError`` tree.

Codes the Account Management API shares (``AccessDeniedException``,
``TooManyRequestsException`` and the errors common to every AWS service) map
to the classes in ``account_mgmt.exceptions``; the codes only Organizations
answers get a class here, named as AWS names them, so
``exc.error_code == type(exc).__name__`` holds for them too.
"""

from __future__ import annotations

from typing import Final

from account_mgmt.exceptions import ServiceError


class AWSOrganizationsNotInUseException(ServiceError):
    """The caller's account is not a member of an organization."""


class ParentNotFoundException(ServiceError):
    """No root or OU has the ``ParentId`` given."""


class TargetNotFoundException(ServiceError):
    """No account, OU or root has the id given."""


class AccountNotFoundException(ServiceError):
    """No account in the organization has the id given."""


class OrganizationalUnitNotFoundException(ServiceError):
    """No OU has the id given."""


class InvalidInputException(ServiceError):
    """Organizations rejected the input (a malformed id, a bad page token...)."""


class AccessDeniedForDependencyException(ServiceError):
    """A service Organizations depends on (IAM) refused the call."""


class ConcurrentModificationException(ServiceError):
    """Another request changed the same resource at the same time: retried, with backoff.

    Counted as throttling so the backoff starts at a second, as AWS's own
    guidance for this error asks.
    """

    retryable = True
    throttling = True


class ServiceException(ServiceError):
    """A fault inside Organizations: retried."""

    retryable = True


ORGANIZATIONS_ERROR_CLASSES: Final[dict[str, type[ServiceError]]] = {
    cls.__name__: cls
    for cls in (
        AccessDeniedForDependencyException,
        AccountNotFoundException,
        AWSOrganizationsNotInUseException,
        ConcurrentModificationException,
        InvalidInputException,
        OrganizationalUnitNotFoundException,
        ParentNotFoundException,
        ServiceException,
        TargetNotFoundException,
    )
}
"""Error codes only Organizations answers -> the class raised for them."""


def organizations_error(error: ServiceError) -> ServiceError:
    """``error`` as its Organizations class when its code is one of Organizations' own.

    ``_protocol.decode_error`` knows the Account Management codes; a plain
    ``ServiceError`` whose code is an Organizations one is rebuilt here with the
    same data.
    """
    cls = ORGANIZATIONS_ERROR_CLASSES.get(error.error_code or "")
    if cls is None or type(error) is not ServiceError:
        return error
    typed = cls(
        error.message,
        status_code=error.status_code,
        error_code=error.error_code,
        request_id=error.request_id,
        retry_after=error.retry_after,
    )
    typed.server_time = error.server_time
    return typed
