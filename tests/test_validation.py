"""Every input bound is enforced before the wire; everything the service accepts passes."""

from __future__ import annotations

import re
from typing import Any

import attrs
import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from account_mgmt import (
    AccountClient,
    ParamValidationError,
)
from account_mgmt._operations import ALL_OPERATIONS
from account_mgmt._validation import SHAPE_RULES, ShapeRule, validate_input

from ._data import CONTACT
from ._data import SECURITY_CONTACT as GOOD_ALTERNATE

# Digits outside ASCII: \d would match them without re.ASCII; the service does not.
FULLWIDTH_ACCOUNT_ID = "".join(chr(0xFF10 + int(d)) for d in "123456789012")


def violation(exc: pytest.ExceptionInfo[ParamValidationError]) -> tuple[str, str]:
    return exc.value.parameter, exc.value.rule


BAD_INPUTS: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "get_alternate_contact",
        {"alternate_contact_type": None},
        "alternate_contact_type",
        "required",
    ),
    (
        "get_alternate_contact",
        {"alternate_contact_type": "security"},
        "alternate_contact_type",
        "enum",
    ),
    (
        "get_alternate_contact",
        {"alternate_contact_type": "BILLING", "account_id": "12345678901"},
        "account_id",
        "pattern",
    ),
    (
        "get_alternate_contact",
        {"alternate_contact_type": "BILLING", "account_id": "1234567890123"},
        "account_id",
        "pattern",
    ),
    (
        "get_alternate_contact",
        {"alternate_contact_type": "BILLING", "account_id": FULLWIDTH_ACCOUNT_ID},
        "account_id",
        "pattern",
    ),
    (
        "get_alternate_contact",
        {"alternate_contact_type": "BILLING", "account_id": 123456789012},
        "account_id",
        "type",
    ),
    ("put_alternate_contact", {**GOOD_ALTERNATE, "name": ""}, "name", "min_length"),
    ("put_alternate_contact", {**GOOD_ALTERNATE, "name": "n" * 65}, "name", "max_length"),
    ("put_alternate_contact", {**GOOD_ALTERNATE, "title": "t" * 51}, "title", "max_length"),
    (
        "put_alternate_contact",
        {**GOOD_ALTERNATE, "email_address": "é@example.com"},
        "email_address",
        "pattern",
    ),
    (
        "put_alternate_contact",
        {**GOOD_ALTERNATE, "email_address": "no-at-sign.example.com"},
        "email_address",
        "pattern",
    ),
    (
        "put_alternate_contact",
        {**GOOD_ALTERNATE, "email_address": "a@b.c" + "c" * 250},
        "email_address",
        "max_length",
    ),
    (
        "put_alternate_contact",
        {**GOOD_ALTERNATE, "phone_number": "call me"},
        "phone_number",
        "pattern",
    ),
    (
        "put_alternate_contact",
        {**GOOD_ALTERNATE, "phone_number": "1" * 26},
        "phone_number",
        "max_length",
    ),
    ("put_alternate_contact", {**GOOD_ALTERNATE, "title": None}, "title", "required"),
    (
        "put_contact_information",
        {"contact_information": attrs.evolve(CONTACT, phone_number="206 555")},
        "contact_information.phone_number",
        "pattern",
    ),
    (
        "put_contact_information",
        {"contact_information": attrs.evolve(CONTACT, country_code="USA")},
        "contact_information.country_code",
        "max_length",
    ),
    (
        "put_contact_information",
        {"contact_information": attrs.evolve(CONTACT, country_code="U")},
        "contact_information.country_code",
        "min_length",
    ),
    (
        "put_contact_information",
        {"contact_information": attrs.evolve(CONTACT, address_line2="a" * 61)},
        "contact_information.address_line2",
        "max_length",
    ),
    (
        "put_contact_information",
        {"contact_information": attrs.evolve(CONTACT, website_url="w" * 257)},
        "contact_information.website_url",
        "max_length",
    ),
    (
        "put_contact_information",
        {"contact_information": attrs.evolve(CONTACT, full_name=None)},  # type: ignore[arg-type]
        "contact_information.full_name",
        "required",
    ),
    (
        "put_contact_information",
        {"contact_information": {"FullName": "x"}},
        "contact_information",
        "type",
    ),
    ("get_region_opt_status", {"region_name": ""}, "region_name", "min_length"),
    ("get_region_opt_status", {"region_name": "r" * 51}, "region_name", "max_length"),
    ("list_regions", {"max_results": 0}, "max_results", "min_value"),
    ("list_regions", {"max_results": 51}, "max_results", "max_value"),
    ("list_regions", {"max_results": True}, "max_results", "type"),
    ("list_regions", {"next_token": "t" * 1001}, "next_token", "max_length"),
    (
        "list_regions",
        {"region_opt_status_contains": ["ENABLED", "ON"]},
        "region_opt_status_contains[1]",
        "enum",
    ),
    (
        "list_regions",
        {"region_opt_status_contains": "ENABLED"},
        "region_opt_status_contains",
        "type",
    ),
    ("put_account_name", {"account_name": "bad<name>"}, "account_name", "pattern"),
    ("put_account_name", {"account_name": "x" * 51}, "account_name", "max_length"),
    ("get_primary_email", {"account_id": None}, "account_id", "required"),
    (
        "start_primary_email_update",
        {"account_id": "111122223333", "primary_email": "a@b"},
        "primary_email",
        "min_length",
    ),
    (
        "accept_primary_email_update",
        {"account_id": "111122223333", "primary_email": "a@b.co", "otp": "12345"},
        "otp",
        "pattern",
    ),
    ("verify_phone_number", {"otp": "12345!"}, "otp", "pattern"),
    ("verify_phone_number", {"otp": "1234567"}, "otp", "pattern"),
    (
        "get_gov_cloud_account_information",
        {"standard_account_id": "abc"},
        "standard_account_id",
        "pattern",
    ),
    # Waiter options: a misspelt status would wait out the hour-long timeout, a bare
    # string reads as a set of letters, and a bad interval found after EnableRegion
    # was sent would leave the switch half done.
    (
        "wait_for_region_opt_status",
        {"region_name": "af-south-1", "statuses": ["ENABLE"]},
        "statuses",
        "enum",
    ),
    (
        "wait_for_region_opt_status",
        {"region_name": "af-south-1", "statuses": []},
        "statuses",
        "min_length",
    ),
    (
        "wait_for_region_opt_status",
        {"region_name": "af-south-1", "statuses": "ENABLED"},
        "statuses",
        "type",
    ),
    (
        "wait_for_region_opt_status",
        {"region_name": "af-south-1", "timeout": -1},
        "timeout",
        "min_value",
    ),
    (
        "wait_for_region_opt_status",
        {"region_name": "af-south-1", "poll_interval": 0},
        "poll_interval",
        "min_value",
    ),
    (
        "enable_region",
        {"region_name": "af-south-1", "wait": True, "poll_interval": -5},
        "poll_interval",
        "min_value",
    ),
    (
        "wait_for_region_opt_status",
        {"region_name": "af-south-1", "timeout": float("nan")},
        "timeout",
        "min_value",
    ),
    ("enable_region", {"region_name": "af-south-1", "timeout": "60"}, "timeout", "type"),
    ("disable_region", {"region_name": "af-south-1", "timeout": -1}, "timeout", "min_value"),
]


