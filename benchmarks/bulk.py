"""Bulk job at the documented quotas: account_mgmt vs boto3, same quota-enforcing emulator.

Audits the SECURITY contact of N member accounts (GetAlternateContact:
10/s, burst 15) with 8 threads, as an organization-wide tool would, and sets
one in each (PutAlternateContact: 5/s, burst 8). Prints wall time against
the theoretical minimum the quotas allow, 429s the server sent, and errors
that reached the caller.

    python benchmarks/bulk.py [--accounts 150] [--first-delay 0.25]

``--first-delay`` makes the service take the first 8 requests that many
seconds late, as a slow connection set-up or first answer would.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import time
from collections.abc import Callable
from typing import Any

from _common import boto3_client

from account_mgmt import ResourceNotFoundException
from account_mgmt._quotas import DOCUMENTED_QUOTAS
from account_mgmt.testing import AccountEmulator, FaultKind

WORKERS = 8
CONTACT = {
    "Name": "Sec",
    "Title": "CISO",
    "EmailAddress": "sec@example.com",
    "PhoneNumber": "+1 555 0100",
}


def theoretical_minimum(calls: int, operation: str) -> float:
    quota = DOCUMENTED_QUOTAS[operation]
    return max(0.0, (calls - quota.burst) / quota.rate)


def run_job(
    emulator: AccountEmulator,
    accounts: list[str],
    get: Callable[[str], Any],
    put: Callable[[str], Any],
) -> tuple[float, float, int, int, int]:
    emulator.reset_counts()
    errors = 0

    def one(call: Callable[[str], Any], account_id: str) -> int:
        try:
            call(account_id)
        except ResourceNotFoundException:
            return 0
        except Exception as exc:  # noqa: BLE001 - a benchmark counts every surfaced error
            name = type(exc).__name__
            return 0 if name == "ResourceNotFoundException" else 1
        return 0

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        errors += sum(pool.map(lambda a: one(get, a), accounts))
    get_seconds = time.monotonic() - started
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        errors += sum(pool.map(lambda a: one(put, a), accounts))
    put_seconds = time.monotonic() - started
    sent = sum(emulator.request_counts.values())
    throttled = sum(emulator.throttled_counts.values())
    return get_seconds, put_seconds, sent, throttled, errors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=150)
    parser.add_argument("--first-delay", type=float, default=0.0)
    args = parser.parse_args()
    n = args.accounts
    floor_get = theoretical_minimum(n, "GetAlternateContact")
    floor_put = theoretical_minimum(n, "PutAlternateContact")
    print(
        f"{n} accounts, {WORKERS} threads; quota floor: Get {floor_get:.1f}s, Put {floor_put:.1f}s"
    )
    print(
        f"{'client':<14}{'Get s':>8}{'xfloor':>8}{'Put s':>8}{'xfloor':>8}"
        f"{'sent':>7}{'429s':>7}{'429 %':>7}{'errors':>8}"
    )
    for name, make_calls in (("account_mgmt", ours), ("boto3", theirs)):
        # A fresh emulator per client: both start with full server-side buckets.
        with AccountEmulator(member_count=n, enforce_quotas=True) as emulator:
            if args.first_delay:
                emulator.inject(FaultKind.DELAY, delay=args.first_delay, count=WORKERS)
            get, put = make_calls(emulator)
            g, p, sent, throttled, errors = run_job(emulator, emulator.member_account_ids, get, put)
            print(
                f"{name:<14}{g:>8.1f}{g / floor_get:>8.2f}{p:>8.1f}{p / floor_put:>8.2f}"
                f"{sent:>7}{throttled:>7}{100 * throttled / sent:>6.1f}%{errors:>8}"
            )


Calls = tuple[Callable[[str], Any], Callable[[str], Any]]


def ours(emulator: AccountEmulator) -> Calls:
    client = emulator.client()

    def get(account_id: str) -> Any:
        return client.get_alternate_contact(
            alternate_contact_type="SECURITY", account_id=account_id
        )

    def put(account_id: str) -> Any:
        return client.put_alternate_contact(
            alternate_contact_type="SECURITY", name="Sec", title="CISO",
            email_address="sec@example.com", phone_number="+1 555 0100", account_id=account_id,
        )  # fmt: skip

    return get, put


def theirs(emulator: AccountEmulator) -> Calls:
    client = boto3_client(emulator)

    def get(account_id: str) -> Any:
        return client.get_alternate_contact(AlternateContactType="SECURITY", AccountId=account_id)

    def put(account_id: str) -> Any:
        return client.put_alternate_contact(
            AlternateContactType="SECURITY", AccountId=account_id, **CONTACT
        )

    return get, put


if __name__ == "__main__":
    main()
