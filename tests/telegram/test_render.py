"""The neutral document as Telegram HTML: escaped, linked, and split to fit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import InlineKeyboardButton

from adapters.telegram.gestures import pressed
from adapters.telegram.menu import MENU
from adapters.telegram.render import MESSAGE_LIMIT, keyboard, render, render_one, units
from bot.core.commands import Ask, Respond
from bot.core.document import (
    BulletList,
    Document,
    Mention,
    Strong,
    Text,
    bullets,
    doc,
    heading,
    para,
    plain_text,
)
from bot.core.language import NotUnderstood, parse
from tests.fakes.telegram import parse_html


def shown(html: str) -> str:
    """What Telegram shows for an HTML message (and it raises if Telegram would refuse it)."""
    return parse_html(html)[0]


def test_user_text_is_escaped() -> None:
    (html,) = render(doc(para("Tom & Jerry <b>said</b> 5 > 3"), para(Strong("<i>&amp;</i>"))))
    assert html == (
        "Tom &amp; Jerry &lt;b&gt;said&lt;/b&gt; 5 &gt; 3\n\n<b>&lt;i&gt;&amp;amp;&lt;/i&gt;</b>"
    )
    assert shown(html) == "Tom & Jerry <b>said</b> 5 > 3\n\n<i>&amp;</i>"


def test_mentions_headings_and_lists() -> None:
    document = doc(
        heading(Strong("Proposal #1: "), "Kettle"),
        para(Mention("Sam <3", "telegram:1001"), ", ", Mention("Mum", None), " and ",
             Mention("Jo", "matrix:@jo:example.org")),
        bullets(["one", ("two ", Strong("bold"))]),
    )  # fmt: skip
    (html,) = render(document)
    assert html == (
        "<b>Proposal #1: Kettle</b>\n\n"
        '<a href="tg://user?id=1001">Sam &lt;3</a>, Mum and Jo\n\n'
        "• one\n• two <b>bold</b>"
    )
    text, entities = parse_html(html)
    assert text == plain_text(document).replace("\n", "\n\n", 2)
    (link,) = [e for e in entities if e["type"] == "text_mention"]
    assert (link["offset"], link["length"], link["user"]["id"]) == (21, 6, 1001)


def test_a_person_on_both_apps_is_mentioned_by_their_telegram_account() -> None:
    # Jo used Matrix last, so her Matrix account comes first; Telegram notifies her here.
    jo = Mention("Jo", "matrix:@jo:example.org", ("telegram:1003",))
    (html,) = render(doc(para("Still to respond: ", jo)))
    assert html == 'Still to respond: <a href="tg://user?id=1003">Jo</a>'


def test_a_long_document_is_split_between_blocks() -> None:
    paragraphs = [para(f"Paragraph {n}: " + "word " * 390) for n in range(5)]
    parts = render(Document(tuple(paragraphs)))
    assert len(parts) == 3
    assert all(units(shown(part)) <= MESSAGE_LIMIT for part in parts)
    assert shown(parts[0]).startswith("Paragraph 0:") and shown(parts[1]).startswith("Paragraph 2:")


def test_a_block_too_long_alone_is_split_between_words() -> None:
    long = "🙂 careful " * 1000  # the emoji counts twice, as Telegram counts it
    parts = render(doc(para(Strong(long)), bullets(["x" * 5000])))
    assert all(units(shown(p)) <= MESSAGE_LIMIT for p in parts)
    joined = "".join(shown(p) for p in parts).replace("\n", "")
    assert joined.replace(" ", "") == (long + "• " + "x" * 5000).replace(" ", "")
    assert all(p.startswith("<b>") for p in parts[:2])


def test_a_card_too_long_for_one_message_is_shortened_keeping_title_and_tally() -> None:
    card = doc(
        heading(Strong("Proposal #1: Kettle")),
        para("details " * 300),
        bullets([f"Person {n} — concern: " + "why " * 200 for n in range(8)]),
        para("Still to respond: Sam"),
    )
    assert len(render(card)) > 1
    text = shown(render_one(card, para("Shortened: show #1")))
    assert units(text) <= MESSAGE_LIMIT
    assert text.startswith("Proposal #1: Kettle\n\ndetails")
    assert text.endswith("Still to respond: Sam\n\nShortened: show #1")
    assert "• Person 0 — concern: why" in text and "• …" in text
    short = doc(heading("Proposal #2"), para("fits"))
    assert render_one(short, para("never shown")) == render(short)[0]


@given(st.lists(st.text(min_size=1, max_size=3000), min_size=1, max_size=6))
def test_any_text_renders_to_valid_messages_that_fit(texts: list[str]) -> None:
    document = Document((*(para(t) for t in texts), BulletList(tuple((Text(t),) for t in texts))))
    for part in render(document):
        assert units(shown(part)) <= MESSAGE_LIMIT


def test_buttons_sit_in_pairs_when_short() -> None:
    labels = ["✅ Consent", "🟡 Concern", "✋ Object", "❓ Question", "✅ Option 1 suits me", "Go"]
    markup = keyboard([InlineKeyboardButton(label, callback_data=label) for label in labels])
    assert markup is not None
    assert [[b.text for b in row] for row in markup.inline_keyboard] == [
        ["✅ Consent", "🟡 Concern"],
        ["✋ Object", "❓ Question"],
        ["✅ Option 1 suits me"],
        ["Go"],
    ]
    assert keyboard([]) is None


@pytest.mark.parametrize(
    ("command", "action"),
    [
        ("object #7", Respond(7, "object")),
        ("concern #7", Respond(7, "concern")),
        ("ask #7", Ask(7, "")),
        ("consent #7", None),
        ("vote #7 2", None),
        ("reopen #7", None),
    ],
)
def test_buttons_that_need_words_ask_for_them(command: str, action: object) -> None:
    assert pressed(command) == action


@pytest.mark.parametrize(("command", "description"), MENU)
def test_every_menu_command_is_a_word_the_bot_understands(command: str, description: str) -> None:
    reading = parse(f"/{command}")
    if isinstance(reading, NotUnderstood):
        assert "didn't understand" not in reading.problem.msgid
    assert 3 <= len(description) <= 256
