"""Building and copying frozen, slotted dataclasses quickly, for the hot path.

The state and the effects are frozen dataclasses with slots. A frozen class
refuses ``setattr`` (rightly), so its generated ``__init__`` stores every
field with ``object.__setattr__``, which looks the name up each time, after
``type.__call__`` has found and called ``__init__``. Each response builds a
dozen such objects and copies three, so the functions made here build them
another way, in a function made once per class (the way ``dataclasses`` itself
makes ``__init__``):

- the object is made as an instance of the class's **draft**: a plain class
  with the very same slots, whose fields Python stores directly (an ordinary
  attribute store, a fraction of ``object.__setattr__``'s cost);
- once every field is set, the object's class is switched to the frozen class
  (``__class__`` assignment, which Python allows between classes with the same
  slots, and checks). Nothing else ever sees the draft: the function returns
  an object of the frozen class, the same fields, as frozen as ever.

Three times cheaper than storing each field through ``object.__setattr__``.
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
    the same defaults, about three times as fast. For classes without default
    factories or ``__post_init__`` (refused here, at import, rather than built wrongly)."""
    if not isinstance(cls, type):
        raise TypeError(f"{cls!r} is not a class")
    fields = _fields(cls)
    namespace = _namespace(cls)
    parameters = []
    for index, field in enumerate(fields):
        if field.default_factory is not dataclasses.MISSING or not field.init or field.kw_only:
            raise TypeError(f"{cls.__name__}.{field.name}: only plain fields and defaults")
        if field.default is dataclasses.MISSING:
            parameters.append(field.name)
        else:
            namespace[f"_default{index}"] = field.default
            parameters.append(f"{field.name}=_default{index}")
    lines = [f"    _made.{f.name} = {f.name}" for f in fields]
    return _compile(f"build({', '.join(parameters)})", lines, cls, namespace)


def copier(cls: type[T]) -> Callable[..., T]:
    """A function ``copy(value, **changes)`` for ``cls``: ``dataclasses.replace``
    without its generality, several times as fast. A change to a name the class
    does not have is a ``TypeError``, as with ``replace``."""
    fields = _fields(cls)
    namespace = _namespace(cls)
    namespace["_KEEP"] = _Keep
    lines = [
        f"    _made.{f.name} = _old.{f.name} if {f.name} is _KEEP else {f.name}" for f in fields
    ]
    parameters = ", ".join(f"{f.name}=_KEEP" for f in fields)
    return _compile(f"copy(_old, *, {parameters})", lines, cls, namespace)


def changer(cls: type[T], *changing: str) -> Callable[..., T]:
    """A function ``change(value, *new_values)`` for ``cls``: a copy of ``value``
    with the fields named in ``changing`` set to the new values, in that order.
    For the copies every response makes, where a copier's keywords cost more
    than the copy itself."""
    fields = _fields(cls)
    names = [f.name for f in fields]
    unknown = [name for name in changing if name not in names]
    if unknown or len(set(changing)) != len(changing):
        raise TypeError(f"{cls.__name__}: cannot change {', '.join(changing)}")
    lines = [
        f"    _made.{name} = {name}" if name in changing else f"    _made.{name} = _old.{name}"
        for name in names
    ]
    return _compile(f"change(_old, {', '.join(changing)})", lines, cls, _namespace(cls))


def _fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__} is not a frozen dataclass with slots")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has a __post_init__ to run")
    if cls.__bases__ != (object,):
        # The draft must have the same layout, base classes included.
        raise TypeError(f"{cls.__name__} inherits: only plain dataclasses")
    fields = dataclasses.fields(cls)
    if tuple(f.name for f in fields) != tuple(cls.__dict__["__slots__"]):
        raise TypeError(f"{cls.__name__}: its slots are not its fields")
    if any(f.name.startswith("_") for f in fields):
        # The made functions' own names start with "_": a field could shadow them.
        raise TypeError(f"{cls.__name__}: a field name starts with _")
    return fields


def _namespace(cls: type) -> dict[str, Any]:
    return {"_cls": cls, "_draft": _draft(cls)}


_drafts: dict[type, type] = {}


def _draft(cls: type) -> type:
    """The plain class with ``cls``'s slots that its objects are built as."""
    draft = _drafts.get(cls)
    if draft is None:
        draft = type(f"{cls.__name__}Draft", (), {"__slots__": cls.__dict__["__slots__"]})
        # Python refuses the switch between classes of different layouts: try it
        # now, at import, rather than on the first response.
        probe: Any = draft()
        probe.__class__ = cls
        _drafts[cls] = draft
    return draft


def _compile(signature: str, lines: list[str], cls: type, namespace: dict[str, Any]) -> Any:
    # The text is made from the class's own field names only. Named after the
    # class, so that profiles tell the functions apart.
    name = signature.split("(")[0]
    # Calling the draft, which has no ``__init__``, is cheaper than ``object.__new__``.
    source = f"def {signature}:\n    _made = _draft()\n"
    source += "\n".join(lines) + "\n    _made.__class__ = _cls\n    return _made\n"
    exec(compile(source, f"<{name} {cls.__name__}>", "exec"), namespace)
    return namespace[name]
