"""Plan a desired state over an organization: wall time against the documented quotas' floor.

An emulated organization of ``--accounts`` members in nested OUs, enforcing
the documented per-operation quotas (per caller). The desired state names
the three alternate contact types and two Regions, so planning one account
reads 3 GetAlternateContact and 1 ListRegions. The floor is what the quotas
allow: for each operation, (requests - burst) / rate; the slowest operation
sets it. Prints the enumeration time (top-down walk, paced at a few
requests a second), the plan's wall time, the floor, their ratio, and the
requests the emulator throttled (429).

    python benchmarks/org_plan.py [--accounts 200] [--workers 8]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from account_mgmt._quotas import DOCUMENTED_QUOTAS
from account_mgmt.org import (
    AccountSelection,
    OrganizationsClient,
    parse_desired_state,
    plan,
    select_accounts,
)
from account_mgmt.testing import AccountEmulator

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    desired = parse_desired_state(SPEC, "benchmark.yaml")
    with AccountEmulator(
        member_count=args.accounts, ou_depth=3, ou_fanout=3, enforce_quotas=True
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


if __name__ == "__main__":
    main()
