"""``account-mgmt contacts get|set|delete``: the alternate contacts of one account or many.

``contacts get --all --output json`` is the audit: per account, each contact
type ``present`` (with its fields, masked) or ``missing`` (the service's
ResourceNotFoundException); any other error fails that account.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Final, TypeVar

import click

from account_mgmt.cli._common import (
    OUTPUT_HELP,
    CommonOptions,
    Result,
    common_options,
    finish,
    model_fields,
    open_runtime,
    run_per_account,
)

CONTACT_TYPES: Final = ("BILLING", "OPERATIONS", "SECURITY")
"""AlternateContactType's values, spelled here so that --help needs no library import."""


def _types(values: tuple[str, ...]) -> tuple[str, ...]:
    """The chosen types, upper-cased, each once, in the service's order."""
    chosen = {value.upper() for value in values}
    return tuple(t for t in CONTACT_TYPES if t in chosen)


_TYPE_HELP: Final = "Contact type (repeatable): BILLING, OPERATIONS or SECURITY."


@click.group()
def contacts() -> None:
    """Read, set or delete alternate contacts (BILLING, OPERATIONS, SECURITY)."""


F = TypeVar("F", bound=Callable[..., Any])


def _type_option(*, required: bool) -> Callable[[F], F]:
    """``--type T`` (repeatable): which alternate contacts; all three when optional and left out."""
    return click.option(
        "--type",
        "contact_types",
        multiple=True,
        required=required,
        type=click.Choice(CONTACT_TYPES, case_sensitive=False),
        help=_TYPE_HELP if required else _TYPE_HELP + " Default: all three.",
    )


@contacts.command("get", epilog=OUTPUT_HELP)
@_type_option(required=False)
@common_options()
def get(options: CommonOptions, contact_types: tuple[str, ...]) -> None:
    """Show each alternate contact, present or missing.

    A contact the service answers ResourceNotFoundException for is "missing";
    any other error (AccessDeniedException...) fails the account. In JSON each
    account's result is {"contacts": {TYPE: {"state": "present", "name",
    "title", "email_address", "phone_number"} | {"state": "missing"}}}.
    """
    types = _types(contact_types) or CONTACT_TYPES
    with open_runtime(options) as runtime:
        client = runtime.client
        from account_mgmt.exceptions import ResourceNotFoundException

        def action(account_id: str | None) -> Result:
            found: dict[str, object] = {}
            for contact_type in types:
                try:
                    contact = client.get_alternate_contact(
                        alternate_contact_type=contact_type, account_id=account_id
                    )
                except ResourceNotFoundException:
                    found[contact_type] = {"state": "missing"}
                    continue
                fields = model_fields(contact, show_sensitive=options.show_sensitive)
                fields.pop("alternate_contact_type", None)
                found[contact_type] = {"state": "present", **fields}
            return {"contacts": found}

        exit_code = run_per_account(runtime, action, label="contacts get", render=_render)
    finish(exit_code)


@contacts.command("set", epilog=OUTPUT_HELP)
@_type_option(required=True)
@click.option("--name", required=True, help="The contact's name (1-64 characters).")
@click.option("--title", required=True, help="The contact's title (1-50 characters).")
@click.option("--email", "--email-address", "email", required=True, help="E-mail address (1-254).")
@click.option(
    "--phone", "--phone-number", "phone", required=True, help="Phone number (1-25; 0-9 ()+-)."
)
@common_options()
def set_(
    options: CommonOptions,
    contact_types: tuple[str, ...],
    name: str,
    title: str,
    email: str,
    phone: str,
) -> None:
    """Create or replace alternate contacts (PutAlternateContact).

    Values are checked against the service's bounds before anything is sent;
    a bad value stops the command at once (exit 1), for every account.
    """
    types = _types(contact_types)
    with open_runtime(options) as runtime:
        client = runtime.client

        def action(account_id: str | None) -> Result:
            for contact_type in types:
                client.put_alternate_contact(
                    alternate_contact_type=contact_type,
                    name=name,
                    title=title,
                    email_address=email,
                    phone_number=phone,
                    account_id=account_id,
                )
            return {"contacts": {contact_type: {"state": "set"} for contact_type in types}}

        exit_code = run_per_account(runtime, action, label="contacts set", render=_render)
    finish(exit_code)


@contacts.command("delete", epilog=OUTPUT_HELP)
@_type_option(required=True)
@common_options()
def delete(options: CommonOptions, contact_types: tuple[str, ...]) -> None:
    """Delete alternate contacts (DeleteAlternateContact).

    A contact that was not there is reported "absent", not as a failure: the
    command's aim, no such contact, holds.
    """
    types = _types(contact_types)
    with open_runtime(options) as runtime:
        client = runtime.client
        from account_mgmt.exceptions import ResourceNotFoundException

        def action(account_id: str | None) -> Result:
            done: dict[str, object] = {}
            for contact_type in types:
                try:
                    client.delete_alternate_contact(
                        alternate_contact_type=contact_type, account_id=account_id
                    )
                except ResourceNotFoundException:
                    done[contact_type] = {"state": "absent"}
                else:
                    done[contact_type] = {"state": "deleted"}
            return {"contacts": done}

        exit_code = run_per_account(runtime, action, label="contacts delete", render=_render)
    finish(exit_code)


def _render(result: Result) -> Iterator[str]:
    found = result.get("contacts")
    assert isinstance(found, dict)
    for contact_type, entry in found.items():
        fields = dict(entry)
        state = fields.pop("state")
        details = "; ".join(f"{key}={value}" for key, value in fields.items() if value is not None)
        yield f"{contact_type:<10}  {state}" + (f"  {details}" if details else "")
