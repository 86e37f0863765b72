"""A user's own module, type-checked with ``mypy --strict`` from outside the checkout.

.ci/run copies it to a temporary directory after the README's install
(``pip install -e .``) and runs mypy and python on it there: a typed
library whose editable install mypy cannot follow fails here.
"""

from __future__ import annotations

from account_mgmt import (
    AccountClient,
    AccountError,
    AlternateContact,
    BulkResult,
    Region,
    ResourceNotFoundException,
    for_each_account,
)
from account_mgmt.testing import AccountEmulator


def security_contact(client: AccountClient, account_id: str) -> AlternateContact | None:
    try:
        return client.get_alternate_contact(
            alternate_contact_type="SECURITY", account_id=account_id
        )
    except ResourceNotFoundException:
        return None


def region_states(client: AccountClient, account_ids: list[str]) -> BulkResult[Region]:
    return for_each_account(
        account_ids,
        lambda account_id: client.get_region_opt_status(
            region_name="af-south-1", account_id=account_id
        ),
    )


def main() -> int:
    with AccountEmulator(member_count=2) as emulator, emulator.client() as client:
        members = emulator.member_account_ids
        try:
            contact = security_contact(client, members[0])
            states = region_states(client, members)
        except AccountError as exc:
            print(f"failed: {exc}")
            return 1
        statuses: list[str | None] = [
            outcome.value.region_opt_status for outcome in states.succeeded if outcome.value
        ]
        print(f"contact set: {contact is not None}; Region states: {statuses}")
        return 0 if len(statuses) == len(members) else 1


if __name__ == "__main__":
    raise SystemExit(main())
