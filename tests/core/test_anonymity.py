"""Anonymous means anonymous in the chat: nothing the group sees ties an answer to
a person, and nothing offers an action the bot would refuse.

The table of every view is in ``test_visibility``; here, what the bot says in
the chat while people answer an anonymous proposal.
"""

from __future__ import annotations

import pytest

from bot.core import commands as c
from bot.core.document import plain_text
from bot.core.effects import AskReason, DirectMessage, Post, Reply
from tests.core.care_team import DAY, posts_since, team
from tests.core.conversation import CHAT, Conversation

ANONYMOUS_NOTE = (
    "This is anonymous. Answers are kept without names. "
    "You can also answer me in a private message."
)


def replies(conv: Conversation) -> str:
    assert conv.last is not None
    return "\n".join(plain_text(e.document) for e in conv.last.effects if isinstance(e, Reply))


def anonymous_proposal(*names: str) -> Conversation:
    conv = team("Sam", *names)
    conv.by("Sam", c.Propose("Move the morning visit to 10:00", anonymous=True))
    return conv


def test_an_anonymous_card_says_so_and_that_answers_can_be_given_privately() -> None:
    conv = anonymous_proposal("Alex")
    assert ANONYMOUS_NOTE in conv.card_text(1)
    conv.by("Sam", c.Propose("Buy a new kettle"))
    assert "anonymous" not in conv.card_text(2)


def test_a_typed_answer_in_the_group_is_thanked_without_a_name_or_the_answer() -> None:
    conv = anonymous_proposal("Alex")
    decision = conv.by("Alex", c.Respond(1, "object", reason="The hoist is not safe yet"))
    (thanks,) = [e for e in decision.effects if isinstance(e, Reply)]
    assert thanks.chat == CHAT
    assert plain_text(thanks.document) == (
        "Thank you. Your answer to #1 is kept, without your name."
    )


def test_an_answer_given_privately_is_thanked_privately_with_the_answer() -> None:
    conv = anonymous_proposal("Alex")
    conv.by("Alex", c.Respond(1, "concern", reason="Mornings are busy"), private=True)
    assert replies(conv) == ("Thank you. Your answer to #1 is kept, without your name: Concern.")


def test_the_reason_is_asked_for_privately_and_the_group_hears_no_name() -> None:
    conv = anonymous_proposal("Alex")
    decision = conv.by("Alex", c.Respond(1, "object"))
    (ask,) = [e for e in decision.effects if isinstance(e, AskReason)]
    assert ask.chat == "dm:console:alex"
    (said,) = [e for e in decision.effects if isinstance(e, Reply)]
    assert said.chat == CHAT
    assert plain_text(said.document) == "I have asked you for your reason in a private message."
    assert "Alex" not in plain_text(said.document)


def test_the_reason_is_asked_for_in_the_group_when_the_proposal_is_not_anonymous() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    decision = conv.by("Alex", c.Respond(1, "object"))
    (ask,) = [e for e in decision.effects if isinstance(e, AskReason)]
    assert ask.chat == CHAT
    assert not [e for e in decision.effects if isinstance(e, Reply)]


def test_an_answer_given_for_someone_is_not_announced_with_names() -> None:
    conv = anonymous_proposal("Alex")
    conv.by("Sam", c.AddPerson("Mum"))
    conv.by("Alex", c.Respond(1, "concern", reason="She sleeps late", proxy_for="Mum"))
    assert replies(conv) == "Thank you. The answer for #1 is kept, without a name."
    assert "Alex" not in conv.card_text(1) and "Mum" not in conv.card_text(1)


@pytest.mark.parametrize("anonymous", [True, False])
def test_the_deadline_offers_withdraw_objection_only_where_the_bot_can_do_it(
    anonymous: bool,
) -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose("Move the morning visit to 10:00", anonymous=anonymous))
    conv.by("Alex", c.Respond(1, "object", reason="The hoist is not safe yet"))
    start = len(conv.said)
    conv.wait(4 * DAY)
    (announced,) = [t for t in posts_since(conv, start) if "there are objections" in t]
    assert ("withdraw objection #1" in announced) is not anonymous
    assert "amend #1" in announced
    if anonymous:
        # Whatever the announcement offers, the bot does.
        assert "no names are kept" in announced
        conv.by("Sam", c.Amend(1, "Move the morning visit to 10:00 from January"))
        assert conv.proposal(1).version.number == 2


def test_posts_about_an_anonymous_proposal_name_only_its_proposer() -> None:
    conv = anonymous_proposal("Alex", "Jo")
    conv.by("Alex", c.Respond(1, "object", reason="The hoist is not safe yet"))
    conv.by("Jo", c.Respond(1, "consent"))
    conv.wait(4 * DAY)
    for effect in conv.said:
        if isinstance(effect, Post):
            text = plain_text(effect.document)
            assert "Alex" not in text and "Jo" not in text, text


@pytest.mark.parametrize("anonymous", [True, False])
def test_a_nudge_falls_back_to_the_group_only_where_names_may_be_shown(anonymous: bool) -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Move the morning visit to 10:00", anonymous=anonymous))
    start = len(conv.said)
    conv.wait(2 * DAY + DAY // 2)  # past the nudge a day before the deadline
    nudges = [e for e in conv.said[start:] if isinstance(e, DirectMessage)]
    assert {e.name for e in nudges} == {"Sam", "Alex"}
    assert all(e.fallback is not anonymous for e in nudges)
