"""Plan a desired state over an organization: wall time against the documented quotas' floor.

An emulated organization of ``--accounts`` members in nested OUs, enforcing
the documented per-operation quotas (per caller). The desired state names
the three alternate contact types and two Regions, so planning one account
reads 3 GetAlternateContact and 1 ListRegions. The floor is what the quotas
allow: for each operation, (requests - burst) / rate; the slowest operation
sets it. Prints the enumeration time (top-down walk, paced at a few
requests a second), the plan's wall time, the floor, their ratio, and the
requests the emulator throttled (429).

With ``--apply``, then applies a desired state enabling one opt-in Region in
every account (EnableRegion 1/s; a switch takes ``--switch-seconds``; at most
``--cap`` switching at once in the organization) and prints its wall time
against that floor: the last EnableRegion's earliest send, plus one switch.

    PYTHONPATH=. python benchmarks/org_plan.py [--accounts 200] [--workers 8]
        [--apply --switch-seconds 12 --cap 20]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from account_mgmt._quotas import DOCUMENTED_QUOTAS
from account_mgmt.org import (
    AccountSelection,
    OrganizationsClient,
    Targets,
    apply,
    parse_desired_state,
    plan,
    select_accounts,
)
from account_mgmt.testing import AccountEmulator

REGION = "il-central-1"
"""The Region the apply measurement enables (one the plan's spec leaves alone)."""

SPEC = """\
alternate_contacts:
  SECURITY: {name: Security Team, title: SecOps, email_address: sec@example.com,
             phone_number: "+1 206 555 0100"}
  OPERATIONS: {name: Ops, title: On call, email_address: ops@example.com,
               phone_number: "+1 206 555 0101"}
  BILLING: absent
regions:
  af-south-1: enabled
  me-south-1: disabled
"""


def floor_seconds(requests: Counter[str]) -> tuple[float, str]:
    """The quotas' floor for these requests, and the operation that sets it."""
    worst, which = 0.0, ""
    for operation, count in requests.items():
        quota = DOCUMENTED_QUOTAS.get(operation)
        if quota is None:
            continue
        seconds = max(0.0, count - quota.burst) / quota.rate
        if seconds > worst:
            worst, which = seconds, operation
    return worst, which


def enable_floor_seconds(accounts: int, cap: int, switch_seconds: float) -> float:
    """When the last account's switch can settle: EnableRegion at its rate, each switch
    past the cap only once the one ``cap`` places earlier has settled."""
    rate = DOCUMENTED_QUOTAS["EnableRegion"].rate
    sent: list[float] = []
    for i in range(accounts):
        at = i / rate
        if i >= cap:
            at = max(at, sent[i - cap] + switch_seconds, sent[-1] + 1 / rate)
        sent.append(at)
    return (sent[-1] + switch_seconds) if sent else 0.0


def measure_apply(emulator: AccountEmulator, targets: Targets, workers: int, cap: int) -> None:
    desired = parse_desired_state(f"regions: {{{REGION}: enabled}}\n", "apply.yaml")
    with emulator.client(region_opt_concurrency_per_organization=cap) as client:
        planned = plan(client, targets, desired, max_workers=workers)
        emulator.reset_counts()
        started = time.monotonic()
        result = apply(client, planned, max_workers=workers, poll_interval=1.0)
        seconds = time.monotonic() - started
    floor = enable_floor_seconds(
        len(planned.changes), cap, emulator.world.settings.region_transition_seconds
    )
    requests = emulator.request_counts
    print(f"apply: {seconds:.2f} s to enable {REGION} in {len(planned.changes)} accounts")
    print(f"apply floor: {floor:.2f} s (EnableRegion 1/s, cap {cap})")
    print(f"apply ratio: {seconds / floor:.3f}x the floor" if floor else "apply ratio: n/a")
    print(f"apply requests: {dict(requests)}")
    print(f"apply throttled (429): {sum(emulator.throttled_counts.values())}")
    print(f"converged: {result.converged}, failed: {result.count('failed')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--apply", action="store_true", help="also measure apply")
    parser.add_argument("--switch-seconds", type=float, default=12.0)
    parser.add_argument("--cap", type=int, default=20)
    args = parser.parse_args()
    desired = parse_desired_state(SPEC, "benchmark.yaml")
    with AccountEmulator(
        member_count=args.accounts,
        ou_depth=3,
        ou_fanout=3,
        enforce_quotas=True,
        region_transition_seconds=args.switch_seconds,
        region_opt_concurrency_per_organization=args.cap,
    ) as emulator:
        keys = emulator.credentials_for()
        started = time.monotonic()
        with OrganizationsClient(
            endpoint_url=emulator.url,
            aws_access_key_id=keys.access_key_id,
            aws_secret_access_key=keys.secret_access_key,
        ) as organizations:
            targets = select_accounts(AccountSelection(all_accounts=True), organizations)
        walked = time.monotonic() - started
        walk_calls = sum(emulator.request_counts.values())
        emulator.reset_counts()
        with emulator.client() as client:
            started = time.monotonic()
            result = plan(client, targets, desired, max_workers=args.workers)
            planned = time.monotonic() - started
        requests = emulator.request_counts
        floor, bottleneck = floor_seconds(requests)
        print(f"accounts targeted: {len(targets.accounts)} ({len(targets.skipped)} skipped)")
        print(f"enumeration: {walked:.2f} s, {walk_calls} Organizations calls")
        print(f"plan: {planned:.2f} s for {sum(requests.values())} requests {dict(requests)}")
        print(f"floor: {floor:.2f} s (set by {bottleneck})")
        print(f"ratio: {planned / floor:.3f}x the floor" if floor else "ratio: n/a")
        print(f"throttled (429): {sum(emulator.throttled_counts.values())}")
        print(f"changes: {len(result.changes)}, failed accounts: {len(result.failed)}")
        if args.apply:
            measure_apply(emulator, targets, args.workers, args.cap)


if __name__ == "__main__":
    main()
