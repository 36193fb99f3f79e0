"""Building and copying frozen, slotted dataclasses quickly, for the hot path.

The state and the effects are frozen dataclasses with slots. A frozen class
refuses ``setattr`` (rightly), so its generated ``__init__`` stores every
field with ``object.__setattr__``, which looks the name up each time, after
``type.__call__`` has found and called ``__init__``. Each response builds a
dozen such objects and copies three, so the functions made here do the same
work the direct way: one line per field, each stored through the slot's own
descriptor (what ``object.__setattr__`` ends up using), in a function made
once per class, the way ``dataclasses`` itself makes ``__init__``. The objects
are the very same: same class, same fields, as frozen as ever.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class _Keep:
    """The default of a copier's parameters: "keep the old value"."""


def constructor(cls: Callable[P, T]) -> Callable[P, T]:
    """A function that builds ``cls`` from the same arguments as ``cls(...)``, with
    the same defaults, about twice as fast. For classes without default factories
    or ``__post_init__`` (refused here, at import, rather than built wrongly)."""
    if not isinstance(cls, type):
        raise TypeError(f"{cls!r} is not a class")
    fields = _fields(cls)
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    parameters, lines = [], []
    for index, field in enumerate(fields):
        if field.default_factory is not dataclasses.MISSING or not field.init or field.kw_only:
            raise TypeError(f"{cls.__name__}.{field.name}: only plain fields and defaults")
        if field.default is dataclasses.MISSING:
            parameters.append(field.name)
        else:
            namespace[f"_default{index}"] = field.default
            parameters.append(f"{field.name}=_default{index}")
        namespace[f"_set{index}"] = getattr(cls, field.name).__set__
        lines.append(f"    _set{index}(_made, {field.name})")
    source = f"def build({', '.join(parameters)}):\n    _made = _new(_cls)\n"
    source += "\n".join(lines) + "\n    return _made\n"
    return _compile(source, f"<build {cls.__name__}>", namespace, "build")


def copier(cls: type[T]) -> Callable[..., T]:
    """A function ``copy(value, **changes)`` for ``cls``: ``dataclasses.replace``
    without its generality, about twice as fast as a loop of ``getattr`` and
    ``object.__setattr__``. A change to a name the class does not have is a
    ``TypeError``, as with ``replace``."""
    fields = _fields(cls)
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls, "_KEEP": _Keep}
    lines = []
    for index, field in enumerate(fields):
        name = field.name
        namespace[f"_set{index}"] = getattr(cls, name).__set__
        lines.append(f"    _set{index}(_copy, _old.{name} if {name} is _KEEP else {name})")
    parameters = ", ".join(f"{field.name}=_KEEP" for field in fields)
    source = f"def copy(_old, *, {parameters}):\n    _copy = _new(_cls)\n"
    source += "\n".join(lines) + "\n    return _copy\n"
    return _compile(source, f"<evolve {cls.__name__}>", namespace, "copy")


def _fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__} is not a frozen dataclass with slots")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has a __post_init__ to run")
    fields = dataclasses.fields(cls)
    if tuple(f.name for f in fields) != tuple(cls.__dict__["__slots__"]):
        raise TypeError(f"{cls.__name__}: its slots are not its fields")
    if any(f.name.startswith("_") for f in fields):
        # The made functions' own names start with "_": a field could shadow them.
        raise TypeError(f"{cls.__name__}: a field name starts with _")
    return fields


def _compile(source: str, filename: str, namespace: dict[str, Any], name: str) -> Any:
    # The text is made from the class's own field names only. Named after the
    # class, so that profiles tell the functions apart.
    exec(compile(source, filename, "exec"), namespace)
    return namespace[name]
