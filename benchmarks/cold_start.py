"""Cold start: import, client construction and first call, each in a fresh interpreter.

python benchmarks/cold_start.py [--runs 9] [--plugin] [--keys-from arguments|environment]

Both clients are given the emulator's endpoint and, by default, the keys
as arguments; ``--keys-from environment`` leaves the keys to each one's
credential chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, as a Lambda
function or a CI job has them). The shell's own AWS credential and profile
variables are left out of both clients' environment.

(From a worktree, prefix ``PYTHONPATH=.``, which the fresh interpreters
inherit: the editable install points at main.)

Both packages are imported from bytecode, as after ``pip install`` (which
compiles it). A development checkout is an editable install with no
bytecode beside the sources, and with PYTHONDONTWRITEBYTECODE set (as on
these machines) every import recompiles account_mgmt from source (~16 ms)
while botocore loads its installed bytecode. So the runs share a bytecode
cache in a temporary PYTHONPYCACHEPREFIX, filled by one unmeasured run of
each client first.

The two clients run alternately (ours, boto3, ours, ...), so that a burst of
load elsewhere on the machine falls on both; the total's ratio is given per
pair of runs, as the median with its spread. Each phase is timed twice: by
the wall clock (what a user waits) and by the process's CPU time, which
leaves out the time the process waited for a core while something else ran
on a shared machine (the import is CPU work on files the page cache holds).

``--plugin`` also times what the package's pytest plugin (the ``pytest11``
entry point ``account_mgmt``) adds to a pytest run that does not use it:
importing the plugin module after pytest, in fresh interpreters; and, for
scale, ``pytest --collect-only`` of a one-test file with the plugin and
with ``-p no:account_mgmt`` (alternately; pytest's own start varies by more
than the plugin costs).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from account_mgmt.testing import AccountEmulator

OURS = """
import time, json
w0, c0 = time.perf_counter(), time.process_time()
from account_mgmt import AccountClient
w1, c1 = time.perf_counter(), time.process_time()
c = AccountClient(endpoint_url={url!r}{keys})
w2, c2 = time.perf_counter(), time.process_time()
c.get_account_information()
w3, c3 = time.perf_counter(), time.process_time()
print(json.dumps([w1 - w0, w2 - w1, w3 - w2, c1 - c0, c2 - c1, c3 - c2]))
"""

BOTO3 = """
import time, json
w0, c0 = time.perf_counter(), time.process_time()
import boto3
w1, c1 = time.perf_counter(), time.process_time()
c = boto3.client("account", endpoint_url={url!r}, region_name="us-east-1"{keys})
w2, c2 = time.perf_counter(), time.process_time()
c.get_account_information()
w3, c3 = time.perf_counter(), time.process_time()
print(json.dumps([w1 - w0, w2 - w1, w3 - w2, c1 - c0, c2 - c1, c3 - c2]))
"""


def once(template: str, env: dict[str, str], values: dict[str, str]) -> list[float]:
    out = subprocess.run(
        [sys.executable, "-c", template.format(**values)],
        check=True, capture_output=True, text=True, env=env,
    ).stdout  # fmt: skip
    phases: list[float] = json.loads(out)
    return [phase * 1000 for phase in phases]


def spread(values: list[float], digits: int = 2) -> str:
    return (
        f"{statistics.median(values):.{digits}f} "
        f"[{min(values):.{digits}f}-{max(values):.{digits}f}]"
    )


_SHELL_CREDENTIALS = frozenset(
    {
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION", "AWS_ACCOUNT_ID", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
    }
)  # fmt: skip
"""Variables that would change which credential path is timed."""


def clients(runs: int, env: dict[str, str], keys_from: str) -> None:
    env = {name: value for name, value in env.items() if name not in _SHELL_CREDENTIALS}
    with AccountEmulator(member_count=1, enforce_quotas=False) as emulator:
        credentials = emulator.credentials_for()
        values = {"url": emulator.url, "keys": ""}
        if keys_from == "arguments":
            values["keys"] = (
                f", aws_access_key_id={credentials.access_key_id!r}"
                f", aws_secret_access_key={credentials.secret_access_key!r}"
            )
        else:  # the credential chain finds them in the environment
            env = {
                **env,
                "AWS_ACCESS_KEY_ID": credentials.access_key_id,
                "AWS_SECRET_ACCESS_KEY": credentials.secret_access_key,
            }
        once(OURS, env, values)  # fill the bytecode cache; not counted
        once(BOTO3, env, values)
        ours: list[list[float]] = []
        theirs: list[list[float]] = []
        for index in range(runs):
            pair = [(OURS, ours), (BOTO3, theirs)]
            for template, results in pair if index % 2 == 0 else pair[::-1]:
                results.append(once(template, env, values))
    print(
        f"median of {runs} fresh interpreters each, run alternately; keys from the "
        f"{'client arguments' if keys_from == 'arguments' else 'environment (the chain)'}; "
        "milliseconds"
    )
    for title, first in (("wall clock", 0), ("CPU time of the process", 3)):
        print(f"{title}:")
        print(f"  {'phase':<14}{'account_mgmt':>14}{'boto3':>10}{'ratio':>8}")
        for index, phase in enumerate(("import", "client", "first call")):
            a = statistics.median(run[first + index] for run in ours)
            b = statistics.median(run[first + index] for run in theirs)
            print(f"  {phase:<14}{a:>14.1f}{b:>10.1f}{a / b:>8.2f}")
        totals = (
            [sum(run[first : first + 3]) for run in ours],
            [sum(run[first : first + 3]) for run in theirs],
        )
        a, b = statistics.median(totals[0]), statistics.median(totals[1])
        print(f"  {'total':<14}{a:>14.1f}{b:>10.1f}{a / b:>8.2f}")
        ratios = [x / y for x, y in zip(*totals, strict=True)]
        print(f"  total ratio per pair of runs: {spread(ratios)}")


PLUGIN = """
import time, json, pytest
t0 = time.perf_counter()
import account_mgmt.testing.pytest_plugin
print(json.dumps([time.perf_counter() - t0]))
"""


def plugin(runs: int, env: dict[str, str]) -> None:
    loads = [once(PLUGIN, env, {})[0] for _ in range(runs + 1)][1:]  # the first fills the cache
    with tempfile.TemporaryDirectory(prefix="cold-start-pytest-") as folder:
        Path(folder, "test_one.py").write_text("def test_one():\n    pass\n", encoding="utf-8")
        base = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]

        def timed(extra: list[str]) -> float:
            started = time.perf_counter()
            subprocess.run(
                [*base, *extra, "test_one.py"],
                cwd=folder, env=env, check=True, capture_output=True,
            )  # fmt: skip
            return (time.perf_counter() - started) * 1000

        timed([])  # fill the bytecode cache
        timed(["-p", "no:account_mgmt"])
        with_plugin: list[float] = []
        without: list[float] = []
        for index in range(runs):
            pair = [([], with_plugin), (["-p", "no:account_mgmt"], without)]
            for extra, results in pair if index % 2 == 0 else pair[::-1]:
                results.append(timed(extra))
    print(f"pytest plugin, median [min-max] of {runs} fresh interpreters; milliseconds")
    print(f"loading the plugin module after pytest: {spread(loads, 2)}")
    print(f"pytest --collect-only of one test, with the plugin: {spread(with_plugin, 1)}")
    print(f"the same with -p no:account_mgmt:               {spread(without, 1)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--plugin", action="store_true", help="time the pytest plugin too")
    parser.add_argument(
        "--keys-from",
        choices=("arguments", "environment"),
        default="arguments",
        help="pass the keys to the client, or leave them to the credential chain",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cold-start-pycache-") as cache:
        env = {**os.environ, "PYTHONPYCACHEPREFIX": cache}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        clients(args.runs, env, args.keys_from)
        if args.plugin:
            plugin(args.runs, env)


if __name__ == "__main__":
    main()
