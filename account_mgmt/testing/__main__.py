"""``python -m account_mgmt.testing serve``: run the emulator for boto3, the AWS CLI or a shell.

It prints (or, with ``--env-file``, writes) the keys of four identities in the
AWS environment-variable form: the management account (as plain
``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``), and the delegated
administrator, a member and a standalone account (prefixed
``EMULATOR_DELEGATED_ADMIN_``, ``EMULATOR_MEMBER_``, ``EMULATOR_STANDALONE_``).
These keys exist only in this emulator. With ``--env-file`` nothing secret is
printed; ``--log-requests`` prints one line per request, never a key.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any, TextIO

from account_mgmt.testing._emulator import AccountEmulator
from account_mgmt.testing._world import ACCOUNT_STATUS_FIELDS

ENV_IDENTITIES = (
    ("MANAGEMENT", "management account"),
    ("DELEGATED_ADMIN", "delegated administrator"),
    ("MEMBER", "a member account"),
    ("STANDALONE", "a standalone account (outside the organization)"),
)
"""The identities serve hands out, by environment-variable prefix."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m account_mgmt.testing")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the emulator until interrupted")
    serve.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: any free)")
    serve.add_argument("--members", type=int, default=50, help="member accounts (default 50)")
    serve.add_argument(
        "--standalone", type=int, default=1, help="accounts outside the organization (default 1)"
    )
    serve.add_argument(
        "--transition-seconds",
        type=float,
        default=2.0,
        help="how long ENABLING/DISABLING lasts (default 2)",
    )
    serve.add_argument("--no-quotas", action="store_true", help="do not enforce rate quotas")
    serve.add_argument("--ou-depth", type=int, default=0, help="levels of generated OUs (0: flat)")
    serve.add_argument("--ou-fanout", type=int, default=3, help="child OUs per OU (default 3)")
    serve.add_argument("--suspended", type=int, default=0, help="SUSPENDED member accounts")
    serve.add_argument("--closed", type=int, default=0, help="CLOSED member accounts")
    serve.add_argument(
        "--status-field",
        choices=ACCOUNT_STATUS_FIELDS,
        default="State",
        help="what Organizations' account listings carry (default State)",
    )
    serve.add_argument(
        "--empty-page-every",
        type=int,
        default=0,
        metavar="N",
        help="every N-th Organizations page is empty with a NextToken (N >= 2; 0: never)",
    )
    serve.add_argument(
        "--seed-file",
        metavar="FILE",
        help='JSON: {"*" or account id: {"alternate_contacts": {...}, '
        '"contact_information": {...}, "regions": {...}, "account_name": "..."}}',
    )
    serve.add_argument(
        "--env-file",
        metavar="PATH",
        help="write the endpoint and the four identities' keys there (mode 600) "
        "instead of printing the keys",
    )
    serve.add_argument(
        "--log-requests",
        action="store_true",
        help="print one line per request: operation, account, status, throttled",
    )
    return parser


def _load_seed(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            seed = json.load(handle)
    except OSError as error:
        raise SystemExit(f"--seed-file {path}: {error.strerror}") from None
    except ValueError as error:
        raise SystemExit(f"--seed-file {path}: not JSON: {error}") from None
    if not isinstance(seed, dict):
        raise SystemExit(f"--seed-file {path}: must hold a JSON object keyed by account id")
    return seed


def env_lines(emulator: AccountEmulator) -> list[str]:
    """The endpoint and the four identities' keys, as ``NAME=value`` lines with comments."""
    lines = [f"# account_mgmt emulator at {emulator.url}: keys valid only there"]
    lines += [f"{name}={value}" for name, value in emulator.environment().items()]
    accounts = {
        "MANAGEMENT": emulator.management_account_id,
        "DELEGATED_ADMIN": emulator.delegated_admin_account_id,
        "MEMBER": next(
            (a for a in emulator.member_account_ids if emulator.account_state(a) == "ACTIVE"),
            None,
        ),
        "STANDALONE": next(iter(emulator.standalone_account_ids), None),
    }
    for prefix, description in ENV_IDENTITIES:
        account_id = accounts[prefix]
        if account_id is None:
            continue
        credentials = emulator.credentials_for(account_id)
        lines.append(f"# {description}")
        lines.append(f"EMULATOR_{prefix}_ACCOUNT_ID={account_id}")
        lines.append(f"EMULATOR_{prefix}_AWS_ACCESS_KEY_ID={credentials.access_key_id}")
        lines.append(f"EMULATOR_{prefix}_AWS_SECRET_ACCESS_KEY={credentials.secret_access_key}")
    return lines


def _write_env_file(path: str, lines: list[str]) -> None:
    # Created private: the file holds secret keys (if only the emulator's).
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def _printer(stream: TextIO) -> Any:
    lock = threading.Lock()

    def emit(line: str) -> None:
        with lock:
            stream.write(line + "\n")
            stream.flush()

    return emit


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    seed_state = _load_seed(args.seed_file) if args.seed_file else {}
    try:
        emulator = AccountEmulator(
            member_count=args.members,
            standalone_count=args.standalone,
            region_transition_seconds=args.transition_seconds,
            ou_depth=args.ou_depth,
            ou_fanout=args.ou_fanout,
            suspended_count=args.suspended,
            closed_count=args.closed,
            account_status_field=args.status_field,
            org_empty_page_every=args.empty_page_every,
            seed_state=seed_state,
            enforce_quotas=not args.no_quotas,
            port=args.port,
            request_log=_printer(sys.stdout) if args.log_requests else None,
        ).start()
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Account emulator listening on {emulator.url} (Account API and Organizations)")
    print(
        f"management account {emulator.management_account_id}; members: "
        f"{', '.join(emulator.member_account_ids[:3])}... ({len(emulator.member_account_ids)})"
    )
    lines = env_lines(emulator)
    if args.env_file:
        _write_env_file(args.env_file, lines)
        print(f"Endpoint and keys written to {args.env_file}; use: set -a; . {args.env_file}")
    else:
        print("To use it from a shell (AWS CLI, boto3):")
        for line in lines:
            print(f"  {line}" if line.startswith("#") else f"  export {line}")
    sys.stdout.flush()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    with contextlib.suppress(KeyboardInterrupt):
        stopped.wait()
    emulator.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
