"""``OrganizationsClient``: the AWS Organizations reads an organization-wide job needs.

The JSON 1.1 protocol (``POST /`` with ``X-Amz-Target:
AWSOrganizationsV20161128.<Operation>``), signed for ``organizations``, run
by the package's own call path: the operations below are declared as data
(``ORGANIZATIONS`` is their ``Service``) and driven by the same steps as the
Account API's, with the same credential chain, signing, retries, clock and
runtime. Every List call is paged to the end (an empty page with a
``NextToken`` is not the end) and paced: Organizations publishes no
per-operation rate, so all its operations share one bucket of
``requests_per_second`` (a few a second), and ``TooManyRequestsException``
and ``ConcurrentModificationException`` are retried with throttled backoff.
"""

from __future__ import annotations

import datetime
import random
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final, Self

import attrs

from account_mgmt import _protocol, _sync
from account_mgmt._config import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
)
from account_mgmt._credentials import AwsSession
from account_mgmt._http import Transport
from account_mgmt._logging import bounded_repr
from account_mgmt._operations import LostAnswer, Operation, Service
from account_mgmt._options import resolve_config
from account_mgmt._quotas import (
    REGION_OPT_CONCURRENCY_PER_ACCOUNT,
    REGION_OPT_CONCURRENCY_PER_ORGANIZATION,
    Quota,
)
from account_mgmt._runtime import Runtime, default_runtime
from account_mgmt._steps import CallPath
from account_mgmt._validation import ShapeRule
from account_mgmt.exceptions import (
    ConfigurationError,
    MalformedResponseError,
    ParamValidationError,
    ServiceError,
)
from account_mgmt.org._endpoints import ORGANIZATIONS_ENDPOINTS, SIGNING_NAME
from account_mgmt.org._errors import organizations_error
from account_mgmt.org._models import OrgAccount, Organization, OrganizationalUnit, Root
from account_mgmt.pagination import PageWalk

CONTENT_TYPE: Final = "application/x-amz-json-1.1"
"""The JSON 1.1 protocol's content type (service model ``jsonVersion`` 1.1)."""

TARGET_PREFIX: Final = "AWSOrganizationsV20161128"
"""The ``X-Amz-Target`` prefix (service model ``targetPrefix``)."""

MAX_PAGE_SIZE: Final = 20
"""The largest ``MaxResults`` the List operations accept (service model: 1-20)."""

DEFAULT_REQUESTS_PER_SECOND: Final = 4.0
"""Organizations publishes no rate: a few requests a second, as the reference advises."""

DEFAULT_MAX_PAGES: Final = 5000
"""Pages one listing may take (100,000 items) before it is called endless."""

MAX_POOL_CONNECTIONS: Final = 2
"""Connections kept: the walk is sequential and paced at a few requests a second."""

DEFAULT_MAX_ATTEMPTS: Final = 5
"""Attempts per call: more than the Account client's 3, the walker is one slow thread
and a throttled Organizations call is only ever a read."""

QUOTA_KEY: Final = "Organizations"
"""The one rate bucket every Organizations operation draws on."""

_PARENT_ID_PATTERN: Final = r"(r-[0-9a-z]{4,32})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})"

SHAPE_RULES: Final[Mapping[str, ShapeRule]] = {
    "ParentId": ShapeRule(kind="string", max_length=100, pattern=_PARENT_ID_PATTERN),
    "MaxResults": ShapeRule(kind="integer", min_value=1, max_value=MAX_PAGE_SIZE),
    "NextToken": ShapeRule(kind="string", max_length=100_000),
}
"""The bounds of the input shapes these operations name (botocore's organizations model)."""


def _decode_error(
    status_code: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    local_time: datetime.datetime | None = None,
) -> ServiceError:
    """The package's reading of an error answer, then Organizations' own classes."""
    return organizations_error(
        _protocol.decode_error(status_code, headers, body, local_time=local_time)
    )


