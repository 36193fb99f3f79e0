"""The neutral message document every effect carries.

The core never writes HTML or Markdown: it builds a tiny document of blocks and
spans, and each adapter renders it its own way (Telegram HTML, Matrix HTML with a
plain-text body, console text). Keeping text as data also means user-supplied
text is never mixed with markup until an adapter escapes it.

Buttons are :class:`Action` objects. An action's ``command`` is the typed
equivalent ("consent #7"), so a button press is exactly the same as typing the
words: there is one way through the house, and every button has a typed
equivalent that ``help`` can show.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.core.i18n import N_


@dataclass(frozen=True, slots=True)
class Text:
    """Plain text, shown as it is (adapters escape it)."""

    text: str


@dataclass(frozen=True, slots=True)
class Strong:
    """Text that matters most in a line: a title, a deadline, a result."""

    text: str


@dataclass(frozen=True, slots=True)
class Mention:
    """A member, named so that their platform can notify them.

    ``identity`` is the platform identity to ping ("telegram:123",
    "matrix:@sam:example.org") or ``None`` for someone without one (a person
    added by name who answers through a proxy): then only the name is shown.
    """

    name: str
    identity: str | None = None
    # The member's accounts on other platforms: one person may be on several, and
    # each adapter notifies the account on its own platform (:meth:`on`).
    others: tuple[str, ...] = ()

    def on(self, platform: str) -> str | None:
        """The identity to notify on ``platform`` ("telegram", "matrix"), or None."""
        for identity in (self.identity, *self.others):
            if identity is not None and identity.split(":", 1)[0] == platform:
                return identity
        return None


Span = Text | Strong | Mention


@dataclass(frozen=True, slots=True)
class Paragraph:
    spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Heading:
    """The first line of a card or an announcement."""

    spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class BulletList:
    items: tuple[tuple[Span, ...], ...]


Block = Paragraph | Heading | BulletList


@dataclass(frozen=True, slots=True)
class Action:
    """A button: a label in words (an emoji may lead, never stand alone) and
    the typed command it stands for."""

    label: str
    command: str


@dataclass(frozen=True, slots=True)
class Document:
    blocks: tuple[Block, ...]
    actions: tuple[Action, ...] = ()

    def __add__(self, other: Document) -> Document:
        return Document(self.blocks + other.blocks, self.actions + other.actions)


SpanLike = Span | str


def _spans(parts: Iterable[SpanLike]) -> tuple[Span, ...]:
    return tuple(Text(p) if isinstance(p, str) else p for p in parts)


def para(*parts: SpanLike) -> Paragraph:
    """A paragraph; plain strings become :class:`Text`."""
    return Paragraph(_spans(parts))


def heading(*parts: SpanLike) -> Heading:
    return Heading(_spans(parts))


def bullets(items: Iterable[SpanLike | Iterable[SpanLike]]) -> BulletList:
    out: list[tuple[Span, ...]] = []
    for item in items:
        if isinstance(item, str | Text | Strong | Mention):
            out.append(_spans([item]))
        else:
            out.append(_spans(item))
    return BulletList(tuple(out))


def doc(*blocks: Block | str, actions: Iterable[Action] = ()) -> Document:
    """A document; plain strings become one-paragraph blocks."""
    return Document(
        tuple(para(b) if isinstance(b, str) else b for b in blocks),
        tuple(actions),
    )


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(template: str, **values: SpanLike | int) -> tuple[Span, ...]:
    """A translated sentence with its placeholders filled by spans: the words stay
    whole for translators ("Please respond by {deadline}."), and a value can still
    stand out (``deadline=Strong(...)``) wherever the language puts it."""
    spans: list[Span] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        if match.start() > position:
            spans.append(Text(template[position : match.start()]))
        value = values[match.group(1)]
        spans.append(Text(str(value)) if isinstance(value, str | int) else value)
        position = match.end()
    if position < len(template):
        spans.append(Text(template[position:]))
    return tuple(spans)


def span_text(span: Span) -> str:
    return span.name if isinstance(span, Mention) else span.text


REPLY_WITH = N_("Reply with: {commands}")


def plain_text(
    document: Document,
    *,
    with_actions: bool = True,
    translate: Callable[[str], str] = str,
) -> str:
    """The document as plain text: the console's rendering and the plain body
    platforms show in notifications and to screen readers. ``translate`` is the
    reader's catalog, for the line that lists the typed commands."""
    lines: list[str] = []
    for block in document.blocks:
        if isinstance(block, BulletList):
            lines.extend("• " + "".join(span_text(s) for s in item) for item in block.items)
        else:
            lines.append("".join(span_text(s) for s in block.spans))
    if with_actions and document.actions:
        commands = " · ".join(f'"{a.command}"' for a in document.actions)
        lines.append(translate(REPLY_WITH).format(commands=commands))
    return "\n".join(lines)
