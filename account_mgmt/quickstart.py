"""The main job: secure every member account of an organization, end to end.

For each member account it sets the SECURITY alternate contact, opts in to a
Region (if it is not on already) and waits until that Region is ENABLED,
printing each account's outcome as it lands and a summary at the end.

    python -m account_mgmt.quickstart              # on the built-in emulator, no AWS account
    python -m account_mgmt.quickstart --aws \\
        --accounts 111122223333,444455556666 \\
        --security-name "Security Team" --security-email sec@example.com \\
        --security-phone "+1 206 555 0100"         # on AWS, default credential chain

On AWS, run it from the organization's management account (or the
delegated administrator for account.amazonaws.com) with trusted access
enabled. The exit status is 0 only if every account succeeded.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import TextIO

import attrs

from account_mgmt import _bulk
from account_mgmt._client import AccountClient
from account_mgmt.models import AlternateContactType, RegionOptStatus

_ON: frozenset[str] = frozenset({RegionOptStatus.ENABLED, RegionOptStatus.ENABLED_BY_DEFAULT})


@attrs.frozen(kw_only=True)
class SecurityContact:
    """Who to reach about security matters."""

    name: str
    title: str
    email_address: str
    phone_number: str


def secure_account(
    client: AccountClient,
    account_id: str,
    *,
    contact: SecurityContact,
    region_name: str,
    poll_interval: float,
    timeout: float,
) -> str:
    """Set the security contact and opt in to ``region_name``; returns the Region's final status."""
    client.put_alternate_contact(
        alternate_contact_type=AlternateContactType.SECURITY,
        name=contact.name,
        title=contact.title,
        email_address=contact.email_address,
        phone_number=contact.phone_number,
        account_id=account_id,
    )
    # Reads the status first: sends nothing if the Region is on or on its way.
    client.enable_region(region_name=region_name, account_id=account_id)
    final = client.wait_for_region_opt_status(
        region_name=region_name,
        account_id=account_id,
        statuses=_ON,
        poll_interval=poll_interval,
        timeout=timeout,
    )
    return str(final.region_opt_status)


def run(
    client: AccountClient,
    account_ids: Sequence[str],
    *,
    contact: SecurityContact,
    region_name: str,
    max_workers: int,
    poll_interval: float,
    timeout: float,
    out: TextIO | None = None,
) -> _bulk.BulkResult[str]:
    """Secure every account, printing progress; returns every account's outcome."""
    stream = out if out is not None else sys.stdout
    done = 0

    def report(outcome: _bulk.AccountOutcome[str]) -> None:
        nonlocal done
        done += 1
        if outcome.ok:
            text = f"ok      security contact set, {region_name} {outcome.value}"
        else:
            text = f"FAILED  {type(outcome.error).__name__}: {outcome.error}"
        width = len(str(len(account_ids)))
        print(
            f"[{done:>{width}}/{len(account_ids)}] {outcome.account_id}  {text}  "
            f"({outcome.seconds:.1f}s)",
            file=stream,
            flush=True,
        )

    return _bulk.for_each_account(
        account_ids,
        lambda account_id: secure_account(
            client,
            account_id,
            contact=contact,
            region_name=region_name,
            poll_interval=poll_interval,
            timeout=timeout,
        ),
        max_workers=max_workers,
        on_outcome=report,
    )


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m account_mgmt.quickstart",
        description="Set the security contact and opt in to a Region in every member account.",
    )
    parser.add_argument("--aws", action="store_true", help="run against AWS, not the emulator")
    parser.add_argument("--accounts", default="", help="comma-separated member account ids (--aws)")
    parser.add_argument("--region", default="af-south-1", help="opt-in Region to enable")
    parser.add_argument("--members", type=int, default=12, help="emulated member accounts")
    parser.add_argument("--workers", type=int, default=_bulk.DEFAULT_MAX_WORKERS)
    parser.add_argument("--security-name", default="Security Team")
    parser.add_argument("--security-title", default="Security Operations")
    parser.add_argument("--security-email", default="security@example.com")
    parser.add_argument("--security-phone", default="+1 206 555 0100")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait per Region")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    contact = SecurityContact(
        name=args.security_name,
        title=args.security_title,
        email_address=args.security_email,
        phone_number=args.security_phone,
    )
    started = time.monotonic()
    if args.aws:
        account_ids = [a.strip() for a in args.accounts.split(",") if a.strip()]
        if not account_ids:
            print("--aws needs --accounts: the member accounts to secure", file=sys.stderr)
            return 2
        with AccountClient() as client:
            result = run(
                client, account_ids, contact=contact, region_name=args.region,
                max_workers=args.workers, poll_interval=15.0, timeout=args.timeout,
            )  # fmt: skip
        counts = None
    else:
        from account_mgmt.testing import AccountEmulator  # only the demo needs the server

        with AccountEmulator(member_count=args.members, region_transition_seconds=2.0) as emulator:
            print(
                f"Emulated organization at {emulator.url}: management account "
                f"{emulator.management_account_id}, {len(emulator.member_account_ids)} members",
                flush=True,
            )
            with emulator.client() as client:
                result = run(
                    client, emulator.member_account_ids, contact=contact,
                    region_name=args.region, max_workers=args.workers,
                    poll_interval=0.5, timeout=args.timeout,
                )  # fmt: skip
            counts = (emulator.request_counts, emulator.throttled_counts)
    elapsed = time.monotonic() - started
    print(
        f"\n{len(result.outcomes)} accounts: {len(result.succeeded)} succeeded, "
        f"{len(result.failed)} failed, in {elapsed:.1f}s"
    )
    if counts is not None:
        requests, throttled = counts
        listed = ", ".join(f"{op} {n}" for op, n in sorted(requests.items()))
        print(f"requests the service received: {sum(requests.values())} ({listed})")
        print(f"requests it throttled (429): {sum(throttled.values())}")
    return 0 if not result.failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
