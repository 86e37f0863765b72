"""Pin the hand-written models, operation table and bounds to botocore's ``account`` model."""

from __future__ import annotations

import inspect
from typing import Any

import attrs
import botocore.session
import pytest
from botocore import xform_name

import account_mgmt
from account_mgmt import AccountClient, models
from account_mgmt._operations import (
    ALL_OPERATIONS,
    Operation,
    _AlternateContactOutput,
    _PrimaryEmailOutput,
    _StatusOutput,
)
from account_mgmt._serde import to_wire_name
from account_mgmt._validation import SHAPE_RULES
from account_mgmt.exceptions import ERROR_CLASSES

SERVICE = botocore.session.get_session().get_service_model("account")
RAW_SHAPES: dict[str, Any] = SERVICE._shape_resolver._shape_map

# Each model class -> the AWS structure it mirrors.
MODEL_SHAPES: dict[type[Any], str] = {
    models.AlternateContact: "AlternateContact",
    models.ContactInformation: "ContactInformation",
    models.GetContactInformationResponse: "GetContactInformationResponse",
    models.Region: "Region",
    models.ListRegionsResponse: "ListRegionsResponse",
    models.AccountInformation: "GetAccountInformationResponse",
    models.PrimaryEmailUpdate: "GetPrimaryEmailUpdateStatusResponse",
    models.GovCloudAccountInformation: "GetGovCloudAccountInformationResponse",
    _AlternateContactOutput: "GetAlternateContactResponse",
    _PrimaryEmailOutput: "GetPrimaryEmailResponse",
}
STATUS_OUTPUTS = [
    "StartPrimaryEmailUpdateResponse",
    "AcceptPrimaryEmailUpdateResponse",
    "SendPhoneNumberVerificationResponse",
    "VerifyPhoneNumberResponse",
]


def test_all_eighteen_operations_are_in_the_table() -> None:
    assert sorted(op.name for op in ALL_OPERATIONS) == sorted(SERVICE.operation_names)
    assert len(ALL_OPERATIONS) == 18


@pytest.mark.parametrize("operation", ALL_OPERATIONS, ids=lambda op: op.name)
def test_operation_matches_the_model(operation: Operation[Any]) -> None:
    model = SERVICE.operation_model(operation.name)
    assert model.http["method"] == "POST"
    assert model.http["requestUri"] == operation.path
    assert (operation.output is not None) == (model.output_shape is not None)
    shape = model.input_shape
    expected = {
        xform_name(member): (member_shape.name, member in shape.required_members)
        for member, member_shape in shape.members.items()
    }
    assert dict(operation.members) == expected
    for param in operation.members:
        assert to_wire_name(param) in shape.members


@pytest.mark.parametrize("operation", ALL_OPERATIONS, ids=lambda op: op.name)
def test_client_method_is_named_and_shaped_like_boto3(operation: Operation[Any]) -> None:
    method = getattr(AccountClient, xform_name(operation.name))
    parameters = inspect.signature(method).parameters
    for param in operation.members:
        assert param in parameters, f"{operation.name} lacks {param}"
        assert parameters[param].kind is inspect.Parameter.KEYWORD_ONLY
        required = operation.members[param][1]
        assert (parameters[param].default is inspect.Parameter.empty) == required, param


@pytest.mark.parametrize("cls", list(MODEL_SHAPES), ids=lambda c: c.__name__)
def test_model_fields_map_to_real_members_with_the_same_shapes(cls: type[Any]) -> None:
    shape = SERVICE.shape_for(MODEL_SHAPES[cls])
    fields = {to_wire_name(f.name): f for f in attrs.fields(cls)}
    assert set(fields) == set(shape.members), "a member is missing or invented"
    for wire_name, field in fields.items():
        member = shape.members[wire_name]
        if "shape" in field.metadata:
            assert field.metadata["shape"] == member.name, wire_name
        sensitive = bool(RAW_SHAPES[member.name].get("sensitive"))
        redacted = field.repr is not True
        assert redacted == sensitive, f"{cls.__name__}.{field.name}: sensitivity differs"


