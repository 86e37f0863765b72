"""Opt every member account in to one Region: account_mgmt vs boto3, same emulator.

The organization-wide job the Region gate exists for. EnableRegion is paced
at 1/s, and the service refuses a switch past its concurrency caps (here
``--cap`` Regions switching at once in the organization) with a 429 that
seconds of backoff cannot clear: a switch takes ``--switch-seconds``. Both
clients run 8 threads, one EnableRegion per account, without waiting for
the Regions to finish. Prints wall time against the floor the rate and the
cap allow, the EnableRegion requests sent and refused (429 for the rate or
the cap), the status reads, and the accounts whose switch failed.

    python benchmarks/region_optin.py [--accounts 30] [--cap 10] [--switch-seconds 12]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import time
from collections.abc import Callable

from _common import boto3_client

from account_mgmt._quotas import DOCUMENTED_QUOTAS
from account_mgmt.testing import AccountEmulator

WORKERS = 8
REGION = "af-south-1"


def floor_seconds(accounts: int, cap: int, switch_seconds: float) -> float:
    """When the last switch can be sent: at the EnableRegion rate, and each one past
    the cap only once the switch ``cap`` places before it has settled."""
    rate = DOCUMENTED_QUOTAS["EnableRegion"].rate
    sent: list[float] = []
    for i in range(accounts):
        at = i / rate
        if i >= cap:
            at = max(at, sent[i - cap] + switch_seconds, sent[-1] + 1 / rate)
        sent.append(at)
    return sent[-1] if sent else 0.0


def run(emulator: AccountEmulator, enable: Callable[[str], object]) -> tuple[float, int]:
    """Seconds for the whole job, and how many accounts' switches failed."""

    def one(account_id: str) -> int:
        try:
            enable(account_id)
        except Exception:  # noqa: BLE001 - a benchmark counts every surfaced error
            return 1
        return 0

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        failed = sum(pool.map(one, emulator.member_account_ids))
    return time.monotonic() - started, failed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=30)
    parser.add_argument("--cap", type=int, default=10)
    parser.add_argument("--switch-seconds", type=float, default=12.0)
    args = parser.parse_args()
    floor = floor_seconds(args.accounts, args.cap, args.switch_seconds)
    print(
        f"{args.accounts} accounts, {WORKERS} threads, at most {args.cap} switching, "
        f"{args.switch_seconds:g}s per switch; floor {floor:.1f}s"
    )
    print(
        f"{'client':<14}{'s':>7}{'xfloor':>8}{'enables':>9}{'refused':>9}{'reads':>7}{'failed':>8}"
    )
    for name, make in (("account_mgmt", ours), ("boto3", theirs)):
        # A fresh emulator per client: no Region switching, full server-side buckets.
        with AccountEmulator(
            member_count=args.accounts,
            enforce_quotas=True,
            region_transition_seconds=args.switch_seconds,
            region_opt_concurrency_per_organization=args.cap,
        ) as emulator:
            seconds, failed = run(emulator, make(emulator, args.cap))
            enables = emulator.request_counts["EnableRegion"]
            refused = enables - switched(emulator)  # for the rate or for the cap
            reads = emulator.request_counts["GetRegionOptStatus"]
            print(
                f"{name:<14}{seconds:>7.1f}{seconds / floor:>8.2f}{enables:>9}"
                f"{refused:>9}{reads:>7}{failed:>8}"
            )


def ours(emulator: AccountEmulator, cap: int) -> Callable[[str], object]:
    client = emulator.client(region_opt_concurrency_per_organization=cap)

    def enable(account_id: str) -> object:
        client.enable_region(region_name=REGION, account_id=account_id)
        return None

    return enable


def theirs(emulator: AccountEmulator, cap: int) -> Callable[[str], object]:
    client = boto3_client(emulator)  # boto3 knows no cap

    def enable(account_id: str) -> object:
        return client.enable_region(RegionName=REGION, AccountId=account_id)

    return enable


def switched(emulator: AccountEmulator) -> int:
    """Accounts whose Region the service took a switch for."""
    with emulator.world.lock:
        return sum(
            emulator.world.accounts[a].regions[REGION].status != "DISABLED"
            for a in emulator.member_account_ids
        )


if __name__ == "__main__":
    main()
