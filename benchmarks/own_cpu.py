"""The package's own CPU per call, above the HTTP stack: clients on canned in-memory transports.

No socket, no server: ``MockTransport`` (sync) and ``AsyncMockTransport``
(async) hand back one fixed answer, so what is timed is validation,
credentials, pacing, signing, the step machinery and decoding, the work
issue 13 asks to halve. CPU time (``time.process_time``) over ``--calls``
calls, repeated ``--rounds`` times; each figure is the median over rounds
with its [min-max] spread, in microseconds per call.

    PYTHONPATH=. python benchmarks/own_cpu.py [--rounds 7] [--calls 3000] [--profile]

(``PYTHONPATH=.`` times the checkout it runs from, not the editable install's.)

``--profile`` runs the sync GetAccountInformation and ListRegions loops
under cProfile instead and prints the 25 costliest functions of each.

``--baseline DIR`` times another tree of the package in the same minutes:
each round runs every case's loop for both trees back to back, each in a
fresh interpreter, alternating which goes first, and prints each case's
ratio (ours / baseline: the median of the rounds' ratios, with their
spread, and the ratio of the two best rounds, the least disturbed by other
load). On a shared machine only a ratio taken this way means anything.
Issue 13 asks for at most 0.5x of the code it was filed against::

    mkdir /tmp/start && git archive b7ec270 account_mgmt | tar -x -C /tmp/start
    PYTHONPATH=. python benchmarks/own_cpu.py --baseline /tmp/start
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from account_mgmt import AccountClient, AsyncAccountClient, HttpRequest, HttpResponse
from account_mgmt.testing import AsyncMockTransport, MockTransport

MEMBER = "123456789012"
REGIONS = [
    "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2",
    "ap-northeast-3", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2",
    "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7", "ca-central-1",
    "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
    "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1",
    "mx-central-1", "sa-east-1",
]  # fmt: skip
EXAMPLE_KEY_ID: Final = "AKIDEXAMPLE"
"""AWS documentation's example key id: nothing is sent anywhere."""
EXAMPLE_KEY: Final = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
"""AWS documentation's example secret key."""
ANSWERS = {
    "/getAccountInformation": json.dumps(
        {
            "AccountId": MEMBER,
            "AccountName": "member",
            "AccountCreatedDate": "2024-01-02T03:04:05Z",
            "AccountState": "ACTIVE",
        }
    ).encode(),
    "/listRegions": json.dumps(
        {
            "Regions": [
                {"RegionName": name, "RegionOptStatus": "ENABLED_BY_DEFAULT"} for name in REGIONS
            ]
        }
    ).encode(),
}


def answer(request: HttpRequest) -> HttpResponse:
    path = request.url[request.url.rindex("/") :]
    body = ANSWERS[path]
    headers = {
        "content-type": "application/json",
        "content-length": str(len(body)),
        "x-amzn-requestid": "4f6b0c3e-1111-2222-3333-444455556666",
    }
    return HttpResponse(status_code=200, headers=headers, body=body)


def sync_client() -> AccountClient:
    return AccountClient(
        transport=MockTransport(answer),
        aws_access_key_id=EXAMPLE_KEY_ID,
        aws_secret_access_key=EXAMPLE_KEY,
        region_name="us-east-1",
        rate_limiting=False,
    )


def async_client() -> AsyncAccountClient:
    return AsyncAccountClient(
        transport=AsyncMockTransport(answer),
        aws_access_key_id=EXAMPLE_KEY_ID,
        aws_secret_access_key=EXAMPLE_KEY,
        region_name="us-east-1",
        rate_limiting=False,
    )


def cpu_per_call(call: Callable[[], Any], calls: int) -> float:
    """Microseconds of process CPU per call."""
    for _ in range(50):
        call()
    started = time.process_time()
    for _ in range(calls):
        call()
    return (time.process_time() - started) / calls * 1e6


