"""Reading answers and writing bodies: each fast path gives exactly what the general one gives.

Answer models are built without their ``__init__`` (slots set directly, a
function compiled per class): these tests hold every model's result, and
every error, equal to what cattrs' generated code and the class's own
``__init__`` give, and check that a class the shortcut cannot honour
(validator, ``__attrs_post_init__``, ``Factory`` default, cached hash) is
still built through its ``__init__``. Bodies of plain strings and ints are
written without the JSON encoder, and answers that are UTF-8 objects read
without its encoding sniff: both held equal to the ``json`` module's output.
"""

from __future__ import annotations

import datetime
import json
import typing
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from account_mgmt import _operations as ops
from account_mgmt import _protocol, _serde, models
from account_mgmt.exceptions import MalformedResponseError

_MODELS = sorted(
    {
        *(cls for cls in vars(models).values() if isinstance(cls, type) and attrs.has(cls)),
        *(op.output for op in vars(ops).values() if isinstance(op, ops.Operation) and op.output),
    }
    - {dict},
    key=lambda cls: cls.__qualname__,
)


def _value(field_type: Any) -> Any:
    """A wire value that fits ``field_type`` (every member present, nested ones too)."""
    args = [arg for arg in typing.get_args(field_type) if arg is not type(None)]
    if typing.get_origin(field_type) is tuple:
        return [_document(args[0]), _document(args[0])]
    if args and len(args) == 1:  # X | None
        return _value(args[0])
    if field_type is str:
        return "value"
    if field_type is datetime.datetime:
        return "2024-01-02T03:04:05Z"
    assert attrs.has(field_type), field_type
    return _document(field_type)


def _document(cls: type[Any]) -> dict[str, Any]:
    attrs.resolve_types(cls)
    return {_serde.to_wire_name(f.name): _value(f.type) for f in attrs.fields(cls)}


_REFERENCE = _serde.make_converter(direct=False)
"""The converter as it was: cattrs' generated code and ``__init__`` for every model."""


def _read(converter: Any, document: object, cls: type[Any]) -> object:
    """The model, or the error's type and text."""
    try:
        return converter.structure(document, cls)
    except (TypeError, ValueError, KeyError) as exc:
        return (type(exc).__name__, str(exc))


def test_every_answer_model_takes_the_slot_path() -> None:
    # A model that stops qualifying (a validator added) falls back to cattrs, and
    # ListRegions gets twice as slow: this says so.
    assert len(_MODELS) >= 10
    for cls in _MODELS:
        attrs.resolve_types(cls)
        assert _serde._plain_setters(cls) is not None, cls


@pytest.mark.parametrize("cls", _MODELS, ids=lambda cls: cls.__qualname__)
def test_a_model_reads_as_cattrs_reads_it_when_every_member_is_there(cls: type[Any]) -> None:
    document = {**_document(cls), "UnknownMember": {"x": 1}}
    ours = _serde.CONVERTER.structure(document, cls)
    theirs = _REFERENCE.structure(document, cls)
    assert ours == theirs
    assert repr(ours) == repr(theirs)
    assert hash(ours) == hash(theirs)
    assert type(ours) is cls
    assert ours == cls(**{f.name: getattr(theirs, f.name) for f in attrs.fields(cls)})


@pytest.mark.parametrize("cls", _MODELS, ids=lambda cls: cls.__qualname__)
def test_a_model_reads_as_cattrs_reads_it_when_members_are_absent_or_null(
    cls: type[Any],
) -> None:
    full = _document(cls)
    for wire in full:
        for document in ({k: v for k, v in full.items() if k != wire}, {**full, wire: None}):
            assert _read(_serde.CONVERTER, document, cls) == _read(_REFERENCE, document, cls)
    assert _read(_serde.CONVERTER, {}, cls) == _read(_REFERENCE, {}, cls)


@pytest.mark.parametrize("cls", _MODELS, ids=lambda cls: cls.__qualname__)
@pytest.mark.parametrize("wrong", [5, True, {"a": 1}, ["a"], 1.5], ids=repr)
def test_a_member_of_the_wrong_type_fails_as_under_cattrs(cls: type[Any], wrong: object) -> None:
    for wire in _document(cls):
        document = {**_document(cls), wire: wrong}
        assert _read(_serde.CONVERTER, document, cls) == _read(_REFERENCE, document, cls)


