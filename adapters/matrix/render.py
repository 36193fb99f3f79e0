"""The neutral message document as Matrix message content.

Every message gets an HTML ``formatted_body`` (``org.matrix.custom.html``) and a
plain ``body`` for notifications, screen readers and clients without HTML.
All text from people passes through :func:`html.escape` on its way into HTML.

Mentions become matrix.to links (Element shows them as pills) and are listed
in ``m.mentions.user_ids``, which is what makes the person's client notify
them; ``m.mentions.room`` is never set, so the bot never pings a whole room.

Matrix has no buttons. A document's actions become a line of their words, each
with its emoji and the typed command ("✅ Consent: !consent #7"); on a card the
emoji people can react with are named first.
"""

from __future__ import annotations

import html
import re
from typing import Any

from bot.core.document import (
    Action,
    Block,
    BulletList,
    Document,
    Heading,
    Mention,
    Paragraph,
    Span,
    Strong,
    Text,
    plain_text,
    span_text,
)
from bot.core.i18n import Translate, translator
from bot.core.processes import PROCESSES

COMMAND_PREFIX = "!"
HTML_FORMAT = "org.matrix.custom.html"
MATRIX_IDENTITY = "matrix:"

Content = dict[str, Any]

# (word, emoji) pairs that mean a response when given as a reaction on a card.
_REACTIONS = frozenset(
    (kind.name, kind.emoji) for process in PROCESSES.values() for kind in process.responses
)


def user_of(identity: str | None) -> str | None:
    """The Matrix user id in an identity ("matrix:@sam:x" → "@sam:x"), else None."""
    if identity and identity.startswith(MATRIX_IDENTITY + "@"):
        return identity[len(MATRIX_IDENTITY) :]
    return None


# A poll's options as reactions: keycap numbers, 1️⃣ to 🔟 (a poll has at most ten).
KEYCAPS = (*(f"{i}\ufe0f\u20e3" for i in range(1, 10)), "\U0001f51f")
_POLL_VOTE = re.compile(r"vote #\d+ (\d+)")


def keycap_option(key: str) -> int | None:
    """The option a keycap reaction picks ("2️⃣" → 2), with or without the
    variation selector some clients leave out; None for any other emoji."""
    plain = key.replace("\ufe0f", "").strip()
    for option, keycap in enumerate(KEYCAPS, start=1):
        if plain == keycap.replace("\ufe0f", ""):
            return option
    return None


def reaction_emoji(action: Action) -> str | None:
    """The emoji that does what ``action`` does when reacted on a card, if any."""
    vote = _POLL_VOTE.fullmatch(action.command)
    if vote is not None:  # a poll's option (a time poll's "suits me"), not "if need be"
        option = int(vote.group(1))
        return KEYCAPS[option - 1] if 1 <= option <= len(KEYCAPS) else None
    word = action.command.split(" ", 1)[0]
    emoji = action.label.split(" ", 1)[0]
    return emoji if (word, emoji) in _REACTIONS else None


def render(
    document: Document,
    *,
    card: bool = False,
    reactions: bool = True,
    _: Translate | None = None,
) -> Content:
    """``m.room.message`` content for a document; ``card`` adds the reaction hint,
    written with ``_`` (the group's language), unless ``reactions`` is False: an
    anonymous card does not invite them, as everyone in the room sees who reacted."""
    if card:
        document = fit(document)
    mentioned: list[str] = []
    html_parts: list[str] = []
    for block in document.blocks:
        if isinstance(block, Heading):
            html_parts.append(f"<h3>{_spans_html(block.spans, mentioned)}</h3>")
        elif isinstance(block, Paragraph):
            html_parts.append(f"<p>{_spans_html(block.spans, mentioned)}</p>")
        elif isinstance(block, BulletList):
            items = "".join(f"<li>{_spans_html(item, mentioned)}</li>" for item in block.items)
            html_parts.append(f"<ul>{items}</ul>")
    body_lines = [plain_text(document, with_actions=False)] if document.blocks else []
    if document.actions:
        hint_html, hint_text = _actions(
            document.actions, card=card and reactions, _=_ or translator(None)
        )
        html_parts.append(hint_html)
        body_lines.append(hint_text)
    return {
        "msgtype": "m.text",  # not m.notice: notices never notify, even when they mention
        "body": "\n".join(body_lines),
        "format": HTML_FORMAT,
        "formatted_body": "".join(html_parts),
        "m.mentions": {"user_ids": list(dict.fromkeys(mentioned))},
    }


# A card's edit carries its text four times (body and HTML, in the edit and in its
# new content) and an event may be at most 64 KiB: past this many characters, the
# longest parts of a card are shortened (two bytes a character leaves room to spare).
CARD_CHARACTERS = 6000


def fit(document: Document, limit: int = CARD_CHARACTERS) -> Document:
    """The card shortened to ``limit`` characters, its longest paragraphs and list
    items first; the title (the first block) and the buttons are always kept."""
    blocks = list(document.blocks)
    while len(plain_text(Document(tuple(blocks)))) > limit and len(blocks) > 1:
        sizes = [(_size(block), i) for i, block in enumerate(blocks) if i > 0]
        size, longest = max(sizes)
        if size <= 80:
            break  # nothing long is left to shorten
        blocks[longest] = _shortened(blocks[longest])
    return Document(tuple(blocks), document.actions)


