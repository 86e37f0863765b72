"""``AccountClient``: one method per operation of the AWS Account Management API."""

from __future__ import annotations

import datetime
import logging
import platform
import random
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Any, Self, TypeVar

import attrs

from account_mgmt import _operations as ops
from account_mgmt import _protocol
from account_mgmt._config import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_POOL_CONNECTIONS,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
    GLOBAL_SIGNING_REGION,
    SERVICE_SIGNING_NAME,
    ClientConfig,
)
from account_mgmt._endpoints import configured_endpoint_url, partition_of, resolve_endpoint
from account_mgmt._logging import logger, safe_headers
from account_mgmt._quotas import (
    REGION_OPT_CONCURRENCY_PER_ACCOUNT,
    REGION_OPT_CONCURRENCY_PER_ORGANIZATION,
    Quota,
    quotas_for_partition,
)
from account_mgmt._ratelimit import RateLimiter
from account_mgmt._regionopt import PROCESS_GATE
from account_mgmt._retry import RetryPolicy, RetryQuota, is_throttling, may_have_arrived
from account_mgmt._signing import AwsSession, sign
from account_mgmt._transport import HttpRequest, RequestsTransport, Transport
from account_mgmt._validation import validate_input
from account_mgmt._version import __version__
from account_mgmt._waiters import (
    DEFAULT_POLL_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
    wait_for_region_opt_status,
)
from account_mgmt.exceptions import (
    AccountError,
    ConfigurationError,
    DeadlineExceededError,
    ExpiredTokenException,
    OutcomeUnknownError,
    ResourceNotFoundException,
    ServiceError,
    WaiterTimeoutError,
    is_clock_skew,
)
from account_mgmt.models import (
    REDACTED,
    AccountInformation,
    AlternateContact,
    AlternateContactType,
    ContactInformation,
    GetContactInformationResponse,
    GovCloudAccountInformation,
    ListRegionsResponse,
    PrimaryEmailUpdate,
    Region,
    RegionOptStatus,
)
from account_mgmt.pagination import MAX_PAGE_SIZE, iterate_regions

T = TypeVar("T")

_ENABLED_STATES: frozenset[str] = frozenset(
    {RegionOptStatus.ENABLED, RegionOptStatus.ENABLED_BY_DEFAULT}
)
_ENABLED_OR_ENABLING = _ENABLED_STATES | {RegionOptStatus.ENABLING}
_DISABLED_STATES: frozenset[str] = frozenset({RegionOptStatus.DISABLED})
_DISABLED_OR_DISABLING = _DISABLED_STATES | {RegionOptStatus.DISABLING}


@attrs.frozen(kw_only=True)
class _AlternateContactOutput:
    alternate_contact: AlternateContact | None = None


@attrs.frozen(kw_only=True)
class _StatusOutput:
    # Required: an answer without it is malformed, and the protocol layer says so.
    status: str


@attrs.frozen(kw_only=True)
class _PrimaryEmailOutput:
    primary_email: str = attrs.field(repr=lambda _: REDACTED)


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class _ClockOffset:
    """Local time corrected by what the service told us of its clock; shared by copies."""

    def __init__(self, clock: Callable[[], datetime.datetime]) -> None:
        self._clock = clock
        self.offset = 0.0

    def now(self) -> datetime.datetime:
        return self._clock() + datetime.timedelta(seconds=self.offset)

    def correct(self, server_time: datetime.datetime, signed_at: datetime.datetime) -> None:
        # The Date header has one-second resolution; the skew AWS refuses is minutes.
        self.offset += (server_time - signed_at).total_seconds()


