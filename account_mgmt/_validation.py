"""Client-side checks of every input bound in the service model, before the wire.

The rules are hand-written from botocore's ``account`` model (loading the model
at run time would cost every cold start tens of milliseconds); a test walks the
real model and fails if any rule here drifts from it.

Patterns in the model are unanchored, but the service matches them against the
whole value, with ASCII classes (``\\w`` is ``[A-Za-z0-9_]``): so do we.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from typing import Final

import attrs

from account_mgmt._logging import bounded_repr
from account_mgmt.exceptions import ParamValidationError
from account_mgmt.models import (
    AccountState,
    AlternateContactType,
    ContactInformation,
    PhoneNumberVerificationStatus,
    PrimaryEmailUpdateStatus,
    Region,
    RegionOptStatus,
)


class ShapeRule:
    """The bounds of one AWS shape."""

    # A plain slotted class, not attrs: attrs compiles each class's methods at
    # import (cold start, issue 13). Never assigned after construction, but
    # for the pattern compiled on first use.
    __slots__ = (
        "_compiled",
        "enum",
        "kind",
        "max_length",
        "max_value",
        "member",
        "min_length",
        "min_value",
        "model",
        "pattern",
        "sensitive",
    )

    kind: str
    """``string``, ``integer``, ``list`` or ``structure``."""
    min_length: int | None
    max_length: int | None
    pattern: str | None
    enum: tuple[str, ...] | None
    min_value: int | None
    max_value: int | None
    member: str | None
    """For lists: the shape of each element."""
    model: type | None
    """For structures: the model class that holds it."""
    sensitive: bool
    _compiled: re.Pattern[str] | None

    def __init__(
        self,
        *,
        kind: str,
        min_length: int | None = None,
        max_length: int | None = None,
        pattern: str | None = None,
        enum: tuple[str, ...] | None = None,
        min_value: int | None = None,
        max_value: int | None = None,
        member: str | None = None,
        model: type | None = None,
        sensitive: bool = False,
    ) -> None:
        self.kind = kind
        self.min_length = min_length
        self.max_length = max_length
        self.pattern = pattern
        self.enum = enum
        self.min_value = min_value
        self.max_value = max_value
        self.member = member
        self.model = model
        self.sensitive = sensitive
        self._compiled = None

    @property
    def compiled(self) -> re.Pattern[str] | None:
        """``pattern`` compiled with ASCII classes, once, on first use: most shapes'
        patterns are never checked in a process, and compiling them all cost every import."""
        compiled = self._compiled
        if compiled is None and self.pattern is not None:
            # Two threads may both compile it: the same pattern either way.
            compiled = self._compiled = re.compile(self.pattern, re.ASCII)
        return compiled


def _enum_values(enum_type: type[enum.StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum_type)


def _text(
    low: int | None, high: int | None, pattern: str | None = None, *, secret: bool = True
) -> ShapeRule:
    return ShapeRule(
        kind="string", min_length=low, max_length=high, pattern=pattern, sensitive=secret
    )


SHAPE_RULES: Final[Mapping[str, ShapeRule]] = {
    "AccountId": ShapeRule(kind="string", pattern=r"\d{12}"),
    "AccountName": _text(1, 50, r"[ -;=?-~]+"),
    "AddressLine": _text(1, 60),
    "AlternateContactType": ShapeRule(kind="string", enum=_enum_values(AlternateContactType)),
    "City": _text(1, 50),
    "CompanyName": _text(1, 50),
    "ContactInformation": ShapeRule(kind="structure", model=ContactInformation),
    "ContactInformationPhoneNumber": _text(1, 20, r"[+][\s0-9()-]+"),
    "CountryCode": _text(2, 2),
    "DistrictOrCounty": _text(1, 50),
    "EmailAddress": _text(1, 254, r"[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*"),
    "FullName": _text(1, 50),
    "ListRegionsRequestMaxResultsInteger": ShapeRule(kind="integer", min_value=1, max_value=50),
    "ListRegionsRequestNextTokenString": _text(0, 1000, secret=False),
    "Name": _text(1, 64),
    "Otp": _text(None, None, r"[a-zA-Z0-9]{6}"),
    "PhoneNumber": _text(1, 25, r"[\s0-9()+-]+"),
    "PostalCode": _text(1, 20),
    "PrimaryEmailAddress": _text(5, 64),
    "RegionName": _text(1, 50, secret=False),
    "RegionOptStatus": ShapeRule(kind="string", enum=_enum_values(RegionOptStatus)),
    "RegionOptStatusList": ShapeRule(kind="list", member="RegionOptStatus"),
    "StateOrRegion": _text(1, 50),
    "Title": _text(1, 50),
    "WebsiteUrl": _text(1, 256),
    # Output-only shapes: listed so the model-pinning test can check them too.
    "AccountCreatedDate": ShapeRule(kind="timestamp"),
    "AccountState": ShapeRule(kind="string", enum=_enum_values(AccountState)),
    "AwsAccountState": ShapeRule(kind="string", enum=_enum_values(AccountState)),
    "PhoneNumberVerificationStatus": ShapeRule(
        kind="string", enum=_enum_values(PhoneNumberVerificationStatus)
    ),
    "PrimaryEmailUpdateStatus": ShapeRule(
        kind="string", enum=_enum_values(PrimaryEmailUpdateStatus)
    ),
    "RegionOptList": ShapeRule(kind="list", member="Region"),
    "Region": ShapeRule(kind="structure", model=Region),
    "SensitiveString": ShapeRule(kind="string", sensitive=True),
    "String": ShapeRule(kind="string"),
    "Timestamp": ShapeRule(kind="timestamp"),
}
"""AWS shape name -> its bounds, for every shape a model field or parameter holds."""


def _check_value(
    param: str,
    shape: str,
    value: object,
    out: list[tuple[str, str, str]],
    rules: Mapping[str, ShapeRule] = SHAPE_RULES,
) -> None:
    rule = rules[shape]
    if rule.kind == "structure":
        _check_structure(param, rule, value, out, rules)
    elif rule.kind == "list":
        if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
            out.append((param, "type", f"expected a list, got {type(value).__name__}"))
            return
        assert rule.member is not None
        for index, item in enumerate(value):
            _check_value(f"{param}[{index}]", rule.member, item, out, rules)
    elif rule.kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            out.append((param, "type", f"expected an int, got {type(value).__name__}"))
        elif rule.min_value is not None and value < rule.min_value:
            shown = bounded_repr(value)
            out.append((param, "min_value", f"{shown} is less than the minimum {rule.min_value}"))
        elif rule.max_value is not None and value > rule.max_value:
            shown = bounded_repr(value)
            out.append((param, "max_value", f"{shown} is more than the maximum {rule.max_value}"))
    else:
        _check_string(param, rule, value, out)


def _check_string(
    param: str, rule: ShapeRule, value: object, out: list[tuple[str, str, str]]
) -> None:
    if not isinstance(value, str):
        out.append((param, "type", f"expected a str, got {type(value).__name__}"))
        return
    if not value.isascii():  # ASCII, the usual value, holds no surrogate: no encoding to try
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            # A lone surrogate ("\ud800", from a bad decode): no JSON the service reads holds it.
            out.append(
                (param, "encoding", "holds a lone surrogate, which is not valid Unicode text")
            )
            return
    if rule.enum is not None and value not in rule.enum:
        shown = _shown(rule, value)
        out.append((param, "enum", f"{shown} is not one of {', '.join(rule.enum)}"))
        return
    length = len(value)
    if rule.min_length is not None and length < rule.min_length:
        out.append(
            (param, "min_length", f"length {length} is less than the minimum {rule.min_length}")
        )
    elif rule.max_length is not None and length > rule.max_length:
        out.append(
            (param, "max_length", f"length {length} is more than the maximum {rule.max_length}")
        )
    elif rule.compiled is not None and rule.compiled.fullmatch(value) is None:
        shown = _shown(rule, value)
        out.append((param, "pattern", f"{shown} does not match the pattern {rule.pattern}"))


def _shown(rule: ShapeRule, value: str) -> str:
    # Worked out only for a value that broke a rule: most calls break none.
    return "the value" if rule.sensitive else bounded_repr(value)


def _check_structure(
    param: str,
    rule: ShapeRule,
    value: object,
    out: list[tuple[str, str, str]],
    rules: Mapping[str, ShapeRule],
) -> None:
    model = type(value)
    if rule.model is not None and model is not rule.model:
        # Another model (a Region where a ContactInformation belongs), or an attrs
        # class of the caller's: its fields would go on the wire under wrong names.
        expected = rule.model.__name__
        out.append((param, "type", f"expected a {expected}, got {model.__name__}"))
        return
    if not attrs.has(model):
        out.append((param, "type", f"expected a model instance, got {model.__name__}"))
        return
    for field in attrs.fields(model):
        member_value = getattr(value, field.name)
        member_param = f"{param}.{field.name}"
        if member_value is None:
            if field.default is attrs.NOTHING:
                out.append((member_param, "required", "is required"))
            continue
        _check_value(member_param, field.metadata["shape"], member_value, out, rules)


def validate_input(
    members: Mapping[str, tuple[str, bool]],
    params: Mapping[str, object],
    rules: Mapping[str, ShapeRule] = SHAPE_RULES,
) -> None:
    """Check every parameter against its shape; raise one error listing every violation.

    ``members`` maps a parameter name to ``(shape, required)``; ``rules`` holds
    the shapes' bounds (the Account model's by default; another service's
    operations bring their own).

    Raises:
        ParamValidationError: naming each parameter and the rule it broke.
    """
    violations: list[tuple[str, str, str]] = []
    for name, (shape, required) in members.items():
        value = params.get(name)
        if value is None:
            if required:
                violations.append((name, "required", "is required"))
            continue
        _check_value(name, shape, value, violations, rules)
    if violations:
        raise ParamValidationError(violations)
