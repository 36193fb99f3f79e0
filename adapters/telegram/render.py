"""The neutral document as Telegram HTML, in messages that fit.

Every piece of text from the document is escaped here and nowhere else, so a
person who types ``<b>`` or ``&`` sees exactly that. Strong becomes ``<b>``, a
heading is bold as a whole, a mention of a Telegram member becomes a
``tg://user`` link (which notifies them), and a list becomes "• " lines.
Blocks are separated by an empty line, which is easier to read on a phone.

A message holds at most 4096 characters (counted in UTF-16, after the tags
are taken out). A longer document is split between blocks; a block that alone
is too long is split between words. Buttons go on the last part only.

A proposal's card is different: it is edited in place as responses come, so it
must stay one message. A card too long for one (many long reasons) is
shortened instead, its longest blocks first, keeping the title, the tally and
the buttons; "show #7" still gives everything.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from adapters.telegram.ids import PLATFORM
from bot.core.document import (
    Block,
    BulletList,
    Document,
    Heading,
    Mention,
    Paragraph,
    Span,
    Strong,
    Text,
    span_text,
)

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
BLOCK_SEPARATOR = "\n\n"
BULLET = "• "
# Buttons whose words are this short sit two to a row; longer ones get a row each.
SHORT_LABEL = 16


def units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True, slots=True)
class Piece:
    """One block as HTML, with the length of the text Telegram will show."""

    html: str
    length: int


def render(document: Document, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The document as one or more HTML messages, each within ``limit``."""
    pieces = [piece for block in document.blocks for piece in _pieces(block, limit)]
    if not pieces:
        return ["·"]  # Telegram refuses an empty message
    parts: list[str] = []
    current: list[Piece] = []
    length = 0
    for piece in pieces:
        extra = piece.length + (units(BLOCK_SEPARATOR) if current else 0)
        if current and length + extra > limit:
            parts.append(BLOCK_SEPARATOR.join(p.html for p in current))
            current, length = [], 0
            extra = piece.length
        current.append(piece)
        length += extra
    parts.append(BLOCK_SEPARATOR.join(p.html for p in current))
    return parts


def render_one(document: Document, note: Block, limit: int = MESSAGE_LIMIT) -> str:
    """The document as a single message, shortened to fit; ``note`` says it was."""
    parts = render(document, limit)
    if len(parts) == 1:
        return parts[0]
    blocks = [*document.blocks, note]
    while True:
        pieces = [_piece(block) for block in blocks]
        length = sum(p.length for p in pieces) + units(BLOCK_SEPARATOR) * (len(pieces) - 1)
        if length <= limit:
            return BLOCK_SEPARATOR.join(p.html for p in pieces if p.html)
        # The first block (the title) and the note stay; the longest of the rest halves.
        longest = max(range(1, len(blocks) - 1), key=lambda i: pieces[i].length, default=None)
        if longest is None:
            return render(document, limit)[0]
        shorter = _halved(blocks[longest], pieces[longest].length)
        if _piece(shorter).length < pieces[longest].length:
            blocks[longest] = shorter
        else:
            del blocks[longest]  # too small to shorten: leave it out


def keyboard(rows_of: Sequence[InlineKeyboardButton]) -> InlineKeyboardMarkup | None:
    """Buttons laid out for a phone: short ones in pairs, long ones alone."""
    rows: list[list[InlineKeyboardButton]] = []
    for button in rows_of:
        short = units(button.text) <= SHORT_LABEL
        last = rows[-1] if rows else None
        if short and last is not None and len(last) == 1 and units(last[0].text) <= SHORT_LABEL:
            last.append(button)
        else:
            rows.append([button])
    return InlineKeyboardMarkup(rows) if rows else None


# -- blocks ----------------------------------------------------------------------------------


def _pieces(block: Block, limit: int) -> list[Piece]:
    piece = _piece(block)
    if piece.length <= limit:
        return [piece]
    return [p for smaller in _split(block, limit) for p in _pieces(smaller, limit)]


