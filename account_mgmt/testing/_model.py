"""Input validation for the emulator, driven by botocore's ``account`` model at run time.

Independent of the client's hand-written rules on purpose: where the two
disagree, the emulator (reading AWS's own model) is the one that is right,
and the end-to-end tests show it.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import botocore.session


@functools.cache
def service_model() -> Any:
    """botocore's model of the ``account`` service, loaded once."""
    return botocore.session.get_session().get_service_model("account")


@functools.cache
def operation_for_path(path: str) -> str | None:
    """``/getAlternateContact`` -> ``GetAlternateContact`` (None for an unknown path)."""
    model = service_model()
    for name in model.operation_names:
        if model.operation_model(name).http["requestUri"] == path:
            return str(name)
    return None


def _check(shape: Any, value: Any, path: str, problems: list[tuple[str, str]]) -> None:
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append((path, "Expected a structure"))
            return
        for required in shape.required_members:
            if value.get(required) is None:
                problems.append((_join(path, required), "Member must not be null"))
        for member, member_shape in shape.members.items():
            if value.get(member) is not None:
                _check(member_shape, value[member], _join(path, member), problems)
    elif kind == "list":
        if not isinstance(value, list):
            problems.append((path, "Expected a list"))
            return
        for index, item in enumerate(value):
            _check(shape.member, item, f"{path}[{index}]", problems)
    elif kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append((path, "Expected an integer"))
            return
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            problems.append((path, f"Member must have value between {low} and {high}"))
    elif kind == "string":
        if not isinstance(value, str):
            problems.append((path, "Expected a string"))
            return
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if low is not None and len(value) < low:
            problems.append((path, f"Member must have length greater than or equal to {low}"))
        elif high is not None and len(value) > high:
            problems.append((path, f"Member must have length less than or equal to {high}"))
        elif shape.enum and value not in shape.enum:
            problems.append((path, f"Member must satisfy enum value set: {shape.enum}"))
        elif "pattern" in shape.metadata and not _pattern(shape.metadata["pattern"]).fullmatch(
            value
        ):
            problems.append(
                (
                    path,
                    f"Member must satisfy regular expression pattern: {shape.metadata['pattern']}",
                )
            )


@functools.cache
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text, re.ASCII)


def _join(path: str, member: str) -> str:
    return f"{path}.{member}" if path else member


def validate(operation: str, body: dict[str, Any]) -> list[tuple[str, str]]:
    """Every (field, problem) in a request body, as the service's fieldList names them."""
    problems: list[tuple[str, str]] = []
    _check(service_model().operation_model(operation).input_shape, body, "", problems)
    return problems
