"""Someone who leaves is no longer waited for: the cards say so at once, and a
round that now has everyone's answer ends early, as after a last answer."""

from __future__ import annotations

from bot.core import commands as c
from bot.core.model import Stage
from tests.core.care_team import team

VISIT = "Move the morning visit to 10:00"


def test_a_card_is_drawn_again_without_someone_who_left() -> None:
    conv = team("Sam", "Alex", "Kim", "Jo")
    conv.by("Sam", c.Propose(VISIT))
    conv.by("Sam", c.Respond(1, "consent"))
    before = conv.card_text(1)
    assert "Kim" in before
    conv.by("Kim", c.Leave(left_chat=True))
    after = conv.card_text(1)
    assert after != before
    assert "Kim" not in after
    assert conv.proposal(1).stage is Stage.OPEN


def test_a_proposal_passes_early_once_the_only_one_not_answered_leaves() -> None:
    conv = team("Sam", "Alex", "Kim")
    conv.by("Sam", c.Propose(VISIT))
    conv.by("Sam", c.Respond(1, "consent"))
    conv.by("Alex", c.Respond(1, "consent"))
    assert conv.proposal(1).stage is Stage.OPEN
    conv.by("Kim", c.Leave(left_chat=True))
    assert conv.proposal(1).stage is Stage.AGREED


def test_a_proposal_passes_early_once_a_facilitator_takes_off_the_one_not_answered() -> None:
    conv = team("Sam", "Alex", "Kim")
    conv.by("Sam", c.Propose(VISIT))
    conv.by("Sam", c.Respond(1, "consent"))
    conv.by("Alex", c.Respond(1, "consent"))
    conv.by("Sam", c.RemovePerson("Kim"))
    assert conv.proposal(1).stage is Stage.AGREED


def test_an_objection_still_stops_an_early_pass_after_someone_leaves() -> None:
    conv = team("Sam", "Alex", "Kim")
    conv.by("Sam", c.Propose(VISIT))
    conv.by("Sam", c.Respond(1, "consent"))
    conv.by("Alex", c.Respond(1, "object", "Mum sleeps late"))
    conv.by("Kim", c.Leave(left_chat=True))
    assert conv.proposal(1).stage is not Stage.AGREED
