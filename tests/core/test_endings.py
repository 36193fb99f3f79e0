"""How a round ends: the table of ``endings``, and a team living through each row of it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.core import commands as c
from bot.core.endings import _STEPS, ENDINGS, Ending, Trigger, ending
from bot.core.lifecycle import ACTIVE
from bot.core.model import Stage
from bot.core.outcomes import resolving_verdict
from tests.core.care_team import DAY, HOUR, refused, team
from tests.core.conversation import Conversation

VISIT = "Move the morning visit to 10:00"


def test_every_stage_with_a_round_to_end_is_in_the_table_and_only_those() -> None:
    assert set(ENDINGS) == {Stage.QUESTIONS, Stage.OPEN, Stage.RESOLVING, Stage.REVIEW_DUE}
    # Deciding rounds end while the group decides; a review's check-in, after.
    assert set(ENDINGS) - {Stage.REVIEW_DUE} <= ACTIVE
    for stage in Stage:
        for trigger in Trigger:
            assert ending(stage, trigger) == ENDINGS.get(stage, {}).get(trigger)
    # A close is the deadline, now: in every stage they lead to the same place.
    for stage, row in ENDINGS.items():
        assert row.get(Trigger.CLOSE) == row.get(Trigger.DEADLINE), stage
    assert ending(Stage.QUESTIONS, Trigger.ANSWER) is None  # questions are not answers
    assert ending(Stage.DRAFT, Trigger.DEADLINE) is None
    assert ending(Stage.AGREED, Trigger.CLOSE) is None


# -- the rows, lived through ---------------------------------------------------------------


def questions() -> Conversation:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose(VISIT, questions="1 day", deadline="in 5 days"))
    assert conv.proposal(1).stage is Stage.QUESTIONS
    return conv


def open_() -> Conversation:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose(VISIT))
    assert conv.proposal(1).stage is Stage.OPEN
    return conv


def open_with_an_objection() -> Conversation:
    conv = open_()
    conv.by("Jo", c.Respond(1, "object", reason="Tuesdays clash with physio"))
    conv.by("Alex", c.Respond(1, "consent"))
    return conv


def resolving() -> Conversation:
    conv = open_with_an_objection()
    conv.by("Sam", c.Respond(1, "consent"))  # everyone answered; the objection waits
    assert conv.proposal(1).stage is Stage.OPEN
    conv.wait(3 * DAY + 8 * HOUR)  # Thursday 17:00, the usual deadline
    assert conv.proposal(1).stage is Stage.RESOLVING
    return conv


def deadline(conv: Conversation) -> None:
    """Time passes until the current round's deadline, and no further."""
    round_ = conv.proposal(1).round
    assert round_ is not None
    conv.wait(round_.deadline - conv.now)


def close(conv: Conversation) -> None:
    conv.by("Sam", c.Close(1))


def jo_withdraws(conv: Conversation) -> None:
    conv.by("Jo", c.WithdrawObjection(1))


def everyone_consents(conv: Conversation) -> None:
    for name in ("Sam", "Alex", "Jo"):
        conv.by(name, c.Respond(1, "consent"))


ROWS: list[tuple[str, Callable[[], Conversation], Callable[[Conversation], None], Stage, str]] = [
    ("questions, deadline", questions, deadline, Stage.OPEN, "questions"),
    ("questions, close", questions, close, Stage.OPEN, "questions"),
    ("open, deadline, silence", open_, deadline, Stage.NOT_AGREED, "Silence is not consent"),
    ("open, close, silence", open_, close, Stage.NOT_AGREED, "Silence is not consent"),
    (
        "open, close, an objection",
        open_with_an_objection,
        close,
        Stage.RESOLVING,
        "there are objections",
    ),
    (
        "open, the last answer",
        open_with_an_objection,
        jo_withdraws,
        Stage.OPEN,  # Sam has not answered yet: nothing ends
        "",
    ),
    (
        "open, the last answer, everyone agrees",
        open_,
        everyone_consents,
        Stage.AGREED,
        "Everyone has answered, and no one objects.",
    ),
    (
        "resolving, deadline, the objection stands",
        resolving,
        deadline,
        Stage.NOT_AGREED,
        "An objection still stands.",
    ),
    (
        "resolving, close, the objection stands",
        resolving,
        close,
        Stage.NOT_AGREED,
        "An objection still stands.",
    ),
    (
        "resolving, the objection withdrawn",
        resolving,
        jo_withdraws,
        Stage.AGREED,
        "The objections are sorted out.",
    ),
]


@pytest.mark.parametrize(
    ("start", "trigger", "stage", "words"),
    [row[1:] for row in ROWS],
    ids=[row[0] for row in ROWS],
)
def test_what_each_trigger_leads_to_in_each_stage(
    start: Callable[[], Conversation],
    trigger: Callable[[Conversation], None],
    stage: Stage,
    words: str,
) -> None:
    conv = start()
    trigger(conv)
    assert conv.proposal(1).stage is stage
    if words:
        assert any(words in text for text in conv.texts())


def test_a_close_where_no_round_can_end_is_refused_and_changes_nothing() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose(VISIT, draft=True))
    assert "still a draft" in refused(conv, c.Close(1))
    conv = resolving()
    conv.wait(2 * DAY)
    assert conv.proposal(1).stage is Stage.NOT_AGREED
    assert "it was not agreed" in refused(conv, c.Close(1))


def test_the_resolving_verdict_waits_for_the_last_objection_and_for_time() -> None:
    conv = resolving()
    proposal = conv.proposal(1)
    assert resolving_verdict(proposal, final=False).move is None
    assert resolving_verdict(proposal, final=True).move is not None
    assert resolving_verdict(proposal, final=True).reason.msgid.endswith("still stands.")


def test_each_ending_has_its_step() -> None:
    assert set(_STEPS) == set(Ending)


def test_advice_after_its_deadline_is_refused_while_the_decider_decides() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose("Visit at 10", process="advice"))
    conv.wait(4 * DAY)
    assert conv.proposal(1).stage is Stage.RESOLVING
    closed = conv.proposal(1).round
    assert closed is not None and closed.closed_at is not None
    assert conv.by("Alex", c.Respond(None, "noadvice")).refused
    assert "The advice is in. Now Sam decides." in conv.last_text()
    assert conv.proposal(1).round is closed