@pytest.mark.parametrize("name", STATUS_OUTPUTS)
def test_status_outputs_have_only_a_status(name: str) -> None:
    assert list(SERVICE.shape_for(name).members) == ["Status"]
    assert [f.name for f in attrs.fields(_StatusOutput)] == ["status"]


def test_required_contact_information_members_are_the_constructor_required_ones() -> None:
    required = {
        to_wire_name(f.name)
        for f in attrs.fields(models.ContactInformation)
        if f.default is attrs.NOTHING
    }
    assert required == set(SERVICE.shape_for("ContactInformation").required_members)


@pytest.mark.parametrize("shape_name", sorted(SHAPE_RULES))
def test_every_bound_matches_the_model(shape_name: str) -> None:
    rule = SHAPE_RULES[shape_name]
    raw = RAW_SHAPES[shape_name]
    type_map = {
        "string": "string",
        "integer": "integer",
        "list": "list",
        "structure": "structure",
        "timestamp": "timestamp",
    }
    assert type_map[rule.kind] == raw["type"]
    if raw["type"] == "string":
        assert rule.min_length == raw.get("min")
        assert rule.max_length == raw.get("max")
    if raw["type"] == "integer":
        assert rule.min_value == raw.get("min")
        assert rule.max_value == raw.get("max")
    assert rule.pattern == raw.get("pattern")
    assert (rule.enum and list(rule.enum)) == raw.get("enum")
    if raw["type"] == "list":
        assert rule.member == raw["member"]["shape"]
    if raw["type"] == "string":
        assert rule.sensitive == bool(raw.get("sensitive"))


def test_every_input_shape_has_a_rule() -> None:
    def walk(shape: Any, seen: set[str]) -> None:
        if shape.name in seen:
            return
        seen.add(shape.name)
        assert shape.name in SHAPE_RULES, f"no rule for input shape {shape.name}"
        if shape.type_name == "structure":
            for member in shape.members.values():
                walk(member, seen)
        elif shape.type_name == "list":
            walk(shape.member, seen)

    seen: set[str] = set()
    for name in SERVICE.operation_names:
        for member in SERVICE.operation_model(name).input_shape.members.values():
            walk(member, seen)
    assert {"AccountId", "EmailAddress", "ContactInformationPhoneNumber", "Otp"} <= seen


def test_enums_match_the_model() -> None:
    pairs = {
        models.AlternateContactType: "AlternateContactType",
        models.RegionOptStatus: "RegionOptStatus",
        models.AccountState: "AccountState",
        models.PrimaryEmailUpdateStatus: "PrimaryEmailUpdateStatus",
        models.PhoneNumberVerificationStatus: "PhoneNumberVerificationStatus",
        models.ValidationExceptionReason: "ValidationExceptionReason",
    }
    for enum_type, shape in pairs.items():
        assert [m.value for m in enum_type] == RAW_SHAPES[shape]["enum"]


def test_every_modeled_error_has_its_class_and_status() -> None:
    for name, raw in RAW_SHAPES.items():
        if not raw.get("exception"):
            continue
        cls = ERROR_CLASSES[name]
        assert cls.__name__ == name
        assert cls.retryable == ("retryable" in raw or raw.get("fault", False)), name
        assert cls.throttling == raw.get("retryable", {}).get("throttling", False), name


def test_validation_exception_field_matches_the_model() -> None:
    shape = SERVICE.shape_for("ValidationExceptionField")
    assert [f.name for f in attrs.fields(models.ValidationExceptionField)] == list(shape.members)
    assert RAW_SHAPES["SensitiveString"].get("sensitive") is True


def test_public_all_is_unique_importable_and_complete() -> None:
    # Order is ruff's job (RUF022, run in CI).
    assert len(account_mgmt.__all__) == len(set(account_mgmt.__all__))
    for name in account_mgmt.__all__:
        assert hasattr(account_mgmt, name), name
    public = {n for n in vars(account_mgmt) if n.isidentifier() and not n.startswith("_")}
    modules = {"cli", "exceptions", "models", "org", "pagination", "quickstart", "testing"}
    assert public - modules - set(account_mgmt.__all__) == set()
