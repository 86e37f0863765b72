"""``OrganizationsClient``: the AWS Organizations reads an organization-wide job needs.

The JSON 1.1 protocol (``POST /`` with ``X-Amz-Target:
AWSOrganizationsV20161128.<Operation>``), signed for ``organizations``, on the
package's own pieces: the credential chain (``AwsSession``), the signer, the
pooled transport, the retry policy and the error decoder. Every List call is
paged to the end (an empty page with a ``NextToken`` is not the end) and
paced: Organizations publishes no per-operation rate, so one client sends at
most ``requests_per_second`` (a few a second) and retries
``TooManyRequestsException`` and ``ConcurrentModificationException`` with
throttled backoff.
"""

from __future__ import annotations

import datetime
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final, Self

import attrs

from account_mgmt import _protocol
from account_mgmt._config import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
    GLOBAL_SIGNING_REGION,
)
from account_mgmt._credentials import AwsSession
from account_mgmt._logging import safe_headers
from account_mgmt._retry import RetryPolicy
from account_mgmt._signing import sign
from account_mgmt._transport import HttpRequest, RequestsTransport, Transport
from account_mgmt._version import __version__
from account_mgmt.exceptions import (
    AccountError,
    ConfigurationError,
    DeadlineExceededError,
    ExpiredTokenException,
    MalformedResponseError,
    PaginationError,
    ParamValidationError,
)
from account_mgmt.org._endpoints import (
    SIGNING_NAME,
    configured_organizations_endpoint,
    resolve_organizations_endpoint,
)
from account_mgmt.org._errors import organizations_error
from account_mgmt.org._models import OrgAccount, Organization, OrganizationalUnit, Root

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

DEFAULT_MAX_ATTEMPTS: Final = 5
"""Attempts per call unless AWS_MAX_ATTEMPTS or the profile says: more than the Account
client's 3, since the walker is one slow thread and its calls are all reads."""

_log = logging.getLogger("account_mgmt.org")

_PARENT_ID_PATTERN: Final = r"(r-[0-9a-z]{4,32})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})"


