"""The rest-json binding: what goes in a request body, how an answer is read.

Error answers are read defensively: the code may be in the
``x-amzn-ErrorType`` header (``Code:http://...`` suffix possible) or the body
(``__type`` with a ``namespace#`` prefix, ``code`` or ``Code``), and a proxy
may answer with HTML, nothing, or half a JSON document. Every one of those
still becomes a typed ``ServiceError`` carrying the status and request id.

Success answers are read as strictly as the model allows: a 2xx carrying an
error document (``__type`` in the body, or ``x-amzn-ErrorType``) is the error
it names, and a body without a member the operation exists to return (model
fields marked ``answer_required``) is ``MalformedResponseError``, never an
all-``None`` success. JSON nested too deeply for Python's parser is
malformed too, never a bare ``RecursionError``.
"""

from __future__ import annotations

import datetime
import email.utils
import functools
import json
from collections.abc import Mapping
from json.encoder import encode_basestring as _quote  # the encoder's own, ensure_ascii=False
from typing import Any, Final, TypeVar

import attrs

from account_mgmt import _serde
from account_mgmt._config import MAX_CLOCK_SKEW_ADOPTED
from account_mgmt.exceptions import (
    MalformedResponseError,
    ServiceError,
    ValidationException,
    error_class_for,
)
from account_mgmt.models import ValidationExceptionField

CONTENT_TYPE: Final = "application/json"
"""What the service's rest-json protocol sends and expects."""

T = TypeVar("T")

_REQUEST_ID_HEADERS: Final = ("x-amzn-requestid", "x-amz-request-id")
_RETRY_AFTER_MS_HEADER: Final = "x-amz-retry-after"
_RETRY_AFTER_S_HEADER: Final = "retry-after"
_ERROR_TYPE_HEADER: Final = "x-amzn-errortype"
_ERROR_TYPE_MEMBER: Final = "__type"

ANSWER_REQUIRED: Final = "answer_required"
"""Field metadata key: an answer without this member does not mean anything."""


_BODY_ENCODER: Final = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
"""Compact JSON as the service reads it; one encoder (``json.dumps`` with options builds one
per call)."""


_SCALARS: Final = frozenset({str, int, float, bool})
"""Member types JSON takes as they are (no model to unstructure, no sequence to list)."""


def encode_body(params: Mapping[str, object]) -> bytes:
    """The JSON body for an operation's parameters; ``None`` members are left out."""
    body: dict[str, Any] = {}
    plain = True
    for name, value in params.items():
        if value is None:
            continue
        kind = type(value)
        if kind is str or kind is int:
            pass  # the usual member: as it is
        elif kind in _SCALARS:
            plain = False
        elif attrs.has(kind):
            value = _serde.unstructure(value)
            plain = False
        else:
            if isinstance(value, list | tuple):
                value = list(value)
            plain = False
        body[_serde.to_wire_name(name)] = value
    if plain:  # only strings and ints: written as the encoder would, without building one
        return _plain_object(body).encode()
    return _BODY_ENCODER.encode(body).encode()


def _plain_object(members: Mapping[str, str | int]) -> str:
    """``_BODY_ENCODER.encode(members)`` for members that are exact ``str`` or ``int``.

    The encoder sets up a C encoder on every call, which costs more than
    writing out a body of one or two members (a test holds the two equal).
    """
    return (
        "{"
        + ",".join(
            f"{_quote(name)}:{_quote(value) if type(value) is str else int.__repr__(value)}"
            for name, value in members.items()
        )
        + "}"
    )


def request_id(headers: Mapping[str, str]) -> str | None:
    """The request id AWS assigned, from whichever header carries it."""
    for name in _REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


def decode_success(
    status_code: int,
    headers: Mapping[str, str],
    body: bytes,
    output: type[T] | None,
    *,
    local_time: datetime.datetime | None = None,
) -> T | None:
    """The ``output`` model read from a 2xx answer (None for operations without output).

    An operation without output accepts an empty body; any non-empty body must
    be a JSON object, and an operation with output must have one that fits.

    ``local_time`` is our clock's reading, for the ``server_time`` of an
    error carried by a 2xx (see ``decode_error``).

    Raises:
        ServiceError: the 2xx carries an error document (``__type`` in the
            body or an ``x-amzn-ErrorType`` header): the subclass it names.
        MalformedResponseError: the body is empty where output was expected,
            not JSON, nested too deeply, truncated, not an object, lacks a
            member the output marks ``answer_required``, or does not fit the model.
    """
    rid = request_id(headers)
    if headers.get(_ERROR_TYPE_HEADER):
        raise decode_error(status_code, headers, body, local_time=local_time)
    if not body.strip():
        if output is not None:
            raise MalformedResponseError(
                "empty response body", status_code=status_code, request_id=rid
            )
        return None
    try:
        if body[:1] == b"{" and body[1:2] != b"\x00":
            # What json.loads works out for such bytes (UTF-8), without its encoding sniff.
            decoded = json.loads(body.decode("utf-8", "surrogatepass"))
        else:
            decoded = json.loads(body)
    except RecursionError as exc:
        raise MalformedResponseError(
            f"response body is JSON nested too deeply to read ({len(body)} bytes)",
            status_code=status_code,
            request_id=rid,
        ) from exc
    except ValueError as exc:
        content_type = headers.get("content-type", "unknown content type")
        raise MalformedResponseError(
            f"response body is not valid JSON ({content_type}, {len(body)} bytes)",
            status_code=status_code,
            request_id=rid,
        ) from exc
    if not isinstance(decoded, dict):
        raise MalformedResponseError(
            f"response body is a JSON {type(decoded).__name__}, not an object",
            status_code=status_code,
            request_id=rid,
        )
    if isinstance(decoded.get(_ERROR_TYPE_MEMBER), str):
        raise decode_error(status_code, headers, body, local_time=local_time)
    if output is None:
        return None
    missing = _missing_members(decoded, output)
    if missing:
        raise MalformedResponseError(
            f"response to be read as {output.__name__} lacks {', '.join(missing)}",
            status_code=status_code,
            request_id=rid,
        )
    try:
        return _serde.structure(decoded, output)
    except (TypeError, ValueError, RecursionError) as exc:
        raise MalformedResponseError(
            f"response does not fit {output.__name__}: {exc}",
            status_code=status_code,
            request_id=rid,
        ) from exc