ORGANIZATIONS: Final = Service(
    signing_name=SIGNING_NAME,
    content_type=CONTENT_TYPE,
    target_prefix=TARGET_PREFIX,
    shape_rules=SHAPE_RULES,
    decode_error=_decode_error,
)
"""AWS Organizations: JSON 1.1, ``POST /`` named by ``X-Amz-Target``."""

_PAGED: Final = {
    "max_results": ("MaxResults", False),
    "next_token": ("NextToken", False),
}


def _operation(name: str, **members: tuple[str, bool]) -> Operation[dict[str, Any]]:
    """A read of Organizations: its answer is the JSON object, read by the method."""
    return Operation(
        name=name,
        members=members,
        output=dict,
        result=lambda answer: answer,
        lost_answer=LostAnswer.REPEAT,
        service=ORGANIZATIONS,
        quota_key=QUOTA_KEY,
    )


DESCRIBE_ORGANIZATION: Final = _operation("DescribeOrganization")
LIST_ROOTS: Final = _operation("ListRoots", **_PAGED)
LIST_ORGANIZATIONAL_UNITS_FOR_PARENT: Final = _operation(
    "ListOrganizationalUnitsForParent", parent_id=("ParentId", True), **_PAGED
)
LIST_ACCOUNTS_FOR_PARENT: Final = _operation(
    "ListAccountsForParent", parent_id=("ParentId", True), **_PAGED
)
LIST_ACCOUNTS: Final = _operation("ListAccounts", **_PAGED)
ALL_OPERATIONS: Final = (
    DESCRIBE_ORGANIZATION,
    LIST_ACCOUNTS,
    LIST_ACCOUNTS_FOR_PARENT,
    LIST_ORGANIZATIONAL_UNITS_FOR_PARENT,
    LIST_ROOTS,
)


def _text(document: Mapping[str, Any], key: str) -> str | None:
    value = document.get(key)
    return value if isinstance(value, str) else None


def _timestamp(value: object) -> datetime.datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.datetime.fromtimestamp(value, datetime.UTC)
    if isinstance(value, str):
        try:
            return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def account_from_wire(document: Mapping[str, Any]) -> OrgAccount:
    """An ``OrgAccount`` from an Organizations ``Account`` shape.

    ``State`` is read; the retired ``Status`` only when ``State`` is absent.
    """
    account_id = _text(document, "Id")
    if account_id is None:
        raise ValueError("an Account without an Id")
    return OrgAccount(
        id=account_id,
        name=_text(document, "Name"),
        email=_text(document, "Email"),
        state=_text(document, "State") or _text(document, "Status"),
        arn=_text(document, "Arn"),
        joined_method=_text(document, "JoinedMethod"),
        joined_timestamp=_timestamp(document.get("JoinedTimestamp")),
    )


def _check_parent_id(parent_id: object) -> str:
    if not isinstance(parent_id, str) or re.fullmatch(_PARENT_ID_PATTERN, parent_id) is None:
        shown = repr(parent_id) if isinstance(parent_id, str) else type(parent_id).__name__
        raise ParamValidationError(
            [
                (
                    "parent_id",
                    "pattern",
                    f"{shown} is not a root id (r-...) or an OU id (ou-xxxx-xxxxxxxx)",
                )
            ]
        )
    return parent_id


