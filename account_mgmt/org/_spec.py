"""The desired-state file: what every targeted account's contacts and Regions should be.

Format (YAML or JSON)::

    alternate_contacts:               # per type: a contact, or `absent` (delete it)
      SECURITY: {name: Sec, title: SecOps, email_address: sec@example.com,
                 phone_number: "+1 206 555 0100"}
      BILLING: absent
    contact_information: {full_name: ..., address_line1: ..., city: ..., postal_code: ...,
                          country_code: NO, phone_number: +4520304050}
    regions: {af-south-1: enabled, me-south-1: disabled}
    organizational_units:             # overrides for the accounts under an OU path
      /Prod: {regions: {af-south-1: disabled}}
    accounts:                         # overrides for one account
      "111111111111": {alternate_contacts: {OPERATIONS: {...}}}

Each layer overrides the one before it per key (a contact type, a Region,
the contact information as a whole): the top level, then the OU paths from
the root down to the account's OU, then the account id. Alternate contacts
not named anywhere, and Regions not named, are left as they are.

YAML is read with PyYAML's ``BaseLoader`` through ``yaml.compose``: every
scalar is the text written, quoted or not (``012345670123`` is that account
id, ``+4520304050`` keeps its ``+``, the country code ``NO`` stays ``NO``),
and every node keeps its line. Every value is checked against the Account
Management API's bounds before anything is read from AWS, and every problem
is reported at once, with file and line (``DesiredStateError``). JSON needs
nothing beyond the standard library (and has no line numbers to report).
"""

from __future__ import annotations

import json
import os
import re
import types
from collections.abc import Mapping
from typing import Any, Final

import attrs

from account_mgmt._validation import validate_input
from account_mgmt.exceptions import AccountError, ConfigurationError, ParamValidationError
from account_mgmt.models import AlternateContact, AlternateContactType, ContactInformation
from account_mgmt.org._models import OrgAccount
from account_mgmt.org._select import (
    ACCOUNT_ID_PATTERN,
    is_under,
    normalize_ou_path,
    parse_ou_path,
)

ABSENT: Final = "absent"
"""The value that asks for an alternate contact to be deleted."""

ENABLED: Final = "enabled"
"""A Region's desired state: opted in."""

DISABLED: Final = "disabled"
"""A Region's desired state: opted out."""

REGION_NAME_PATTERN: Final = re.compile(r"[a-z]{2,}(-[a-z0-9]+)+")
"""A Region name as AWS spells them (``af-south-1``, ``us-gov-west-1``); the model only
bounds its length (1-50)."""

ALTERNATE_CONTACT_FIELDS: Final[Mapping[str, str]] = {
    "name": "Name",
    "title": "Title",
    "email_address": "EmailAddress",
    "phone_number": "PhoneNumber",
}
"""Alternate contact field -> its shape in the Account Management model (all required)."""

_LAYER_KEYS: Final = ("alternate_contacts", "contact_information", "regions")
_TOP_KEYS: Final = (*_LAYER_KEYS, "organizational_units", "accounts")


@attrs.frozen(kw_only=True)
class SpecProblem:
    """One thing wrong in a desired-state file."""

    file: str
    line: int | None
    """1-based; None where the format has no lines to give (JSON)."""
    field: str
    """Where in the document, dotted: ``accounts.111111111111.regions.af-south-1``."""
    message: str
    """What is wrong; never quotes a sensitive value."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.field}: {self.message}"


class DesiredStateError(AccountError):
    """The desired-state file cannot be used; ``problems`` lists every reason at once."""

    def __init__(self, problems: list[SpecProblem]) -> None:
        self.problems: tuple[SpecProblem, ...] = tuple(problems)
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(
            f"{len(problems)} {noun} in the desired state:\n"
            + "\n".join(f"  {p}" for p in problems)
        )


def _frozen_map(value: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return types.MappingProxyType(dict(value or {}))


@attrs.frozen(kw_only=True)
class AccountDesiredState:
    """What one account should look like (or one layer of the file says)."""

    alternate_contacts: Mapping[str, AlternateContact | None] = attrs.field(
        factory=_frozen_map, converter=_frozen_map
    )
    """Contact type -> the contact it should be, or None: it should not exist."""
    contact_information: ContactInformation | None = None
    """The primary contact it should have; None: not managed."""
    regions: Mapping[str, str] = attrs.field(factory=_frozen_map, converter=_frozen_map)
    """Region name -> ``enabled`` or ``disabled``."""

    @property
    def is_empty(self) -> bool:
        return not (self.alternate_contacts or self.regions or self.contact_information)

    def overridden_by(self, other: AccountDesiredState) -> AccountDesiredState:
        """This layer with ``other``'s keys on top."""
        return AccountDesiredState(
            alternate_contacts={**self.alternate_contacts, **other.alternate_contacts},
            contact_information=other.contact_information or self.contact_information,
            regions={**self.regions, **other.regions},
        )


