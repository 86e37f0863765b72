"""The path of one call: validate, then per attempt pace, sign, send and decode.

``Invoker`` is what ``AccountClient`` delegates every operation to. It owns
the per-client collaborators (configuration, credentials, transport, retry
policy, rate limiter, clock) so the client itself is only its public methods.
"""

from __future__ import annotations

import datetime
import logging
import random
import time
from collections.abc import Callable
from typing import Generic, TypeVar

import attrs

from account_mgmt import _operations as ops
from account_mgmt import _protocol
from account_mgmt._config import SERVICE_SIGNING_NAME, ClientConfig
from account_mgmt._credentials import AwsSession
from account_mgmt._logging import logger, safe_headers
from account_mgmt._ratelimit import RateLimiter
from account_mgmt._retry import RetryPolicy, RetryQuota, is_throttling
from account_mgmt._signing import FrozenCredentials, sign
from account_mgmt._transport import HttpRequest, RequestsTransport, Transport
from account_mgmt._validation import validate_input
from account_mgmt.exceptions import (
    AccessDeniedException,
    AccountError,
    DeadlineExceededError,
    ExpiredTokenException,
    ServiceError,
    is_clock_skew,
)

T = TypeVar("T")


def utc_now() -> datetime.datetime:
    """The local clock, timezone-aware."""
    return datetime.datetime.now(datetime.UTC)


class ClockOffset:
    """Local time corrected by what the service told us of its clock; shared by copies."""

    def __init__(self, clock: Callable[[], datetime.datetime] = utc_now) -> None:
        self._clock = clock
        self.offset = 0.0

    def local(self) -> datetime.datetime:
        """The local clock's reading, uncorrected."""
        return self._clock()

    def corrected(self, local: datetime.datetime) -> datetime.datetime:
        """``local`` as the service's clock would read it."""
        return local + datetime.timedelta(seconds=self.offset)

    def correct(self, server_time: datetime.datetime, local: datetime.datetime) -> None:
        """The service's clock read ``server_time`` when ours read ``local``.

        The offset is set, not adjusted: threads refused for the same skew at
        once each find the same offset, where adding each one's correction to
        the last would multiply it. (The Date header has one-second
        resolution; the skew AWS refuses is minutes.)
        """
        self.offset = (server_time - local).total_seconds()


def _new_transport(config: ClientConfig) -> Transport:
    return RequestsTransport(
        endpoint_url=config.endpoint_url,
        connect_timeout=config.connect_timeout,
        read_timeout=config.read_timeout,
        verify=config.verify,
        max_pool_connections=config.max_pool_connections,
        max_response_bytes=config.max_response_bytes,
    )


@attrs.frozen
class _Call(Generic[T]):
    """One operation call, the same for each of its attempts."""

    operation: ops.Operation
    output: type[T] | None
    url: str
    body: bytes
    target: str | None
    """The account acted on (``AccountId``), for the limiter's per-target buckets."""
    deadline: float
    """A ``time.monotonic()`` instant: ``total_timeout`` from the call's start."""


