"""The Region gate against a model of the service, in every order messages can take.

Hypothesis drives one caller's switches and status reads through the gate
while a model service takes requests, answers and settles Regions, with
every request and answer free to be delayed past any other. The property is
the one the gate exists for: the service never sees a switch past its caps
(it would answer a 429 that no backoff clears). Reads are stamped when sent,
answered with the service's state when processed and observed when they
arrive, the interleaving that let a stale DISABLED free a slot.
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
    outcome: str = "in flight"  # -> "taken" or "refused" once processed


@dataclass
class _Read:
    key: tuple[str, str]
    sent_at: int
    answer: str | None = None  # the service's state when it processed the read


class GateAgainstService(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.gate = RegionOptGate()
        self.service = dict.fromkeys(KEYS, "DISABLED")
        self.enables: list[_Enable] = []
        self.reads: list[_Read] = []

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
        switch = self.gate.try_acquire(CALLER, key[0], key[1], **CAPS)
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
        """A 200 is accepted; a refusal (409 or 400) is settled by a fresh read, as
        ``_regionswitch`` does."""
        answered = [e for e in self.enables if e.outcome != "in flight"]
        enable = data.draw(st.sampled_from(answered))
        self.enables.remove(enable)
        if enable.outcome == "taken":
            self.gate.accepted(enable.switch)
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
        in_flight = [e for e in self.enables if e.outcome == "in flight"]
        enable = data.draw(st.sampled_from(in_flight))
        self.enables.remove(enable)
        self.gate.release(enable.switch)

    # -- the service -----------------------------------------------------------------

    @precondition(lambda self: any(e.outcome == "in flight" for e in self.enables))
    @rule(data=st.data())
    def service_takes_enable(self, data: st.DataObject) -> None:
        in_flight = [e for e in self.enables if e.outcome == "in flight"]
        enable = data.draw(st.sampled_from(in_flight))
        state = self.service[enable.key]
        if state != "DISABLED":  # a 409 while switching, a 400 once enabled
            enable.outcome = "refused"
            return
        account = enable.key[0]
        assert self.switching(account) < CAPS["per_account"], "429: account cap"
        assert self.switching() < CAPS["per_organization"], "429: organization cap"
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

    @invariant()
    def gate_counts_every_switch_the_service_sees(self) -> None:
        # A cap of 0 makes every switch of the caller "in the way": all it holds.
        held = self.gate.blocking(CALLER, "nobody", per_account=99, per_organization=0)
        for key, state in self.service.items():
            if state == "ENABLING":
                assert key in held, f"{key} is ENABLING but its slot was freed"


GateAgainstService.TestCase.settings = settings(
    max_examples=300, stateful_step_count=40, deadline=None
)
test_the_gate_never_lets_a_switch_past_the_caps = GateAgainstService.TestCase