def async_cpu_per_call(make: Callable[[], Any], calls: int) -> float:
    async def loop() -> float:
        for _ in range(50):
            await make()
        started = time.process_time()
        for _ in range(calls):
            await make()
        return (time.process_time() - started) / calls * 1e6

    return asyncio.run(loop())


ISSUE_13_START: Final = "b7ec270"
"""main when issue 13's own-CPU figure was taken: the tree ``--baseline`` is meant for."""


def cases(calls: int) -> dict[str, Callable[[], float]]:
    """Each case: one timed loop of ``calls`` calls, returning CPU microseconds per call."""
    client = sync_client()
    aclient = async_client()

    async def aget() -> Any:
        return await aclient.get_account_information(account_id=MEMBER)

    async def alist() -> Any:
        return await aclient.list_regions(account_id=MEMBER, max_results=50)

    return {
        "sync GetAccountInformation": lambda: cpu_per_call(
            lambda: client.get_account_information(account_id=MEMBER), calls
        ),
        "sync ListRegions (29)": lambda: cpu_per_call(
            lambda: client.list_regions(account_id=MEMBER, max_results=50), calls
        ),
        "async GetAccountInformation": lambda: async_cpu_per_call(aget, calls),
        "async ListRegions (29)": lambda: async_cpu_per_call(alist, calls),
    }


def one_round(tree: Path, calls: int, case: str) -> float:
    """One timed loop of ``case`` in a fresh interpreter importing the package from ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, __file__, "--calls", str(calls), "--json-round", case],
        env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    result: float = json.loads(out)
    return result


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} [{min(values):.2f}-{max(values):.2f}]"


def compare(baseline: Path, rounds: int, calls: int) -> None:
    ours_tree = Path(__file__).resolve().parent.parent
    names = list(cases(1))
    ours: dict[str, list[float]] = {name: [] for name in names}
    theirs: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        for name in names:  # each case's two loops back to back, the order alternating
            order = [(ours_tree, ours), (baseline, theirs)]
            for tree, results in order if index % 2 == 0 else order[::-1]:
                results[name].append(one_round(tree, calls, name))
    print(
        f"CPU per call, microseconds: median [min-max] of {rounds} rounds of {calls}, "
        f"alternating with {baseline}"
    )
    print(f"{'case':<30}{'ours':>16}{'baseline':>18}  {'ratio per round':<20}  best/best")
    for name, values in ours.items():
        base = theirs[name]
        ratios = [a / b for a, b in zip(values, base, strict=True)]
        ours_shown = f"{statistics.median(values):.1f} [{min(values):.0f}-{max(values):.0f}]"
        base_shown = f"{statistics.median(base):.1f} [{min(base):.0f}-{max(base):.0f}]"
        print(
            f"{name:<30}{ours_shown:>16}{base_shown:>18}  {spread(ratios):<20}"
            f"  {min(values) / min(base):.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--baseline", type=Path, help=f"another tree to compare with (e.g. {ISSUE_13_START})"
    )
    parser.add_argument("--json-round", metavar="CASE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline is not None:
        compare(args.baseline, args.rounds, args.calls)
        return
    timed = cases(args.calls)
    if args.json_round:
        print(json.dumps(timed[args.json_round]()))
        return
    if args.profile:
        for name in ("sync GetAccountInformation", "sync ListRegions (29)"):
            profiler = cProfile.Profile(time.process_time)
            profiler.runcall(timed[name])
            print(f"== {name}")
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return
    results: dict[str, list[float]] = {name: [] for name in timed}
    for _ in range(args.rounds):
        for name, case in timed.items():
            results[name].append(case())
    print(f"CPU per call, microseconds: median [min-max] of {args.rounds} rounds of {args.calls}")
    for name, values in results.items():
        print(f"{name:<30}{statistics.median(values):>8.1f}  [{min(values):.1f}-{max(values):.1f}]")


if __name__ == "__main__":
    main()