class _Pacer:
    """At most ``rate`` requests a second from one client, in order of asking; thread-safe."""

    def __init__(self, rate: float, clock: Callable[[], float]) -> None:
        self._interval = 1.0 / rate
        self._clock = clock
        self._next = 0.0
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Seconds the caller must wait before sending; its slot is taken."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self._interval
            return slot - now


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
    (see ``account_mgmt.org._endpoints``). Thread-safe; ``close()`` (or
    ``with``) releases the connection pool.

    ``sleep``, ``rng`` and ``monotonic`` are the pacing and retry clock and
    jitter, for tests that must not wait; ``transport`` replaces HTTP.

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
        transport: Transport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._aws = AwsSession(
            profile_name=profile_name,
            aws_access_key_id=aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key,
            aws_session_token=aws_session_token,
        )
        for name, value in (
            ("requests_per_second", requests_per_second),
            ("total_timeout", total_timeout),
            ("connect_timeout", connect_timeout),
            ("read_timeout", read_timeout),
        ):
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ConfigurationError(f"{name} must be a positive number, got {value!r}")
        if max_attempts is None:
            max_attempts = _configured_max_attempts(self._aws)
        for name, count in (("max_attempts", max_attempts), ("max_pages", max_pages)):
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise ConfigurationError(f"{name} must be an int >= 1, got {count!r}")
        region = region_name or self._aws.config_variable("region") or GLOBAL_SIGNING_REGION
        if not isinstance(region, str):
            raise ConfigurationError(f"region_name must be a string, got {region!r}")
        if use_fips_endpoint is None:
            use_fips_endpoint = _config_bool(self._aws.config_variable("use_fips_endpoint"))
        if use_dualstack_endpoint is None:
            use_dualstack_endpoint = _config_bool(
                self._aws.config_variable("use_dualstack_endpoint")
            )
        endpoint = resolve_organizations_endpoint(
            region_name=region,
            endpoint_url=configured_organizations_endpoint(
                endpoint_url, self._aws.profile_setting("endpoint_url")
            ),
            use_fips_endpoint=use_fips_endpoint,
            use_dualstack_endpoint=use_dualstack_endpoint,
        )
        if verify is True:
            bundle = self._aws.config_variable("ca_bundle")
            verify = bundle if isinstance(bundle, str) and bundle else True
        self.endpoint_url = endpoint.url
        """Where requests go."""
        self.signing_region = endpoint.signing_region
        """The region signatures are scoped to."""
        self._url = endpoint.url + "/"
        self._total_timeout = float(total_timeout)
        self._max_pages = max_pages
        self._transport = transport or RequestsTransport(
            endpoint_url=endpoint.url,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            verify=verify,
            max_pool_connections=2,
            max_response_bytes=DEFAULT_MAX_RESPONSE_BYTES,
        )
        self._sleep = sleep
        self._monotonic = monotonic
        self._pacer = _Pacer(float(requests_per_second), monotonic)
        self._retry = RetryPolicy(max_attempts=max_attempts, sleep=sleep, rng=rng, clock=monotonic)
        self._user_agent = f"account_mgmt/{__version__} organizations"

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

    def _call(self, operation: str, params: Mapping[str, object]) -> dict[str, Any]:
        """One operation, retried and paced; the decoded answer.

        Raises:
            AccountError: the last attempt's typed error, with ``attempts`` set.
        """
        body = json.dumps(dict(params), separators=(",", ":")).encode()
        deadline = self._monotonic() + self._total_timeout
        last_error: BaseException | None = None
        for attempt in self._retry.retrying(
            safe_to_repeat=True, operation=operation, deadline=deadline
        ):
            with attempt:
                try:
                    answer = self._exchange_refreshing(operation, body, deadline)
                except AccountError as exc:
                    exc.attempts = attempt.retry_state.attempt_number
                    last_error = exc
                    raise
        self._retry.record_success(last_error)
        return answer

    def _exchange_refreshing(self, operation: str, body: bytes, deadline: float) -> dict[str, Any]:
        """An exchange; after an expired session token, once more with fresh credentials."""
        credentials = self._aws.credentials()
        try:
            return self._exchange(operation, body, deadline, credentials)
        except ExpiredTokenException:
            self._aws.force_refresh(credentials)
            return self._exchange(operation, body, deadline, self._aws.credentials())

    def _exchange(
        self, operation: str, body: bytes, deadline: float, credentials: Any
    ) -> dict[str, Any]:
        wait = self._pacer.reserve()
        if self._monotonic() + wait >= deadline:
            raise DeadlineExceededError(
                f"{operation}: total_timeout of {self._total_timeout:g}s runs out before "
                f"the pacing allows another request ({wait:.1f}s)"
            )
        if wait > 0:
            self._sleep(wait)
        headers = sign(
            method="POST",
            url=self._url,
            headers={
                "Content-Type": CONTENT_TYPE,
                "X-Amz-Target": f"{TARGET_PREFIX}.{operation}",
                "User-Agent": self._user_agent,
            },
            body=body,
            credentials=credentials,
            region=self.signing_region,
            service=SIGNING_NAME,
        )
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug("%s (%d bytes) headers=%s", operation, len(body), safe_headers(headers))
        response = self._transport.send(
            HttpRequest(method="POST", url=self._url, headers=headers, body=body),
            deadline=deadline,
        )
        _log.debug("%s -> HTTP %d", operation, response.status_code)
        if 200 <= response.status_code < 300:
            # Checks the body is empty or a JSON object, with the package's errors.
            _protocol.decode_success(response.status_code, response.headers, response.body, None)
            answer: dict[str, Any] = json.loads(response.body) if response.body.strip() else {}
            return answer
        raise organizations_error(
            _protocol.decode_error(response.status_code, response.headers, response.body)
        )

    def _paginate(
        self, operation: str, params: Mapping[str, object], list_key: str
    ) -> Iterator[dict[str, Any]]:
        """Every item of every page, following ``NextToken`` until it is absent.

        Raises:
            PaginationError: a token came back twice, or more than ``max_pages`` pages.
            MalformedResponseError: a page without the list.
        """
        seen: set[str] = set()
        token: str | None = None
        for _ in range(self._max_pages):
            request = {**params, "MaxResults": MAX_PAGE_SIZE}
            if token is not None:
                request["NextToken"] = token
            page = self._call(operation, request)
            items = page.get(list_key, [])
            if not isinstance(items, list):
                raise MalformedResponseError(
                    f"{operation}: {list_key} is not a list", status_code=200, request_id=None
                )
            for item in items:
                if isinstance(item, dict):
                    yield item
            next_token = page.get("NextToken")
            if not isinstance(next_token, str) or not next_token:
                return
            if next_token in seen:
                raise PaginationError(
                    f"{operation} returned a page token it had already returned; stopping"
                )
            seen.add(next_token)
            token = next_token
        raise PaginationError(
            f"{operation} was still handing out page tokens after {self._max_pages} pages; "
            "stopping (max_pages)"
        )

    # -- operations ----------------------------------------------------------------

    def describe_organization(self) -> Organization:
        """The caller's organization: its id and management account.

        Raises:
            AWSOrganizationsNotInUseException: the caller is in no organization.
            AccessDeniedException: the caller may not describe it.
            MalformedResponseError: the answer lacks the organization's id.
        """
        answer = self._call("DescribeOrganization", {})
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
        for item in self._paginate("ListRoots", {}, "Roots"):
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
            "ListOrganizationalUnitsForParent", {"ParentId": parent}, "OrganizationalUnits"
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
        for item in self._paginate("ListAccountsForParent", {"ParentId": parent}, "Accounts"):
            if _text(item, "Id") is not None:
                yield attrs.evolve(account_from_wire(item), parent_id=parent)

    def iter_accounts(self) -> Iterator[OrgAccount]:
        """Every account of the organization, flat (ListAccounts, all pages); no OU paths."""
        for item in self._paginate("ListAccounts", {}, "Accounts"):
            if _text(item, "Id") is not None:
                yield account_from_wire(item)


def _configured_max_attempts(aws: AwsSession) -> int:
    """AWS_MAX_ATTEMPTS or the profile's max_attempts, else ``DEFAULT_MAX_ATTEMPTS``."""
    configured = aws.config_variable("max_attempts")
    if configured in (None, ""):
        return DEFAULT_MAX_ATTEMPTS
    try:
        return int(str(configured))
    except ValueError as exc:
        raise ConfigurationError(
            f"max_attempts (AWS_MAX_ATTEMPTS or the profile's max_attempts) must be an int "
            f">= 1, got {configured!r}"
        ) from exc


def _config_bool(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)
