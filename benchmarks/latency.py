"""Per-call latency (median, p99) of a get and a list: account_mgmt vs boto3, same emulator.

Quotas are off so the server answers at once; the figures are the clients'
own overhead (validation, signing, HTTP, parsing) plus loopback.

    python benchmarks/latency.py [--calls 1000]
"""

from __future__ import annotations

import argparse
import http.client
import json
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from _common import boto3_client, summary

from account_mgmt._signing import FrozenCredentials, sign
from account_mgmt.testing import AccountEmulator


def floor_call(emulator: AccountEmulator, path: str, payload: dict[str, Any]) -> Callable[[], Any]:
    """The server's own time: one keep-alive connection replaying a pre-signed request."""
    credentials = emulator.credentials_for()
    body = json.dumps(payload).encode()
    url = emulator.url + path
    headers = sign(
        method="POST", url=url, headers={"Content-Type": "application/json"}, body=body,
        credentials=FrozenCredentials(
            credentials.access_key_id, credentials.secret_access_key, None
        ),
        region="us-east-1", service="account",
    )  # fmt: skip
    parts = urllib.parse.urlsplit(emulator.url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)

    def call() -> None:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        assert response.status == 200, response.status

    return call


def measure(call: Callable[[], Any], calls: int) -> list[float]:
    for _ in range(20):  # warm the connection pool and any lazy set-up
        call()
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()
    with AccountEmulator(member_count=2, enforce_quotas=False) as emulator:
        ours = emulator.client(rate_limiting=False)
        theirs = boto3_client(emulator)
        member = emulator.member_account_ids[0]
        cases = {
            "GetAccountInformation": (
                lambda: ours.get_account_information(account_id=member),
                lambda: theirs.get_account_information(AccountId=member),
                floor_call(emulator, "/getAccountInformation", {"AccountId": member}),
            ),
            "ListRegions (29 regions)": (
                lambda: ours.list_regions(account_id=member, max_results=50),
                lambda: theirs.list_regions(AccountId=member, MaxResults=50),
                floor_call(emulator, "/listRegions", {"AccountId": member, "MaxResults": 50}),
            ),
        }
        print(
            f"{args.calls} calls each; milliseconds. floor = the server's own time "
            "(a bare keep-alive connection replaying one signed request)"
        )
        print(
            f"{'operation':<26}{'ours med':>9}{'ours p99':>9}{'boto3 med':>10}{'boto3 p99':>10}"
            f"{'floor':>7}{'ratio':>7}{'overhead ratio':>16}"
        )
        for name, (mine, boto, floor) in cases.items():
            # Interleave runs so machine noise hits all three alike.
            half = args.calls // 2
            a1, b1, f1 = measure(mine, half), measure(boto, half), measure(floor, half)
            a2, b2, f2 = measure(mine, half), measure(boto, half), measure(floor, half)
            (am, ap), (bm, bp), (fm, _) = summary(a1 + a2), summary(b1 + b2), summary(f1 + f2)
            print(
                f"{name:<26}{am:>9.3f}{ap:>9.3f}{bm:>10.3f}{bp:>10.3f}{fm:>7.3f}"
                f"{am / bm:>7.2f}{(am - fm) / (bm - fm):>16.2f}"
            )


if __name__ == "__main__":
    main()
