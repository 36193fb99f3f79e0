"""A questions round says when the answers round ends too, and an advice
proposal past its deadline asks the decider to decide instead of showing a
deadline in the past."""

from __future__ import annotations

from bot.core import commands as c
from bot.core.model import Stage
from tests.core.care_team import DAY, team

VISIT = "Move the morning visit to 10:00"


def test_a_questions_card_says_when_the_answers_round_ends() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose(VISIT, questions="1 day", deadline="in 5 days"))
    text = conv.card_text(1)
    assert "You can ask until Tuesday 8 December" in text
    assert "Then everyone answers, by Saturday 12 December" in text


def test_a_questions_card_without_a_deadline_says_the_usual_end() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose(VISIT, questions="1 day"))
    assert "Then everyone answers, by Friday 11 December" in conv.card_text(1)
    conv.wait(DAY)
    round_ = conv.proposal(1).round
    assert round_ is not None and round_.deadline.day == 11  # the card told the truth


def test_status_does_not_give_the_questions_deadline_as_the_proposals() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose(VISIT, questions="1 day", deadline="in 5 days"))
    conv.by("Alex", c.Status())
    text = conv.last_text()
    assert "Ask until Tuesday 8 December" in text
    assert "Answer by Saturday 12 December" in text


def test_an_advice_past_its_deadline_asks_the_decider_and_shows_no_old_deadline() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose("Which physio clinic to use", process="advice"))
    conv.by("Alex", c.Respond(1, "advice", reason="The one by the bus stop"))
    conv.wait(4 * DAY)
    assert conv.proposal(1).stage is Stage.RESOLVING
    conv.by("Alex", c.Status())
    text = conv.last_text()
    assert "until" not in text
    assert "Sam decides" in text


def test_an_advice_closed_before_anyone_decided_is_not_agreed_and_can_be_reopened() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose("Which physio clinic to use", process="advice"))
    conv.by("Alex", c.Respond(1, "advice", reason="The one by the bus stop"))
    conv.wait(4 * DAY)
    conv.by("Sam", c.Close(1))
    proposal = conv.proposal(1)
    assert proposal.stage is Stage.NOT_AGREED
    assert proposal.outcome is not None
    assert proposal.outcome.summary.startswith("It is closed. No one decided.")
    conv.by("Sam", c.Reopen(1, "in 3 days"))
    assert conv.proposal(1).stage is Stage.OPEN  # the same proposal asks for advice again
    assert sorted(conv.group.proposals) == [1]
