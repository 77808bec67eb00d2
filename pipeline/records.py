"""The frozen records as plain data and back: what the batch cache stores, as JSON.

    to_data(Quantity("euro", 663.0, "EUR", "€ 663"))
    -> {"kind": "euro", "value": 663.0, "unit": "EUR", "text": "€ 663", "value_max": None, "qualifier": None}
    from_data(Quantity, that) == Quantity("euro", 663.0, "EUR", "€ 663")

The way back is read from each dataclass's annotations (`tuple[Block, ...]`, `Path`,
`int | None`), so it builds only the record classes it is asked for, field by field, and
nothing in the data can name a class or a function: unlike a pickle, an entry planted in
the cache is at worst a wrong value, never code that runs. Values must be what JSON
holds: a field annotated `Any` gets back the lists, dicts and numbers it was given.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable, Mapping
from pathlib import Path, PurePath
from typing import Any, TypeVar

T = TypeVar("T")


def to_data(value: Any) -> Any:
    """A record (or tuple, mapping, path, number) as JSON-ready dicts, lists and scalars."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    write = _WRITERS.get(kind)
    if write is None:
        write = _WRITERS[kind] = _writer(kind)
    return write(value)


_AS_IS = {str, int, float, bool, type(None)}
_WRITERS: dict[type, Callable[[Any], Any]] = {}


def _writer(kind: type) -> Callable[[Any], Any]:
    """How values of one type become data, found once per type."""
    if dataclasses.is_dataclass(kind):
        names = tuple(f.name for f in dataclasses.fields(kind))
        return lambda value: {name: to_data(getattr(value, name)) for name in names}
    if issubclass(kind, (tuple, list)):
        return lambda value: [to_data(v) for v in value]
    if issubclass(kind, Mapping):
        return _mapping_data
    if issubclass(kind, PurePath):
        return str
    for base in (bool, int, float, str):  # a subclass: numpy's float64, an IntEnum
        if issubclass(kind, base):
            return base
    if hasattr(kind, "item"):  # a numpy scalar: rapidfuzz and scipy give them
        return lambda value: to_data(value.item())
    raise TypeError(f"cannot store a {kind.__name__} as data")


def _mapping_data(value: Mapping) -> dict[str, Any]:
    if not all(isinstance(k, str) for k in value):
        raise TypeError(f"only str keys can be stored, not {sorted({type(k).__name__ for k in value})}")
    return {k: to_data(v) for k, v in value.items()}


def from_data(kind: type[T], data: Any) -> T:
    """`data` made by `to_data` back as a `kind` (a record class, or a type such as
    `tuple[Issue, ...]`). Raises ValueError when the data does not fit the type."""
    try:
        return _reader(kind)(data)
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"data does not fit {kind}: {error!r}") from error


_SCALARS = (str, int, float, bool)


@functools.cache
def _reader(hint: Any) -> Callable[[Any], Any]:
    """A function turning data into a value of type `hint`, made once per type."""
    if hint is Any or hint is object:
        return _same
    if hint is type(None):
        return _expect(type(None))
    if hint is float:
        return _float
    if hint in _SCALARS:
        return _expect(hint)
    if isinstance(hint, type) and issubclass(hint, PurePath):
        return lambda data: hint(_expect(str)(data))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _record_reader(hint)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _reader(args[0])
            return lambda data: tuple(item(v) for v in _expect(list)(data))
        items = [_reader(a) for a in args]
        return lambda data: tuple(read(v) for read, v in zip(items, _expect_length(data, len(items))))
    if origin in (list, frozenset, set):
        item = _reader(args[0]) if args else _same
        return lambda data: origin(item(v) for v in _expect(list)(data))
    if origin in (dict, Mapping, typing.Mapping) or hint in (dict, Mapping):
        value = _reader(args[1]) if len(args) == 2 else _same
        return lambda data: {_expect(str)(k): value(v) for k, v in _expect(dict)(data).items()}
    if origin in (typing.Union, types.UnionType):
        return _union_reader(args)
    raise TypeError(f"no data reader for {hint!r}")


def _record_reader(cls: type) -> Callable[[Any], Any]:
    hints = typing.get_type_hints(cls)
    # (name, the exact classes a plain field's value may have, or None and the field's reader)
    spec = [(f.name, *_plain_classes(hints[f.name])) for f in dataclasses.fields(cls) if f.init]

    def read(data: Any) -> Any:
        if data.__class__ is not dict:
            _wrong(data, (dict,))
        values = {}
        for name, classes, read_field in spec:
            if name in data:
                value = data[name]
                if classes is None:
                    values[name] = read_field(value)
                elif value.__class__ in classes:  # the common case, checked without a call
                    values[name] = value
                else:
                    _wrong(value, tuple(classes))
        return cls(**values)

    return read


def _plain_classes(hint: Any) -> tuple[frozenset | None, Callable[[Any], Any] | None]:
    """For a field of str, int, bool or a union of them with None: the classes its JSON value
    may have; else (None, its reader). float fields take their reader, which turns an int into
    a float."""
    options = typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, types.UnionType) else (hint,)
    if all(option in (str, int, bool, type(None)) for option in options):
        return frozenset(options), None
    return None, _reader(hint)


def _union_reader(args: tuple) -> Callable[[Any], Any]:
    """`X | None`, or a union of scalars (`float | str | None`): taken as they come."""
    options = [a for a in args if a is not type(None)]
    nullable = len(options) < len(args)
    if all(a in _SCALARS for a in options):
        allowed = tuple(options) + ((type(None),) if nullable else ())
        return lambda data: data if isinstance(data, allowed) else _wrong(data, allowed)
    if len(options) == 1:
        inner = _reader(options[0])
        return lambda data: None if data is None and nullable else inner(data)
    raise TypeError(f"no data reader for a union of {options}")


def _same(data: Any) -> Any:
    return data


def _float(data: Any) -> float:
    if isinstance(data, bool) or not isinstance(data, (int, float)):
        _wrong(data, (float,))
    return float(data)


def _expect(kind: type) -> Callable[[Any], Any]:
    def check(data: Any) -> Any:
        return data if isinstance(data, kind) and not (kind is int and isinstance(data, bool)) else _wrong(data, (kind,))
    return check


def _expect_length(data: Any, length: int) -> list:
    if not isinstance(data, list) or len(data) != length:
        raise TypeError(f"expected a list of {length}, got {data!r:.80}")
    return data


def _wrong(data: Any, kinds: tuple) -> Any:
    raise TypeError(f"expected {' or '.join(k.__name__ for k in kinds)}, got {type(data).__name__}")
