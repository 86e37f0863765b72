"""The desired-state file: text kept as written, every problem at once, layered overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from account_mgmt.models import REDACTED, AlternateContact
from account_mgmt.org import (
    DesiredStateError,
    OrgAccount,
    load_desired_state,
    parse_desired_state,
)

MINIMAL = (  # the issue's example, byte for byte
    "alternate_contacts:\n"
    "  SECURITY: {name: Security Team, title: SecOps, email_address: sec@example.com, "
    'phone_number: "+1 206 555 0100"}\n'
    "  BILLING: absent\n"
    "regions:\n"
    "  af-south-1: enabled\n"
    "accounts:\n"
    '  "111111111111":\n'
    "    alternate_contacts:\n"
    "      OPERATIONS: {name: Ops, title: On call, email_address: ops@example.com, "
    'phone_number: "+1 206 555 0101"}\n'
)


def test_minimal_example_from_the_issue_loads(tmp_path: Path) -> None:
    path = tmp_path / "desired.yaml"
    path.write_text(MINIMAL)
    desired = load_desired_state(path)
    top = desired.defaults
    assert top.alternate_contacts["BILLING"] is None
    security = top.alternate_contacts["SECURITY"]
    assert security == AlternateContact(
        alternate_contact_type="SECURITY",
        name="Security Team",
        title="SecOps",
        email_address="sec@example.com",
        phone_number="+1 206 555 0100",
    )
    assert dict(top.regions) == {"af-south-1": "enabled"}
    resolved = desired.resolve(OrgAccount(id="111111111111", ou_path="/"))
    assert set(resolved.alternate_contacts) == {"SECURITY", "BILLING", "OPERATIONS"}


def test_yaml_scalars_stay_the_text_written() -> None:
    text = """\
contact_information:
  full_name: Ola
  address_line1: Gate 1
  city: Oslo
  postal_code: 0150
  country_code: NO
  phone_number: +4520304050
regions: {af-south-1: enabled}
accounts:
  012345670123:
    regions: {af-south-1: disabled}
"""
    desired = parse_desired_state(text, "spec.yaml")
    info = desired.defaults.contact_information
    assert info is not None
    assert (info.country_code, info.phone_number, info.postal_code) == ("NO", "+4520304050", "0150")
    assert list(desired.accounts) == ["012345670123"]


def test_every_problem_is_reported_at_once_with_its_line() -> None:
    text = """\
alternate_contacts:
  SECURITY: {name: "", title: SecOps, email_address: not-an-email, phone_number: "+1 206"}
  BILLNG: absent
  OPERATIONS: maybe
regions:
  af-south-1: yes
  Bad_Region: enabled
contact_information: {full_name: A, country_code: NOR}
accounts:
  "12345": {}
  "111111111111": {colour: red}
colour: blue
"""
    with pytest.raises(DesiredStateError) as caught:
        parse_desired_state(text, "spec.yaml")
    found = {(p.line, p.field) for p in caught.value.problems}
    assert (2, "alternate_contacts.SECURITY.name") in found
    assert (2, "alternate_contacts.SECURITY.email_address") in found
    assert (3, "alternate_contacts.BILLNG") in found
    assert (4, "alternate_contacts.OPERATIONS") in found
    assert (6, "regions.af-south-1") in found
    assert (7, "regions.Bad_Region") in found
    assert (8, "contact_information.country_code") in found
    assert (8, "contact_information.city") in found  # required, missing
    assert (10, "accounts.12345") in found
    assert (11, "accounts.111111111111.colour") in found
    assert (12, "colour") in found
    assert all(p.file == "spec.yaml" for p in caught.value.problems)
    assert "not-an-email" not in str(caught.value)  # sensitive values are not quoted


def test_duplicate_keys_and_yaml_syntax_errors_are_problems() -> None:
    with pytest.raises(DesiredStateError) as caught:
        parse_desired_state("regions:\n  af-south-1: enabled\n  af-south-1: disabled\n", "s.yml")
    assert [(p.line, p.field) for p in caught.value.problems] == [(3, "regions.af-south-1")]
    with pytest.raises(DesiredStateError) as syntax:
        parse_desired_state("regions: [unclosed\n", "s.yaml")
    assert syntax.value.problems[0].field == "(syntax)"


def test_json_loads_and_refuses_numbers_where_text_is_needed() -> None:
    document = {
        "alternate_contacts": {"BILLING": "absent"},
        "accounts": {"111111111111": {"regions": {"af-south-1": "enabled"}}},
    }
    desired = parse_desired_state(json.dumps(document), "spec.json")
    assert desired.accounts["111111111111"].regions["af-south-1"] == "enabled"
    bad = {
        "alternate_contacts": {
            "SECURITY": {"name": "a", "title": "b", "email_address": "a@b.co", "phone_number": 5}
        }
    }
    with pytest.raises(DesiredStateError, match="phone_number: expected text"):
        parse_desired_state(json.dumps(bad), "spec.json")


def test_overrides_layer_top_then_ou_paths_root_down_then_account() -> None:
    text = """\
regions: {af-south-1: enabled, me-south-1: enabled}
alternate_contacts: {BILLING: absent}
organizational_units:
  /Prod: {regions: {af-south-1: disabled}}
  /Prod/Payments/: {regions: {me-south-1: disabled}}
accounts:
  "100000000003": {regions: {af-south-1: enabled}}
"""
    desired = parse_desired_state(text, "s.yaml")
    payments = OrgAccount(id="100000000009", ou_path="/Prod/Payments")
    assert dict(desired.resolve(payments).regions) == {
        "af-south-1": "disabled",
        "me-south-1": "disabled",
    }
    special = OrgAccount(id="100000000003", ou_path="/Prod/Payments")
    assert dict(desired.resolve(special).regions)["af-south-1"] == "enabled"
    dev = OrgAccount(id="100000000006", ou_path="/Dev")
    assert dict(desired.resolve(dev).regions) == {"af-south-1": "enabled", "me-south-1": "enabled"}
    # A prefix of a name is not an ancestor.
    production = OrgAccount(id="100000000007", ou_path="/Production")
    assert dict(desired.resolve(production).regions)["af-south-1"] == "enabled"


def test_loaded_state_repr_masks_contacts(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(MINIMAL)
    text = repr(load_desired_state(path))
    assert "sec@example.com" not in text
    assert REDACTED in text


def test_unknown_extension_and_missing_file_are_problems(tmp_path: Path) -> None:
    with pytest.raises(DesiredStateError, match=r"\.yaml, \.yml or \.json"):
        parse_desired_state("{}", "spec.toml")
    with pytest.raises(DesiredStateError, match="cannot read"):
        load_desired_state(tmp_path / "missing.yaml")


def test_root_override_applies_before_a_child_ou_written_first() -> None:
    text = """\
organizational_units:
  /Prod/Pay\\/ments: {regions: {af-south-1: enabled}}
  /Prod: {regions: {af-south-1: disabled, me-south-1: disabled}}
  /: {regions: {af-south-1: disabled, me-south-1: enabled}}
"""
    desired = parse_desired_state(text, "s.yaml")
    deep = desired.resolve(OrgAccount(id="100000000001", ou_path="/Prod/Pay\\/ments"))
    assert dict(deep.regions) == {"af-south-1": "enabled", "me-south-1": "disabled"}
    top = desired.resolve(OrgAccount(id="100000000002", ou_path="/"))
    assert dict(top.regions) == {"af-south-1": "disabled", "me-south-1": "enabled"}
