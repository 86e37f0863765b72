"""Per-call latency (median, p99) of a get and a list: account_mgmt vs boto3, same emulator.

Quotas are off so the server answers at once; the figures are the clients'
own overhead (validation, signing, HTTP, parsing) plus loopback.

It also times the HTTP stacks alone, replaying one pre-signed request with
no validation, signing or parsing: bare http.client, a urllib3 pool, and
requests' HTTPAdapter. The last is the floor for any client built on
requests, as this one is; comparing it with half of boto3's median shows
how much of the target the HTTP library leaves. Last, this client's own
call on a bare http.client transport (a benchmark-only prototype): what
replacing requests would buy.

    python benchmarks/latency.py [--calls 1000] [--blocks 10]

Each client's calls run in ``--blocks`` blocks, interleaved with the other
client's and the floor's in a rotating order, so that load elsewhere on a
shared machine falls on all three alike.

(From a worktree, prefix ``PYTHONPATH=.``: the editable install points at
main, and ``benchmarks/`` first on ``sys.path`` would time main's package.)
"""

from __future__ import annotations

import argparse
import http.client
import json
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

import requests
import requests.adapters
import urllib3
from _common import boto3_client, summary

from account_mgmt import HttpRequest, HttpResponse
from account_mgmt._signing import FrozenCredentials, sign
from account_mgmt.testing import AccountEmulator


def presigned(
    emulator: AccountEmulator, path: str, payload: dict[str, Any]
) -> tuple[bytes, dict[str, str]]:
    """A body and the headers signing it, to replay without any client-side work."""
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
    headers["Content-Length"] = str(len(body))
    return body, headers


def floor_call(emulator: AccountEmulator, path: str, payload: dict[str, Any]) -> Callable[[], Any]:
    """The server's own time: one keep-alive connection replaying a pre-signed request."""
    body, headers = presigned(emulator, path, payload)
    parts = urllib.parse.urlsplit(emulator.url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)

    def call() -> None:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        assert response.status == 200, response.status

    return call


def urllib3_call(
    emulator: AccountEmulator, path: str, payload: dict[str, Any]
) -> Callable[[], Any]:
    """The same replay through a urllib3 connection pool (what requests and botocore use)."""
    body, headers = presigned(emulator, path, payload)
    parts = urllib.parse.urlsplit(emulator.url)
    pool = urllib3.HTTPConnectionPool(parts.hostname or "127.0.0.1", parts.port, maxsize=1)

    def call() -> None:
        response = pool.urlopen("POST", path, body=body, headers=headers, retries=False)
        assert response.status == 200, response.status

    return call


def requests_call(
    emulator: AccountEmulator, path: str, payload: dict[str, Any]
) -> Callable[[], Any]:
    """The same replay through requests' HTTPAdapter, the layer this client sends with."""
    body, headers = presigned(emulator, path, payload)
    adapter = requests.adapters.HTTPAdapter(max_retries=0)

    def call() -> None:
        prepared = requests.PreparedRequest()
        prepared.prepare(method="POST", url=emulator.url + path, headers=headers, data=body)
        response = adapter.send(prepared, timeout=(5, 5))
        assert response.status_code == 200, response.status_code
        assert response.content

    return call


class BareHttpClientTransport:
    """What a transport written on http.client could reach: NOT for production use.

    One keep-alive connection, no pool, TLS, proxy, deadline or size cap: the
    floor of such a transport, to put a figure on the decision between
    requests (the project's HTTP library) and a transport of our own.
    """

    def __init__(self, endpoint_url: str) -> None:
        parts = urllib.parse.urlsplit(endpoint_url)
        self._connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)

    def send(self, request: HttpRequest, *, deadline: float | None = None) -> HttpResponse:
        path = urllib.parse.urlsplit(request.url).path
        self._connection.request(request.method, path, body=request.body, headers=request.headers)
        response = self._connection.getresponse()
        body = response.read()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return HttpResponse(status_code=response.status, headers=headers, body=body)

    def close(self) -> None:
        self._connection.close()


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
    parser.add_argument("--blocks", type=int, default=10, help="interleaved blocks per client")
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
        medians: dict[str, float] = {}
        for name, (mine, boto, floor) in cases.items():
            # Interleave blocks, the order rotating, so machine noise hits all three alike.
            block = max(1, args.calls // args.blocks)
            samples: list[list[float]] = [[], [], []]
            for index in range(args.blocks):
                for which in (index % 3, (index + 1) % 3, (index + 2) % 3):
                    samples[which] += measure((mine, boto, floor)[which], block)
            (am, ap), (bm, bp), (fm, _) = (summary(values) for values in samples)
            print(
                f"{name:<26}{am:>9.3f}{ap:>9.3f}{bm:>10.3f}{bp:>10.3f}{fm:>7.3f}"
                f"{am / bm:>7.2f}{(am - fm) / (bm - fm):>16.2f}"
            )
            medians[name] = bm
        member_payload = {"AccountId": member}
        stacks = {
            "bare http.client": floor_call(emulator, "/getAccountInformation", member_payload),
            "urllib3 pool": urllib3_call(emulator, "/getAccountInformation", member_payload),
            "requests HTTPAdapter": requests_call(
                emulator, "/getAccountInformation", member_payload
            ),
        }
        half = medians["GetAccountInformation"] / 2
        print(f"\nHTTP stacks alone, GetAccountInformation replayed (half of boto3: {half:.3f})")
        for name, call in stacks.items():
            median, _ = summary(measure(call, args.calls))
            print(f"{name:<26}{median:>9.3f}  = {median / half:.2f}x half of boto3")
        prototype = emulator.client(
            rate_limiting=False, transport=BareHttpClientTransport(emulator.url)
        )
        median, _ = summary(
            measure(lambda: prototype.get_account_information(account_id=member), args.calls)
        )
        print(
            f"\nThis client, GetAccountInformation, on a bare http.client transport "
            f"(a prototype, not shipped): {median:.3f} = {median / (2 * half):.2f}x boto3"
        )


if __name__ == "__main__":
    main()
