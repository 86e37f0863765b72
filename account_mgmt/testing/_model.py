"""Input validation for the emulator, driven by botocore's models at run time.

Independent of the client's hand-written rules on purpose: where the two
disagree, the emulator (reading AWS's own model) is the one that is right,
and the end-to-end tests show it. Serves both the ``account`` and the
``organizations`` models.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Final, NamedTuple

import botocore.session

ACCOUNT: Final = "account"
"""botocore's name (and the SigV4 signing name) of the Account Management service."""

ORGANIZATIONS: Final = "organizations"
"""botocore's name (and the SigV4 signing name) of AWS Organizations."""


class Problem(NamedTuple):
    """One thing wrong with a request: the field, what is wrong, and Organizations'
    ``InvalidInputException`` reason for it."""

    field: str
    message: str
    reason: str


@functools.cache
def _session() -> Any:
    return botocore.session.get_session()


@functools.cache
def service_model(service: str = ACCOUNT) -> Any:
    """botocore's model of ``service``, loaded once."""
    return _session().get_service_model(service)


@functools.cache
def operation_for_path(path: str) -> str | None:
    """``/getAlternateContact`` -> ``GetAlternateContact`` (None for an unknown path)."""
    model = service_model(ACCOUNT)
    for name in model.operation_names:
        if model.operation_model(name).http["requestUri"] == path:
            return str(name)
    return None


def _check(shape: Any, value: Any, path: str, problems: list[Problem]) -> None:
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(Problem(path, "Expected a structure", "INVALID_INPUT"))
            return
        for required in shape.required_members:
            if value.get(required) is None:
                problems.append(
                    Problem(_join(path, required), "Member must not be null", "INPUT_REQUIRED")
                )
        for member, member_shape in shape.members.items():
            if value.get(member) is not None:
                _check(member_shape, value[member], _join(path, member), problems)
    elif kind == "list":
        if not isinstance(value, list):
            problems.append(Problem(path, "Expected a list", "INVALID_LIST_MEMBER"))
            return
        for index, item in enumerate(value):
            _check(shape.member, item, f"{path}[{index}]", problems)
    elif kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(Problem(path, "Expected an integer", "INVALID_INPUT"))
            return
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        message = f"Member must have value between {low} and {high}"
        if low is not None and value < low:
            problems.append(Problem(path, message, "MIN_VALUE_EXCEEDED"))
        elif high is not None and value > high:
            problems.append(Problem(path, message, "MAX_VALUE_EXCEEDED"))
    elif kind == "string":
        if not isinstance(value, str):
            problems.append(Problem(path, "Expected a string", "INVALID_INPUT"))
            return
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        pattern = shape.metadata.get("pattern")
        if low is not None and len(value) < low:
            problems.append(
                Problem(
                    path,
                    f"Member must have length greater than or equal to {low}",
                    "MIN_LENGTH_EXCEEDED",
                )
            )
        elif high is not None and len(value) > high:
            problems.append(
                Problem(
                    path,
                    f"Member must have length less than or equal to {high}",
                    "MAX_LENGTH_EXCEEDED",
                )
            )
        elif shape.enum and value not in shape.enum:
            problems.append(
                Problem(path, f"Member must satisfy enum value set: {shape.enum}", "INVALID_ENUM")
            )
        elif pattern is not None and not _pattern(pattern).fullmatch(value):
            problems.append(
                Problem(
                    path,
                    f"Member must satisfy regular expression pattern: {pattern}",
                    "INVALID_PATTERN",
                )
            )


@functools.cache
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text, re.ASCII)


def _join(path: str, member: str) -> str:
    return f"{path}.{member}" if path else member


def validate(operation: str, body: dict[str, Any], service: str = ACCOUNT) -> list[Problem]:
    """Every problem in a request body, named as the service's fieldList names them."""
    problems: list[Problem] = []
    input_shape = service_model(service).operation_model(operation).input_shape
    if input_shape is not None:
        _check(input_shape, body, "", problems)
    return problems
