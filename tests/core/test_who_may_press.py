"""Refusals and buttons say who may act: the proposer by name, a Reopen button
with who may press it, and a leaving facilitator is never told to name themselves."""

from __future__ import annotations

from datetime import timedelta

from bot.core import commands as c
from bot.core.document import plain_text
from bot.core.effects import DirectMessage, EditCard, Post
from bot.core.model import Stage
from tests.core.conversation import Conversation


def team(*names: str) -> Conversation:
    conv = Conversation()
    for name in names:
        conv.by(name, c.Join())
    return conv


def test_only_the_proposer_refusal_names_the_proposer() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Jo", c.Propose("Tea rota"))
    assert conv.by("Alex", c.Close(1)).refused
    assert "Only Jo, who asked for #1, or a facilitator" in conv.last_text()


def test_a_review_due_card_and_post_say_who_may_reopen() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Jo", c.Propose("Tea rota", review="in 2 weeks"))
    for name in ("Sam", "Alex", "Jo"):
        conv.by(name, c.Respond(1, "consent"))
    assert conv.proposal(1).stage is Stage.AGREED
    conv.wait(timedelta(days=15))
    assert conv.proposal(1).stage is Stage.REVIEW_DUE
    assert "Jo can reopen it, and so can a facilitator." in conv.card_text(1)
    review_posts = [
        plain_text(e.document)
        for e in conv.said
        if isinstance(e, Post) and e.card == 1 and "Time to review" in plain_text(e.document)
    ]
    assert review_posts and "Jo can reopen it, and so can a facilitator." in review_posts[-1]


def test_the_only_facilitator_leaving_is_shown_someone_else_to_name() -> None:
    conv = team("Sam", "Alex")  # Sam is the first member, so the facilitator
    decision = conv.by("Sam", c.Leave())
    assert decision.refused
    said = conv.last_text()
    assert "facilitator @Alex" in said
    assert "@Sam" not in said


def test_the_review_asks_everyone_and_no_group_message_carries_reopen() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Jo", c.Propose("Tea rota", review="in 2 weeks"))
    for name in ("Sam", "Alex", "Jo"):
        conv.by(name, c.Respond(1, "consent"))
    conv.wait(timedelta(days=15))
    # Nothing the whole group sees carries the Reopen button (only a steward may
    # reopen); the review's own buttons are for everyone.
    commands = [
        a.command
        for e in conv.said
        if isinstance(e, Post | EditCard) and e.document is not None
        for a in e.document.actions
    ]
    assert "reopen #1" not in commands
    assert {"review #1 keep", "review #1 change", "review #1 stop"} <= set(commands)
    assert not [e for e in conv.said if isinstance(e, DirectMessage) and "review" in repr(e)]