def _missing_members(document: dict[str, Any], cls: type[Any]) -> list[str]:
    """The wire names of ``cls``'s ``answer_required`` members absent or null in ``document``.

    Only the answer's own members: the items of a list (a Region of a
    ListRegions page) are read leniently, and a nested model's required
    fields are the converter's to enforce. Wrong types are left to the
    converter too, which says what it expected.
    """
    required = _required_members(cls)  # type: ignore[arg-type]  # a class is hashable
    return [name for name in required if document.get(name) is None]


@functools.lru_cache(maxsize=256)
def _required_members(cls: type[Any]) -> tuple[str, ...]:
    """The wire names of ``cls``'s fields marked ``answer_required`` (none for a non-model)."""
    if not attrs.has(cls):
        return ()
    return tuple(
        _serde.to_wire_name(field.name)
        for field in attrs.fields(cls)
        if field.metadata.get(ANSWER_REQUIRED)
    )


def _clean_code(raw: str) -> str:
    # "aws.account#ConflictException:http://internal.amazon.com/..." -> "ConflictException"
    return raw.split(":", 1)[0].rsplit("#", 1)[-1].strip()


def _retry_after(headers: Mapping[str, str]) -> float | None:
    try:
        if _RETRY_AFTER_MS_HEADER in headers:
            return max(0.0, float(headers[_RETRY_AFTER_MS_HEADER]) / 1000.0)
        if _RETRY_AFTER_S_HEADER in headers:
            return max(0.0, float(headers[_RETRY_AFTER_S_HEADER]))
    except ValueError:
        pass  # an HTTP-date or garbage: no usable hint
    return None


def _field_list(raw: object) -> tuple[ValidationExceptionField, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        ValidationExceptionField(
            name=str(item.get("name", "")), message=str(item.get("message", ""))
        )
        for item in raw
        if isinstance(item, dict)
    )


def decode_error(
    status_code: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    local_time: datetime.datetime | None = None,
) -> ServiceError:
    """The typed error for an error answer (or a 2xx carrying one), whatever its body holds.

    ``local_time`` is our clock's reading (now, if not given): ``server_time``
    is None when the ``Date`` header is further from it than
    ``MAX_CLOCK_SKEW_ADOPTED``.
    """
    document: dict[str, Any] = {}
    try:
        decoded = json.loads(body) if body.strip() else {}
        if isinstance(decoded, dict):
            document = decoded
    except (ValueError, RecursionError):
        pass  # HTML, plain text, a truncated body or a bracket bomb: status and headers say enough
    raw_code = headers.get("x-amzn-errortype") or next(
        (document[key] for key in ("__type", "code", "Code") if isinstance(document.get(key), str)),
        None,
    )
    code = _clean_code(raw_code) if raw_code else None
    message = next(
        (
            document[key]
            for key in ("message", "Message", "errorMessage")
            if isinstance(document.get(key), str)
        ),
        "",
    )
    common: dict[str, Any] = {
        "status_code": status_code,
        "error_code": code or None,
        "request_id": request_id(headers),
        "retry_after": _retry_after(headers),
    }
    cls = error_class_for(code or None, message)
    if issubclass(cls, ValidationException):
        reason = document.get("reason")
        error: ServiceError = cls(
            message,
            reason=reason if isinstance(reason, str) else None,
            field_list=_field_list(document.get("fieldList")),
            **common,
        )
    else:
        error = cls(message, **common)
    error.server_time = server_time(headers, local_time or datetime.datetime.now(datetime.UTC))
    return error


def server_time(
    headers: Mapping[str, str], local_time: datetime.datetime
) -> datetime.datetime | None:
    """The server's clock from its ``Date`` header, if it can be a real clock; never raises.

    None when the header is missing, unreadable, or further than
    ``MAX_CLOCK_SKEW_ADOPTED`` from ``local_time`` (a broken or hostile
    answer; adopting it would push every later signature off the calendar).
    """
    try:
        parsed = email.utils.parsedate_to_datetime(headers["date"])
        if parsed.tzinfo is None:  # "-0000": UTC with no claim about the zone
            parsed = parsed.replace(tzinfo=datetime.UTC)
        parsed = parsed.astimezone(datetime.UTC)
        skew = abs((parsed - local_time).total_seconds())
    except (KeyError, TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if skew <= MAX_CLOCK_SKEW_ADOPTED else None
