"""What people type is shown as they typed it, never read as markup, by every renderer.

A care team's titles, details, reasons, questions and names go into Telegram
HTML, Matrix HTML, terminal text, the printable Easy Read page and the
exported record. Each payload below is put everywhere a person can put words,
through the core, and every document the core makes is rendered by every
renderer: the words must come out exactly as typed, and the only markup is
the renderer's own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from html.parser import HTMLParser

import pytest

from adapters.console.render import render as console_render
from adapters.matrix import render as matrix
from adapters.telegram import render as telegram
from bot.core import commands as c
from bot.core.cards import card
from bot.core.document import Document, para
from bot.core.effects import AskReason, DirectMessage, Post, Reply, SendFile
from bot.core.printable import printable_page
from bot.core.record import export_files
from tests.core.conversation import Conversation
from tests.fakes.telegram import parse_html

PAYLOADS = [
    "<b>not bold</b>",
    "</a>",
    "<script>alert(1)</script>",
    "Fish & chips &amp; more",
    "*bold* _italic_ `code` ~strike~ ||spoiler||",
    "[x](javascript:alert(1))",
    '<a href="https://evil.example">click</a>',
    "<img src=x onerror=alert(1)>",
    "a < b > c \"quoted\" 'single'",
    "<!-- hidden --> <![CDATA[x]]>",
]


def everywhere(payload: str) -> Conversation:
    """A group where ``payload`` is a title, details, a reason, a question, an answer, an
    outcome, and someone's name."""
    conv = Conversation()
    conv.by("Sam", c.Join())
    conv.by(payload, c.Join())  # a platform's display name is typed by its owner, too
    conv.by("Sam", c.Propose(f"Kettle {payload}", payload))
    conv.by(payload, c.Respond(1, "object", reason=payload))
    conv.by("Sam", c.Ask(1, payload))
    conv.by(payload, c.AnswerQuestion(1, payload))
    conv.by("Sam", c.Withdraw(1))
    conv.by("Sam", c.RecordOutcome(1, payload))
    return conv


@functools.cache
def documents(payload: str) -> tuple[Document, ...]:
    conv = everywhere(payload)
    kinds = (Post, Reply, DirectMessage, AskReason)
    said = [e.document for e in conv.said if isinstance(e, kinds)]
    # A card's edits are drawn when they are sent, from the state then: draw the last one.
    cards = [card(conv.group, proposal, conv.now) for proposal in conv.group.proposals.values()]
    found = (*said, *cards)
    assert any(payload in _plain(d) for d in found), "the payload never reached a message"
    return found


def _plain(document: Document) -> str:
    return "\n".join(console_render(document))


class Markup(HTMLParser):
    """The tags and the text of an HTML fragment, as a browser reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.other: list[str] = []  # comments, declarations, processing instructions

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.other.append(data)

    def unknown_decl(self, data: str) -> None:
        self.other.append(data)

    def handle_decl(self, decl: str) -> None:
        self.other.append(decl)

    def handle_pi(self, data: str) -> None:
        self.other.append(data)


def read_html(fragment: str) -> Markup:
    reader = Markup()
    reader.feed(fragment)
    reader.close()
    return reader


def shows(payload: str, text: str) -> bool:
    """Whether the payload is there as typed (the renderer may wrap lines, not change them)."""
    return all(line in text for line in payload.splitlines())


# -- one check per renderer ----------------------------------------------------------------


def telegram_html(payload: str) -> None:
    texts = []
    for document in documents(payload):
        note = para("This is shortened to fit.")
        for html in [*telegram.render(document), telegram.render_one(document, note)]:
            text, entities = parse_html(html)  # Telegram's own strict reading
            assert {e["type"] for e in entities} <= {"bold", "text_mention"}, html
            texts.append(text)
    assert any(shows(payload, text) for text in texts)


MATRIX_TAGS = {"p", "h3", "ul", "li", "strong", "em", "code", "br", "a"}


def matrix_html(payload: str) -> None:
    bodies, texts = [], []
    for document in documents(payload):
        for content in (matrix.render(document), matrix.render(document, card=True)):
            markup = read_html(content["formatted_body"])
            assert {tag for tag, _ in markup.tags} <= MATRIX_TAGS, content["formatted_body"]
            for tag, attributes in markup.tags:
                if tag == "a":
                    assert (attributes.get("href") or "").startswith("https://matrix.to/#/@")
            assert markup.other == []
            texts.append("".join(markup.text))
            bodies.append(content["body"])
    assert any(shows(payload, text) for text in texts)
    assert any(shows(payload, body) for body in bodies)


def console_text(payload: str) -> None:
    assert any(shows(payload, _plain(document)) for document in documents(payload))


PAGE_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "section",
    "h1",
    "h2",
    "p",
    "ul",
    "li",
}
PAGE_TAGS |= {"strong", "em", "br"}


def printable(payload: str) -> None:
    conv = everywhere(payload)
    pages = [printable_page(conv.group, conv.proposal(1), conv.now)]
    pages += [
        content for _, mime, content in export_files(conv.group, conv.now) if mime == "text/html"
    ]
    for page in pages:
        markup = read_html(page)
        assert {tag for tag, _ in markup.tags} <= PAGE_TAGS, page
        assert all(
            set(attributes) <= {"lang", "charset", "name", "content", "class"}
            for _, attributes in markup.tags
        )
        assert markup.other in ([], ["DOCTYPE html"])
        assert shows(payload, "".join(markup.text))


RENDERERS: dict[str, Callable[[str], None]] = {
    "telegram html": telegram_html,
    "matrix html": matrix_html,
    "console": console_text,
    "printable page": printable,
}


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("renderer", list(RENDERERS))
def test_typed_markup_is_shown_as_typed(renderer: str, payload: str) -> None:
    RENDERERS[renderer](payload)


MARKDOWN_LIVE = ("<script", "<img", "<a ", "<b>", "](javascript:")


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if any(m in p for m in MARKDOWN_LIVE)])
def test_the_markdown_export_escapes_typed_markup(payload: str) -> None:
    conv = everywhere(payload)
    (markdown,) = [
        content for name, _, content in export_files(conv.group, conv.now) if name.endswith(".md")
    ]
    assert not any(live in markdown for live in MARKDOWN_LIVE), markdown


def test_files_sent_to_people_carry_their_words_as_data() -> None:
    """Exports and personal data are files: JSON and CSV hold the words as data, and a CSV
    cell that a spreadsheet would run as a formula is defused."""
    conv = everywhere('=HYPERLINK("https://evil.example")')
    conv.by("Sam", c.Export())
    conv.by("Sam", c.MyData())
    sent = [e for e in conv.said if isinstance(e, SendFile)]
    csv_files = [f.content for f in sent if f.filename.endswith(".csv")]
    assert csv_files and all(",=HYPERLINK" not in content for content in csv_files)