@attrs.frozen(kw_only=True)
class DesiredState:
    """A loaded, checked desired-state file."""

    source: str
    """The file it came from."""
    defaults: AccountDesiredState = attrs.field(factory=AccountDesiredState)
    """The top level: for every targeted account."""
    organizational_units: Mapping[str, AccountDesiredState] = attrs.field(
        factory=_frozen_map, converter=_frozen_map
    )
    """Canonical OU path -> its overrides."""
    accounts: Mapping[str, AccountDesiredState] = attrs.field(
        factory=_frozen_map, converter=_frozen_map
    )
    """Account id -> its overrides."""

    def resolve(self, account: OrgAccount) -> AccountDesiredState:
        """What ``account`` should look like: top level < OU paths (root down) < account id.

        Raises:
            ParamValidationError: the file has OU overrides but the account's OU
                is unknown (named by id without an Organizations client).
        """
        state = self.defaults
        if self.organizational_units:
            if account.ou_path is None:
                raise ParamValidationError(
                    [
                        (
                            "organizational_units",
                            "ou_path",
                            f"account {account.id}'s OU is unknown, so the file's OU "
                            "overrides cannot be applied; select it through the organization",
                        )
                    ]
                )
            for path in sorted(self.organizational_units, key=lambda p: len(parse_ou_path(p))):
                if is_under(account.ou_path, path):
                    state = state.overridden_by(self.organizational_units[path])
        override = self.accounts.get(account.id)
        return state if override is None else state.overridden_by(override)


# -- reading ----------------------------------------------------------------------


@attrs.frozen
class _Node:
    """A document node: text, a mapping, a list, or (JSON only) another JSON value."""

    value: object
    line: int | None


@attrs.frozen
class _Entry:
    key: str
    key_line: int | None
    node: _Node


def _from_yaml_node(node: Any, problems: list[SpecProblem], file: str, where: str) -> _Node:
    import yaml

    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        return _Node(node.value, line)
    if isinstance(node, yaml.SequenceNode):
        return _Node(
            [
                _from_yaml_node(item, problems, file, f"{where}[{i}]")
                for i, item in enumerate(node.value)
            ],
            line,
        )
    entries: dict[str, _Entry] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(
                SpecProblem(
                    file=file,
                    line=key_node.start_mark.line + 1,
                    field=where or "(top)",
                    message="a key must be text",
                )
            )
            continue
        key = key_node.value
        field = f"{where}.{key}" if where else key
        if key in entries:
            problems.append(
                SpecProblem(
                    file=file,
                    line=key_node.start_mark.line + 1,
                    field=field,
                    message="is given twice",
                )
            )
            continue
        entries[key] = _Entry(
            key, key_node.start_mark.line + 1, _from_yaml_node(value_node, problems, file, field)
        )
    return _Node(entries, line)


def _from_json(value: object) -> _Node:
    if isinstance(value, list):
        return _Node([_from_json(item) for item in value], None)
    if isinstance(value, _Pairs):
        return _Node({k: _Entry(k, None, _from_json(v)) for k, v in value.pairs}, None)
    return _Node(value, None)


class _Pairs:
    def __init__(self, pairs: list[tuple[str, object]]) -> None:
        self.pairs = pairs


