"""The card tells the rules that decide the outcome; results are said in words;
only a pass ends a round before its deadline."""

from __future__ import annotations

from bot.core import commands as c
from bot.core.document import plain_text
from bot.core.effects import Post
from bot.core.model import Stage
from tests.core.care_team import DAY, team

VISIT = "Move the morning visit to 10:00"


# -- the card tells the rules ----------------------------------------------------------------


def test_the_card_says_how_many_answers_are_needed_and_whose_voice() -> None:
    conv = team("Sam", "Alex", "Jo", "Priya")
    conv.by("Sam", c.AddPerson("Mum"))
    conv.by("Sam", c.Propose(VISIT, quorum=80, needs=("Mum",), hide_results=True))
    text = conv.card_text(1)
    assert "We need answers from at least 4 of 5." in text
    assert "We need to hear from Mum." in text
    assert "Answers stay hidden until the end." in text
    assert "Please give your answer by Thursday 10 December" in text
    assert "You can change your answer until then." in text


def test_show_tells_the_same_rules_as_the_card() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose(VISIT, quorum=100))
    conv.by("Alex", c.Show(1))
    assert "We need answers from at least 3 of 3." in conv.last_text()


def test_a_late_joiners_answer_is_counted_so_card_and_verdict_agree() -> None:
    conv = team("Sam", "Alex", "Jo", "Priya")
    conv.by("Sam", c.Propose(VISIT, quorum=50))
    conv.by("Sam", c.Respond(1, "consent"))
    conv.by("Kit", c.Join())
    conv.by("Kit", c.Respond(1, "consent"))
    assert "We need answers from at least 3 of 5." in conv.card_text(1)
    conv.by("Alex", c.Respond(1, "consent"))
    conv.wait(4 * DAY)
    assert conv.proposal(1).stage is Stage.AGREED  # 3 of 5, Kit's answer counted


def test_a_please_read_names_who_has_not_read_it_at_the_close_and_in_show() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose("New key safe code", process="ack"))
    conv.by("Alex", c.Respond(1, "seen"))
    conv.wait(4 * DAY)
    assert conv.proposal(1).stage is Stage.CLOSED
    assert "Not read yet: Sam, Jo." in conv.texts()[-1]
    conv.by("Alex", c.Show(1))
    assert "Not read yet: Sam, Jo." in conv.last_text()


# -- results in words ------------------------------------------------------------------------


def test_a_poll_names_the_winning_option_in_words() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose("Big shop day", process="choice", options=("Monday", "Saturday")))
    conv.by("Sam", c.Respond(1, "vote", choices=(2,)))
    conv.by("Alex", c.Respond(1, "vote", choices=(2,)))
    conv.by("Jo", c.Respond(1, "vote", choices=(1,)))
    outcome = conv.proposal(1).outcome
    assert outcome is not None and outcome.summary == "Most votes: Saturday."


def test_a_time_poll_names_the_time_in_words() -> None:
    conv = team("Sam", "Alex")
    conv.by(
        "Sam",
        c.Propose("Team meeting", process="time", options=("Tuesday 10:00", "Wednesday 14:00")),
    )
    conv.by("Sam", c.Respond(1, "vote", choices=(1,)))
    conv.by("Alex", c.Respond(1, "vote", choices=(1, 2)))
    outcome = conv.proposal(1).outcome
    assert outcome is not None
    assert outcome.summary == "We meet on Tuesday 8 December, 10:00 UK time."


def test_a_tie_waits_for_the_deadline_then_names_the_options_and_a_next_step() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Big shop day", process="choice", options=("Monday", "Saturday")))
    conv.by("Sam", c.Respond(1, "vote", choices=(1,)))
    conv.by("Alex", c.Respond(1, "vote", choices=(2,)))
    assert conv.proposal(1).stage is Stage.OPEN  # everyone voted, but a tie does not end it
    conv.wait(4 * DAY)
    proposal = conv.proposal(1)
    assert proposal.stage is Stage.CLOSED
    assert proposal.outcome is not None and proposal.outcome.winners == ()
    summary = proposal.outcome.summary
    assert "tie between: Monday; Saturday" in summary
    assert "outcome #1" in summary and "new poll" in summary
    assert "agreed" not in summary
    assert "chosen" not in conv.card_text(1)


def test_a_block_does_not_end_a_consensus_proposal_before_its_deadline() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Change the rota holder", process="consensus"))
    conv.by("Sam", c.Respond(1, "agree"))
    conv.by("Alex", c.Respond(1, "block", reason="Not before the holidays"))
    assert conv.proposal(1).stage is Stage.OPEN
    conv.by("Alex", c.Respond(1, "agree"))  # talked it over: changed the answer
    assert conv.proposal(1).stage is Stage.AGREED


def test_a_no_does_not_end_a_consensus_proposal_before_its_deadline() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Change the rota holder", process="consensus"))
    conv.by("Sam", c.Respond(1, "agree"))
    conv.by("Alex", c.Respond(1, "disagree", reason="Not yet"))
    assert conv.proposal(1).stage is Stage.OPEN
    conv.wait(4 * DAY)
    assert conv.proposal(1).stage is Stage.NOT_AGREED


# -- the next step after an agreement ----------------------------------------------------------


def test_after_an_agreement_the_proposer_is_asked_for_the_outcome_and_a_review_date() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(VISIT))
    conv.by("Sam", c.Respond(1, "consent"))
    conv.by("Alex", c.Respond(1, "consent"))
    assert conv.proposal(1).stage is Stage.AGREED
    asks = [e for e in conv.said if isinstance(e, Post) and e.document.actions]
    ask = asks[-1].document
    text = plain_text(ask)
    assert "Sam, what did we decide? Say: outcome #1" in text
    assert "review #1 and a date" in text
    assert [a.command for a in ask.actions] == [
        f"outcome #1 {VISIT}",
        "review #1 in 1 month",
        "review #1 in 3 months",
    ]
    conv.by("Sam", c.SetReview(1, "in 1 month"))  # what the button types
    assert conv.proposal(1).review_at is not None


def test_a_poll_result_asks_for_nothing_more() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Big shop day", process="choice", options=("Monday", "Saturday")))
    conv.by("Sam", c.Respond(1, "vote", choices=(2,)))
    conv.by("Alex", c.Respond(1, "vote", choices=(2,)))
    assert conv.proposal(1).stage is Stage.AGREED
    assert not any("what did we decide" in t for t in conv.texts())
