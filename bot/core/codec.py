"""Turning core values into JSON-able data and back.

Commands go into the audit log (so the record can be replayed through
``decide``), effects into the outbox and timers into storage: all as JSON made
here. The shape follows the dataclasses' type hints, so adding a field to a
command needs no change here. A value is tagged with its class name only where
the type hint alone cannot tell (a union such as ``Action`` or ``Effect``).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from datetime import datetime, time, timedelta
from enum import Enum
from functools import cache
from typing import Any

from bot.core import commands, document, effects, model

_MODULES = (commands, document, effects, model)


@cache
def _classes() -> dict[str, type]:
    found: dict[str, type] = {}
    for module in _MODULES:
        for name, value in vars(module).items():
            if isinstance(value, type) and dataclasses.is_dataclass(value):
                found[name] = value
    return found


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(_module_of(cls)))


def _module_of(cls: type) -> types.ModuleType:
    import sys

    return sys.modules[cls.__module__]


# Values that are their own JSON form. Checked by exact type first: most of a
# message document is strings, and this keeps encoding them cheap.
_PLAIN = frozenset({str, int, float, bool, type(None)})


# Empty values: a field left at one of these defaults may be left out (``compact``).
_EMPTY_KINDS = frozenset({str, tuple, frozenset, dict})
_KEPT = object()  # the field is always written


@cache
def _fields(cls: type, compact: bool) -> tuple[tuple[str, Any], ...] | None:
    """The fields of a dataclass, in order, each with the empty default that leaves
    it out when ``compact`` (else :data:`_KEPT`); None for any other type."""
    if not dataclasses.is_dataclass(cls):
        return None
    found: list[tuple[str, Any]] = []
    for f in dataclasses.fields(cls):
        default: Any = f.default
        make: Any = f.default_factory
        if default is dataclasses.MISSING and make is not dataclasses.MISSING:
            default = make()
        empty = (
            default is None or default is False or (type(default) in _EMPTY_KINDS and not default)
        )
        found.append((f.name, default if compact and empty else _KEPT))
    return tuple(found)


@cache
def _secret_names(cls: type) -> tuple[str, ...]:
    """The fields of a dataclass that are never written down (``metadata={"secret": True}``):
    a web link's secret, which only the person it was sent to may hold. Each has an
    empty default, which is what reading it back gives."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.metadata.get("secret"))


def encode(value: Any, *, compact: bool = False) -> Any:
    """A JSON-able form of a core value; dataclasses carry their class name.

    ``compact`` leaves out every field that holds its default when that default
    is empty (None, False, "", nothing): :func:`decode` gives it the default
    again. For what is recorded many times over (the audit log's commands, the
    outbox's messages, timers): most of a response's command is such fields.
    An empty default is therefore never changed to another value.

    Secret fields are written blank (left out when ``compact``)."""
    kind: type = type(value)
    if kind in _PLAIN:
        return value
    fields = _fields(kind, compact)
    if fields is not None:
        out: dict[str, Any] = {"@": kind.__name__}
        for name, empty in fields:
            field = getattr(value, name)
            if empty is not _KEPT and field == empty and type(field) is type(empty):
                continue
            # Most fields are plain: tested here, they cost no call of their own.
            out[name] = field if type(field) in _PLAIN else encode(field, compact=compact)
        for name in _secret_names(kind):
            if compact:
                out.pop(name, None)
            else:
                out[name] = ""
        return out
    if kind is tuple:
        return [v if type(v) in _PLAIN else encode(v, compact=compact) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Mapping):
        return [[encode(k, compact=compact), encode(v, compact=compact)] for k, v in value.items()]
    if isinstance(value, tuple | list | frozenset | set):
        items = [encode(v, compact=compact) for v in value]
        return sorted(items) if isinstance(value, frozenset | set) else items
    return value


def decode(data: Any, hint: Any = Any) -> Any:
    """The value ``encode`` made ``data`` from; ``hint`` is the expected type."""
    if isinstance(data, dict) and "@" in data:
        cls = _classes()[data["@"]]
        hints = _hints(cls)
        kwargs = {
            f.name: decode(data[f.name], hints[f.name])
            for f in dataclasses.fields(cls)
            if f.name in data
        }
        return cls(**kwargs)
    if data is None:
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        concrete = [a for a in args if a is not type(None)]
        return decode(data, concrete[0] if len(concrete) == 1 else Any)
    if origin is tuple:
        item = args[0] if args else Any
        return tuple(decode(v, item) for v in data)
    if origin is frozenset:
        return frozenset(decode(v, args[0]) for v in data)
    if origin in (dict, Mapping, typing.Mapping) or hint is dict:
        key, val = args if args else (Any, Any)
        return {decode(k, key): decode(v, val) for k, v in data}
    if isinstance(hint, type):
        if issubclass(hint, Enum):
            return hint(data)
        if hint is datetime:
            return datetime.fromisoformat(data)
        if hint is time:
            return time.fromisoformat(data)
        if hint is timedelta:
            return timedelta(seconds=data)
    return data
