"""Generated requests and answers for every operation, against botocore's own reading.

test_wire pins hand-picked requests; this generates inputs for each of the 18
operations from the bounds in ``_validation`` (optional members sometimes
left out, non-ASCII text, every enum value), sends them through the client,
and checks botocore's own validator and serializer for the ``account`` model
accept the body we sent as boto3 parameters and produce the same JSON:
every member name, nesting and type as the model has it.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import re
from typing import Any

import attrs
import botocore.session
import botocore.validate
import pytest
import responses
from botocore import xform_name
from botocore.model import ListShape, Shape, StringShape, StructureShape
from botocore.parsers import create_parser
from botocore.serialize import create_serializer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from account_mgmt import (
    AccountClient,
    ContactInformation,
    MalformedResponseError,
    OutcomeUnknownError,
)
from account_mgmt._operations import ALL_OPERATIONS, Operation
from account_mgmt._protocol import decode_error
from account_mgmt._serde import parse_timestamp, unstructure
from account_mgmt._validation import SHAPE_RULES

from .conftest import ENDPOINT, SECRET_KEY

_MODEL = botocore.session.get_session().get_service_model("account")
# Its own key, so the Region switches the examples record (never settled) are
# not in the way of other tests'; caps it never reaches.
CLIENT_OPTIONS: dict[str, Any] = {
    "rate_limiting": False,
    "max_attempts": 1,
    "aws_access_key_id": "AKIDWIREVSBOTOCORE01",
    "aws_secret_access_key": SECRET_KEY,
    "region_opt_concurrency_per_account": 10**6,
    "region_opt_concurrency_per_organization": 10**6,
}
_SERIALIZER = create_serializer("rest-json")
_VALIDATOR = botocore.validate.ParamValidator()


def _string(shape: str) -> st.SearchStrategy[str]:
    rule = SHAPE_RULES[shape]
    if rule.enum is not None:
        return st.sampled_from(rule.enum)
    low, high = rule.min_length or 0, rule.max_length or 64
    if rule.pattern is None:
        return st.text(min_size=low, max_size=high)
    pattern = re.compile(rule.pattern, re.ASCII)
    return st.from_regex(pattern, fullmatch=True).filter(lambda s: low <= len(s) <= high)


def _contact() -> st.SearchStrategy[ContactInformation]:
    fields = {
        field.name: _string(field.metadata["shape"])
        if field.default is attrs.NOTHING
        else st.none() | _string(field.metadata["shape"])
        for field in attrs.fields(ContactInformation)
    }
    return st.builds(ContactInformation, **fields)


def _value(shape: str) -> st.SearchStrategy[Any]:
    rule = SHAPE_RULES[shape]
    if rule.kind == "structure":
        return _contact()
    if rule.kind == "integer":
        return st.integers(min_value=rule.min_value, max_value=rule.max_value)
    if rule.kind == "list":
        assert rule.member is not None
        return st.lists(_value(rule.member), min_size=1, max_size=4, unique=True)
    return _string(shape)


def _params(operation: Operation[Any]) -> st.SearchStrategy[dict[str, Any]]:
    members = {
        name: _value(shape) if required else st.none() | _value(shape)
        for name, (shape, required) in operation.members.items()
    }
    return st.fixed_dictionaries(members)


@pytest.mark.parametrize("operation", ALL_OPERATIONS, ids=lambda op: op.name)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_body_sent_is_what_botocore_would_send(
    operation: Operation[Any], data: st.DataObject
) -> None:
    params = data.draw(_params(operation))
    answer = b"{}" if operation.output is not None else b""
    with (
        responses.RequestsMock(assert_all_requests_are_fired=False) as mocked,
        AccountClient(**CLIENT_OPTIONS) as client,
    ):
        mocked.post(ENDPOINT + operation.path, body=answer, status=200)
        # enable_region/disable_region read the Region first: one that needs switching.
        before = "ENABLED" if operation.name == "DisableRegion" else "DISABLED"
        mocked.post(ENDPOINT + "/getRegionOptStatus", json={"RegionOptStatus": before})
        with contextlib.suppress(MalformedResponseError, OutcomeUnknownError):
            # "{}" is no valid answer for most outputs; the request is what is checked.
            getattr(client, xform_name(operation.name))(**params)
        bodies = [c.request.body for c in mocked.calls if c.request.path_url == operation.path]
    assert len(bodies) == 1
    sent = bodies[0]
    assert isinstance(sent, bytes)
    ours = json.loads(sent)

    model = _MODEL.operation_model(operation.name)
    report = _VALIDATOR.validate(ours, model.input_shape)
    assert not report.has_errors(), report.generate_report()
    theirs = _SERIALIZER.serialize_to_request(ours, model)
    assert theirs["url_path"] == operation.path
    assert json.loads(theirs["body"] or b"{}") == ours


_PARSER = create_parser("rest-json")
_OPERATIONS_WITH_OUTPUT = [op for op in ALL_OPERATIONS if op.output is not None]
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def _timestamp(shape: Shape) -> st.SearchStrategy[object]:
    moments = st.datetimes(
        min_value=datetime.datetime(2000, 1, 1),
        max_value=datetime.datetime(2100, 1, 1),
        timezones=st.just(datetime.UTC),
    ).map(lambda moment: moment.replace(microsecond=moment.microsecond // 1000 * 1000))
    if shape.serialization.get("timestampFormat") == "iso8601":
        return moments.map(lambda m: m.isoformat(timespec="milliseconds").replace("+00:00", "Z"))
    return moments.map(lambda m: (m - _EPOCH).total_seconds())


def _answer(shape: Shape) -> st.SearchStrategy[Any]:
    """Any JSON the model allows for ``shape``, every member present."""
    if isinstance(shape, StructureShape):
        return st.fixed_dictionaries({name: _answer(m) for name, m in shape.members.items()})
    if isinstance(shape, ListShape):
        return st.lists(_answer(shape.member), max_size=3)
    if shape.type_name == "timestamp":
        return _timestamp(shape)
    if isinstance(shape, StringShape) and shape.enum:
        return st.sampled_from(shape.enum)
    assert shape.type_name == "string", shape.type_name
    return st.text(max_size=30)


def _same(ours: Any, theirs: Any) -> bool:
    """Equal, reading a botocore datetime and our ISO text as the same instant."""
    if isinstance(theirs, datetime.datetime):
        return abs(parse_timestamp(ours).timestamp() - theirs.timestamp()) < 1e-3
    if isinstance(theirs, dict):
        # Our unstructuring leaves out an empty list; nothing else may be missing.
        return (
            isinstance(ours, dict)
            and ours.keys() <= theirs.keys()
            and all(_same(ours.get(k, []), v) for k, v in theirs.items())
        )
    if isinstance(theirs, list):
        return (
            isinstance(ours, list | tuple)
            and len(ours) == len(theirs)
            and all(_same(a, b) for a, b in zip(ours, theirs, strict=True))
        )
    return bool(ours == theirs)


@pytest.mark.parametrize("operation", _OPERATIONS_WITH_OUTPUT, ids=lambda op: op.name)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_what_the_client_returns_is_what_botocore_reads_from_the_answer(
    operation: Operation[Any], data: st.DataObject
) -> None:
    """Every member of every output, any text, every enum value, both timestamp
    encodings: the typed result carries what botocore's parser reads."""
    output_shape = _MODEL.operation_model(operation.name).output_shape
    answer = json.dumps(data.draw(_answer(output_shape))).encode()
    params = data.draw(_params(operation))
    with (
        responses.RequestsMock() as mocked,
        AccountClient(**CLIENT_OPTIONS) as client,
    ):
        mocked.post(ENDPOINT + operation.path, body=answer, status=200)
        result = getattr(client, xform_name(operation.name))(**params)
    parsed = _PARSER.parse({"status_code": 200, "headers": {}, "body": answer}, output_shape)
    parsed.pop("ResponseMetadata", None)
    ours = unstructure(result) if attrs.has(type(result)) else result
    if len(parsed) == 1 and (not isinstance(ours, dict) or ours.keys() != parsed.keys()):
        (parsed,) = parsed.values()  # a method that returns the answer's one member
    assert _same(ours, parsed), (ours, parsed)


