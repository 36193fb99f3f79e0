"""What people type, made safe once, on the way in.

Every request is cleaned before the core decides it (``decide``), so titles,
details, reasons, questions, answers, outcomes and the names platforms give
are stored clean, and every view, file and export shows the clean text:

- **Control characters** go (a bell, an escape sequence, a backspace that
  rewrites a line in a terminal or a log), except line breaks, which people
  use in details and reasons; a carriage return becomes a line break.
- **Bidirectional controls** go: the embeddings, overrides and isolates
  (U+202A–U+202E, U+2066–U+2069). U+202E (right-to-left override) makes
  "txt.exe" look like "exe.txt", or turns "I object" around a name. The
  marks U+200E, U+200F and U+061C stay: Arabic and Hebrew writers need them
  to place punctuation, and a mark cannot reorder the text beyond itself.

Why strip rather than wrap each piece of user text in isolates (FSI … PDI):
the text is shown in many places (Telegram HTML, Matrix HTML and plain
bodies, the console, Markdown, CSV, JSON, calendar files, printed pages).
Isolates would have to be added, correctly paired, by each of them, and
invisible characters in files trip up search, spreadsheets and screen
readers. Cleaned once on the way in, nothing downstream can forget.
"""

from __future__ import annotations

import dataclasses
import re
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

# C0 controls but the tab and the line feed, DEL, C1 controls, and the bidi controls.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + BIDI_CONTROLS + "]"
)  # fmt: skip
_LINE_ENDS = re.compile("\r\n?|[\u2028\u2029\x85]")


def clean(text: str) -> str:
    """``text`` without control characters (line breaks kept) or bidi controls."""
    if text.isprintable():  # almost always: one quick pass in C
        return text
    return _UNSAFE.sub("", _LINE_ENDS.sub("\n", text)).replace("\t", " ")


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else ()


def cleaned(value: T) -> T:
    """A command (or its action, or its actor) with every text in it cleaned; the very
    same object when nothing needed it, as is almost always so."""
    changes: dict[str, Any] = {}
    kind: type = type(value)
    for name in _field_names(kind):
        field = getattr(value, name)
        if type(field) is str:
            if field.isprintable():  # as almost every text is: nothing to do
                continue
            new: Any = clean(field)
        elif type(field) is tuple:
            if not any(type(v) is str and not v.isprintable() for v in field):
                continue
            new = tuple(clean(v) if type(v) is str else v for v in field)
        elif hasattr(type(field), "__dataclass_fields__"):
            new = cleaned(field)
        else:
            continue
        if new is not field and new != field:
            changes[name] = new
    return dataclasses.replace(value, **changes) if changes else value  # type: ignore[type-var]
