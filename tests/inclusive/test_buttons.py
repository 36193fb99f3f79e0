"""Never by emoji alone: every button and status word carries words, every
button is a command people can type, help shows it, and the card puts the
question before the options for screen readers."""

from __future__ import annotations

import re

from bot.core import commands as c
from bot.core.document import Action, Document, plain_text
from bot.core.effects import DirectMessage, EditCard, Post, Reply
from bot.core.language import NotUnderstood, parse
from tests.core.care_team import DAY, team
from tests.core.conversation import Conversation

WORD = re.compile(r"[^\W\d_]{2,}")
EMOJI = re.compile("[\u2300-\u2bff\U0001f000-\U0001faff]")


def everything_with_buttons() -> tuple[Conversation, list[Document]]:
    """A conversation through every kind of proposal and stage that shows buttons."""
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.AddPerson("Mum"))
    conv.by("Sam", c.Propose("Move the morning visit", review="in 10 days"))
    conv.by("Sam", c.Propose("Ask first", questions=""))
    for process in ("lazy", "advice", "consensus", "ack"):
        conv.by("Sam", c.Propose(f"A {process} proposal", process=process))
    conv.by("Sam", c.Propose("Which day?", process="choice", options=("Monday", "Tuesday")))
    conv.by("Sam", c.Propose("Meeting", process="time", options=("Monday 10:00", "Tuesday 14:00")))
    conv.wait(2 * DAY + DAY // 2)  # nudges
    for name in ("Sam", "Alex", "Jo"):
        conv.by(name, c.Respond(1, "consent"))
    conv.by("Sam", c.Respond(1, "consent", proxy_for="Mum"))
    conv.wait(12 * DAY)  # review due
    conv.by("Alex", c.Help())
    documents = [
        e.document for e in conv.said if isinstance(e, Post | EditCard | Reply | DirectMessage)
    ]
    return conv, documents


def actions(documents: list[Document]) -> list[Action]:
    return [action for document in documents for action in document.actions]


def test_every_button_says_what_it_does_in_words() -> None:
    _, documents = everything_with_buttons()
    found = actions(documents)
    assert {a.command.split()[0] for a in found} >= {
        "consent", "concern", "object", "support", "advice", "noadvice", "agree", "abstain",
        "disagree", "block", "vote", "seen", "ask", "review", "reminders", "status",
    }  # fmt: skip
    assert [a.label for a in found if not WORD.search(EMOJI.sub("", a.label))] == []


def test_every_button_is_a_command_people_can_type() -> None:
    """Typed, a button's command does what the button does; where the button asks
    for a reason ("concern #7"), typed alone it asks for the reason too."""
    _, documents = everything_with_buttons()
    for action in actions(documents):
        read = parse(action.command)
        if isinstance(read, NotUnderstood):
            word = action.command.split()[0]
            assert read.example.startswith(word), action
            assert not isinstance(parse(f"{action.command} it is too early"), NotUnderstood)


def test_help_shows_the_typed_words_of_every_button() -> None:
    conv, documents = everything_with_buttons()
    conv.by("Alex", c.Help())
    help_text = conv.last_text()
    for action in actions(documents):
        assert re.search(rf"\b{re.escape(action.command.split()[0])}\b", help_text), action
    assert "The words you type are the same in every language." in help_text


def test_every_status_word_carries_a_word() -> None:
    _, documents = everything_with_buttons()
    for document in documents:
        for line in plain_text(document).splitlines():
            for emoji in EMOJI.finditer(line):
                after = line[emoji.end() :].strip()
                assert WORD.match(after) or WORD.search(line[: emoji.start()]), line


def test_the_card_asks_the_question_before_the_options() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Which day suits?", process="choice", options=("Monday", "Tuesday")))
    card = conv.card_text(1).splitlines()
    order = [
        next(i for i, line in enumerate(card) if marker in line)
        for marker in ("Which day suits?", "Pick the option", "Please give your answer", "Monday")
    ]
    assert order == sorted(order)
    conv.by("Sam", c.Propose("Move the morning visit"))
    card = conv.card_text(2).splitlines()
    question = card.index("Can you live with this? Is it safe enough to try?")
    tally = next(i for i, line in enumerate(card) if line.startswith("So far:"))
    assert 0 < question < tally
    assert card[-1].startswith("Reply with:")  # the buttons come last