_ERROR_CODES = sorted(
    {shape.name for shape in _MODEL.error_shapes}
    | {"ThrottlingException", "ExpiredTokenException", "InternalFailure", "SomethingNew"}
)


@st.composite
def _error_answer(draw: st.DrawFn) -> tuple[str, dict[str, str], bytes]:
    """An error answer in one of the shapes AWS front ends send: the code in the
    x-amzn-ErrorType header (maybe with a ':url' suffix) or in the body's
    ``__type`` (maybe namespaced) or ``code``; the message as message/Message."""
    code = draw(st.sampled_from(_ERROR_CODES))
    message = draw(st.text(max_size=40))
    document: dict[str, str] = {draw(st.sampled_from(["message", "Message"])): message}
    headers: dict[str, str] = {}
    where = draw(st.sampled_from(["header", "header-suffixed", "__type", "__type-namespaced"]))
    if where == "header":
        headers["x-amzn-errortype"] = code
    elif where == "header-suffixed":
        headers["x-amzn-errortype"] = f"{code}:http://internal.amazon.com/coral/com.amazon.x/"
    elif where == "__type":
        document["__type"] = code
    else:
        document["__type"] = f"com.amazonaws.account#{code}"
    return code, headers, json.dumps(document).encode()


@settings(max_examples=200, deadline=None)
@given(answer=_error_answer(), status=st.sampled_from([400, 403, 404, 409, 429, 500, 503]))
def test_an_error_answer_is_read_as_botocore_reads_it(
    answer: tuple[str, dict[str, str], bytes], status: int
) -> None:
    code, headers, body = answer
    ours = decode_error(status, headers, body)
    theirs = _PARSER.parse({"status_code": status, "headers": headers, "body": body}, None)
    assert ours.error_code == theirs["Error"]["Code"] == code
    assert ours.message == theirs["Error"]["Message"]
    modeled = code in {shape.name for shape in _MODEL.error_shapes}
    assert type(ours).__name__ == code or not modeled
