"""The one converter between models and the service's JSON.

All renaming lives here: a field ``address_line1`` is ``AddressLine1`` on
the wire. Unstructuring drops ``None`` members (the service treats an absent
member and a null one differently for some shapes). Structuring is lenient:
unknown keys are ignored, enum strings kept as they came, and both timestamp
encodings the service uses are read.

Answers are read by functions compiled here for each plain model (every
answer model is one); cattrs reads whatever else and writes request models,
and is imported only when first needed, so a program that only reads
answers never loads it (~15 ms of a cold start, with ``typing_extensions``).
"""

from __future__ import annotations

import datetime
import functools
import types
import typing
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs

if TYPE_CHECKING:
    import cattrs

T = TypeVar("T")

StructureHook = Callable[[Any, Any], Any]
"""Reads a decoded JSON value as the type it is given (cattrs' hook signature)."""


@functools.lru_cache(maxsize=1024)
def to_wire_name(python_name: str) -> str:
    """``address_line1`` -> ``AddressLine1``: the member's name in the AWS model."""
    return "".join(part[:1].upper() + part[1:] for part in python_name.split("_"))


def parse_timestamp(value: object) -> datetime.datetime:
    """A timestamp in either encoding the service uses, as an aware UTC datetime.

    ``AccountCreatedDate`` comes as ISO-8601 text and ``UpdatedAt`` as epoch
    seconds; either may turn up as the other, so both are accepted everywhere.

    Raises:
        TypeError: ``value`` is not a number or a string.
        ValueError: it is neither a timestamp's text nor a time ``datetime``
            can hold (year 10000, 1e300 seconds).
    """
    try:
        return _parse_timestamp(value)
    except (OverflowError, OSError) as exc:  # what datetime says of a time out of its range
        raise ValueError(f"the timestamp is out of range: {exc}") from exc


def _parse_timestamp(value: object) -> datetime.datetime:
    if isinstance(value, str):
        if ":" not in value:  # with a time of day it is ISO-8601 text, which float() refuses
            try:
                return datetime.datetime.fromtimestamp(float(value), tz=datetime.UTC)
            except ValueError:
                pass
        parsed = datetime.datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=datetime.UTC)
        return parsed.astimezone(datetime.UTC)
    if isinstance(value, bool):
        raise TypeError("a boolean is not a timestamp")
    if isinstance(value, int | float):
        return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)
    raise TypeError(f"cannot read a timestamp from {type(value).__name__}")


