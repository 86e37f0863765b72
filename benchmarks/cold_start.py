"""Cold start: import, client construction and first call, each in a fresh interpreter.

python benchmarks/cold_start.py [--runs 7]

(From a worktree, prefix ``PYTHONPATH=.``, which the fresh interpreters
inherit: the editable install points at main.)

Both packages are imported from bytecode, as after ``pip install`` (which
compiles it). A development checkout is an editable install with no
bytecode beside the sources, and with PYTHONDONTWRITEBYTECODE set (as on
these machines) every import recompiles account_mgmt from source (~16 ms)
while botocore loads its installed bytecode. So the runs share a bytecode
cache in a temporary PYTHONPYCACHEPREFIX, filled by one unmeasured run of
each client first.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

from account_mgmt.testing import AccountEmulator

OURS = """
import time, json
t0 = time.perf_counter()
from account_mgmt import AccountClient
t1 = time.perf_counter()
c = AccountClient(endpoint_url={url!r}, aws_access_key_id={key!r}, aws_secret_access_key={secret!r})
t2 = time.perf_counter()
c.get_account_information()
t3 = time.perf_counter()
print(json.dumps([t1 - t0, t2 - t1, t3 - t2]))
"""

BOTO3 = """
import time, json
t0 = time.perf_counter()
import boto3
t1 = time.perf_counter()
c = boto3.client("account", endpoint_url={url!r}, region_name="us-east-1",
                 aws_access_key_id={key!r}, aws_secret_access_key={secret!r})
t2 = time.perf_counter()
c.get_account_information()
t3 = time.perf_counter()
print(json.dumps([t1 - t0, t2 - t1, t3 - t2]))
"""


def run(template: str, runs: int, env: dict[str, str], **values: str) -> list[float]:
    phases: list[list[float]] = []
    for _ in range(runs + 1):  # the first run fills the bytecode cache and is not counted
        out = subprocess.run(
            [sys.executable, "-c", template.format(**values)],
            check=True, capture_output=True, text=True, env=env,
        ).stdout  # fmt: skip
        phases.append(json.loads(out))
    return [statistics.median(p[i] for p in phases[1:]) * 1000 for i in range(3)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    cache = tempfile.TemporaryDirectory(prefix="cold-start-pycache-")
    env = {**os.environ, "PYTHONPYCACHEPREFIX": cache.name}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with cache, AccountEmulator(member_count=1, enforce_quotas=False) as emulator:
        credentials = emulator.credentials_for()
        values = {
            "url": emulator.url,
            "key": credentials.access_key_id,
            "secret": credentials.secret_access_key,
        }
        ours = run(OURS, args.runs, env, **values)
        theirs = run(BOTO3, args.runs, env, **values)
    print(f"median of {args.runs} fresh interpreters; milliseconds")
    print(f"{'phase':<14}{'account_mgmt':>14}{'boto3':>10}{'ratio':>8}")
    for index, phase in enumerate(("import", "client", "first call")):
        print(
            f"{phase:<14}{ours[index]:>14.1f}{theirs[index]:>10.1f}"
            f"{ours[index] / theirs[index]:>8.2f}"
        )
    print(f"{'total':<14}{sum(ours):>14.1f}{sum(theirs):>10.1f}{sum(ours) / sum(theirs):>8.2f}")


if __name__ == "__main__":
    main()