def _piece(block: Block) -> Piece:
    if isinstance(block, BulletList):
        lines = [_spans(item, bold=False) for item in block.items]
        return Piece(
            "\n".join(BULLET + h for h, _ in lines),
            sum(units(BULLET) + n for _, n in lines) + max(len(lines) - 1, 0),
        )
    if isinstance(block, Heading):
        inner, length = _spans(block.spans, bold=True)
        return Piece(f"<b>{inner}</b>" if inner else "", length)
    return Piece(*_spans(block.spans, bold=False))


def _spans(spans: Sequence[Span], *, bold: bool) -> tuple[str, int]:
    """HTML for a line of spans; inside bold text, Strong adds nothing."""
    out: list[str] = []
    for span in spans:
        text = html.escape(span_text(span), quote=False)
        if isinstance(span, Mention):
            user = _telegram_user(span.on(PLATFORM))
            if user is not None:
                text = f'<a href="tg://user?id={user}">{text}</a>'
        elif isinstance(span, Strong) and not bold and text:
            text = f"<b>{text}</b>"
        out.append(text)
    return "".join(out), sum(units(span_text(s)) for s in spans)


def _telegram_user(identity: str | None) -> int | None:
    if identity is None or not identity.startswith(f"{PLATFORM}:"):
        return None  # a person without Telegram: their name alone
    number = identity.removeprefix(f"{PLATFORM}:")
    return int(number) if number.isdigit() else None


# -- splitting and shortening what is too long ------------------------------------------------

ELLIPSIS = "…"


def _halved(block: Block, length: int) -> Block:
    if isinstance(block, BulletList):
        if len(block.items) > 1:
            return BulletList((*block.items[: len(block.items) // 2], (Text(ELLIPSIS),)))
        spans: tuple[Span, ...] = block.items[0] if block.items else ()
        return BulletList(((*_cut(spans, max(length // 2, 1))[0], Text(ELLIPSIS)),))
    kept = (*_cut(block.spans, max(length // 2, 1))[0], Text(ELLIPSIS)) if length > 2 else ()
    return Heading(kept) if isinstance(block, Heading) else Paragraph(kept)


def _split(block: Block, limit: int) -> list[Block]:
    """A block too long for one message, as several shorter blocks."""
    if isinstance(block, BulletList):
        if len(block.items) > 1:
            half = len(block.items) // 2
            return [BulletList(block.items[:half]), BulletList(block.items[half:])]
        return [Paragraph(chunk) for chunk in _cut((Text(BULLET), *block.items[0]), limit)]
    kind = Heading if isinstance(block, Heading) else Paragraph
    return [kind(chunk) for chunk in _cut(block.spans, limit)]


def _cut(spans: Sequence[Span], limit: int) -> list[tuple[Span, ...]]:
    """Spans in chunks of at most ``limit`` characters, cut between words where possible."""
    chunks: list[tuple[Span, ...]] = []
    current: list[Span] = []
    room = limit
    queue = list(spans)
    while queue:
        span = queue.pop(0)
        size = units(span_text(span))
        if size <= room:
            current.append(span)
            room -= size
            continue
        if isinstance(span, Mention) or room <= 0:
            if current:
                chunks.append(tuple(current))
            current, room = [], limit
            if isinstance(span, Mention) and size > limit:  # never in practice: names are short
                span = Text(span.name)
            queue.insert(0, span)
            continue
        head, tail = _break(span.text, room)
        current.append(type(span)(head))
        chunks.append(tuple(current))
        current, room = [], limit
        queue.insert(0, type(span)(tail))
    if current:
        chunks.append(tuple(current))
    return chunks


def _break(text: str, room: int) -> tuple[str, str]:
    """Cut ``text`` so the head fits in ``room`` units, at the last space if there is one."""
    fit = 0
    used = 0
    for i, char in enumerate(text):
        used += units(char)
        if used > room:
            break
        fit = i + 1
    fit = max(fit, 1)
    space = text.rfind(" ", 0, fit)
    if space > fit // 2:
        return text[:space], text[space + 1 :]
    return text[:fit], text[fit:]