def _size(block: Block) -> int:
    if isinstance(block, BulletList):
        return max((len("".join(span_text(s) for s in item)) for item in block.items), default=0)
    return len("".join(span_text(s) for s in block.spans))


def _shortened(block: Block) -> Block:
    """The block with its longest text cut to half, ending in "…"."""

    def half(spans: tuple[Span, ...]) -> tuple[Span, ...]:
        text = "".join(span_text(s) for s in spans)
        return (Text(text[: len(text) // 2].rstrip() + " …"),)

    if isinstance(block, BulletList):
        items = list(block.items)
        longest = max(range(len(items)), key=lambda i: len("".join(span_text(s) for s in items[i])))
        items[longest] = half(items[longest])
        return BulletList(tuple(items))
    if isinstance(block, Heading):
        return Heading(half(block.spans))
    return Paragraph(half(block.spans))


def _spans_html(spans: tuple[Span, ...], mentioned: list[str]) -> str:
    return "".join(_span_html(span, mentioned) for span in spans)


def _span_html(span: Span, mentioned: list[str]) -> str:
    if isinstance(span, Text):
        return _escape(span.text)
    if isinstance(span, Strong):
        return f"<strong>{_escape(span.text)}</strong>"
    user = user_of(span.on("matrix"))
    if user is None:
        return _escape(span.name)
    mentioned.append(user)
    return f'<a href="https://matrix.to/#/{html.escape(user)}">{_escape(span.name)}</a>'


def _escape(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _actions(actions: tuple[Action, ...], *, card: bool, _: Translate) -> tuple[str, str]:
    """The actions as one line of HTML and of plain text."""
    typed = [(action.label, COMMAND_PREFIX + action.command) for action in actions]
    line_html = " · ".join(f"{_escape(label)}: <code>{_escape(cmd)}</code>" for label, cmd in typed)
    line_text = " · ".join(f"{label}: {cmd}" for label, cmd in typed)
    emoji = [e for e in (reaction_emoji(action) for action in actions) if e] if card else []
    lead = (
        _("React to this message with {emoji}, or type:").format(emoji=" ".join(emoji))
        if emoji
        else _("Type:")
    )
    return f"<p><em>{_escape(lead)}</em> {line_html}</p>", f"{lead} {line_text}"


def with_mention(document: Document, name: str, identity: str | None) -> Document:
    """The document addressed to someone: their name at the start becomes a mention.

    "Jo, please say why…" keeps its words, with "Jo" now a pill that notifies Jo;
    a document that does not start with the name gets "Jo: " in front."""
    mention = Mention(name, identity)
    blocks = list(document.blocks)
    first = blocks[0] if blocks else None
    if isinstance(first, Paragraph | Heading) and first.spans:
        lead = first.spans[0]
        if isinstance(lead, Text) and lead.text.startswith(name):
            rest = lead.text[len(name) :]
            spans: tuple[Span, ...] = (mention, *((Text(rest),) if rest else ()))
            blocks[0] = type(first)(spans + first.spans[1:])
            return Document(tuple(blocks), document.actions)
    return Document((Paragraph((mention, Text(":"))), *blocks), document.actions)


def edit(card_event: str, content: Content) -> Content:
    """An edit (``m.replace``) that makes ``card_event`` show ``content``.

    Clients that understand edits show ``m.new_content`` in place of the card;
    others show the "* " fallback as a new message. The outer ``m.mentions`` is
    empty so that a tally change pings nobody again."""
    return {
        "msgtype": content["msgtype"],
        "body": "* " + content["body"],
        "format": HTML_FORMAT,
        "formatted_body": "* " + content["formatted_body"],
        "m.new_content": content,
        "m.relates_to": {"rel_type": "m.replace", "event_id": card_event},
        "m.mentions": {},
    }


def in_thread(content: Content, root_event: str, answering: str | None = None) -> Content:
    """``content`` posted in the thread under ``root_event`` (a card); ``answering``
    is the message in the thread it replies to, if any."""
    return {
        **content,
        "m.relates_to": {
            "rel_type": "m.thread",
            "event_id": root_event,
            # A real reply to a message in the thread; without one, clients without
            # threads show it as a reply to the card.
            "is_falling_back": answering is None,
            "m.in_reply_to": {"event_id": answering or root_event},
        },
    }


def in_reply(content: Content, answering: str) -> Content:
    """``content`` as a reply to the message ``answering`` (clients show it above)."""
    return {**content, "m.relates_to": {"m.in_reply_to": {"event_id": answering}}}


def file_message(filename: str, mime: str, size: int, url: str | None, file: Any) -> Content:
    """An ``m.file`` message; ``file`` is the decryption info in encrypted rooms."""
    content: Content = {
        "msgtype": "m.file",
        "body": filename,
        "filename": filename,
        "info": {"mimetype": mime, "size": size},
        "m.mentions": {},
    }
    if file is not None:
        content["file"] = file
    else:
        content["url"] = url
    return content
