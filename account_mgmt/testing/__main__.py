"""``python -m account_mgmt.testing serve``: run the emulator for boto3, the AWS CLI or a shell."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Sequence

from account_mgmt.testing._emulator import AccountEmulator


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m account_mgmt.testing")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the emulator until interrupted")
    serve.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: any free)")
    serve.add_argument("--members", type=int, default=50, help="member accounts (default 50)")
    serve.add_argument(
        "--transition-seconds",
        type=float,
        default=2.0,
        help="how long ENABLING/DISABLING lasts (default 2)",
    )
    serve.add_argument("--no-quotas", action="store_true", help="do not enforce rate quotas")
    args = parser.parse_args(argv)

    emulator = AccountEmulator(
        member_count=args.members,
        region_transition_seconds=args.transition_seconds,
        enforce_quotas=not args.no_quotas,
        port=args.port,
    ).start()
    credentials = emulator.credentials_for()
    print(f"Account emulator listening on {emulator.url}")
    print(
        f"management account {emulator.management_account_id}; members: "
        f"{', '.join(emulator.member_account_ids[:3])}... ({len(emulator.member_account_ids)})"
    )
    print("To use it from a shell (AWS CLI, boto3):")
    print(f"  export AWS_ENDPOINT_URL_ACCOUNT={emulator.url}")
    print(f"  export AWS_ACCESS_KEY_ID={credentials.access_key_id}")
    print(f"  export AWS_SECRET_ACCESS_KEY={credentials.secret_access_key}")
    print("  export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1")
    sys.stdout.flush()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    with contextlib.suppress(KeyboardInterrupt):
        stopped.wait()
    emulator.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