@pytest.mark.parametrize(
    ("method", "kwargs", "parameter", "rule"),
    BAD_INPUTS,
    ids=[f"{m}-{p}-{r}" for m, _, p, r in BAD_INPUTS],
)
@responses.activate(assert_all_requests_are_fired=False)
def test_bad_input_is_rejected_before_the_wire(
    client: AccountClient, method: str, kwargs: dict[str, Any], parameter: str, rule: str
) -> None:
    with pytest.raises(ParamValidationError) as caught:
        getattr(client, method)(**kwargs)
    assert violation(caught) == (parameter, rule)
    assert parameter in str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert len(responses.calls) == 0


def test_every_violation_is_reported_at_once(client: AccountClient) -> None:
    with pytest.raises(ParamValidationError) as caught:
        client.put_alternate_contact(
            alternate_contact_type="NOPE", name="", title="t", email_address="x", phone_number="p"
        )
    params = [v[0] for v in caught.value.violations]
    assert params == ["alternate_contact_type", "name", "email_address", "phone_number"]


SECRETS = ["canary-name-Q9", "canary.secret@example..", "CANARY-PHONE", "c4n4ry!"]


def test_sensitive_values_are_never_echoed(client: AccountClient) -> None:
    with pytest.raises(ParamValidationError) as caught:
        client.put_alternate_contact(
            alternate_contact_type="SECURITY",
            name=SECRETS[0] * 5,
            title="t",
            email_address=SECRETS[1],
            phone_number=SECRETS[2],
        )
    with pytest.raises(ParamValidationError) as caught_otp:
        client.verify_phone_number(otp=SECRETS[3])
    text = str(caught.value) + repr(caught.value) + str(caught_otp.value)
    for secret in SECRETS:
        assert secret not in text


