"""The path of one call as sans-I/O steps, written once for the sync and the async client.

Each step is a generator that *decides* and yields an effect for its driver
to carry out: ``Send`` this request, ``Sleep`` this long, run this
``Blocking`` work (walking the credential chain). The driver sends back what
the effect produced (a response, credentials) or throws in the package error
it raised. ``_sync.run`` drives a step with requests and ``time.sleep``;
``_aio.run`` with aiohttp and ``asyncio.sleep``. The same shape as httpx's
``Auth.auth_flow``: validation, pacing, signing, decoding, retries, the
clock-skew and expired-token repairs and the lost-answer policies exist
once, and neither driver knows anything of them.

A step never reads real time or sleeps itself: time comes from the
runtime's clock, so a fake clock drives all of it.
"""

from __future__ import annotations

import datetime
import logging
import random
import sys
from collections.abc import Callable, Generator, Mapping
from typing import Any, Final, TypeAlias, TypeVar

from account_mgmt import _operations as ops
from account_mgmt import _protocol
from account_mgmt._clock import Clock
from account_mgmt._config import MAX_CLOCK_SKEW_ADOPTED, ClientConfig
from account_mgmt._credentials import AwsSession
from account_mgmt._http import HttpRequest, HttpResponse
from account_mgmt._logging import logger, safe_headers
from account_mgmt._quotas import Quota
from account_mgmt._ratelimit import RateLimiter, RateLimiterRegistry
from account_mgmt._retry import RetryPolicy, RetryQuota, is_throttling, may_have_arrived
from account_mgmt._runtime import Runtime
from account_mgmt._signing import FrozenCredentials, sign
from account_mgmt._validation import validate_input
from account_mgmt.exceptions import (
    AccessDeniedException,
    AccountError,
    DeadlineExceededError,
    ExpiredTokenException,
    OutcomeUnknownError,
    ResourceNotFoundException,
    ServiceError,
    is_clock_skew,
)
from account_mgmt.models import Region

T = TypeVar("T")


# The effects, _Call and _Fixed are plain slotted classes, not attrs classes: attrs
# compiles each class's methods at import (cold start, issue 13). Frozen by
# convention: nothing assigns their attributes after construction.


class Send:
    """Send ``request``; the exchange may take at most ``timeout`` seconds."""

    __slots__ = ("request", "timeout")

    request: HttpRequest
    timeout: float

    def __init__(self, request: HttpRequest, timeout: float) -> None:
        self.request = request
        self.timeout = timeout


class Sleep:
    """Wait ``seconds`` (pacing, backoff, polling) without holding anything."""

    __slots__ = ("seconds",)

    seconds: float

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


class Blocking:
    """Run ``work``, which may block on I/O (the credential chain reaching SSO or IMDS).

    ``inline`` says it is known to be quick (keys given outright, or already
    resolved and not near expiry): the async driver then runs it on the loop
    instead of paying for a thread.
    """

    __slots__ = ("inline", "work")

    work: Callable[[], Any]
    inline: bool

    def __init__(self, work: Callable[[], Any], inline: bool) -> None:
        self.work = work
        self.inline = inline


Effect: TypeAlias = Send | Sleep | Blocking
Steps: TypeAlias = Generator[Effect, Any, T]
"""A step: yields effects, is sent their results, returns ``T``."""


class ClockOffset:
    """Local time corrected by what the service told us of its clock; shared by copies."""

    def __init__(self) -> None:
        self.offset = 0.0

    def corrected(self, local_now: datetime.datetime) -> datetime.datetime:
        """``local_now`` (the clock's wall time) as the service's clock would read it."""
        offset = self.offset
        return local_now + datetime.timedelta(seconds=offset) if offset else local_now

    def correct(self, server_time: datetime.datetime, local: datetime.datetime) -> bool:
        """The service's clock read ``server_time`` when ours read ``local``; returns
        whether the offset was adopted.

        The offset is set, not adjusted: threads refused for the same skew at
        once each find the same offset, where adding each one's correction to
        the last would multiply it. An offset beyond
        ``MAX_CLOCK_SKEW_ADOPTED`` is not adopted: one implausible ``Date``
        (year 9999) must not poison every later signature.
        """
        offset = (server_time - local).total_seconds()
        if abs(offset) > MAX_CLOCK_SKEW_ADOPTED:
            return False
        self.offset = offset
        return True


