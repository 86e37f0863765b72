"""The Region gate against a model of the service, in every order messages can take.

Hypothesis drives one caller's switches and status reads through the gate
while a model service takes requests, answers and settles Regions, with
every request and answer free to be delayed past any other. The property is
the one the gate exists for: the service never sees a switch of ours past its
caps (it would answer a 429 that no backoff clears), unless switches another
tool started fill them, and then the refusal holds new switches back. Reads
are stamped when sent, answered with the service's state when processed and
observed when they arrive, the interleaving that let a stale DISABLED free a
slot.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from account_mgmt._regionopt import RegionOptGate, Switch

CALLER = "K"
ACCOUNTS = ("A", "B")
REGIONS = ("r1", "r2", "r3")
CAPS = {"per_account": 1, "per_organization": 2}
KEYS = [(account, region) for account in ACCOUNTS for region in REGIONS]


@dataclass
class _Enable:
    key: tuple[str, str]
    switch: Switch
    outcome: str = "in flight"  # -> "taken", "refused" or "capped" once processed
    organization_full: bool = False  # for "capped": which cap the service named


@dataclass
class _Read:
    key: tuple[str, str]
    sent_at: int
    answer: str | None = None  # the service's state when it processed the read


class GateAgainstService(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0
        self.gate = RegionOptGate(clock=lambda: self.now)
        self.service = dict.fromkeys(KEYS, "DISABLED")
        self.theirs: set[tuple[str, str]] = set()  # switching, started by another tool
        self.enables: list[_Enable] = []
        self.reads: list[_Read] = []

    def draw_enable(self, data: st.DataObject, *, processed: bool) -> _Enable:
        """One of the EnableRegion requests the service has (not) processed yet."""
        candidates = [e for e in self.enables if (e.outcome != "in flight") == processed]
        return data.draw(st.sampled_from(candidates))

    def room(self, account: str) -> tuple[bool, bool]:
        """Whether the service's (account, organization) caps have room."""
        return (
            self.switching(account) < CAPS["per_account"],
            self.switching() < CAPS["per_organization"],
        )

    def switching(self, account: str | None = None) -> int:
        return sum(
            state == "ENABLING"
            for (acct, _), state in self.service.items()
            if account is None or acct == account
        )

    # -- the client ----------------------------------------------------------------

    @rule(key=st.sampled_from(KEYS))
    def start_enable(self, key: tuple[str, str]) -> None:
        """enable_region past its first read (which found the Region DISABLED)."""
        switch = self.gate.try_acquire(
            CALLER,
            key[0],
            key[1],
            per_account=CAPS["per_account"],
            per_organization=CAPS["per_organization"],
        )
        if switch is not None:
            self.enables.append(_Enable(key, switch))

    @rule(key=st.sampled_from(KEYS))
    def send_read(self, key: tuple[str, str]) -> None:
        """Any status read: a waiter's poll, a gate poll, another thread's check."""
        self.reads.append(_Read(key, self.gate.stamp()))

    @precondition(lambda self: any(r.answer is not None for r in self.reads))
    @rule(data=st.data())
    def deliver_read(self, data: st.DataObject) -> None:
        answered = [r for r in self.reads if r.answer is not None]
        read = data.draw(st.sampled_from(answered))
        self.reads.remove(read)
        self.gate.observe(CALLER, *read.key, read.answer, sent_at=read.sent_at)

    @precondition(lambda self: any(e.outcome != "in flight" for e in self.enables))
    @rule(data=st.data())
    def deliver_enable_answer(self, data: st.DataObject) -> None:
        """A 200 is accepted; a cap's 429 is released and recorded as a refusal; a
        409 or 400 is settled by a fresh read, as ``_regionswitch`` does."""
        enable = self.draw_enable(data, processed=True)
        self.enables.remove(enable)
        if enable.outcome == "taken":
            self.gate.accepted(enable.switch)
            return
        if enable.outcome == "capped":
            self.gate.release(enable.switch)
            self.gate.refused(
                CALLER, enable.key[0], organization=enable.organization_full, retry_in=5.0
            )
            return
        sent_at = self.gate.stamp()
        status = self.service[enable.key]
        self.gate.observe(CALLER, *enable.key, status, sent_at=sent_at)
        if status in ("ENABLING", "ENABLED"):
            self.gate.accepted(enable.switch)
        else:
            self.gate.release(enable.switch)

    @precondition(lambda self: any(e.outcome == "in flight" for e in self.enables))
    @rule(data=st.data())
    def enable_fails_before_the_service(self, data: st.DataObject) -> None:
        """Connection refused, or a 5xx after the retries: nothing was switched."""
        enable = self.draw_enable(data, processed=False)
        self.enables.remove(enable)
        self.gate.release(enable.switch)

    # -- the service -----------------------------------------------------------------

    @precondition(lambda self: any(e.outcome == "in flight" for e in self.enables))
    @rule(data=st.data())
    def service_takes_enable(self, data: st.DataObject) -> None:
        enable = self.draw_enable(data, processed=False)
        state = self.service[enable.key]
        if state != "DISABLED":  # a 409 while switching, a 400 once enabled
            enable.outcome = "refused"
            return
        ours = [k for k, v in self.service.items() if v == "ENABLING" and k not in self.theirs]
        assert len(ours) < CAPS["per_organization"], "the gate let too many of ours out"
        mine_here = [k for k in ours if k[0] == enable.key[0]]
        assert len(mine_here) < CAPS["per_account"], "the gate let too many of ours out"
        account_room, organization_room = self.room(enable.key[0])
        if not (account_room and organization_room):
            # Only switches another tool started may have filled a cap: 429.
            assert self.theirs, "429 with only this process's switches: the gate let it past"
            enable.outcome = "capped"
            enable.organization_full = not organization_room
            return
        self.service[enable.key] = "ENABLING"
        enable.outcome = "taken"

    @precondition(lambda self: any(r.answer is None for r in self.reads))
    @rule(data=st.data())
    def service_answers_read(self, data: st.DataObject) -> None:
        unanswered = [r for r in self.reads if r.answer is None]
        read = data.draw(st.sampled_from(unanswered))
        read.answer = self.service[read.key]

    @rule(key=st.sampled_from(KEYS))
    def region_settles(self, key: tuple[str, str]) -> None:
        if self.service[key] == "ENABLING":
            self.service[key] = "ENABLED"
            self.theirs.discard(key)

    @invariant()
    def gate_counts_every_switch_the_service_sees(self) -> None:
        # A cap of 0 makes every switch of the caller "in the way": all it holds.
        held = self.gate.blocking(CALLER, "nobody", per_account=99, per_organization=0)
        for key, state in self.service.items():
            if state == "ENABLING" and key not in self.theirs:
                assert key in held, f"{key} is ENABLING but its slot was freed"


class GateAgainstServiceAndAnotherTool(GateAgainstService):
    """The same, with another tool switching Regions the gate cannot count: its
    switches may fill a cap (the 429 is then recorded as a refusal), never ours."""

    @rule(key=st.sampled_from(KEYS))
    def another_tool_switches(self, key: tuple[str, str]) -> None:
        if self.service[key] == "DISABLED" and all(self.room(key[0])):
            self.service[key] = "ENABLING"
            self.theirs.add(key)

    @rule(seconds=st.sampled_from([0.5, 2.0, 5.0]))
    def time_passes(self, seconds: float) -> None:
        self.now += seconds


_SETTINGS = settings(max_examples=300, stateful_step_count=40, deadline=None)
GateAgainstService.TestCase.settings = _SETTINGS
GateAgainstServiceAndAnotherTool.TestCase.settings = _SETTINGS
test_the_gate_never_lets_a_switch_past_the_caps = GateAgainstService.TestCase
test_only_switches_started_elsewhere_fill_a_cap = GateAgainstServiceAndAnotherTool.TestCase