@pytest.mark.parametrize("answer", ["text", ["Regions"], 5, None])
def test_a_model_from_anything_but_an_object_is_a_type_error(answer: object) -> None:
    with pytest.raises(TypeError, match="Region must be a JSON object"):
        _serde.CONVERTER.structure(answer, models.Region)


def test_a_string_subclass_is_kept_as_cattrs_keeps_it() -> None:
    class Tagged(str):
        pass

    region = _serde.CONVERTER.structure({"RegionName": Tagged("eu-west-1")}, models.Region)
    assert type(region.region_name) is Tagged
    assert region == models.Region(region_name="eu-west-1")


@attrs.frozen(kw_only=True)
class _Validated:
    name: str | None = attrs.field(default=None, validator=attrs.validators.max_len(3))


@attrs.frozen(kw_only=True)
class _PostInit:
    name: str | None = None
    seen: list[str] = attrs.field(factory=list, eq=False)

    def __attrs_post_init__(self) -> None:
        self.seen.append("post_init")


@attrs.frozen(kw_only=True, cache_hash=True)
class _CachedHash:
    name: str | None = None


@attrs.define(kw_only=True, slots=False)
class _Dict:
    name: str | None = None


@attrs.frozen(kw_only=True, init=False)
class _OwnInit:
    name: str | None

    def __init__(self, *, name: str | None = None) -> None:
        self.__attrs_init__(name=None if name is None else name.upper())


@pytest.mark.parametrize("cls", [_Validated, _PostInit, _CachedHash, _Dict, _OwnInit])
def test_a_class_the_slot_path_cannot_honour_is_built_by_its_init(cls: type[Any]) -> None:
    assert _serde._plain_setters(cls) is None
    for converter in (_serde.make_converter(), _serde.ModelConverter()):
        built = converter.structure({"Name": "abc"}, cls)
        assert built == cls(name="abc")
        if cls is _PostInit:
            assert built.seen == ["post_init"]
        if cls is _CachedHash:
            assert hash(built) == hash(cls(name="abc"))


def test_a_validator_still_runs_when_an_answer_is_read() -> None:
    with pytest.raises(ValueError, match="name"):
        _serde.make_converter().structure({"Name": "four"}, _Validated)
    with pytest.raises(ValueError, match="name"):
        _serde.structure({"Name": "four"}, _Validated)


@attrs.frozen(kw_only=True)
class _Wider:
    count: int | None = None
    validated: _Validated | None = None
    regions: tuple[models.Region, ...] = ()


@pytest.mark.parametrize(
    "document",
    [
        {"Count": 3, "Validated": {"Name": "abc"}, "Regions": [{"RegionName": "eu-west-1"}]},
        {"Count": "4", "Validated": None, "Regions": []},
        {"Count": None, "Regions": [{"RegionName": 5}]},
        {"Count": "many"},
        {"Validated": {"Name": "four"}},
        {"Validated": "abc"},
        {"Regions": {"RegionName": "eu-west-1"}},
    ],
)
def test_members_beyond_the_plain_types_read_as_cattrs_reads_them(document: object) -> None:
    # An int member and a class the slot path cannot honour go to cattrs, the rest
    # (Optional, tuples, plain models) are read by ModelConverter's own hooks.
    assert _read(_serde.ModelConverter(), document, _Wider) == _read(_REFERENCE, document, _Wider)


def test_reading_an_answer_model_leaves_cattrs_unloaded() -> None:
    # cattrs and typing_extensions are ~15 ms of a cold start: only a request model to
    # write or a type beyond the plain ones loads them.
    converter = _serde.ModelConverter()
    for cls in _MODELS:
        converter.structure(_document(cls), cls)
    assert converter._cattrs is None
    converter.unstructure(models.Region(region_name="eu-west-1"))
    assert converter._cattrs is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-02T03:04:05Z", datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)),
        ("2024-01-02T05:04:05+02:00", datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)),
        ("2024-01-02T03:04:05", datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)),
        ("2024-01-02", datetime.datetime(2024, 1, 2, tzinfo=datetime.UTC)),
        ("1704164645", datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)),
        ("1704164645.5", datetime.datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=datetime.UTC)),
        (1704164645, datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)),
    ],
)
def test_a_timestamp_reads_in_either_encoding(text: object, expected: datetime.datetime) -> None:
    assert _serde.parse_timestamp(text) == expected