class _Call:
    """One operation call, the same for each of its attempts."""

    __slots__ = ("body", "deadline", "operation", "sent", "target", "url")

    operation: ops.Operation[Any]
    url: str
    body: bytes
    target: str | None
    """The account acted on (``AccountId``), for the limiter's per-target buckets."""
    deadline: float
    """A monotonic instant on the runtime's clock: ``total_timeout`` from the call's start."""
    sent: list[int]
    """Requests put on the wire so far (one counter, mutated): an error's ``attempts``."""

    def __init__(
        self,
        operation: ops.Operation[Any],
        url: str,
        body: bytes,
        target: str | None,
        deadline: float,
        sent: list[int] | None = None,
    ) -> None:
        self.operation = operation
        self.url = url
        self.body = body
        self.target = target
        self.deadline = deadline
        self.sent = [0] if sent is None else sent


class _Fixed:
    """What every call of one operation sends alike, for one client configuration."""

    __slots__ = ("headers", "target_member", "url")  # a NamedTuple took 0.5 ms to define

    url: str
    target_member: str | None
    headers: dict[str, str]
    """The protocol's headers and ours (User-Agent)."""

    def __init__(self, url: str, target_member: str | None, headers: dict[str, str]) -> None:
        self.url = url
        self.target_member = target_member
        self.headers = headers


