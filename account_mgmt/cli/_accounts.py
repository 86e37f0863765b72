"""``account-mgmt accounts list``: the organization's accounts, and what a selection targets.

Walks the organization top-down (never ListParents per account). Without a
selector it lists every account (as --all). Names and e-mail addresses are
masked unless --show-sensitive.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from account_mgmt.cli import EXIT_OK
from account_mgmt.cli._common import (
    CommonOptions,
    common_options,
    emit_json_line,
    finish,
    masked,
    note,
    open_runtime,
)

if TYPE_CHECKING:
    from account_mgmt.org import OrgAccount


def _row(
    account: OrgAccount, options: CommonOptions, *, targeted: bool, reason: str | None
) -> dict[str, object]:
    return {
        "account_id": account.id,
        "state": account.state,
        "ou_path": account.ou_path,
        "parent_id": account.parent_id,
        "name": masked(account.name, sensitive=True, show_sensitive=options.show_sensitive),
        "email": masked(account.email, sensitive=True, show_sensitive=options.show_sensitive),
        "targeted": targeted,
        "reason": reason,
    }


@click.group("accounts")
def accounts() -> None:
    """The organization's accounts."""


@accounts.command("list")
@common_options()
def list_accounts(options: CommonOptions) -> None:
    """List the selected accounts (every account without a selector) with state and OU path.

    Accounts that are not ACTIVE, or are excluded, are listed as skipped with
    the reason. --output json: one object {"accounts": [...], "skipped": [...]}.
    """
    import attrs

    from account_mgmt.org import select_accounts

    if not options.has_selection:
        options = attrs.evolve(options, all_accounts=True)
    with open_runtime(options) as runtime:
        targets = select_accounts(options.selection(), runtime.organizations)
    management = targets.organization.management_account_id if targets.organization else None
    rows = [_row(a, options, targeted=True, reason=None) for a in targets.accounts]
    skipped = [
        _row(s.account, options, targeted=False, reason=s.reason)
        if s.account is not None
        else {"account_id": s.account_id, "targeted": False, "reason": s.reason}
        for s in targets.skipped
    ]
    if options.output == "json":
        emit_json_line(
            {
                "organization_id": targets.organization.id if targets.organization else None,
                "management_account_id": management,
                "accounts": rows,
                "skipped": skipped,
            }
        )
    else:
        for row in rows:
            mark = "  (management)" if row["account_id"] == management else ""
            click.echo(
                f"{row['account_id']}  {row['state']!s:<8}  {row['ou_path']}  {row['name']}{mark}"
            )
        for row in skipped:
            click.echo(f"{row['account_id']}  skipped   {row['reason']}  {row.get('ou_path')}")
        note(f"accounts: {len(rows)} targeted, {len(skipped)} skipped")
    finish(EXIT_OK)
