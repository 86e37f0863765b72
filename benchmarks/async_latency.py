"""Async CPU per call and latency: AsyncAccountClient vs aiobotocore, one emulator, one run.

For GetAccountInformation and ListRegions (29 Regions), side by side:
- CPU per call at 50 concurrent tasks: ``time.process_time()`` over N calls
  / N, for ``AsyncAccountClient(rate_limiting=False)``, for aiobotocore's
  ``account`` client, and for plain aiohttp replaying one pre-signed request
  (the floor: no validation, signing or parsing). Target: ours <= 0.40x
  aiobotocore's (issue 10).
- Sequential latency, median and p99. Target: ours <= 0.60x aiobotocore's
  median.

The emulator runs in a child process (quotas off, so it answers at once and
the figures are the clients' own): process CPU time counts every thread of
a process, so a server inside this one would be charged to our client.
aiobotocore pins botocore 1.43.x and account_mgmt needs 1.44, so
aiobotocore runs as a subprocess from a venv of its own
(``_aiobotocore_worker.py``), told the emulator's URL and keys in its
environment, timed by the same loops (``_asyncbench.py``) and answering in
JSON. The floor is measured in both processes (same aiohttp) as a check that
the two processes are comparable. Every measurement is repeated over
``--rounds`` rounds, the clients taking turns in a rotating order, and each
figure is the median over rounds with its [min-max] spread. The machine may
be shared: the load average is printed at the start and the end.

Set-up (once), then run from the repository root with the project's venv:

    python3 -m venv /work/venv-aiobotocore
    /work/venv-aiobotocore/bin/pip install aiobotocore
    /work/venv/bin/python benchmarks/async_latency.py [--rounds 7] [--calls 1000]
        [--sequential-calls 300] [--concurrency 50] [--json results.json]
        [--aiobotocore-python /work/venv-aiobotocore/bin/python]

``--profile`` instead runs the concurrent loop of our client and of the
floor under cProfile (CPU time), once per operation, and prints where the
time goes, by package (account_mgmt by module) and by function.

Reading the figures on a shared machine: read the ratios, not the absolute
CPU figures, which grow for every side (the floor included) with the load
of other processes. Sequential latency is the noisiest: under load a call
that needs more CPU is preempted more often, so wall time grows faster than
CPU (the ``seq CPU us/call`` column shows the clients' own cost). Every
pool holds ``--concurrency`` connections (aiobotocore: ``max_pool_connections``;
both clients' default of 10 would queue 40 of the 50 tasks).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import multiprocessing
import multiprocessing.connection
import os
import pstats
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import IO, Any, Final

import aiohttp
from _asyncbench import AiohttpReplay, Call, concurrently, cpu_per_call, latency

from account_mgmt import AsyncAccountClient
from account_mgmt._signing import FrozenCredentials, sign
from account_mgmt.testing import AccountEmulator

CPU_TARGET: Final = 0.40
"""Issue 10: CPU per call at 50 concurrent tasks, at most this fraction of aiobotocore's."""

LATENCY_TARGET: Final = 0.60
"""Issue 10: sequential median latency, at most this fraction of aiobotocore's."""

DEFAULT_AIOBOTOCORE_PYTHON: Final = "/work/venv-aiobotocore/bin/python"
"""Where the set-up above puts aiobotocore's venv."""

OPERATIONS: Final = {
    "GetAccountInformation": ("/getAccountInformation", {}),
    "ListRegions": ("/listRegions", {"MaxResults": 50}),
}
"""Operation -> (path, wire members beside AccountId), for the pre-signed floor request."""

SIDES: Final = ("account_mgmt", "aiobotocore", "aiohttp floor", "aiohttp floor (worker)")
"""What is measured, in table order; the last runs in aiobotocore's process."""

EMULATOR_START_TIMEOUT: Final = 60.0
"""Seconds to wait for the emulator process (it loads botocore's models first)."""


# -- the emulator, in a process of its own ------------------------------------------------


def _serve_emulator(connection: multiprocessing.connection.Connection) -> None:
    """Child process: serve until the parent says stop or goes away."""
    with AccountEmulator(member_count=2, enforce_quotas=False) as emulator:
        credentials = emulator.credentials_for()
        connection.send(
            {
                "url": emulator.url,
                "account_id": emulator.member_account_ids[0],
                "access_key_id": credentials.access_key_id,
                "secret_access_key": credentials.secret_access_key,
            }
        )
        with contextlib.suppress(EOFError):
            connection.recv()