def _parse(path: str, text: str, problems: list[SpecProblem]) -> _Node | None:
    if path.endswith((".yaml", ".yml")):
        try:
            import yaml
        except ImportError as exc:
            raise ConfigurationError(
                "reading YAML needs PyYAML: pip install 'account_mgmt[cli]' (or use JSON)"
            ) from exc
        try:
            document = yaml.compose(text, Loader=yaml.BaseLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            problems.append(
                SpecProblem(
                    file=path,
                    line=mark.line + 1 if mark is not None else None,
                    field="(syntax)",
                    message=f"not valid YAML: {exc.problem}",
                )
            )
            return None
        except yaml.YAMLError as exc:
            problems.append(
                SpecProblem(
                    file=path, line=None, field="(syntax)", message=f"not valid YAML: {exc}"
                )
            )
            return None
        if document is None:
            return _Node({}, 1)
        return _from_yaml_node(document, problems, path, "")
    if path.endswith(".json"):
        duplicates: list[str] = []

        def pairs(items: list[tuple[str, object]]) -> _Pairs:
            seen: set[str] = set()
            for key, _ in items:
                if key in seen:
                    duplicates.append(key)
                seen.add(key)
            return _Pairs(items)

        try:
            loaded = json.loads(text, object_pairs_hook=pairs)
        except json.JSONDecodeError as exc:
            problems.append(
                SpecProblem(
                    file=path,
                    line=exc.lineno,
                    field="(syntax)",
                    message=f"not valid JSON: {exc.msg}",
                )
            )
            return None
        problems.extend(
            SpecProblem(file=path, line=None, field=key, message="is given twice")
            for key in duplicates
        )
        return _from_json(loaded)
    problems.append(
        SpecProblem(
            file=path,
            line=None,
            field="(file)",
            message="the file name must end in .yaml, .yml or .json",
        )
    )
    return None


class _Checker:
    """Turns the document into a ``DesiredState``, collecting every problem."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[SpecProblem] = []

    def problem(self, line: int | None, field: str, message: str) -> None:
        self.problems.append(SpecProblem(file=self.file, line=line, field=field, message=message))

    def mapping(self, node: _Node, field: str, what: str) -> dict[str, _Entry] | None:
        if isinstance(node.value, dict):
            return node.value
        self.problem(node.line, field or "(top)", f"expected {what}")
        return None

    def text(self, node: _Node, field: str) -> str | None:
        if isinstance(node.value, str):
            return node.value
        kind = (
            "a list"
            if isinstance(node.value, list)
            else ("a mapping" if isinstance(node.value, dict) else f"the JSON value {node.value!r}")
        )
        self.problem(node.line, field, f"expected text, got {kind} (quote numbers in JSON)")
        return None

    def bounds(self, line: int | None, field: str, shape: str, value: str) -> bool:
        try:
            validate_input({"value": (shape, True)}, {"value": value})
        except ParamValidationError as exc:
            for _, rule, detail in exc.violations:
                self.problem(line, field, f"{detail} [{rule}]")
            return False
        return True

    def layer(self, node: _Node, field: str, allowed: tuple[str, ...]) -> AccountDesiredState:
        entries = self.mapping(node, field, "a mapping")
        if entries is None:
            return AccountDesiredState()
        prefix = f"{field}." if field else ""
        for key, entry in entries.items():
            if key not in allowed:
                self.problem(
                    entry.key_line,
                    prefix + key,
                    f"unknown key; expected one of {', '.join(allowed)}",
                )
        contacts: dict[str, AlternateContact | None] = {}
        if "alternate_contacts" in entries:
            contacts = self.alternate_contacts(
                entries["alternate_contacts"].node, prefix + "alternate_contacts"
            )
        info = None
        if "contact_information" in entries:
            info = self.contact_information(
                entries["contact_information"].node, prefix + "contact_information"
            )
        regions: dict[str, str] = {}
        if "regions" in entries:
            regions = self.regions(entries["regions"].node, prefix + "regions")
        return AccountDesiredState(
            alternate_contacts=contacts, contact_information=info, regions=regions
        )

    def alternate_contacts(self, node: _Node, field: str) -> dict[str, AlternateContact | None]:
        entries = self.mapping(node, field, "a mapping of contact type to a contact or 'absent'")
        result: dict[str, AlternateContact | None] = {}
        for key, entry in (entries or {}).items():
            where = f"{field}.{key}"
            if key not in AlternateContactType.__members__:
                self.problem(
                    entry.key_line,
                    where,
                    "not a contact type; expected one of "
                    + ", ".join(AlternateContactType.__members__),
                )
                continue
            if isinstance(entry.node.value, str):
                if entry.node.value != ABSENT:
                    self.problem(
                        entry.node.line,
                        where,
                        f"expected a contact (name, title, email_address, "
                        f"phone_number) or '{ABSENT}'",
                    )
                else:
                    result[key] = None
                continue
            fields = self.mapping(entry.node, where, "a contact or 'absent'")
            if fields is None:
                continue
            values: dict[str, str] = {}
            for name, item in fields.items():
                if name not in ALTERNATE_CONTACT_FIELDS:
                    self.problem(
                        item.key_line,
                        f"{where}.{name}",
                        "unknown field; expected " + ", ".join(ALTERNATE_CONTACT_FIELDS),
                    )
                    continue
                text = self.text(item.node, f"{where}.{name}")
                if text is not None and self.bounds(
                    item.node.line, f"{where}.{name}", ALTERNATE_CONTACT_FIELDS[name], text
                ):
                    values[name] = text
            missing = [n for n in ALTERNATE_CONTACT_FIELDS if n not in fields]
            for name in missing:
                self.problem(entry.node.line, f"{where}.{name}", "is required")
            if len(values) == len(ALTERNATE_CONTACT_FIELDS):
                result[key] = AlternateContact(alternate_contact_type=key, **values)
        return result

    def contact_information(self, node: _Node, field: str) -> ContactInformation | None:
        fields = self.mapping(node, field, "a mapping of contact information fields")
        if fields is None:
            return None
        known = {f.name: f for f in attrs.fields(ContactInformation)}
        values: dict[str, str] = {}
        ok = True
        for name, item in fields.items():
            if name not in known:
                self.problem(
                    item.key_line, f"{field}.{name}", "unknown field; expected " + ", ".join(known)
                )
                ok = False
                continue
            text = self.text(item.node, f"{field}.{name}")
            if text is None or not self.bounds(
                item.node.line, f"{field}.{name}", known[name].metadata["shape"], text
            ):
                ok = False
                continue
            values[name] = text
        for name, spec_field in known.items():
            if spec_field.default is attrs.NOTHING and name not in fields:
                self.problem(node.line, f"{field}.{name}", "is required")
                ok = False
        return ContactInformation(**values) if ok else None

    def regions(self, node: _Node, field: str) -> dict[str, str]:
        entries = self.mapping(node, field, f"a mapping of Region name to {ENABLED} or {DISABLED}")
        result: dict[str, str] = {}
        for name, entry in (entries or {}).items():
            where = f"{field}.{name}"
            if not self.bounds(entry.key_line, where, "RegionName", name):
                continue
            if REGION_NAME_PATTERN.fullmatch(name) is None:
                self.problem(entry.key_line, where, "is not a Region name (like af-south-1)")
                continue
            text = self.text(entry.node, where)
            if text is None:
                continue
            if text not in (ENABLED, DISABLED):
                self.problem(
                    entry.node.line, where, f"expected {ENABLED} or {DISABLED}, got {text!r}"
                )
                continue
            result[name] = text
        return result

    def document(self, node: _Node) -> DesiredState:
        defaults = self.layer(node, "", _TOP_KEYS)
        entries = node.value if isinstance(node.value, dict) else {}
        ous: dict[str, AccountDesiredState] = {}
        if "organizational_units" in entries:
            entry = entries["organizational_units"]
            for path, item in (
                self.mapping(
                    entry.node, "organizational_units", "a mapping of OU path to overrides"
                )
                or {}
            ).items():
                where = f"organizational_units.{path}"
                try:
                    canonical = normalize_ou_path(path)
                except ParamValidationError as exc:
                    self.problem(item.key_line, where, exc.violations[0][2])
                    continue
                if canonical in ous:
                    self.problem(item.key_line, where, f"the same OU as another key ({canonical})")
                ous[canonical] = self.layer(item.node, where, _LAYER_KEYS)
        accounts: dict[str, AccountDesiredState] = {}
        if "accounts" in entries:
            entry = entries["accounts"]
            for account_id, item in (
                self.mapping(entry.node, "accounts", "a mapping of account id to overrides") or {}
            ).items():
                where = f"accounts.{account_id}"
                if ACCOUNT_ID_PATTERN.fullmatch(account_id) is None:
                    self.problem(item.key_line, where, "is not a 12-digit account id")
                    continue
                accounts[account_id] = self.layer(item.node, where, _LAYER_KEYS)
        return DesiredState(
            source=self.file, defaults=defaults, organizational_units=ous, accounts=accounts
        )


def load_desired_state(path: str | os.PathLike[str]) -> DesiredState:
    """Read and check a desired-state file (``.yaml``, ``.yml`` or ``.json``).

    Raises:
        DesiredStateError: every problem in the file, each with file, line and field.
        ConfigurationError: a YAML file without PyYAML installed.
    """
    file = os.fspath(path)
    try:
        with open(file, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise DesiredStateError(
            [SpecProblem(file=file, line=None, field="(file)", message=f"cannot read it: {exc}")]
        ) from exc
    return parse_desired_state(text, file)


def parse_desired_state(text: str, file: str) -> DesiredState:
    """``load_desired_state`` for text already read; ``file``'s extension picks the format.

    Raises:
        DesiredStateError: every problem at once.
    """
    checker = _Checker(file)
    node = _parse(file, text, checker.problems)
    state = checker.document(node) if node is not None else None
    if checker.problems or state is None:
        raise DesiredStateError(sorted(checker.problems, key=lambda p: (p.line or 0, p.field)))
    return state