def _format_timestamp(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def _structure_str(value: object, _type: object) -> str:
    # cattrs' default would str() anything, turning a dict into "{'a': 1}".
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _structure_optional_str(value: object, _type: object) -> str | None:
    # Registered for the exact type so generated code calls it directly: cattrs'
    # generic Optional hook looks the inner hook up again for every value.
    if value is None or value.__class__ is str:  # what JSON gives: no second call
        return value
    return _structure_str(value, str)


_PLAIN_SLOTS: Final = frozenset({"__weakref__"})
"""Slots attrs adds to a slotted class besides its fields (``weakref_slot``, the default)."""


def _plain_setters(cls: type[Any]) -> dict[str, Callable[[Any, Any], None]] | None:
    """Each field's slot setter, if ``cls`` can be built without its ``__init__``; else None.

    ``__init__`` of such a class only stores its keyword arguments, each in
    its slot: attrs wrote it, slotted, no base but ``object``, every field in ``__init__``
    without validator, converter or ``Factory`` default, no
    ``__attrs_pre_init__``/``__attrs_post_init__``, and no slot beyond the
    fields (``cache_hash`` adds one). Setting the slots directly does the
    same work at half the cost, which matters for the 29 Regions of a
    ListRegions page.
    """
    if cls.__bases__ != (object,) or "__slots__" not in cls.__dict__:
        return None
    if hasattr(cls, "__attrs_pre_init__") or hasattr(cls, "__attrs_post_init__"):
        return None
    init_code = getattr(cls.__init__, "__code__", None)  # init=False and one's own __init__
    if init_code is None or not init_code.co_filename.startswith("<attrs generated"):
        return None
    fields = attrs.fields(cls)
    if set(cls.__slots__) - _PLAIN_SLOTS != {field.name for field in fields}:
        return None
    setters: dict[str, Callable[[Any, Any], None]] = {}
    for field in fields:
        slot = cls.__dict__.get(field.name)
        if (
            not field.init
            or field.validator is not None
            or field.converter is not None
            or isinstance(field.default, attrs.Factory)  # type: ignore[arg-type]
            or not isinstance(slot, types.MemberDescriptorType)
        ):
            return None
        setters[field.name] = slot.__set__
    return setters


def _plain_structure_fn(
    cls: type[Any],
    setters: Mapping[str, Callable[[Any, Any], None]],
    hook_for: Callable[[Any], StructureHook],
) -> StructureHook:
    """Structure ``cls`` (see ``_plain_setters``) as cattrs' generated code would, into its slots.

    The same reading as ``make_dict_structure_fn`` without detailed
    validation: the fields with a default first, then the required ones
    (cattrs' order: the first bad member is the one named), each member
    through ``hook_for``'s hook for the field's type, an absent member taking
    the default, an absent required one a ``KeyError`` naming its wire name;
    unknown members ignored.
    Like cattrs, it compiles a function per class; a ``str | None`` member
    (most of them) is checked inline rather than through a hook call.
    """
    namespace: dict[str, Any] = {
        "cls": cls, "new": object.__new__, "nothing": attrs.NOTHING,
        "structure_str": _structure_str, "name": cls.__name__,
    }  # fmt: skip
    lines = [
        "def structure_plain(value, _target):",
        "    if not isinstance(value, dict):",  # cattrs' `"Key" in value` passes a str vacuously
        "        raise TypeError(f'{name} must be a JSON object, got {type(value).__name__}')",
        "    instance = new(cls)",
    ]
    fields = list(enumerate(attrs.fields(cls)))
    # cattrs reads the members with a default first and the required ones last:
    # the same order here, so an answer with several bad members fails on the same one.
    ordered = [f for f in fields if f[1].default is not attrs.NOTHING] + [
        f for f in fields if f[1].default is attrs.NOTHING
    ]
    for index, field in ordered:
        wire = to_wire_name(field.name)
        hook = hook_for(field.type)
        namespace |= {
            f"set_{index}": setters[field.name], f"hook_{index}": hook,
            f"type_{index}": field.type, f"default_{index}": field.default,
        }  # fmt: skip
        if hook is _structure_optional_str and field.default is None:
            lines += [
                f"    member = value.get({wire!r})",
                "    if member is not None and member.__class__ is not str:",
                "        member = structure_str(member, str)",
                f"    set_{index}(instance, member)",
            ]
        elif field.default is attrs.NOTHING:  # required: a KeyError naming it when absent
            lines.append(f"    set_{index}(instance, hook_{index}(value[{wire!r}], type_{index}))")
        else:
            lines += [
                f"    member = value.get({wire!r}, nothing)",
                f"    set_{index}(instance, default_{index} if member is nothing "
                f"else hook_{index}(member, type_{index}))",
            ]
    lines.append("    return instance")
    code = compile("\n".join(lines), f"<account_mgmt structure {cls.__qualname__}>", "exec")
    exec(code, namespace)  # noqa: S102 - our own source, built from field names above
    structure_plain: StructureHook = namespace["structure_plain"]
    return structure_plain


def _is_homogeneous_tuple(candidate: Any) -> bool:
    args = typing.get_args(candidate)
    return typing.get_origin(candidate) is tuple and len(args) == 2 and args[1] is Ellipsis


def _optional_of(candidate: Any) -> Any:
    """``X`` for ``X | None`` (either spelling), else None."""
    if typing.get_origin(candidate) not in (types.UnionType, typing.Union):
        return None
    args = typing.get_args(candidate)
    if len(args) != 2 or type(None) not in args:
        return None
    return args[0] if args[1] is type(None) else args[1]


def _structure_timestamp(value: object, _type: object) -> datetime.datetime:
    return parse_timestamp(value)


def _structure_optional_timestamp(value: object, _type: object) -> datetime.datetime | None:
    # Exact type: no generic Optional dispatch per value.
    return None if value is None else parse_timestamp(value)


_SCALAR_HOOKS: Final[Mapping[object, StructureHook]] = {
    str: _structure_str,
    str | None: _structure_optional_str,
    datetime.datetime: _structure_timestamp,
    datetime.datetime | None: _structure_optional_timestamp,
}
"""The hooks for the leaf types of the models, registered with cattrs too."""


def _array_hook(element: Any, element_hook: StructureHook) -> StructureHook:
    def structure_array(value: Any, _target: Any) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise TypeError(f"expected a JSON array, got {type(value).__name__}")
        return tuple([element_hook(item, element) for item in value])

    return structure_array


def _optional_hook(inner: Any, inner_hook: StructureHook) -> StructureHook:
    def structure_optional(value: Any, _target: Any) -> Any:
        return None if value is None else inner_hook(value, inner)

    return structure_optional


def make_converter(*, direct: bool = True) -> cattrs.Converter:
    """Build a cattrs converter for the models; each class's code is generated on first use.

    ``direct=False`` builds every model through cattrs' generated code and
    its ``__init__``, the reading the direct path is tested against.
    """
    import cattrs
    from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

    # Without detailed validation the generated code raises the hooks' own errors
    # (TypeError, ValueError, KeyError for a missing required member) instead of
    # collecting them into exception groups: a third less time per Region read.
    converter = cattrs.Converter(detailed_validation=False)
    for leaf, hook in _SCALAR_HOOKS.items():
        converter.register_structure_hook(leaf, hook)
    converter.register_unstructure_hook(datetime.datetime, _format_timestamp)

    def structure_factory(cls: type[Any]) -> StructureHook:
        attrs.resolve_types(cls)
        setters = _plain_setters(cls) if direct else None
        if setters is not None:
            return _plain_structure_fn(cls, setters, converter.get_structure_hook)
        renames = {f.name: override(rename=to_wire_name(f.name)) for f in attrs.fields(cls)}
        generated = make_dict_structure_fn(cls, converter, **renames)  # type: ignore[arg-type]

        def structure_object(value: Any, target: Any) -> Any:
            # The generated code tests `"Key" in value`, which a string passes vacuously.
            if not isinstance(value, dict):
                raise TypeError(f"{cls.__name__} must be a JSON object, got {type(value).__name__}")
            return generated(value, target)

        return structure_object

    def tuple_factory(tuple_type: Any) -> StructureHook:
        (element, _ellipsis) = typing.get_args(tuple_type)
        return _array_hook(element, converter.get_structure_hook(element))

    def unstructure_factory(cls: type[Any]) -> Callable[[Any], Any]:
        renames = {
            f.name: override(rename=to_wire_name(f.name), omit_if_default=True)
            for f in attrs.fields(cls)
        }
        return make_dict_unstructure_fn(
            cls,
            converter,
            _cattrs_omit_if_default=True,
            **renames,  # type: ignore[arg-type]
        )

    converter.register_structure_hook_factory(attrs.has, structure_factory)
    converter.register_structure_hook_factory(_is_homogeneous_tuple, tuple_factory)
    converter.register_unstructure_hook_factory(attrs.has, unstructure_factory)
    return converter


class ModelConverter:
    """Models to and from JSON values, reading as ``make_converter()``'s converter reads.

    Plain models (``_plain_setters``), their leaf types, ``X | None`` and
    ``tuple[X, ...]`` are read by hooks built here (the ``X`` of those by its
    own hook, whichever reads it); any other type, and every unstructuring,
    goes to a cattrs converter made on first need.
    A hook is built once per type and kept; building the same one twice in
    a race is harmless.
    """

    def __init__(self) -> None:
        self._hooks: dict[object, StructureHook] = dict(_SCALAR_HOOKS)
        self._cattrs: cattrs.Converter | None = None

    def structure(self, value: object, cls: type[T]) -> T:
        """``value`` read as ``cls``; the hooks' own TypeError, ValueError or KeyError if not."""
        result: T = self.structure_hook(cls)(value, cls)
        return result

    def unstructure(self, model: object) -> Any:
        """``model`` as a JSON-ready value: wire names, ``None`` members left out."""
        return self.cattrs_converter().unstructure(model)

    def structure_hook(self, target: Any) -> StructureHook:
        """The hook that reads a value as ``target``."""
        hook = self._hooks.get(target)
        if hook is None:
            hook = self._hooks[target] = self._new_hook(target)
        return hook

    def cattrs_converter(self) -> cattrs.Converter:
        """The cattrs converter behind this one (imports cattrs the first time)."""
        if self._cattrs is None:
            self._cattrs = make_converter()
        return self._cattrs

    def _new_hook(self, target: Any) -> StructureHook:
        if isinstance(target, type) and attrs.has(target):
            attrs.resolve_types(target)
            setters = _plain_setters(target)
            if setters is not None:
                return _plain_structure_fn(target, setters, self.structure_hook)
        elif (inner := _optional_of(target)) is not None:
            return _optional_hook(inner, self.structure_hook(inner))
        elif _is_homogeneous_tuple(target):
            element = typing.get_args(target)[0]
            return _array_hook(element, self.structure_hook(element))
        return self.cattrs_converter().get_structure_hook(target)


CONVERTER = ModelConverter()
"""The converter every request and response goes through."""


def structure(data: object, cls: type[T]) -> T:
    """Build a model from decoded JSON; raises ``TypeError``/``ValueError`` on bad data."""
    try:
        return CONVERTER.structure(data, cls)
    except KeyError as exc:  # a member without a default is absent
        raise ValueError(f"cannot read {cls.__name__}: {exc.args[0]!r} is missing") from exc
    except ExceptionGroup as exc:  # cattrs.BaseValidationError, without importing cattrs
        raise ValueError(f"cannot read {cls.__name__}: {exc}") from exc


def unstructure(model: object) -> Any:
    """A model as the JSON-ready value the service expects."""
    return CONVERTER.unstructure(model)