class OrganizationsClient:
    """A typed, paced, read-only client for the AWS Organizations operations that
    enumerate an organization.

    Call it as the management account or a delegated administrator. Options
    not given are read as the AWS SDKs read them (environment, then the
    profile); the endpoint is the partition's global one unless configured
    (``endpoint_url``, ``AWS_ENDPOINT_URL_ORGANIZATIONS``, ``AWS_ENDPOINT_URL``,
    the profile's). Thread-safe; ``close()`` (or ``with``) releases the
    connection pool.

    ``runtime`` holds the pacing bucket, retry budget and clock it shares with
    the Account clients built on the same one (by default the process's);
    ``Runtime(clock=FakeClock())`` lets a test run without waiting.
    ``transport`` replaces HTTP; ``rng`` is the retry jitter's source.

    Raises:
        ConfigurationError: an option is invalid.
        CredentialsError: the named profile does not exist, or half a key pair was given.
    """

    def __init__(
        self,
        *,
        profile_name: str | None = None,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        max_attempts: int | None = None,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
        use_fips_endpoint: bool | None = None,
        use_dualstack_endpoint: bool | None = None,
        verify: bool | str = True,
        requests_per_second: float = DEFAULT_REQUESTS_PER_SECOND,
        max_pages: int = DEFAULT_MAX_PAGES,
        runtime: Runtime | None = None,
        transport: Transport | None = None,
        rng: Callable[[], float] | None = None,
    ) -> None:
        aws = AwsSession(
            profile_name=profile_name,
            aws_access_key_id=aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key,
            aws_session_token=aws_session_token,
        )
        if (
            isinstance(requests_per_second, bool)
            or not isinstance(requests_per_second, int | float)
            or not requests_per_second > 0
        ):
            raise ConfigurationError(
                f"requests_per_second must be a positive number, got "
                f"{bounded_repr(requests_per_second)}"
            )
        if isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1:
            raise ConfigurationError(
                f"max_pages must be an int >= 1, got {bounded_repr(max_pages)}"
            )
        if runtime is not None and not isinstance(runtime, Runtime):
            raise ConfigurationError(f"runtime must be a Runtime, got {type(runtime).__name__}")
        # The Account client's resolution: environment, then profile, then defaults;
        # only the endpoint's variable and rule set, and the attempts, differ.
        config = resolve_config(
            aws,
            region_name=region_name,
            endpoint_url=endpoint_url,
            max_attempts=max_attempts,
            use_fips_endpoint=use_fips_endpoint,
            use_dualstack_endpoint=use_dualstack_endpoint,
            verify=verify,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            total_timeout=total_timeout,
            max_pool_connections=MAX_POOL_CONNECTIONS,
            region_opt_concurrency_per_account=REGION_OPT_CONCURRENCY_PER_ACCOUNT,
            region_opt_concurrency_per_organization=REGION_OPT_CONCURRENCY_PER_ORGANIZATION,
            endpoints=ORGANIZATIONS_ENDPOINTS,
            default_max_attempts=DEFAULT_MAX_ATTEMPTS,
            product=" organizations",
        )
        self._path = CallPath(
            config,
            aws,
            runtime if runtime is not None else default_runtime(),
            {QUOTA_KEY: Quota(float(requests_per_second), 1)},
            rng=rng if rng is not None else random.random,
        )
        self._max_pages = max_pages
        if transport is None:
            from account_mgmt._transport import RequestsTransport

            transport = RequestsTransport(
                endpoint_url=config.endpoint_url,
                connect_timeout=config.connect_timeout,
                read_timeout=config.read_timeout,
                verify=config.verify,
                max_pool_connections=config.max_pool_connections,
                max_response_bytes=config.max_response_bytes,
            )
        self._transport = transport
        self.endpoint_url = config.endpoint_url
        """Where requests go."""
        self.signing_region = config.signing_region
        """The region signatures are scoped to."""

    def close(self) -> None:
        """Release the connection pool."""
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"OrganizationsClient(endpoint_url={self.endpoint_url!r})"

    # -- the wire -----------------------------------------------------------------

    def _call(
        self, operation: Operation[dict[str, Any]], params: Mapping[str, object]
    ) -> dict[str, Any]:
        """One operation through the package's call path (validated, paced, retried).

        Raises:
            AccountError: the last attempt's typed error, with ``attempts`` set.
        """
        return _sync.run(self._path.call(operation, params), self._transport, self._path.clock)

    def _paginate(
        self, operation: Operation[dict[str, Any]], params: Mapping[str, object], list_key: str
    ) -> Iterator[dict[str, Any]]:
        """Every item of every page, following ``NextToken`` until it is absent.

        Raises:
            PaginationError: a token came back twice, or more than ``max_pages`` pages.
            MalformedResponseError: a page without the list.
        """
        walk = PageWalk(operation.name, max_pages=self._max_pages)
        token: str | None = None
        while True:
            page = self._call(
                operation, {**params, "max_results": MAX_PAGE_SIZE, "next_token": token}
            )
            items = page.get(list_key, [])
            if not isinstance(items, list):
                raise MalformedResponseError(
                    f"{operation.name}: {list_key} is not a list", status_code=200, request_id=None
                )
            for item in items:
                if isinstance(item, dict):
                    yield item
            next_token = page.get("NextToken")
            token = walk.next_token(next_token if isinstance(next_token, str) else None)
            if token is None:
                return

    # -- operations ----------------------------------------------------------------

    def describe_organization(self) -> Organization:
        """The caller's organization: its id and management account.

        Raises:
            AWSOrganizationsNotInUseException: the caller is in no organization.
            AccessDeniedException: the caller may not describe it.
            MalformedResponseError: the answer lacks the organization's id.
        """
        answer = self._call(DESCRIBE_ORGANIZATION, {})
        document = answer.get("Organization")
        if not isinstance(document, dict):
            raise MalformedResponseError(
                "DescribeOrganization: no Organization in the answer",
                status_code=200,
                request_id=None,
            )
        org_id = _text(document, "Id")
        management = _text(document, "MasterAccountId")
        if org_id is None or management is None:
            raise MalformedResponseError(
                "DescribeOrganization: the organization has no Id or MasterAccountId",
                status_code=200,
                request_id=None,
            )
        return Organization(
            id=org_id,
            management_account_id=management,
            arn=_text(document, "Arn"),
            feature_set=_text(document, "FeatureSet"),
            management_account_email=_text(document, "MasterAccountEmail"),
        )

    def iter_roots(self) -> Iterator[Root]:
        """Every root (ListRoots, all pages). Organizations has one today."""
        for item in self._paginate(LIST_ROOTS, {}, "Roots"):
            root_id = _text(item, "Id")
            if root_id is not None:
                yield Root(id=root_id, name=_text(item, "Name"), arn=_text(item, "Arn"))

    def iter_organizational_units_for_parent(
        self, *, parent_id: str
    ) -> Iterator[OrganizationalUnit]:
        """The OUs directly under a root or OU (ListOrganizationalUnitsForParent, all pages).

        Raises:
            ParamValidationError: ``parent_id`` is not a root or OU id (nothing sent).
            ParentNotFoundException: no such root or OU.
        """
        parent = _check_parent_id(parent_id)
        for item in self._paginate(
            LIST_ORGANIZATIONAL_UNITS_FOR_PARENT, {"parent_id": parent}, "OrganizationalUnits"
        ):
            ou_id, name = _text(item, "Id"), _text(item, "Name")
            if ou_id is not None and name is not None:
                yield OrganizationalUnit(
                    id=ou_id, name=name, arn=_text(item, "Arn"), parent_id=parent
                )

    def iter_accounts_for_parent(self, *, parent_id: str) -> Iterator[OrgAccount]:
        """The accounts directly under a root or OU, not in its child OUs
        (ListAccountsForParent, all pages).

        Raises:
            ParamValidationError: ``parent_id`` is not a root or OU id (nothing sent).
            ParentNotFoundException: no such root or OU.
        """
        parent = _check_parent_id(parent_id)
        for item in self._paginate(LIST_ACCOUNTS_FOR_PARENT, {"parent_id": parent}, "Accounts"):
            if _text(item, "Id") is not None:
                yield attrs.evolve(account_from_wire(item), parent_id=parent)

    def iter_accounts(self) -> Iterator[OrgAccount]:
        """Every account of the organization, flat (ListAccounts, all pages); no OU paths."""
        for item in self._paginate(LIST_ACCOUNTS, {}, "Accounts"):
            if _text(item, "Id") is not None:
                yield account_from_wire(item)