class CallPath:
    """Runs operations for one client family (a client and its ``with_options`` copies).

    Holds what the steps need: configuration, credentials, the runtime
    (shared limits and clock), the retry policy and the clock offset.
    Thread-safe and loop-agnostic: its state is either immutable or behind
    the short locks of its parts, none held across an effect.
    """

    def __init__(
        self,
        config: ClientConfig,
        aws: AwsSession,
        runtime: Runtime,
        quotas: Mapping[str, Quota],
        *,
        rng: Callable[[], float] = random.random,
        offset: ClockOffset | None = None,
    ) -> None:
        self.config = config
        self.aws = aws
        self.runtime = runtime
        self.quotas = dict(quotas)
        self.rng = rng
        self.offset = offset if offset is not None else ClockOffset()
        self._limiter: tuple[RateLimiterRegistry, RateLimiter] | None = None
        self._retry: tuple[RetryQuota, Clock, RetryPolicy] | None = None
        self._credentials_seen = False
        self._fixed: dict[str, _Fixed] = {}

    def with_config(self, config: ClientConfig) -> CallPath:
        """A copy for ``config`` sharing credentials, runtime, quotas and the clock offset."""
        return CallPath(
            config, self.aws, self.runtime, self.quotas, rng=self.rng, offset=self.offset
        )

    @property
    def clock(self) -> Clock:
        return self.runtime.clock

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy over the runtime's shared retry budget (rebuilt after a reset)."""
        quota, clock = self.runtime.retry_quota, self.clock
        cached = self._retry
        if cached is None or cached[0] is not quota or cached[1] is not clock:
            policy = RetryPolicy(
                max_attempts=self.config.max_attempts, quota=quota, rng=self.rng,
                clock=clock.monotonic,
            )  # fmt: skip
            cached = self._retry = (quota, clock, policy)
        return cached[2]

    @property
    def limiter(self) -> RateLimiter:
        """This client's quota table over the runtime's buckets (rebuilt after a reset)."""
        registry = self.runtime.rate_limits
        cached = self._limiter
        if cached is None or cached[0] is not registry:
            cached = self._limiter = (registry, RateLimiter(self.quotas, registry=registry))
        return cached[1]

    # -- credentials -----------------------------------------------------------------

    def credentials(self) -> Steps[FrozenCredentials]:
        """The current credentials; the first resolution may block, so it is an effect.

        Keys given outright cannot block nor change: no effect for them.
        """
        given = self.aws.given_credentials()
        if given is not None:
            return given
        credentials: FrozenCredentials = yield Blocking(
            self.aws.credentials, inline=self._credentials_seen
        )
        self._credentials_seen = True
        return credentials

    def caller(self) -> Steps[str]:
        """The identity quotas are counted against (see ``FrozenCredentials.quota_holder``)."""
        credentials = yield from self.credentials()
        return credentials.quota_holder

    # -- one operation ---------------------------------------------------------------

    def call(self, operation: ops.Operation[T], params: Mapping[str, object]) -> Steps[T]:
        """Run ``operation`` with ``params`` (every member of the declaration, None for absent).

        Raises:
            TypeError: ``params`` names a member the operation does not have, or
                leaves one out (a bug in a front door, never the user's input).
            ParamValidationError: before anything is sent.
            OutcomeUnknownError: the answer was lost and the operation must not be resent.
            AccountError: the last attempt's typed error, with ``attempts`` set.
        """
        if params.keys() != operation.members.keys():
            raise TypeError(
                f"{operation.name}: parameters {sorted(params)} "
                f"do not match the declaration's {sorted(operation.members)}"
            )
        validate_input(operation.members, params, operation.service.shape_rules)
        try:
            answer = yield from self._attempts(self._prepare(operation, params))
        except AccountError as exc:
            if not may_have_arrived(exc):
                raise
            if operation.lost_answer is ops.LostAnswer.OUTCOME_UNKNOWN:
                unknown = OutcomeUnknownError(operation.name)
                unknown.attempts = exc.attempts
                raise unknown from exc
            if operation.lost_answer is not ops.LostAnswer.RESEND_NOT_FOUND_IS_DONE:
                raise  # repeated as far as allowed, or the Region switch reads the status
            # Deleting again is harmless, and "not found" then means the lost one did it.
            try:
                answer = yield from self._attempts(self._prepare(operation, params))
            except ResourceNotFoundException:
                logger.info("%s: the lost request had done it", operation.name)
                answer = None
        return operation.result(answer)

    def _prepare(self, operation: ops.Operation[Any], params: Mapping[str, object]) -> _Call:
        fixed = self._fixed_for(operation)
        target = params.get(fixed.target_member) if fixed.target_member else None
        return _Call(
            operation=operation,
            url=fixed.url,
            body=_protocol.encode_body(params),
            target=target if isinstance(target, str) else None,
            deadline=self.clock.monotonic() + self.config.total_timeout,
        )

    def _attempts(self, call: _Call) -> Steps[object]:
        """The exchange, retried as AWS's standard mode says.

        The first attempt runs without the retry machinery; tenacity (imported
        only then) decides from the first failure on, its sleeps yielded as
        effects instead of taken.
        """
        policy = self.retry
        try:
            answer = yield from self._exchange_repaired(call)
        except AccountError as exc:
            exc.attempts = call.sent[0]  # 0 when it failed before anything was sent
            first = exc
        else:
            policy.record_success(None)
            return answer

        import tenacity

        retrying = policy.retrying(
            safe_to_repeat=call.operation.safe_to_repeat,
            operation=call.operation.name,
            deadline=call.deadline,
        )
        retrying.begin()
        state = tenacity.RetryCallState(retrying, fn=None, args=(), kwargs={})
        state.set_exception((type(first), first, first.__traceback__))
        last_error: AccountError = first
        while True:
            decision = retrying.iter(state)  # raises the last error when it gives up
            if isinstance(decision, tenacity.DoSleep):
                state.prepare_for_next_attempt()
                yield Sleep(float(decision))
                continue
            if not isinstance(decision, tenacity.DoAttempt):  # pragma: no cover - no result retry
                return decision
            try:
                answer = yield from self._exchange_repaired(call)
            except AccountError as exc:
                exc.attempts = call.sent[0]
                last_error = exc
                state.set_exception(sys.exc_info())  # type: ignore[arg-type]
            else:
                policy.record_success(last_error)
                return answer

    def _exchange_repaired(self, call: _Call) -> Steps[object]:
        """An exchange, repeated at once (not as a retry) after a fault the client can fix.

        An expired session token (expired between botocore's refresh check and
        the service's): walk the credential chain again. A clock-skew refusal:
        ``_exchange`` has learnt the server's clock; sign with it. Once each.
        """
        repaired: set[str] = set()
        while True:
            credentials = self.aws.given_credentials()  # keys given outright: no step to run
            if credentials is None:
                credentials = yield from self.credentials()
            offset_before = self.offset.offset
            try:
                return (yield from self._exchange(call, credentials))
            except ExpiredTokenException:
                if "token" in repaired:
                    raise
                repaired.add("token")
                logger.info("%s: credentials expired, refreshing once", call.operation.name)
                self._credentials_seen = False  # the next walk may block
                self.aws.force_refresh(credentials)
            except ServiceError as exc:
                # A server clock the offset refused (a year-9999 Date) makes
                # re-signing pointless; without a Date, a fresh signature may pass.
                refused = exc.server_time is not None and self.offset.offset == offset_before
                if not is_clock_skew(exc) or "clock" in repaired or refused:
                    raise
                repaired.add("clock")
                logger.info(
                    "%s: clock skew, re-signing %.1fs off local time",
                    call.operation.name,
                    self.offset.offset,
                )

    def _exchange(self, call: _Call, credentials: FrozenCredentials) -> Steps[object]:
        """One paced, signed request and its decoded answer; raises the typed error for an error."""
        operation = call.operation
        name, bucket = operation.name, operation.bucket
        holder = credentials.quota_holder
        limiter = self.limiter
        clock = self.clock
        now = clock.monotonic()
        wait = limiter.reserve(holder, bucket, call.target, limit=call.deadline - now)
        if now + wait >= call.deadline:
            raise DeadlineExceededError(
                f"{name}: total_timeout of {self.config.total_timeout:g}s runs out "
                f"before the rate quota allows another request ({wait:.1f}s)"
            )
        if wait > 0:
            logger.debug("%s: waiting %.3fs for the rate quota", name, wait)
            yield Sleep(wait)
        local_time = clock.now()
        headers = sign(
            method="POST",
            url=call.url,
            headers=self._fixed_for(operation).headers,
            body=call.body,
            credentials=credentials,
            region=self.config.signing_region,
            service=operation.service.signing_name,
            now=self.offset.corrected(local_time),
        )
        debug = logger.isEnabledFor(logging.DEBUG)
        if debug:
            logger.debug(
                "POST %s (%d bytes) headers=%s",
                call.operation.path,
                len(call.body),
                safe_headers(headers),
            )
        left = call.deadline - clock.monotonic()
        if left <= 0:
            raise DeadlineExceededError(f"{name}: total_timeout passed before the request was sent")
        call.sent[0] += 1
        response: HttpResponse = yield Send(
            HttpRequest(method="POST", url=call.url, headers=headers, body=call.body), left
        )
        if debug:
            logger.debug(
                "%s -> HTTP %d, request id %s, %d bytes",
                name,
                response.status_code,
                _protocol.request_id(response.headers),
                len(response.body),
            )
        if 200 <= response.status_code < 300:
            limiter.admitted(holder, bucket, call.target)
            return _protocol.decode_success(
                response.status_code,
                response.headers,
                response.body,
                operation.output,
                local_time=local_time,
            )
        error = operation.service.decode_error(
            response.status_code, response.headers, response.body, local_time=local_time
        )
        if isinstance(error, AccessDeniedException) and call.target is not None:
            error.hint = AccessDeniedException.ORGANIZATION_MODE_HINT
        if is_throttling(error):
            limiter.throttled(holder, bucket, call.target)
        elif response.status_code < 500:
            limiter.admitted(holder, bucket, call.target)
        if is_clock_skew(error) and error.server_time is not None:
            self.offset.correct(error.server_time, local_time)
        raise error

    def _fixed_for(self, operation: ops.Operation[Any]) -> _Fixed:
        fixed = self._fixed.get(operation.name)
        if fixed is None:  # worked out once per operation and configuration
            fixed = self._fixed[operation.name] = _Fixed(
                url=self.config.endpoint_url + operation.path,
                target_member=operation.target_member,
                headers={**operation.headers, "User-Agent": self.config.user_agent},
            )
        return fixed

    # -- reads the Region gate must see ------------------------------------------------

    def get_region_opt_status(self, region_name: str, account_id: str | None) -> Steps[Region]:
        """GetRegionOptStatus, reporting what it read to the Region gate.

        Every status read, the user's own included, can free a switch's slot:
        the gate is told which stamp the read was sent at, so a read sent
        before a switch was accepted never frees it.
        """
        gate = self.runtime.region_gate
        sent_at = gate.stamp()
        region = yield from self.call(
            ops.GET_REGION_OPT_STATUS, {"region_name": region_name, "account_id": account_id}
        )
        caller = yield from self.caller()
        gate.observe(
            caller,
            gate_account(caller, account_id),
            region_name,
            region.region_opt_status,
            sent_at=sent_at,
        )
        return region


SELF_ACCOUNT_PREFIX: Final = "self:"
"""Gate keys of standalone calls: the caller's own account, whose id may be unknown."""


def gate_account(caller: str, account_id: str | None) -> str:
    """The gate's key for the account acted on (the caller's own when ``account_id`` is None)."""
    return account_id or SELF_ACCOUNT_PREFIX + caller
