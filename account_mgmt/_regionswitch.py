"""Enabling and disabling a Region safely: look first, keep under the caps, never resend blindly.

Kept apart from ``AccountClient`` because it is a small protocol of its own:
read the status (nothing to do if the Region is already there or on its way),
claim a slot under the concurrency caps (waiting for a Region this process
set switching to settle if need be), send, and if the answer is lost let
the Region's status say whether the switch took.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

import attrs

from account_mgmt import _operations as ops
from account_mgmt._logging import logger
from account_mgmt._regionopt import PROCESS_GATE, Switch
from account_mgmt._retry import is_throttling, may_have_arrived
from account_mgmt.exceptions import (
    AccountError,
    ConflictException,
    RegionOptConcurrencyExceeded,
    ServiceError,
    ValidationException,
    WaiterTimeoutError,
)
from account_mgmt.models import RegionOptStatus

if TYPE_CHECKING:
    from account_mgmt._client import AccountClient


@attrs.frozen
class Direction:
    """Enabling or disabling: the operation, and the statuses that mean there or on the way."""

    operation: ops.Operation
    settled: frozenset[str]
    on_the_way: frozenset[str]


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

_SELF: Final = "self:"


def gate_account(caller: str, account_id: str | None) -> str:
    """The gate's key for the account acted on (the caller's own when ``account_id`` is None)."""
    return account_id or _SELF + caller


def switch_region(
    client: AccountClient,
    direction: Direction,
    send: Callable[[], None],
    *,
    caller: str,
    region_name: str,
    account_id: str | None,
    wait: bool,
    timeout: float,
    poll_interval: float,
    sleep: Callable[[float], None],
) -> None:
    """Bring ``region_name`` there (or on its way); ``send`` sends ``direction.operation``."""
    status = client.get_region_opt_status(region_name=region_name, account_id=account_id)
    if status.region_opt_status in direction.settled:
        logger.debug(
            "%s already %s: nothing to send or wait for", region_name, status.region_opt_status
        )
        return
    if status.region_opt_status in direction.on_the_way:
        logger.debug("%s already %s: nothing to send", region_name, status.region_opt_status)
    else:
        _Switching(
            client, direction, send, caller, region_name, account_id, timeout, poll_interval, sleep
        ).send_in_a_slot()
    if wait:
        client.wait_for_region_opt_status(
            region_name=region_name,
            account_id=account_id,
            statuses=direction.settled,
            timeout=timeout,
            poll_interval=poll_interval,
        )


@attrs.frozen
class _Switching:
    """One enable or disable on its way out: what each step of sending it needs."""

    client: AccountClient
    direction: Direction
    send: Callable[[], None]
    caller: str
    region_name: str
    account_id: str | None
    timeout: float
    poll_interval: float
    sleep: Callable[[float], None]

    @property
    def account(self) -> str:
        return gate_account(self.caller, self.account_id)

    def send_in_a_slot(self) -> None:
        """Send once a slot is free under the caps, the slot held until the service
        has taken the switch or refused it; a cap the service says is full all the
        same is waited out like this process's own, until ``timeout``."""
        give_up = time.monotonic() + self.timeout
        while True:
            switch = self.await_slot(give_up)
            taken = False
            try:
                self._send()
                taken = True
            except RegionOptConcurrencyExceeded as exc:
                # Full with switches this process did not start: wait as for its own.
                if time.monotonic() + self.poll_interval >= give_up:
                    raise
                PROCESS_GATE.refused(
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
                if taken:
                    PROCESS_GATE.accepted(switch)
                else:
                    PROCESS_GATE.release(switch)
            return

    def _send(self) -> None:
        """Send the switch; raise its error unless the Region turns out to be on its way.

        A lost answer may hide a switch that took. A ConflictException may be
        another sender's switch of the same Region (two threads, two jobs), which
        is on its way as asked, or the opposite switch, a real conflict; and the
        service is reported to answer that same race with a ValidationException
        ("Unable to switch region status"). The Region's status tells them apart,
        at the cost of one read when the refusal was real.
        """
        try:
            self.send()
        except AccountError as exc:
            refused_as_switched = isinstance(exc, ConflictException | ValidationException)
            if not (may_have_arrived(exc) or refused_as_switched):
                raise
            after = self.client.get_region_opt_status(
                region_name=self.region_name, account_id=self.account_id
            )
            if after.region_opt_status not in self.direction.on_the_way:
                raise
            logger.info(
                "%s is %s after %s: the switch is on its way",
                self.region_name,
                after.region_opt_status,
                type(exc).__name__,
            )

    def await_slot(self, give_up: float) -> Switch:
        """Block until this switch fits under the concurrency caps, polling what is in
        the way.

        Raises:
            WaiterTimeoutError: no Region settled by ``give_up``.
        """
        caller, account, region_name = self.caller, self.account, self.region_name
        config = self.client.config
        caps = {
            "per_account": config.region_opt_concurrency_per_account,
            "per_organization": config.region_opt_concurrency_per_organization,
        }
        every = self.poll_interval
        while (switch := PROCESS_GATE.try_acquire(caller, account, region_name, **caps)) is None:
            left = give_up - time.monotonic()
            if left <= 0:
                raise WaiterTimeoutError(
                    f"{region_name}: no Region switching under these credentials settled "
                    f"within {self.timeout:g}s, and the concurrency cap is reached",
                    last_status=None,
                )
            due = PROCESS_GATE.take_due(caller, account, **caps, every=every)
            if due is not None:
                _read_switch_in_the_way(self.client, caller, *due)
                continue  # the read may have freed a slot
            logger.info("%s: waiting for a Region switch slot", region_name)
            self.sleep(min(left, PROCESS_GATE.next_due_in(caller, account, **caps, every=every)))
        return switch


def _read_switch_in_the_way(client: AccountClient, caller: str, account: str, region: str) -> None:
    """Read a switch's Region: if it has settled, the read frees its slot."""
    sent_at = PROCESS_GATE.stamp()
    try:
        client.get_region_opt_status(
            region_name=region, account_id=None if account.startswith(_SELF) else account
        )
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
        PROCESS_GATE.observe(caller, account, region, None, sent_at=sent_at)
