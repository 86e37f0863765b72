"""Seeding the world: contacts, contact information, Region states and names set before a test.

Every value is checked against botocore's ``account`` model, as the Put
operations would check it, so a seed can hold nothing the service could not;
a bad seed is a ``ValueError`` naming the account, the field and the rule.
Values may be the package's models (``ContactInformation``,
``AlternateContact``), mappings with snake_case keys (``full_name``) or with
the wire's PascalCase keys (``FullName``): JSON seed files use the latter two.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import attrs

from account_mgmt.testing import _model
from account_mgmt.testing._world import SWITCHING, Account, RegionState, World

EVERY_ACCOUNT: Final = "*"
"""The ``seed_state`` key whose seed applies to every account (before per-account seeds)."""

ALTERNATE_CONTACT_TYPES: Final = ("BILLING", "OPERATIONS", "SECURITY")
"""botocore's ``AlternateContactType`` enum."""

SEED_REGION_STATES: Final = ("ENABLED", "DISABLED", "ENABLING", "DISABLING")
"""What an opt-in Region may be seeded to; ENABLING/DISABLING settle after the
world's ``region_transition_seconds``, as a switch would."""

SEED_KEYS: Final = ("account_name", "alternate_contacts", "contact_information", "regions")
"""What one account's seed may set."""


def _pascal(name: str) -> str:
    """``address_line1`` -> ``AddressLine1``; PascalCase names pass through."""
    if "_" not in name and name[:1].isupper():
        return name
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _wire(value: Any, what: str) -> dict[str, str]:
    """A model instance or a mapping, as the wire's PascalCase members (None dropped)."""
    if attrs.has(type(value)):
        items = {field.name: getattr(value, field.name) for field in attrs.fields(type(value))}
    elif isinstance(value, Mapping):
        items = dict(value)
    else:
        raise ValueError(
            f"{what} must be a mapping or a model instance, not {type(value).__name__}"
        )
    return {_pascal(str(key)): str(item) for key, item in items.items() if item is not None}


def _check(operation: str, body: dict[str, Any], what: str) -> None:
    problems = _model.validate(operation, body)
    if problems:
        described = "; ".join(f"{p.field}: {p.message}" for p in problems)
        raise ValueError(f"{what} is not what {operation} would accept: {described}")


def seed_account(
    world: World,
    account_id: str,
    *,
    alternate_contacts: Mapping[str, Any] | None = None,
    contact_information: Any = None,
    regions: Mapping[str, str] | None = None,
    account_name: str | None = None,
) -> None:
    """Set an account's state directly, as if the Put/Enable calls had been made and settled.

    ``alternate_contacts`` maps a contact type to its contact, or to None to remove
    it; ``regions`` maps an opt-in Region to one of ``SEED_REGION_STATES``.

    Raises:
        ValueError: unknown account, or a value the service would refuse.
    """
    with world.lock:
        account = world.accounts.get(account_id)
        if account is None:
            raise ValueError(f"seed names an account the world does not have: {account_id!r}")
        where = f"seed of {account_id}"
        changes = [
            _alternate_contacts(account, alternate_contacts or {}, where),
            _regions(world, account, regions or {}, where),
        ]
        if contact_information is not None:
            info = _wire(contact_information, f"{where}: contact_information")
            _check(
                "PutContactInformation",
                {"ContactInformation": info},
                f"{where}: contact_information",
            )
            changes.append(lambda: _set_contact_information(account, info))
        if account_name is not None:
            _check("PutAccountName", {"AccountName": account_name}, f"{where}: account_name")
            changes.append(lambda: setattr(account, "name", account_name))
        for change in changes:  # all checked first: a bad seed changes nothing
            change()


def _set_contact_information(account: Account, info: dict[str, str]) -> None:
    account.contact_information = info
    account.verification_status = "UNVERIFIED"
    account.phone_otp_sent = False


def _alternate_contacts(account: Account, contacts: Mapping[str, Any], where: str) -> Any:
    wanted: dict[str, dict[str, str] | None] = {}
    for kind, contact in contacts.items():
        kind = str(kind)
        if kind not in ALTERNATE_CONTACT_TYPES:
            raise ValueError(
                f"{where}: alternate contact type {kind!r} is not one of {ALTERNATE_CONTACT_TYPES}"
            )
        if contact is None:
            wanted[kind] = None
            continue
        document = _wire(contact, f"{where}: alternate_contacts[{kind}]")
        document.pop("AlternateContactType", None)
        _check("PutAlternateContact", {**document, "AlternateContactType": kind}, f"{where}: "
               f"alternate_contacts[{kind}]")  # fmt: skip
        wanted[kind] = {"AlternateContactType": kind, **document}

    def apply() -> None:
        for kind, document in wanted.items():
            if document is None:
                account.alternate_contacts.pop(kind, None)
            else:
                account.alternate_contacts[kind] = document

    return apply


def _regions(world: World, account: Account, regions: Mapping[str, str], where: str) -> Any:
    for name, status in regions.items():
        current = account.regions.get(name)
        if current is None:
            raise ValueError(f"{where}: unknown Region {name!r}")
        if current.status == "ENABLED_BY_DEFAULT":
            raise ValueError(f"{where}: {name} is enabled by default and cannot be seeded")
        if status not in SEED_REGION_STATES:
            raise ValueError(
                f"{where}: Region {name} state {status!r} is not one of {SEED_REGION_STATES}"
            )

    def apply() -> None:
        for name, status in regions.items():
            if status in SWITCHING:
                target = "ENABLED" if status == "ENABLING" else "DISABLED"
                settles = world.clock() + world.settings.region_transition_seconds
                account.regions[name] = RegionState(status, settles, target)
            else:
                account.regions[name] = RegionState(status)

    return apply


def seed_world(world: World, seed_state: Mapping[str, Mapping[str, Any]]) -> None:
    """Apply ``seed_state``: ``{"*" or account id: {"alternate_contacts": ..., ...}}``.

    The ``"*"`` entry applies to every account first, then each account's own.

    Raises:
        ValueError: an unknown key, account or value (nothing of that account's seed applied).
    """
    ordered = sorted(seed_state.items(), key=lambda item: item[0] != EVERY_ACCOUNT)
    for key, seed in ordered:
        if not isinstance(seed, Mapping):
            raise ValueError(f"seed of {key}: must be a mapping of {SEED_KEYS}")
        unknown = sorted(set(seed) - set(SEED_KEYS))
        if unknown:
            raise ValueError(f"seed of {key}: unknown keys {unknown}; allowed {SEED_KEYS}")
        targets = list(world.accounts) if key == EVERY_ACCOUNT else [key]
        for account_id in targets:
            seed_account(world, account_id, **seed)