# -- the aiobotocore worker ----------------------------------------------------------------


class WorkerProcess:
    """The aiobotocore subprocess: one JSON command line in, one JSON result line out."""

    def __init__(self, python: str, emulator: dict[str, str], pool: int) -> None:
        script = Path(__file__).with_name("_aiobotocore_worker.py")
        env = dict(
            os.environ,
            BENCH_ENDPOINT_URL=emulator["url"],
            BENCH_ACCESS_KEY_ID=emulator["access_key_id"],
            BENCH_SECRET_ACCESS_KEY=emulator["secret_access_key"],
            BENCH_ACCOUNT_ID=emulator["account_id"],
            BENCH_POOL=str(pool),
        )
        self._process = subprocess.Popen(
            [python, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True
        )
        self.versions: dict[str, str] = self._read()["versions"]

    def _read(self) -> dict[str, Any]:
        stdout: IO[str] | None = self._process.stdout
        assert stdout is not None
        line = stdout.readline()
        if not line:
            raise SystemExit(f"the aiobotocore worker ended (exit {self._process.wait()})")
        result: dict[str, Any] = json.loads(line)
        return result

    def run(self, command: dict[str, Any]) -> dict[str, float]:
        stdin: IO[str] | None = self._process.stdin
        assert stdin is not None
        stdin.write(json.dumps(command) + "\n")
        stdin.flush()
        return self._read()

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait(timeout=30)


# -- our side --------------------------------------------------------------------------------


def presigned_request(emulator: dict[str, str], operation: str) -> dict[str, Any]:
    """URL, body and signed headers of one request, to replay with no client-side work."""
    path, members = OPERATIONS[operation]
    body = json.dumps({"AccountId": emulator["account_id"], **members}).encode()
    url = emulator["url"] + path
    headers = sign(
        method="POST",
        url=url,
        headers={"Content-Type": "application/json"},
        body=body,
        credentials=FrozenCredentials(
            emulator["access_key_id"], emulator["secret_access_key"], None
        ),
        region="us-east-1",
        service="account",
    )
    return {"url": url, "body": body.decode(), "headers": headers}


def our_call(client: AsyncAccountClient, operation: str, account_id: str) -> Call:
    if operation == "GetAccountInformation":
        return lambda: client.get_account_information(account_id=account_id)
    return lambda: client.list_regions(account_id=account_id, max_results=50)


class OurSide:
    """Our client and the floor, driven in one long-lived event loop of this process."""

    def __init__(self, emulator: dict[str, str], pool: int) -> None:
        self._runner = asyncio.Runner()
        self._emulator = emulator
        self._client = AsyncAccountClient(
            endpoint_url=emulator["url"],
            aws_access_key_id=emulator["access_key_id"],
            aws_secret_access_key=emulator["secret_access_key"],
            rate_limiting=False,
            max_pool_connections=pool,
        )
        self._floor = AiohttpReplay(pool=pool)

    def call_for(self, side: str, operation: str, request: dict[str, Any]) -> Call:
        if side == "account_mgmt":
            return our_call(self._client, operation, self._emulator["account_id"])
        return self._floor.call_for(request["url"], request["body"].encode(), request["headers"])

    def run(self, side: str, command: dict[str, Any]) -> dict[str, float]:
        call = self.call_for(side, command["operation"], command["request"])
        if command["mode"] == "cpu":
            measured = cpu_per_call(
                call, calls=command["calls"], concurrency=command["concurrency"]
            )
        else:
            measured = latency(call, calls=command["calls"])
        return self._runner.run(measured)

    def profile(
        self, side: str, operation: str, request: dict[str, Any], *, calls: int, concurrency: int
    ) -> pstats.Stats:
        call = self.call_for(side, operation, request)
        self._runner.run(cpu_per_call(call, calls=concurrency, concurrency=concurrency))
        # CPU time, not wall time: on a busy machine a wall-clock profile charges
        # whichever function was running when the process was preempted.
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        self._runner.run(concurrently(call, calls=calls, concurrency=concurrency))
        profiler.disable()
        return pstats.Stats(profiler)

    def close(self) -> None:
        self._runner.run(self._client.aclose())
        self._runner.run(self._floor.aclose())
        self._runner.close()


# -- the comparison --------------------------------------------------------------------------


Figures = dict[str, dict[str, dict[str, list[float]]]]
"""operation -> side -> figure name (cpu_us, median_ms...) -> one value per round."""


def measure(
    args: argparse.Namespace, ours: OurSide, worker: WorkerProcess, emulator: Any
) -> Figures:
    figures: Figures = {
        operation: {side: defaultdict(list) for side in SIDES} for operation in OPERATIONS
    }
    for round_index in range(args.rounds):
        # Rotate who goes first, so a burst of load elsewhere hits every side alike.
        shift = round_index % len(SIDES)
        order = SIDES[shift:] + SIDES[:shift]
        for operation in OPERATIONS:
            request = presigned_request(emulator, operation)  # fresh: signatures age
            for mode, calls in (("cpu", args.calls), ("latency", args.sequential_calls)):
                for side in order:
                    command = {
                        "operation": operation,
                        "mode": mode,
                        "calls": calls,
                        "concurrency": args.concurrency,
                        "request": request,
                    }
                    if side == "aiobotocore":
                        result = worker.run({**command, "client": "aiobotocore"})
                    elif side == "aiohttp floor (worker)":
                        result = worker.run({**command, "client": "aiohttp"})
                    else:
                        result = ours.run(side, command)
                    for name, value in result.items():
                        figures[operation][side][name].append(value)
        print(f"  round {round_index + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    return figures


def spread(values: list[float], digits: int) -> str:
    """Median over rounds and its [min-max]."""
    return (
        f"{statistics.median(values):.{digits}f} "
        f"[{min(values):.{digits}f}-{max(values):.{digits}f}]"
    )


def ratios(mine: list[float], theirs: list[float]) -> list[float]:
    """Per-round ratios: both sides of a round ran seconds apart, under the same load."""
    return [a / b for a, b in zip(mine, theirs, strict=True)]


def verdict(values: list[float], target: float) -> str:
    median = statistics.median(values)
    return f"{'meets' if median <= target else 'MISSES'} target <= {target:.2f}"


def report(figures: Figures, args: argparse.Namespace) -> None:
    print(
        f"\nCPU per call: {args.calls} calls over {args.concurrency} tasks; "
        f"sequential: {args.sequential_calls} calls. Median over {args.rounds} rounds "
        "[min-max]."
    )
    header = (
        f"{'':<24}{'CPU us/call':>20}{'calls/s':>18}"
        f"{'seq median ms':>24}{'seq p99 ms':>24}{'seq CPU us/call':>20}"
    )
    for operation, sides in figures.items():
        print(f"\n{operation}\n{header}")
        for side in SIDES:
            got = sides[side]
            print(
                f"{side:<24}{spread(got['cpu_us'], 0):>20}{spread(got['calls_per_s'], 0):>18}"
                f"{spread(got['median_ms'], 3):>24}{spread(got['p99_ms'], 3):>24}"
                f"{spread(got['seq_cpu_us'], 0):>20}"
            )
        ours, theirs, floor = sides["account_mgmt"], sides["aiobotocore"], sides["aiohttp floor"]
        cpu = ratios(ours["cpu_us"], theirs["cpu_us"])
        median = ratios(ours["median_ms"], theirs["median_ms"])
        p99 = ratios(ours["p99_ms"], theirs["p99_ms"])
        above_floor = [
            (a - f) / (b - f)
            for a, b, f in zip(ours["cpu_us"], theirs["cpu_us"], floor["cpu_us"], strict=True)
        ]
        print(
            f"  ratio ours/aiobotocore, CPU per call:   {spread(cpu, 2)}  "
            f"{verdict(cpu, CPU_TARGET)}"
        )
        print(
            f"  ratio ours/aiobotocore, seq median:     {spread(median, 2)}  "
            f"{verdict(median, LATENCY_TARGET)}"
        )
        print(f"  ratio ours/aiobotocore, seq p99:        {spread(p99, 2)}")
        seq_cpu = ratios(ours["seq_cpu_us"], theirs["seq_cpu_us"])
        print(f"  ratio ours/aiobotocore, seq CPU/call:   {spread(seq_cpu, 2)}")
        print(f"  CPU above the aiohttp floor, ours/theirs: {spread(above_floor, 2)}")


def print_profile(stats: pstats.Stats, title: str, calls: int) -> None:
    """Own time per package (account_mgmt per module) and the top functions."""
    buckets: dict[str, float] = defaultdict(float)
    total = 0.0
    raw: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    for (filename, _, function), (_, _, own, *_) in raw.items():
        buckets[_bucket(filename, function)] += own
        total += own
    print(f"\ncProfile (CPU time), {title}: {calls} calls at once; own time per package")
    print(f"(profiler overhead included: {total / calls * 1e6:.0f} us/call profiled)")
    for name, own in sorted(buckets.items(), key=lambda item: -item[1]):
        if own / total >= 0.005:
            print(f"  {own / calls * 1e6:>7.1f} us/call {own / total:>6.1%}  {name}")
    print("\nTop functions by own time:")
    stats.sort_stats("tottime").print_stats(25)
    print("Top functions by cumulative time:")
    stats.sort_stats("cumulative").print_stats(30)


def _bucket(filename: str, function: str) -> str:
    path = filename.replace("\\", "/")
    if "/account_mgmt/" in path:
        return "account_mgmt/" + path.rsplit("/account_mgmt/", 1)[1]
    if "site-packages/" in path:
        return path.rsplit("site-packages/", 1)[1].split("/", 1)[0]
    if path == "~":
        return f"builtins ({function})" if "method" in function else "builtins (other)"
    parts = path.rsplit("/", 2)
    return "stdlib " + "/".join(parts[-2:]) if "asyncio" in path else "stdlib " + parts[-1]


def start_emulator() -> tuple[multiprocessing.connection.Connection, Any, dict[str, str]]:
    context = multiprocessing.get_context("spawn")
    parent_end, child_end = context.Pipe()
    process = context.Process(target=_serve_emulator, args=(child_end,), daemon=True)
    process.start()
    child_end.close()
    if not parent_end.poll(EMULATOR_START_TIMEOUT):
        process.terminate()
        raise SystemExit("the emulator process did not start")
    emulator: dict[str, str] = parent_end.recv()
    return parent_end, process, emulator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=1000, help="calls per CPU measurement")
    parser.add_argument("--sequential-calls", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--aiobotocore-python", default=DEFAULT_AIOBOTOCORE_PYTHON)
    parser.add_argument("--json", type=Path, help="also write every round's figures there")
    parser.add_argument("--profile", action="store_true", help="profile our client instead")
    args = parser.parse_args()

    control, process, emulator = start_emulator()
    ours = OurSide(emulator, pool=args.concurrency)
    try:
        if args.profile:
            for operation in OPERATIONS:
                request = presigned_request(emulator, operation)
                for side in SIDES[::2]:  # ours, then the floor in this process
                    stats = ours.profile(
                        side, operation, request, calls=args.calls, concurrency=args.concurrency
                    )
                    print_profile(stats, f"{side}, {operation}", args.calls)
            return
        if not Path(args.aiobotocore_python).exists():
            raise SystemExit(
                f"{args.aiobotocore_python} not found: create aiobotocore's venv first "
                "(see this script's docstring)"
            )
        worker = WorkerProcess(args.aiobotocore_python, emulator, pool=args.concurrency)
        try:
            print(
                f"aiobotocore side: {worker.versions}; ours: aiohttp {aiohttp.__version__}, "
                f"python {sys.version.split()[0]}, {os.cpu_count()} cores"
            )
            load_before = os.getloadavg()
            figures = measure(args, ours, worker, emulator)
            load_after = os.getloadavg()
        finally:
            worker.close()
        report(figures, args)
        print(
            f"\nload average (1, 5, 15 min): start {_loads(load_before)}, end {_loads(load_after)}"
        )
        if args.json is not None:
            args.json.write_text(json.dumps(figures, indent=1))
    finally:
        ours.close()
        control.send("stop")
        process.join(timeout=10)


def _loads(values: tuple[float, float, float]) -> str:
    return ", ".join(f"{value:.1f}" for value in values)


if __name__ == "__main__":
    main()
