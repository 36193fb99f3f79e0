"""What each process concludes when too few people respond, when views are split,
and what the counting rules say of a proposal that has not opened yet."""

from __future__ import annotations

import pytest

from bot.core import commands as c
from bot.core.model import Stage
from bot.core.outcomes import (
    everyone_responded,
    missing_required,
    quorum_met,
    standing_objections,
    waiting_for,
)
from tests.core.care_team import DAY, team
from tests.core.conversation import Conversation


def four_carers() -> Conversation:
    return team("Sam", "Alex", "Jo", "Kim")


def outcome_after_the_deadline(conv: Conversation, number: int) -> tuple[Stage, str]:
    conv.wait(4 * DAY)
    proposal = conv.proposal(number)
    assert proposal.outcome is not None
    return proposal.stage, proposal.outcome.summary


def test_lazy_consensus_with_a_quorum_needs_enough_people_to_say_so() -> None:
    conv = four_carers()
    conv.by("Sam", c.Propose("Try the new medication chart", process="lazy", quorum=50))
    conv.by("Sam", c.Respond(1, "support"))
    assert outcome_after_the_deadline(conv, 1) == (
        Stage.NOT_AGREED,
        "It is not agreed. Too few people gave an answer.",
    )


def test_consensus_is_not_reached_when_as_many_disagree_as_agree() -> None:
    conv = four_carers()
    conv.by("Sam", c.Propose("Change the rota holder", process="consensus"))
    conv.by("Sam", c.Respond(1, "agree"))
    conv.by("Alex", c.Respond(1, "disagree", reason="Not before the holidays"))
    conv.by("Jo", c.Respond(1, "abstain"))
    assert outcome_after_the_deadline(conv, 1) == (
        Stage.NOT_AGREED,
        "It is not agreed. Agree: 1. Disagree: 1.",
    )


def test_consensus_needs_its_quorum() -> None:
    conv = four_carers()
    conv.by("Sam", c.Propose("Change the rota holder", process="consensus", quorum=75))
    conv.by("Sam", c.Respond(1, "agree"))
    conv.by("Alex", c.Respond(1, "agree"))
    assert outcome_after_the_deadline(conv, 1) == (
        Stage.NOT_AGREED,
        "It is not agreed. Too few people gave an answer.",
    )


def test_a_poll_nobody_voted_in_has_no_result() -> None:
    conv = four_carers()
    conv.by(
        "Sam", c.Propose("Which day for the big shop?", process="choice", options=("Mon", "Sat"))
    )
    assert outcome_after_the_deadline(conv, 1) == (
        Stage.NOT_AGREED,
        "No result. Too few people voted.",
    )


def test_a_time_poll_one_person_answered_finds_no_time() -> None:
    conv = four_carers()
    conv.by(
        "Sam",
        c.Propose("Team meeting", process="time", options=("Tuesday 10:00", "Wednesday 14:00")),
    )
    conv.by("Sam", c.Respond(1, "vote", choices=(1,)))
    assert outcome_after_the_deadline(conv, 1) == (
        Stage.NOT_AGREED,
        "No time suits enough people.",
    )


def test_a_time_poll_prefers_the_slot_most_can_come_to_then_the_happiest() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by(
        "Sam",
        c.Propose(
            "Team meeting",
            process="time",
            options=("Tuesday 10:00", "Wednesday 14:00", "Thursday 18:00"),
        ),
    )
    conv.by("Sam", c.Respond(1, "vote", choices=(1,), maybe=(3,)))
    conv.by("Alex", c.Respond(1, "vote", choices=(3,), maybe=(1,)))
    conv.by("Jo", c.Respond(1, "vote", choices=(3,), maybe=(2,)))
    proposal = conv.proposal(1)
    assert proposal.stage is Stage.AGREED
    assert proposal.outcome is not None and proposal.outcome.winners == (3,)
    assert "3. Thursday 10 December, 18:00 UK time — yes: 2, if need be: 1 ⭐ chosen" in (
        conv.card_text(1)
    )


@pytest.mark.parametrize(
    ("process", "word"), [("advice", "advice"), ("ack", "seen")], ids=["advice", "ack"]
)
def test_required_voices_do_not_stop_advice_or_information(process: str, word: str) -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.AddPerson("Mum"))
    conv.by("Sam", c.Propose("Which physio clinic to use", process=process, needs=("Mum",)))
    conv.by("Alex", c.Respond(1, word, reason="The one by the bus stop"))
    conv.wait(4 * DAY)
    assert conv.proposal(1).stage in (Stage.RESOLVING, Stage.CLOSED)


def test_a_draft_has_no_one_waiting_no_objection_and_no_quorum() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.AddPerson("Mum"))
    conv.by("Sam", c.Propose("Buy a new kettle", draft=True, needs=("Mum",)))
    draft, group = conv.proposal(1), conv.group
    assert waiting_for(draft, group) == []
    assert standing_objections(draft) == []
    assert not quorum_met(draft, group)
    assert not everyone_responded(draft, group)
    assert missing_required(draft, group) == [conv.group.members[3].id]