@pytest.mark.parametrize("bad", ["yesterday", "12:00", "", True, None, [1]])
def test_a_timestamp_that_is_neither_encoding_is_refused(bad: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        _serde.parse_timestamp(bad)


_NAMES = st.sampled_from(["account_id", "alternate_contact_type", "max_results", "name", "x"])
_PLAIN = st.text() | st.integers(min_value=-(10**30), max_value=10**30)


@settings(deadline=None)  # a shared machine: a slow example is not a failure
@given(st.dictionaries(_NAMES, _PLAIN | st.none()))
def test_a_body_of_strings_and_ints_is_what_the_encoder_writes(params: dict[str, object]) -> None:
    expected = _protocol._BODY_ENCODER.encode(
        {_serde.to_wire_name(k): v for k, v in params.items() if v is not None}
    )
    assert _protocol.encode_body(params) == expected.encode()


@pytest.mark.parametrize(
    "value",
    ['quote " and \\ backslash', "tab\tnew\nline\x01", "é ü 中文 😀", "\u2028\u2029", ""],
)
def test_text_that_needs_escaping_is_written_as_the_encoder_writes_it(value: str) -> None:
    params = {"name": value, "max_results": 7}
    assert (
        _protocol.encode_body(params)
        == _protocol._BODY_ENCODER.encode({"Name": value, "MaxResults": 7}).encode()
    )


def test_a_body_with_a_list_a_bool_or_a_model_goes_through_the_encoder() -> None:
    contact = models.ContactInformation(
        full_name="A", address_line1="B", city="C", postal_code="D", country_code="FR",
        phone_number="+33 1",
    )  # fmt: skip
    params = {"contact_information": contact, "flag": True, "statuses": ("ENABLED",)}
    assert (
        _protocol.encode_body(params)
        == _protocol._BODY_ENCODER.encode(
            {
                "ContactInformation": _serde.unstructure(contact),
                "Flag": True,
                "Statuses": ["ENABLED"],
            }
        ).encode()
    )


_ANSWER = '{"AccountId": "123456789012", "AccountName": "caf\u00e9 \\ud83d"}'


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16-le", "utf-16", "utf-32"])
def test_an_answer_reads_as_json_loads_reads_it_in_any_encoding(encoding: str) -> None:
    body = _ANSWER.encode(encoding)
    read = _protocol.decode_success(200, {}, body, models.AccountInformation)
    assert read == _serde.structure(json.loads(body), models.AccountInformation)


def test_raw_surrogate_bytes_in_an_answer_read_as_json_loads_reads_them() -> None:
    body = b'{"AccountId": "123456789012", "AccountName": "\xed\xa0\x80"}'
    read = _protocol.decode_success(200, {}, body, models.AccountInformation)
    assert read == _serde.structure(json.loads(body), models.AccountInformation)
    assert read.account_name == "\ud800"


def test_an_answer_with_several_bad_members_fails_on_the_member_cattrs_names() -> None:
    # A defaulted member of the wrong type, the required ones absent: cattrs reads the
    # defaulted members first, and so the error names the wrong type, not an absence.
    body = b'{"ContactInformation": {"AddressLine2": 5}}'
    with pytest.raises(MalformedResponseError, match="expected a string, got int"):
        _protocol.decode_success(200, {}, body, models.GetContactInformationResponse)


@pytest.mark.parametrize("body", [b'{"AccountId": "12\xff"}', b'{"AccountId": "1"', b"{\x00"])
def test_an_unreadable_object_is_a_malformed_response(body: bytes) -> None:
    with pytest.raises(MalformedResponseError):
        _protocol.decode_success(200, {}, body, models.AccountInformation)


def _refuse_as_a_group(_instance: object, _attribute: object, _value: str | None) -> None:
    raise ExceptionGroup("several problems", [ValueError("one"), TypeError("two")])


@attrs.frozen(kw_only=True)
class _GroupRaising:
    name: str | None = attrs.field(default=None, validator=_refuse_as_a_group)


def test_a_group_of_errors_from_a_hook_is_a_value_error_naming_the_model() -> None:
    # cattrs' own validation errors are exception groups (BaseValidationError): they
    # are caught as such, so cattrs need not be imported to name them.
    with pytest.raises(ValueError, match="cannot read _GroupRaising: several problems"):
        _serde.structure({"Name": "x"}, _GroupRaising)