class Invoker:
    """Runs operations for one client; thread-safe, shared state behind locks of its parts."""

    def __init__(
        self,
        config: ClientConfig,
        aws: AwsSession,
        limiter: RateLimiter,
        *,
        transport: Transport | None = None,
        quota: RetryQuota | None = None,
        clock: ClockOffset | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.config = config
        self.aws = aws
        self.limiter = limiter
        self.transport = transport or _new_transport(config)
        self.clock = clock or ClockOffset()
        self.sleep = sleep
        self._rng = rng
        self.retry = RetryPolicy(
            max_attempts=config.max_attempts, quota=quota, sleep=sleep, rng=rng
        )
        self._base_headers = {
            "Content-Type": _protocol.CONTENT_TYPE,
            "User-Agent": config.user_agent,
        }

    def with_config(self, config: ClientConfig) -> Invoker:
        """A copy for ``config``, sharing credentials, quota, limiter and clock.

        The connection pool is shared too unless a timeout changed.
        """
        same_pool = (config.connect_timeout, config.read_timeout) == (
            self.config.connect_timeout,
            self.config.read_timeout,
        )
        return Invoker(
            config,
            self.aws,
            self.limiter,
            transport=self.transport if same_pool else None,
            quota=self.retry.quota,
            clock=self.clock,
            sleep=self.sleep,
            rng=self._rng,
        )

    def caller(self) -> str:
        """The identity quotas are counted against (see ``FrozenCredentials.quota_holder``)."""
        return self.aws.credentials().quota_holder

    def call(
        self, operation: ops.Operation, output: type[T] | None, params: dict[str, object]
    ) -> T | None:
        """Run ``operation``; returns the ``output`` model (None for no output).

        Raises:
            ParamValidationError: before anything is sent.
            AccountError: the last attempt's typed error, with ``attempts`` set.
        """
        validate_input(operation.members, params)
        target = params.get("account_id") or params.get("standard_account_id")
        call = _Call(
            operation=operation,
            output=output,
            url=self.config.endpoint_url + operation.path,
            body=_protocol.encode_body(params),
            target=target if isinstance(target, str) else None,
            deadline=time.monotonic() + self.config.total_timeout,
        )
        last_error: BaseException | None = None
        retrying = self.retry.retrying(
            safe_to_repeat=operation.safe_to_repeat,
            operation=operation.name,
            deadline=call.deadline,
        )
        for attempt in retrying:
            with attempt:
                try:
                    answer = self._exchange_repaired(call)
                except AccountError as exc:
                    exc.attempts = attempt.retry_state.attempt_number
                    last_error = exc
                    raise
        self.retry.record_success(last_error)
        return answer

    def _exchange_repaired(self, call: _Call[T]) -> T | None:
        """An exchange, repeated at once (not as a retry) after a fault the client can fix.

        An expired session token (expired between botocore's refresh check and
        the service's): walk the credential chain again. A clock-skew refusal:
        ``_exchange`` has learnt the server's clock; sign with it. Once each.
        """
        repaired: set[str] = set()
        while True:
            credentials = self.aws.credentials()
            try:
                return self._exchange(call, credentials)
            except ExpiredTokenException:
                if "token" in repaired:
                    raise
                repaired.add("token")
                logger.info("%s: credentials expired, refreshing once", call.operation.name)
                self.aws.force_refresh(credentials)
            except ServiceError as exc:
                if not is_clock_skew(exc) or "clock" in repaired:
                    raise
                repaired.add("clock")
                logger.info(
                    "%s: clock skew, re-signing %.1fs off local time",
                    call.operation.name,
                    self.clock.offset,
                )

    def _exchange(self, call: _Call[T], credentials: FrozenCredentials) -> T | None:
        """One paced, signed request and its decoded answer; raises the typed error for an error."""
        name = call.operation.name
        holder = credentials.quota_holder
        wait = self.limiter.reserve(
            holder, name, call.target, limit=call.deadline - time.monotonic()
        )
        if time.monotonic() + wait >= call.deadline:
            raise DeadlineExceededError(
                f"{name}: total_timeout of {self.config.total_timeout:g}s runs out "
                f"before the rate quota allows another request ({wait:.1f}s)"
            )
        if wait > 0:
            logger.debug("%s: waiting %.3fs for the rate quota", name, wait)
            self.sleep(wait)
        local_time = self.clock.local()
        signed_at = self.clock.corrected(local_time)
        headers = sign(
            method="POST",
            url=call.url,
            headers=self._base_headers,
            body=call.body,
            credentials=credentials,
            region=self.config.signing_region,
            service=SERVICE_SIGNING_NAME,
            now=signed_at,
        )
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "POST %s (%d bytes) headers=%s",
                call.operation.path,
                len(call.body),
                safe_headers(headers),
            )
        response = self.transport.send(
            HttpRequest(method="POST", url=call.url, headers=headers, body=call.body),
            deadline=call.deadline,
        )
        logger.debug(
            "%s -> HTTP %d, request id %s, %d bytes",
            name,
            response.status_code,
            _protocol.request_id(response.headers),
            len(response.body),
        )
        if 200 <= response.status_code < 300:
            self.limiter.admitted(holder, name, call.target)
            return _protocol.decode_success(
                response.status_code, response.headers, response.body, call.output
            )
        error = _protocol.decode_error(response.status_code, response.headers, response.body)
        if isinstance(error, AccessDeniedException) and call.target is not None:
            error.hint = AccessDeniedException.ORGANIZATION_MODE_HINT
        if is_throttling(error):
            self.limiter.throttled(holder, name, call.target)
        elif response.status_code < 500:
            self.limiter.admitted(holder, name, call.target)
        if is_clock_skew(error) and error.server_time is not None:
            self.clock.correct(error.server_time, local_time)
        raise error
