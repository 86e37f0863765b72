"""``account-mgmt contact-info get|set``: the primary contact of one account or many."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, Final

import click

from account_mgmt.cli._common import (
    OUTPUT_HELP,
    CommonOptions,
    Result,
    common_options,
    finish,
    model_fields,
    open_runtime,
    render_fields,
    run_per_account,
)
from account_mgmt.models import REDACTED

FIELDS: Final = (
    "full_name",
    "company_name",
    "address_line1",
    "address_line2",
    "address_line3",
    "city",
    "district_or_county",
    "state_or_region",
    "postal_code",
    "country_code",
    "phone_number",
    "website_url",
)
"""ContactInformation's fields (a test pins them to the model), in postal order."""

REQUIRED: Final = (
    "full_name",
    "address_line1",
    "city",
    "postal_code",
    "country_code",
    "phone_number",
)
"""The fields PutContactInformation requires (the model's fields without a default)."""

_WIRE_NAMES: Final = {"".join(part.capitalize() for part in f.split("_")): f for f in FIELDS}
"""AWS's member names (``AddressLine1``) -> ours, for files written from the AWS CLI's output."""


@click.group("contact-info")
def contact_info() -> None:
    """Read or replace the primary contact information."""


@contact_info.command("get", epilog=OUTPUT_HELP)
@common_options()
def get(options: CommonOptions) -> None:
    """Show the primary contact and its phone verification status (GetContactInformation).

    In JSON each result is {"contact_information": {field: value} | null,
    "verification_status"}; every contact field is masked unless --show-sensitive.
    An account without one (the service's ResourceNotFoundException) shows null.
    """
    with open_runtime(options) as runtime:
        client = runtime.client

        from account_mgmt.exceptions import ResourceNotFoundException

        def action(account_id: str | None) -> Result:
            try:
                answer = client.get_contact_information(account_id=account_id)
            except ResourceNotFoundException:  # how the service says "none set"
                return {"contact_information": None, "verification_status": None}
            contact = answer.contact_information
            return {
                "contact_information": None
                if contact is None
                else model_fields(contact, show_sensitive=options.show_sensitive),
                "verification_status": answer.verification_status,
            }

        exit_code = run_per_account(runtime, action, label="contact-info get", render=_render)
    finish(exit_code)


def _field_options(func: Any) -> Any:
    for field in reversed(FIELDS):
        required = " Required (here or in the file)." if field in REQUIRED else ""
        func = click.option(
            "--" + field.replace("_", "-"), field, metavar="TEXT", help=f"{field}.{required}"
        )(func)
    return func


@contact_info.command("set", epilog=OUTPUT_HELP)
@click.option(
    "--from-file",
    metavar="FILE",
    help="JSON object of the fields (- for stdin): our names (full_name) or AWS's "
    '(FullName), bare or under "contact_information"/"ContactInformation". '
    "Options given override it.",
)
@_field_options
@common_options()
def set_(options: CommonOptions, from_file: str | None, **fields: str | None) -> None:
    """Replace the primary contact information (PutContactInformation).

    The whole contact is replaced: give every field to keep. Values are checked
    against the service's bounds before anything is sent.
    """
    values = _read_file(from_file) if from_file is not None else {}
    values.update({key: value for key, value in fields.items() if value is not None})
    missing = [f"--{key.replace('_', '-')}" for key in REQUIRED if key not in values]
    if missing:
        raise click.UsageError(f"missing required field(s): {', '.join(missing)}")
    from account_mgmt.models import ContactInformation

    contact = ContactInformation(**values)
    with open_runtime(options) as runtime:
        client = runtime.client

        def action(account_id: str | None) -> Result:
            client.put_contact_information(contact_information=contact, account_id=account_id)
            return {"contact_information": "set"}

        exit_code = run_per_account(
            runtime, action, label="contact-info set", render=lambda _: ["contact information set"]
        )
    finish(exit_code)


def _read_file(path: str) -> dict[str, str]:
    """The fields of a JSON file, checked: an object of known names and string values."""
    hint = "--from-file"
    try:
        with click.open_file(path, encoding="utf-8") as stream:
            data = json.load(stream)
    except OSError as exc:
        raise click.BadParameter(f"cannot read {path}: {exc.strerror}", param_hint=hint) from exc
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"{path} is not JSON: {exc}", param_hint=hint) from exc
    if isinstance(data, Mapping):
        for wrapper in ("contact_information", "ContactInformation"):
            if isinstance(data.get(wrapper), Mapping):
                data = data[wrapper]
                break
    if not isinstance(data, Mapping):
        raise click.BadParameter(f"{path}: expected a JSON object", param_hint=hint)
    values: dict[str, str] = {}
    problems = []
    for key, value in data.items():
        name = key if key in FIELDS else _WIRE_NAMES.get(key)
        if name is None:
            problems.append(f"unknown field {key!r}")
        elif value is None:
            continue
        elif not isinstance(value, str):
            problems.append(f"{key}: expected a string, got {type(value).__name__}")
        elif value == REDACTED:
            problems.append(f"{key}: is {REDACTED} (read it with --show-sensitive)")
        else:
            values[name] = value
    if problems:
        raise click.BadParameter(f"{path}: " + "; ".join(problems), param_hint=hint)
    return values


def _render(result: Result) -> Iterator[str]:
    contact = result.get("contact_information")
    if contact is None:
        yield "no contact information"
    elif isinstance(contact, Mapping):
        yield from render_fields(contact)
    status = result.get("verification_status")
    if status is not None:
        yield f"verification_status: {status}"