def test_non_sensitive_values_are_quoted_to_help(client: AccountClient) -> None:
    with pytest.raises(ParamValidationError) as caught:
        client.get_region_opt_status(region_name="x", account_id="12")
    assert "'12'" in str(caught.value)


# -- anything the service accepts must pass -------------------------------------


def _pattern_strategy(shape: str) -> st.SearchStrategy[str]:
    rule = SHAPE_RULES[shape]
    assert rule.pattern is not None
    strategy = st.from_regex(re.compile(rule.pattern, re.ASCII), fullmatch=True)
    low, high = rule.min_length or 0, rule.max_length or 10_000
    return strategy.filter(lambda s: low <= len(s) <= high)


def _length_strategy(shape: str) -> st.SearchStrategy[str]:
    rule = SHAPE_RULES[shape]
    return st.text(min_size=rule.min_length or 0, max_size=rule.max_length or 100)


STRING_SHAPES = sorted(
    name
    for name, rule in SHAPE_RULES.items()
    if rule.kind == "string" and rule.enum is None and (rule.min_length or rule.pattern)
)


@pytest.mark.parametrize("shape", STRING_SHAPES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_every_value_inside_the_bounds_passes(shape: str, data: st.DataObject) -> None:
    rule = SHAPE_RULES[shape]
    strategy = _pattern_strategy(shape) if rule.pattern else _length_strategy(shape)
    value = data.draw(strategy)
    validate_input({"value": (shape, True)}, {"value": value})


@pytest.mark.parametrize(
    "email",
    ["a@b.co", " padded@example.com ", "first.last+tag@sub.example.org", "x|y&z=1#!@h-1.io"],
)
def test_realistic_emails_pass(email: str) -> None:
    validate_input({"e": ("EmailAddress", True)}, {"e": email})


@pytest.mark.parametrize("otp", ["123456", "abcDEF", "Z9z9Z9"])
def test_otps_pass(otp: str) -> None:
    validate_input({"o": ("Otp", True)}, {"o": otp})


@given(st.integers(min_value=1, max_value=50))
def test_every_max_results_in_range_passes(value: int) -> None:
    validate_input({"m": ("ListRegionsRequestMaxResultsInteger", True)}, {"m": value})


def test_every_operation_accepts_only_its_optional_members_absent() -> None:
    for operation in ALL_OPERATIONS:
        required = [name for name, (_, req) in operation.members.items() if req]
        if required:
            with pytest.raises(ParamValidationError):
                validate_input(operation.members, {})
        else:
            validate_input(operation.members, {})


def test_shape_rule_pattern_compiles_with_ascii_classes_on_first_use() -> None:
    rule = ShapeRule(kind="string", pattern=r"\w+")
    compiled = rule.compiled
    assert compiled is not None
    assert compiled.flags & re.ASCII
    assert compiled.fullmatch("é") is None  # \w is [A-Za-z0-9_], as the service reads it
    assert ShapeRule(kind="string").compiled is None


def test_every_shape_rules_pattern_compiles() -> None:
    # Compiled on first use, a bad pattern would fail a user's call rather than the
    # import: every table's patterns are compiled here instead.
    from account_mgmt._validation import SHAPE_RULES
    from account_mgmt.org._client import SHAPE_RULES as ORGANIZATIONS_SHAPE_RULES

    with_pattern = 0
    for rule in (*SHAPE_RULES.values(), *ORGANIZATIONS_SHAPE_RULES.values()):
        if rule.pattern is not None:
            assert rule.compiled is not None
            with_pattern += 1
    assert with_pattern >= 7  # six of the Account API, ParentId of Organizations