def _config_bool(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def _positive(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigurationError(f"{name} must be a positive number, got {value!r}")


class AccountClient:
    """A typed client for the AWS Account Management API (service ``account``).

    Standalone mode: leave ``account_id`` out and each call acts on the
    caller's own account. Organization mode: pass ``account_id`` of a member
    account, calling from the management account or the delegated
    administrator, with trusted access for ``account.amazonaws.com`` enabled.

    Every option not given is read as the AWS SDKs read it (environment, then
    the profile), falling back to the defaults in ``_config``. The client is
    safe to share between threads; ``close()`` (or ``with``) releases its
    connection pool.

    Region switches are gated at the service's concurrency caps (6 per
    account; 20 per organization, a setting since newer AWS pages say 50):
    past a cap, ``enable_region`` waits for a Region it set switching to settle.

    Calls are paced at the service's documented per-operation quotas (see
    ``_quotas``), shared by every client of the process that uses the same
    credentials; ``rate_limiting=False`` turns that off and
    ``quota_overrides={"GetAlternateContact": Quota(20, 20)}`` changes rates.

    ``sleep`` and ``rng`` are the retry layer's clock and jitter source, for
    tests that must not wait.

    Raises:
        ConfigurationError: an option is invalid.
        CredentialsError: the named profile does not exist, or only half a key pair was given.
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
        max_pool_connections: int = DEFAULT_MAX_POOL_CONNECTIONS,
        rate_limiting: bool = True,
        quota_overrides: Mapping[str, Quota] | None = None,
        region_opt_concurrency_per_account: int = REGION_OPT_CONCURRENCY_PER_ACCOUNT,
        region_opt_concurrency_per_organization: int = REGION_OPT_CONCURRENCY_PER_ORGANIZATION,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
        clock: Callable[[], datetime.datetime] = _utc_now,
    ) -> None:
        aws = AwsSession(
            profile_name=profile_name,
            aws_access_key_id=aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key,
            aws_session_token=aws_session_token,
        )
        region = region_name or aws.config_variable("region") or GLOBAL_SIGNING_REGION
        if not isinstance(region, str):
            raise ConfigurationError(f"region_name must be a string, got {region!r}")
        if use_fips_endpoint is None:
            use_fips_endpoint = _config_bool(aws.config_variable("use_fips_endpoint"))
        if use_dualstack_endpoint is None:
            use_dualstack_endpoint = _config_bool(aws.config_variable("use_dualstack_endpoint"))
        endpoint = resolve_endpoint(
            region_name=region,
            endpoint_url=configured_endpoint_url(endpoint_url, aws.profile_setting("endpoint_url")),
            use_fips_endpoint=use_fips_endpoint,
            use_dualstack_endpoint=use_dualstack_endpoint,
        )
        if verify is True:
            # AWS_CA_BUNDLE or the profile's ca_bundle, as the AWS SDKs read them.
            bundle = aws.config_variable("ca_bundle")
            verify = bundle if isinstance(bundle, str) and bundle else True
        if max_attempts is None:
            configured = aws.config_variable("max_attempts")
            max_attempts = int(str(configured)) if configured else DEFAULT_MAX_ATTEMPTS
        config = ClientConfig(
            endpoint_url=endpoint.url,
            signing_region=endpoint.signing_region,
            region_name=region,
            max_attempts=max_attempts,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            total_timeout=total_timeout,
            verify=verify,
            max_pool_connections=max_pool_connections,
            max_response_bytes=DEFAULT_MAX_RESPONSE_BYTES,
            region_opt_concurrency_per_account=region_opt_concurrency_per_account,
            region_opt_concurrency_per_organization=region_opt_concurrency_per_organization,
            user_agent=(
                f"account_mgmt/{__version__} Python/{platform.python_version()} "
                f"{platform.system()}/{platform.release()}"
            ),
        )
        quotas: dict[str, Quota] = {}
        if rate_limiting:
            quotas = {**quotas_for_partition(partition_of(region)), **(quota_overrides or {})}
        limiter = RateLimiter(quotas)
        self._init(config, aws, None, RetryQuota(), limiter, _ClockOffset(clock), sleep, rng)

    def _init(
        self,
        config: ClientConfig,
        aws: AwsSession,
        transport: Transport | None,
        quota: RetryQuota,
        limiter: RateLimiter,
        clock: _ClockOffset,
        sleep: Callable[[float], None],
        rng: Callable[[], float],
    ) -> None:
        if (
            isinstance(config.max_attempts, bool)
            or not isinstance(config.max_attempts, int)
            or (config.max_attempts < 1)
        ):
            raise ConfigurationError(
                f"max_attempts must be an int >= 1, got {config.max_attempts!r}"
            )
        _positive("connect_timeout", config.connect_timeout)
        _positive("read_timeout", config.read_timeout)
        _positive("total_timeout", config.total_timeout)
        _positive("max_pool_connections", config.max_pool_connections)
        self._config = config
        self._aws = aws
        self._transport: Transport = transport or RequestsTransport(
            endpoint_url=config.endpoint_url,
            connect_timeout=config.connect_timeout,
            read_timeout=config.read_timeout,
            verify=config.verify,
            max_pool_connections=config.max_pool_connections,
            max_response_bytes=config.max_response_bytes,
        )
        self._sleep = sleep
        self._rng = rng
        self._limiter = limiter
        self._clock = clock
        self._retry = RetryPolicy(
            max_attempts=config.max_attempts, quota=quota, sleep=sleep, rng=rng
        )
        self._base_headers = {
            "Content-Type": _protocol.CONTENT_TYPE,
            "User-Agent": config.user_agent,
        }

    @property
    def config(self) -> ClientConfig:
        """The resolved configuration (endpoint, signing region, attempts, timeouts)."""
        return self._config

    def with_options(
        self,
        *,
        max_attempts: int | None = None,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        total_timeout: float | None = None,
    ) -> AccountClient:
        """A copy with some options changed, sharing credentials and the retry quota.

        The copy shares the connection pool unless a timeout changes, in which
        case it gets a pool of its own (closed by its own ``close()``).
        """
        changes: dict[str, Any] = {
            key: value
            for key, value in (
                ("max_attempts", max_attempts),
                ("connect_timeout", connect_timeout),
                ("read_timeout", read_timeout),
                ("total_timeout", total_timeout),
            )
            if value is not None
        }
        config = attrs.evolve(self._config, **changes)
        same_pool = connect_timeout is None and read_timeout is None
        clone = object.__new__(AccountClient)
        clone._init(
            config,
            self._aws,
            self._transport if same_pool else None,
            self._retry.quota,
            self._limiter,
            self._clock,
            self._sleep,
            self._rng,
        )
        return clone

    def close(self) -> None:
        """Release the connection pool. Copies from ``with_options`` that share it lose it too."""
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"AccountClient(endpoint_url={self._config.endpoint_url!r})"

    # -- the wire ---------------------------------------------------------------

    def _exchange(
        self,
        operation: ops.Operation,
        output: type[T] | None,
        url: str,
        body: bytes,
        target: str | None,
        deadline: float,
    ) -> T | None:
        """One paced, signed request and its decoded answer; raises the typed error for an error."""
        credentials = self._aws.credentials()
        wait = self._limiter.reserve(credentials.access_key, operation.name, target)
        if time.monotonic() + wait >= deadline:
            raise DeadlineExceededError(
                f"{operation.name}: total_timeout of {self._config.total_timeout:g}s runs out "
                f"before the rate quota allows another request ({wait:.1f}s)"
            )
        if wait > 0:
            logger.debug("%s: waiting %.3fs for the rate quota", operation.name, wait)
            self._sleep(wait)
        signed_at = self._clock.now()
        headers = sign(
            method="POST",
            url=url,
            headers=self._base_headers,
            body=body,
            credentials=credentials,
            region=self._config.signing_region,
            service=SERVICE_SIGNING_NAME,
            now=signed_at,
        )
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "POST %s (%d bytes) headers=%s", operation.path, len(body), safe_headers(headers)
            )
        response = self._transport.send(
            HttpRequest(method="POST", url=url, headers=headers, body=body), deadline=deadline
        )
        logger.debug(
            "%s -> HTTP %d, request id %s, %d bytes",
            operation.name,
            response.status_code,
            _protocol.request_id(response.headers),
            len(response.body),
        )
        if 200 <= response.status_code < 300:
            self._limiter.succeeded(credentials.access_key, operation.name, target)
            return _protocol.decode_success(
                response.status_code, response.headers, response.body, output
            )
        error = _protocol.decode_error(response.status_code, response.headers, response.body)
        if is_throttling(error):
            self._limiter.throttled(credentials.access_key, operation.name, target)
        if is_clock_skew(error) and error.server_time is not None:
            self._clock.correct(error.server_time, signed_at)
        raise error

    def _invoke(
        self, operation: ops.Operation, output: type[T] | None, params: dict[str, object]
    ) -> T | None:
        validate_input(operation.members, params)
        body = _protocol.encode_body(params)
        url = self._config.endpoint_url + operation.path
        target = params.get("account_id") or params.get("standard_account_id")
        target_id = target if isinstance(target, str) else None
        deadline = time.monotonic() + self._config.total_timeout
        last_error: BaseException | None = None
        retrying = self._retry.retrying(
            safe_to_repeat=operation.safe_to_repeat, operation=operation.name, deadline=deadline
        )
        for attempt in retrying:
            with attempt:
                try:
                    answer = self._exchange_repaired(
                        operation, output, url, body, target_id, deadline
                    )
                except AccountError as exc:
                    exc.attempts = attempt.retry_state.attempt_number
                    last_error = exc
                    raise
        self._retry.record_success(last_error)
        return answer

    def _exchange_repaired(
        self,
        operation: ops.Operation,
        output: type[T] | None,
        url: str,
        body: bytes,
        target: str | None,
        deadline: float,
    ) -> T | None:
        """An exchange, repeated at once (not as a retry) after a fault the client can fix.

        An expired session token (expired between botocore's refresh check and
        the service's): walk the credential chain again. A clock-skew refusal:
        ``_exchange`` has learnt the server's clock; sign with it. Once each.
        """
        repaired: set[str] = set()
        while True:
            try:
                return self._exchange(operation, output, url, body, target, deadline)
            except ExpiredTokenException:
                if "token" in repaired:
                    raise
                repaired.add("token")
                logger.info("%s: credentials expired, refreshing once", operation.name)
                self._aws.force_refresh()
            except ServiceError as exc:
                if not is_clock_skew(exc) or "clock" in repaired:
                    raise
                repaired.add("clock")
                logger.info(
                    "%s: clock skew, re-signing %.1fs off local time",
                    operation.name,
                    self._clock.offset,
                )

    def _call(self, operation: ops.Operation, **params: object) -> None:
        self._invoke(operation, None, params)

    def _call_into(self, output: type[T], operation: ops.Operation, **params: object) -> T:
        answer = self._invoke(operation, output, params)
        assert answer is not None  # decode_success returns a model whenever output is given
        return answer

    def _call_for_status(self, operation: ops.Operation, **params: object) -> str:
        """For the email and phone operations: a lost answer is an unknown outcome, said so."""
        try:
            return self._call_into(_StatusOutput, operation, **params).status
        except AccountError as exc:
            if not may_have_arrived(exc):
                raise
            unknown = OutcomeUnknownError(operation.name)
            unknown.attempts = exc.attempts
            raise unknown from exc

    # -- alternate contacts -----------------------------------------------------

    def get_alternate_contact(
        self, *, alternate_contact_type: AlternateContactType | str, account_id: str | None = None
    ) -> AlternateContact:
        """The alternate contact of one type.

        Raises:
            ParamValidationError: before sending, for bad input.
            ResourceNotFoundException: no contact of that type is set.
            AccessDeniedException: see ``AccountClient`` on organization mode.
        """
        output = self._call_into(
            _AlternateContactOutput,
            ops.GET_ALTERNATE_CONTACT,
            alternate_contact_type=alternate_contact_type,
            account_id=account_id,
        )
        return output.alternate_contact or AlternateContact()

    def put_alternate_contact(
        self,
        *,
        alternate_contact_type: AlternateContactType | str,
        name: str,
        title: str,
        email_address: str,
        phone_number: str,
        account_id: str | None = None,
    ) -> None:
        """Create or replace the alternate contact of one type (an upsert).

        Raises:
            ParamValidationError: before sending, for bad input.
        """
        self._call(
            ops.PUT_ALTERNATE_CONTACT,
            alternate_contact_type=alternate_contact_type,
            name=name,
            title=title,
            email_address=email_address,
            phone_number=phone_number,
            account_id=account_id,
        )

    def delete_alternate_contact(
        self, *, alternate_contact_type: AlternateContactType | str, account_id: str | None = None
    ) -> None:
        """Delete the alternate contact of one type.

        If the answer is lost after the request was sent, the delete is sent
        once more and a "not found" then counts as done.

        Raises:
            ResourceNotFoundException: there was none (e.g. a second delete).
        """
        params: dict[str, object] = {
            "alternate_contact_type": alternate_contact_type,
            "account_id": account_id,
        }
        try:
            self._call(ops.DELETE_ALTERNATE_CONTACT, **params)
        except AccountError as exc:
            if not may_have_arrived(exc):
                raise
            # The answer was lost. Deleting again is harmless, and "not found"
            # then means the first request did the job.
            try:
                self._call(ops.DELETE_ALTERNATE_CONTACT, **params)
            except ResourceNotFoundException:
                logger.info("DeleteAlternateContact: the lost request had deleted it")

    # -- primary contact ----------------------------------------------------------

    def get_contact_information(
        self, *, account_id: str | None = None
    ) -> GetContactInformationResponse:
        """The primary contact and its phone verification status.

        Returns the whole answer, not just ``ContactInformation``, so that
        ``verification_status`` is kept.
        """
        return self._call_into(
            GetContactInformationResponse, ops.GET_CONTACT_INFORMATION, account_id=account_id
        )

    def put_contact_information(
        self, *, contact_information: ContactInformation, account_id: str | None = None
    ) -> None:
        """Replace the primary contact.

        Raises:
            ParamValidationError: before sending, naming e.g.
                ``contact_information.phone_number`` and the rule it broke.
        """
        self._call(
            ops.PUT_CONTACT_INFORMATION,
            contact_information=contact_information,
            account_id=account_id,
        )

    # -- Regions ------------------------------------------------------------------

    def get_region_opt_status(self, *, region_name: str, account_id: str | None = None) -> Region:
        """The opt-in status of one Region."""
        region = self._call_into(
            Region, ops.GET_REGION_OPT_STATUS, region_name=region_name, account_id=account_id
        )
        caller, account = self._gate_scope(account_id)
        PROCESS_GATE.observe(caller, account, region_name, region.region_opt_status)
        return region

    def _gate_scope(self, account_id: str | None) -> tuple[str, str]:
        caller = self._aws.credentials().access_key
        return caller, account_id or "self:" + caller

    def list_regions(
        self,
        *,
        account_id: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
        region_opt_status_contains: Sequence[RegionOptStatus | str] | None = None,
    ) -> ListRegionsResponse:
        """One page of Regions with their opt-in status; see ``iter_regions`` for all."""
        return self._call_into(
            ListRegionsResponse,
            ops.LIST_REGIONS,
            account_id=account_id,
            max_results=max_results,
            next_token=next_token,
            region_opt_status_contains=region_opt_status_contains,
        )

    def iter_regions(
        self,
        *,
        account_id: str | None = None,
        region_opt_status_contains: Sequence[RegionOptStatus | str] | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[Region]:
        """Every Region across all pages, fetched lazily, ``page_size`` at a time.

        Raises:
            PaginationError: the service repeated a page token.
        """

        def fetch(token: str | None) -> ListRegionsResponse:
            return self.list_regions(
                account_id=account_id,
                max_results=page_size,
                next_token=token,
                region_opt_status_contains=region_opt_status_contains,
            )

        return iterate_regions(fetch)

    def enable_region(
        self,
        *,
        region_name: str,
        account_id: str | None = None,
        wait: bool = False,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> None:
        """Opt in to a Region; with ``wait=True``, return only once it is ENABLED.

        Reads the Region's status first and sends nothing if it is already
        ENABLED, ENABLING or ENABLED_BY_DEFAULT. If the answer to EnableRegion
        is lost, the status says whether it took, instead of a blind resend.

        Raises:
            ConflictException: the Region is DISABLING.
            ValidationException: the Region cannot be opted in to.
            RegionOptConcurrencyExceeded: too many Regions are switching.
            WaiterFailedError, WaiterTimeoutError: with ``wait=True``.
        """
        self._switch_region(
            ops.ENABLE_REGION,
            region_name=region_name,
            account_id=account_id,
            on_the_way=_ENABLED_OR_ENABLING,
            settled=_ENABLED_STATES,
            wait=wait,
            timeout=timeout,
            poll_interval=poll_interval,
        )

    def disable_region(
        self,
        *,
        region_name: str,
        account_id: str | None = None,
        wait: bool = False,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> None:
        """Opt out of a Region; with ``wait=True``, return only once it is DISABLED.

        Sends nothing if the Region is already DISABLED or DISABLING.

        Raises:
            ConflictException: the Region is ENABLING.
            ValidationException: the Region is enabled by default and cannot be disabled.
            WaiterFailedError, WaiterTimeoutError: with ``wait=True``.
        """
        self._switch_region(
            ops.DISABLE_REGION,
            region_name=region_name,
            account_id=account_id,
            on_the_way=_DISABLED_OR_DISABLING,
            settled=_DISABLED_STATES,
            wait=wait,
            timeout=timeout,
            poll_interval=poll_interval,
        )

    def _switch_region(
        self,
        operation: ops.Operation,
        *,
        region_name: str,
        account_id: str | None,
        on_the_way: frozenset[str],
        settled: frozenset[str],
        wait: bool,
        timeout: float,
        poll_interval: float,
    ) -> None:
        validate_input(operation.members, {"region_name": region_name, "account_id": account_id})
        status = self.get_region_opt_status(region_name=region_name, account_id=account_id)
        if status.region_opt_status in on_the_way:
            logger.debug("%s: %s already %s", operation.name, region_name, status.region_opt_status)
        else:
            caller, account = self._gate_scope(account_id)
            self._await_switch_slot(caller, account, region_name, timeout, poll_interval)
            try:
                self._call(operation, region_name=region_name, account_id=account_id)
            except AccountError as exc:
                if not may_have_arrived(exc):
                    PROCESS_GATE.release(caller, account, region_name)
                    raise
                # The answer was lost; the Region's status says whether the switch took.
                after = self.get_region_opt_status(region_name=region_name, account_id=account_id)
                if after.region_opt_status not in on_the_way:
                    PROCESS_GATE.release(caller, account, region_name)
                    raise
                logger.info("%s: the lost request took effect (%s)", operation.name, after)
        if wait:
            self.wait_for_region_opt_status(
                region_name=region_name,
                account_id=account_id,
                statuses=settled,
                timeout=timeout,
                poll_interval=poll_interval,
            )

    def _await_switch_slot(
        self, caller: str, account: str, region_name: str, timeout: float, poll_interval: float
    ) -> None:
        """Block until this switch fits under the concurrency caps, polling what is in the way.

        Raises:
            WaiterTimeoutError: no Region settled within ``timeout``.
        """
        caps = {
            "per_account": self._config.region_opt_concurrency_per_account,
            "per_organization": self._config.region_opt_concurrency_per_organization,
        }
        give_up = time.monotonic() + timeout
        while not PROCESS_GATE.try_acquire(caller, account, region_name, **caps):
            for blocking_account, blocking_region in PROCESS_GATE.blocking(caller, account, **caps):
                try:
                    self.get_region_opt_status(  # settles free their slots as they are seen
                        region_name=blocking_region,
                        account_id=None
                        if blocking_account.startswith("self:")
                        else blocking_account,
                    )
                except ServiceError as exc:
                    # A switch we can no longer see (the account left the organization,
                    # a permission changed) must not block every other one forever.
                    logger.warning(
                        "cannot read %s in %s (%s); no longer counting it as switching",
                        blocking_region,
                        blocking_account,
                        exc.error_code,
                    )
                    PROCESS_GATE.release(caller, blocking_account, blocking_region)
            if PROCESS_GATE.try_acquire(caller, account, region_name, **caps):
                return
            if time.monotonic() >= give_up:
                raise WaiterTimeoutError(
                    f"{region_name}: no Region switching under these credentials settled "
                    f"within {timeout:g}s, and the concurrency cap is reached",
                    last_status=None,
                )
            logger.info("%s: waiting for a Region switch slot", region_name)
            self._sleep(poll_interval)

    def wait_for_region_opt_status(
        self,
        *,
        region_name: str,
        statuses: Collection[RegionOptStatus | str] = (RegionOptStatus.ENABLED,),
        account_id: str | None = None,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> Region:
        """Poll GetRegionOptStatus until the Region is in one of ``statuses``.

        Raises:
            WaiterFailedError: the Region is switching the other way.
            WaiterTimeoutError: ``timeout`` seconds passed first.
        """
        return wait_for_region_opt_status(
            lambda: self.get_region_opt_status(region_name=region_name, account_id=account_id),
            region_name=region_name,
            statuses=frozenset(str(s) for s in statuses),
            timeout=timeout,
            poll_interval=poll_interval,
            sleep=self._sleep,
        )

    # -- account --------------------------------------------------------------------

    def get_account_information(self, *, account_id: str | None = None) -> AccountInformation:
        """The account's id, name, creation date and state."""
        return self._call_into(
            AccountInformation, ops.GET_ACCOUNT_INFORMATION, account_id=account_id
        )

    def put_account_name(self, *, account_name: str, account_id: str | None = None) -> None:
        """Rename the account."""
        self._call(ops.PUT_ACCOUNT_NAME, account_name=account_name, account_id=account_id)

    def get_primary_email(self, *, account_id: str) -> str:
        """The root user's email address of a member account (organization mode only)."""
        return self._call_into(
            _PrimaryEmailOutput, ops.GET_PRIMARY_EMAIL, account_id=account_id
        ).primary_email

    def start_primary_email_update(self, *, account_id: str, primary_email: str) -> str:
        """Send a one-time password to the new address; returns the update status."""
        return self._call_for_status(
            ops.START_PRIMARY_EMAIL_UPDATE, account_id=account_id, primary_email=primary_email
        )

    def accept_primary_email_update(self, *, account_id: str, primary_email: str, otp: str) -> str:
        """Confirm a primary email change with the one-time password; returns the status."""
        return self._call_for_status(
            ops.ACCEPT_PRIMARY_EMAIL_UPDATE,
            account_id=account_id,
            primary_email=primary_email,
            otp=otp,
        )

    def get_primary_email_update_status(
        self, *, account_id: str | None = None
    ) -> PrimaryEmailUpdate:
        """Where the latest primary email change stands, and since when."""
        return self._call_into(
            PrimaryEmailUpdate, ops.GET_PRIMARY_EMAIL_UPDATE_STATUS, account_id=account_id
        )

    def get_gov_cloud_account_information(
        self, *, standard_account_id: str | None = None
    ) -> GovCloudAccountInformation:
        """The GovCloud account linked to a standard account.

        Raises:
            ResourceNotFoundException: no GovCloud account is linked.
            ResourceUnavailableException: the information cannot be read now.
        """
        return self._call_into(
            GovCloudAccountInformation,
            ops.GET_GOV_CLOUD_ACCOUNT_INFORMATION,
            standard_account_id=standard_account_id,
        )

    def send_phone_number_verification(self, *, account_id: str | None = None) -> str:
        """Send a one-time password to the primary contact's phone; returns the status."""
        return self._call_for_status(ops.SEND_PHONE_NUMBER_VERIFICATION, account_id=account_id)

    def verify_phone_number(self, *, otp: str, account_id: str | None = None) -> str:
        """Verify the primary contact's phone with the one-time password; returns the status."""
        return self._call_for_status(ops.VERIFY_PHONE_NUMBER, otp=otp, account_id=account_id)
