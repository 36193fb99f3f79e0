"""Each decision process played to its outcome, as a conversation."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.core import commands as c
from bot.core.effects import AskReason, Post, SendFile
from bot.core.model import Stage
from bot.core.processes import PROCESSES, Process, ResponseKind, Rule
from tests.core.conversation import Conversation

DAY = timedelta(days=1)


def team(*names: str) -> Conversation:
    conv = Conversation()
    for name in names:
        conv.by(name, c.Join())
    return conv


def test_full_consent_with_question_objection_amendment_and_early_pass() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by(
        "Sam",
        c.Propose(
            "Move the morning visit to 10:00",
            "Mum sleeps badly before 9",
            deadline="Friday 5pm",
            questions="1 day",
        ),
    )
    assert conv.proposal(1).stage is Stage.QUESTIONS
    conv.by("Alex", c.Ask(1, "What about Tuesdays, when physio comes at 10?"))
    assert "Alex asks" in conv.last_text()
    conv.by("Sam", c.AnswerQuestion(1, "Good point, I will think about it"))
    assert conv.proposal(1).questions[0].answers[0].text.startswith("Good point")
    conv.wait(DAY)  # the questions round ends by itself
    assert conv.proposal(1).stage is Stage.OPEN
    assert "Friday 11 December, 17:00" in conv.card_text(1)

    asked = conv.by("Jo", c.Respond(1, "object"))
    assert any(isinstance(e, AskReason) for e in asked.effects)
    conv.by("Jo", c.Respond(1, "object", reason="Tuesdays clash with physio"))
    conv.by("Alex", c.Respond(1, "consent"))
    assert "Still to respond: Sam" in conv.card_text(1)

    conv.by("Sam", c.Amend(1, "10:00, except Tuesdays at 11:00"))
    assert "respond again" in conv.last_text()
    for name in ("Jo", "Alex"):
        conv.by(name, c.Respond(None, "consent"))
        assert conv.proposal(1).stage is Stage.OPEN
    conv.by("Sam", c.Respond(None, "ok"))
    proposal = conv.proposal(1)
    assert proposal.stage is Stage.AGREED
    assert proposal.version.number == 2
    assert "Everyone has answered" in proposal.outcome.summary  # type: ignore[union-attr]
    assert any(isinstance(e, Post) and "It is agreed" in conv.texts()[-1] for e in conv.said)


def test_lazy_consensus_passes_at_the_deadline_unless_someone_objects() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose("Try the new medication chart for a month", process="lazy"))
    conv.by("Alex", c.Respond(1, "support"))
    conv.by("Jo", c.Respond(1, "ok"))
    conv.by("Sam", c.Respond(1, "support"))
    assert conv.proposal(1).stage is Stage.OPEN  # lazy consensus waits for the deadline
    conv.wait(4 * DAY)
    assert conv.proposal(1).stage is Stage.AGREED

    conv.by("Sam", c.Propose("Buy a new kettle from the kitty", process="lazy"))
    conv.by("Alex", c.Respond(2, "object", reason="The old one works"))
    conv.wait(4 * DAY)
    assert conv.proposal(2).stage is Stage.NOT_AGREED


def test_time_poll_finds_the_best_slot_and_offers_a_calendar_file() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by(
        "Sam",
        c.Propose(
            "Team meeting",
            process="time",
            options=("Tuesday 10:00", "Wednesday 14:00", "Thursday 18:00"),
        ),
    )
    proposal = conv.proposal(1)
    assert len(proposal.options.choices) == 3
    assert "Tuesday 8 December, 10:00" in conv.card_text(1)
    conv.by("Sam", c.Respond(1, "vote", choices=(1, 2)))
    conv.by("Alex", c.Respond(1, "vote", choices=(2,), maybe=(3,)))
    conv.by("Jo", c.Respond(1, "vote", choices=(3,), maybe=(2,)))
    proposal = conv.proposal(1)
    assert proposal.stage is Stage.AGREED  # everyone answered
    assert proposal.outcome.winners == (2,)  # type: ignore[union-attr]
    files = [e for e in conv.said if isinstance(e, SendFile)]
    assert files and files[-1].filename.endswith(".ics")
    assert "BEGIN:VEVENT" in files[-1].content and "DTSTART" in files[-1].content


def test_choice_poll_picks_the_most_votes_and_refuses_two_in_a_single_choice() -> None:
    conv = team("Sam", "Alex", "Jo", "Kim")
    conv.by(
        "Sam",
        c.Propose(
            "Which day for the big shop?",
            process="choice",
            options=("Monday", "Thursday", "Saturday"),
        ),
    )
    assert conv.by("Alex", c.Respond(1, "vote", choices=(1, 2))).refused
    conv.by("Alex", c.Respond(1, "vote", choices=(2,)))
    conv.by("Jo", c.Respond(1, "vote", choices=(2,)))
    conv.by("Sam", c.Respond(1, "vote", choices=(1,)))
    conv.wait(4 * DAY)
    assert conv.proposal(1).outcome.winners == (2,)  # type: ignore[union-attr]


def test_consensus_needs_more_agree_than_disagree_and_no_block() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose("New carer Priya joins after her trial", process="consensus"))
    conv.by("Alex", c.Respond(1, "agree"))
    conv.by("Jo", c.Respond(1, "abstain"))
    conv.by("Sam", c.Respond(1, "agree"))
    assert conv.proposal(1).stage is Stage.AGREED

    conv.by("Sam", c.Propose("Change the rota holder", process="consensus"))
    conv.by("Alex", c.Respond(2, "block", reason="Not before the holidays"))
    conv.wait(4 * DAY)
    assert conv.proposal(2).stage is Stage.NOT_AGREED


def test_advice_process_lets_the_decider_decide_after_the_deadline() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Which physio clinic to use", process="advice"))
    conv.by("Alex", c.Respond(1, "advice", reason="The one near the bus stop"))
    assert conv.by("Sam", c.RecordOutcome(1, "Bus stop clinic")).refused  # too early
    conv.wait(4 * DAY)
    assert conv.proposal(1).stage is Stage.RESOLVING
    assert "Now Sam decides" in conv.texts()[-1]
    conv.by("Sam", c.RecordOutcome(1, "Bus stop clinic"))
    proposal = conv.proposal(1)
    assert proposal.stage is Stage.AGREED
    assert proposal.outcome.decision == "Bus stop clinic"  # type: ignore[union-attr]


def test_for_information_records_who_has_read_it() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose("The key safe code changes on Monday", process="ack"))
    conv.by("Alex", c.Respond(1, "seen"))
    conv.wait(4 * DAY)
    proposal = conv.proposal(1)
    assert proposal.stage is Stage.CLOSED
    assert "Who has read it: 1 of 3" in proposal.outcome.summary  # type: ignore[union-attr]


def test_a_word_means_the_first_response_that_names_it() -> None:
    for process in PROCESSES.values():
        for kind in process.responses:
            for word in (kind.name, *kind.synonyms, kind.emoji):
                first = next(
                    k
                    for k in process.responses
                    if word == k.name or word in k.synonyms or word == k.emoji
                )
                assert process.response(word) is first
        assert process.response("perhaps") is None
    yes = ResponseKind("yes", "Yes", "✅", synonyms=("ok",))
    also = ResponseKind("fine", "Fine", "👍", synonyms=("ok", "yes"))
    made = Process("test", "test", (yes, also), Rule.LAZY, DAY)
    assert made.response("ok") is yes and made.response("fine") is also
    assert replace(made, responses=(also, yes)).response("ok") is also
