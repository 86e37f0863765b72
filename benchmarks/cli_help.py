"""``account-mgmt --help`` against ``python -c "import boto3"``, side by side.

python benchmarks/cli_help.py [--runs 15] [--root CHECKOUT]

Each run is a fresh interpreter, wall time from spawn to exit; the commands
alternate so that machine noise hits both alike; the median is reported with
the ratio (target: under a third of boto3's import). ``python -c pass`` is
shown as the floor every interpreter pays. ``account-mgmt`` runs as
``python -m account_mgmt.cli`` from ``--root`` (default: this checkout), so
the checkout's code is measured, not an installed copy.

Bytecode is cached in a temporary PYTHONPYCACHEPREFIX filled by one unmeasured
run of each command, as after ``pip install`` (see cold_start.py for why).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "account-mgmt --help": [sys.executable, "-m", "account_mgmt.cli", "--help"],
    "python -c 'import boto3'": [sys.executable, "-c", "import boto3"],
}


def timed(argv: list[str], *, cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cli-help-pycache-") as cache:
        env = {**os.environ, "PYTHONPYCACHEPREFIX": cache}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        times: dict[str, list[float]] = {name: [] for name in COMMANDS}
        for argv in COMMANDS.values():  # fills the bytecode cache; not counted
            timed(argv, cwd=args.root, env=env)
        for _ in range(args.runs):
            for name, argv in COMMANDS.items():
                times[name].append(timed(argv, cwd=args.root, env=env))
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    boto3 = medians["python -c 'import boto3'"]
    print(f"median of {args.runs} fresh interpreters each, alternating; milliseconds")
    print(f"{'command':<28}{'median':>8}{'min':>8}{'/ boto3':>9}")
    for name, median in medians.items():
        fastest = min(times[name]) * 1000
        print(f"{name:<28}{median:>8.1f}{fastest:>8.1f}{median / boto3:>9.2f}")
    ratio = medians["account-mgmt --help"] / boto3
    verdict = "meets" if ratio < 1 / 3 else "misses"
    print(f"account-mgmt --help is {ratio:.2f}x boto3's import: {verdict} the 1/3 target")


if __name__ == "__main__":
    main()
