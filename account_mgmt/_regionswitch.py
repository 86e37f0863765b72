"""Enabling and disabling a Region safely: look first, keep under the caps, never resend blindly.

A small protocol of its own, written as steps (see ``_steps``) so the sync
and async clients share it: read the status (nothing to do if the Region is
already there or on its way), claim a slot under the concurrency caps
(waiting for a Region the runtime's clients set switching to settle if need
be), send, and if the answer is lost let the Region's status say whether the
switch took.

``ensure_region`` is the convergent step ("make it so"), which the client's
``enable_region``/``disable_region`` run and which plan/apply can run too.
"""

from __future__ import annotations

from typing import Final

import attrs

from account_mgmt import _operations as ops
from account_mgmt._logging import logger
from account_mgmt._regionopt import SlotClaim
from account_mgmt._retry import is_throttling, may_have_arrived
from account_mgmt._steps import SELF_ACCOUNT_PREFIX, CallPath, Sleep, Steps, gate_account
from account_mgmt._waiters import wait_for_region_opt_status
from account_mgmt.exceptions import (
    AccountError,
    ConflictException,
    RegionOptConcurrencyExceeded,
    ServiceError,
    ValidationException,
    WaiterTimeoutError,
)
from account_mgmt.models import RegionOptStatus


@attrs.frozen
class Direction:
    """Enabling or disabling: the operation, and the statuses that mean there or on the way."""

    operation: ops.Operation[None]
    settled: frozenset[str]
    on_the_way: frozenset[str]


OLDEST_SWITCH_POLL_INTERVAL: Final = 1.0
"""Seconds between reads of the oldest switch in the way of a cap: it is the
likeliest to settle next, and one read a second is a fifth of
GetRegionOptStatus's documented 5/s (the other switches are read every
``poll_interval``)."""

_ENABLED_STATES: Final[frozenset[str]] = frozenset(
    {RegionOptStatus.ENABLED, RegionOptStatus.ENABLED_BY_DEFAULT}
)
_DISABLED_STATES: Final[frozenset[str]] = frozenset({RegionOptStatus.DISABLED})
ENABLE: Final = Direction(
    ops.ENABLE_REGION, _ENABLED_STATES, _ENABLED_STATES | {RegionOptStatus.ENABLING}
)
DISABLE: Final = Direction(
    ops.DISABLE_REGION, _DISABLED_STATES, _DISABLED_STATES | {RegionOptStatus.DISABLING}
)


def ensure_region(
    path: CallPath,
    direction: Direction,
    *,
    region_name: str,
    account_id: str | None,
    wait: bool,
    timeout: float,
    poll_interval: float,
    status: str | None = None,
) -> Steps[bool]:
    """Bring ``region_name`` there (or on its way; there with ``wait``).

    ``status`` is the Region's status if the caller has just read it; else
    it is read first. Returns whether a switch was sent (False: it was
    already there or on its way).
    """
    if status is None:
        region = yield from path.get_region_opt_status(region_name, account_id)
        status = region.region_opt_status
    sent = False
    if status in direction.settled:
        logger.debug("%s already %s: nothing to send or wait for", region_name, status)
        return False
    if status in direction.on_the_way:
        logger.debug("%s already %s: nothing to send", region_name, status)
    else:
        caller = yield from path.caller()
        switching = _Switching(
            path, direction, caller, region_name, account_id, timeout, poll_interval
        )
        yield from switching.send_in_a_slot()
        sent = True
    if wait:
        yield from wait_for_region_opt_status(
            path,
            region_name=region_name,
            account_id=account_id,
            statuses=direction.settled,
            timeout=timeout,
            poll_interval=poll_interval,
        )
    return sent


@attrs.frozen
class _Switching:
    """One enable or disable on its way out: what each step of sending it needs."""

    path: CallPath
    direction: Direction
    caller: str
    region_name: str
    account_id: str | None
    timeout: float
    poll_interval: float

    @property
    def account(self) -> str:
        return gate_account(self.caller, self.account_id)

    @property
    def caps(self) -> dict[str, int]:
        config = self.path.config
        return {
            "per_account": config.region_opt_concurrency_per_account,
            "per_organization": config.region_opt_concurrency_per_organization,
        }

    def send_in_a_slot(self) -> Steps[None]:
        """Send once a slot is free under the caps, the slot held until the service
        has taken the switch or refused it; a cap the service says is full all the
        same is waited out like the runtime's own, until ``timeout``.

        The slot's release is arranged before it is claimed (``SlotClaim``), and
        a step closed by Ctrl-C or a cancelled task runs the ``finally`` at once.
        """
        clock = self.path.clock
        gate = self.path.runtime.region_gate
        give_up = clock.monotonic() + self.timeout
        while True:
            claim = SlotClaim()
            taken = False
            try:
                yield from self._await_slot(claim, give_up)
                yield from self._send()
                taken = True
            except RegionOptConcurrencyExceeded as exc:
                # Full with switches this runtime did not start: wait as for its own.
                if clock.monotonic() + self.poll_interval >= give_up:
                    raise
                gate.refused(
                    self.caller,
                    self.account,
                    organization=exc.cap == "organization",
                    retry_in=self.poll_interval,
                )
                logger.info(
                    "%s: the service's %s cap is full with switches not counted here; "
                    "trying again in %gs",
                    self.region_name,
                    exc.cap,
                    self.poll_interval,
                )
                continue
            finally:
                if claim.switch is not None:
                    if taken:
                        gate.accepted(claim.switch)
                    else:
                        gate.release(claim.switch)
            return

    def _send(self) -> Steps[None]:
        """Send the switch; raise its error unless the Region turns out to be on its way.

        A lost answer may hide a switch that took. A ConflictException may be
        another sender's switch of the same Region (two threads, two jobs), which
        is on its way as asked, or the opposite switch, a real conflict; and the
        service is reported to answer that same race with a ValidationException
        ("Unable to switch region status"). The Region's status tells them apart,
        at the cost of one read when the refusal was real.
        """
        try:
            yield from self.path.call(
                self.direction.operation,
                {"region_name": self.region_name, "account_id": self.account_id},
            )
        except AccountError as exc:
            refused_as_switched = isinstance(exc, ConflictException | ValidationException)
            if not (may_have_arrived(exc) or refused_as_switched):
                raise
            after = yield from self.path.get_region_opt_status(self.region_name, self.account_id)
            if after.region_opt_status not in self.direction.on_the_way:
                raise
            logger.info(
                "%s is %s after %s: the switch is on its way",
                self.region_name,
                after.region_opt_status,
                type(exc).__name__,
            )

    def _await_slot(self, claim: SlotClaim, give_up: float) -> Steps[None]:
        """Wait until this switch fits under the concurrency caps, polling what is
        in the way; the slot is recorded in ``claim``.

        Raises:
            WaiterTimeoutError: no Region settled by ``give_up``.
        """
        caller, account, region_name = self.caller, self.account, self.region_name
        gate = self.path.runtime.region_gate
        clock = self.path.clock
        caps = self.caps
        every = self.poll_interval
        oldest_every = min(every, OLDEST_SWITCH_POLL_INTERVAL)
        while gate.try_acquire(caller, account, region_name, **caps, claim=claim) is None:
            left = give_up - clock.monotonic()
            if left <= 0:
                raise WaiterTimeoutError(
                    f"{region_name}: no Region switching under these credentials settled "
                    f"within {self.timeout:g}s, and the concurrency cap is reached",
                    last_status=None,
                )
            due = gate.take_due(caller, account, **caps, every=every, oldest_every=oldest_every)
            if due is not None:
                yield from _read_switch_in_the_way(self.path, caller, *due)
                continue  # the read may have freed a slot
            logger.info("%s: waiting for a Region switch slot", region_name)
            next_read = gate.next_due_in(
                caller, account, **caps, every=every, oldest_every=oldest_every
            )
            yield Sleep(min(left, next_read))


def _read_switch_in_the_way(path: CallPath, caller: str, account: str, region: str) -> Steps[None]:
    """Read a switch's Region: if it has settled, the read frees its slot."""
    gate = path.runtime.region_gate
    sent_at = gate.stamp()
    account_id = None if account.startswith(SELF_ACCOUNT_PREFIX) else account
    try:
        yield from path.get_region_opt_status(region, account_id)
    except ServiceError as exc:
        if is_throttling(exc) or exc.status_code >= 500:
            return  # a busy or failing service says nothing about the switch
        # A switch we can no longer see (the account left the organization,
        # a permission changed) must not block every other one forever.
        logger.warning(
            "cannot read %s in %s (%s); no longer counting it as switching",
            region,
            account,
            exc.error_code,
        )
        gate.observe(caller, account, region, None, sent_at=sent_at)
