"""Steering a proposal through its life: drafts, amendments, more time, closing early,
reopening, recording the outcome and the review date, questions and answers, and the
refusals that keep a proposal safe."""

from __future__ import annotations

import pytest

from bot.core import commands as c
from bot.core.effects import AskReason, Post, SetTimer
from bot.core.model import WITHDRAWN_RESPONSE, RoundKind, Stage
from tests.core.care_team import DAY, HOUR, posts_since, refused, team
from tests.core.conversation import CHAT, Conversation

VISIT = "Move the morning visit to 10:00"


def not_agreed_after_an_objection() -> Conversation:
    """#1 did not pass: Jo's objection still stood at the end of the resolve stage."""
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose(VISIT))
    conv.by("Jo", c.Respond(1, "object", reason="Tuesdays clash with physio"))
    conv.by("Alex", c.Respond(1, "consent"))
    conv.by("Sam", c.Respond(1, "consent"))
    conv.wait(3 * DAY + 8 * HOUR)  # Thursday 17:00, the usual deadline
    assert conv.proposal(1).stage is Stage.RESOLVING
    conv.wait(2 * DAY)
    assert conv.proposal(1).stage is Stage.NOT_AGREED
    return conv


def agreed(conv: Conversation, title: str = VISIT, **options: str) -> int:
    conv.by("Sam", c.Propose(title, **options))  # type: ignore[arg-type]
    number = max(conv.group.proposals)
    for member in conv.group.active_members():
        conv.by(member.name, c.Respond(number, "consent"))
    assert conv.proposal(number).stage is Stage.AGREED
    return number


# -- drafts ----------------------------------------------------------------------------------


def test_a_draft_waits_for_its_proposer_to_start_it() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Alex", c.Propose("Buy a new kettle from the kitty", deadline="in 5 days", draft=True))
    assert conv.proposal(1).stage is Stage.DRAFT and not conv.timers
    assert "This is a draft. Alex can start it with: start #1" in conv.card_text(1)
    assert "still a draft. Start it first: start #1" in refused(
        conv, c.Respond(1, "consent"), name="Jo"
    )
    assert "who asked for #1" in refused(conv, c.Start(1), name="Jo")

    conv.wait(DAY)
    conv.by("Alex", c.Start(None))
    proposal = conv.proposal(1)
    assert proposal.stage is Stage.OPEN
    assert proposal.round is not None and proposal.round.deadline == proposal.planned_deadline
    assert "Please give your answer by Saturday 12 December, 09:00 UK time." in conv.card_text(1)
    assert "#1 has started already." in refused(conv, c.Start(1), name="Alex")


def test_a_draft_started_after_its_planned_deadline_gets_the_usual_length() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Buy a new kettle from the kitty", deadline="in 2 days", draft=True))
    conv.wait(3 * DAY)
    conv.by("Sam", c.Start(1))
    round_ = conv.proposal(1).round
    assert round_ is not None and round_.deadline == conv.now + 3 * DAY + 8 * HOUR  # Sunday 17:00


def test_a_draft_is_changed_without_asking_anyone() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Kettle", draft=True))
    start = len(conv.said)
    conv.by("Sam", c.Amend(1, "Buy a new kettle\nThe old one leaks"))
    proposal = conv.proposal(1)
    assert proposal.stage is Stage.DRAFT and not proposal.rounds
    assert (proposal.title, proposal.version.details) == ("Buy a new kettle", "The old one leaks")
    assert posts_since(conv, start) == ["Proposal #1: Buy a new kettle\n#1 has been changed."]


@pytest.mark.parametrize(
    "action",
    [c.Close(1), c.Extend(1, "in 3 days"), c.RecordOutcome(1, "Done")],
    ids=lambda a: type(a).__name__,
)
def test_a_draft_cannot_be_closed_extended_or_decided(action: c.Action) -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Kettle", draft=True))
    text = refused(conv, action)
    assert "#1 is still a draft" in text or "#1 is still open" in text


# -- amending --------------------------------------------------------------------------------


def test_the_same_text_again_is_not_a_new_version() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(VISIT, "Mum sleeps badly"))
    assert "nothing changed" in refused(conv, c.Amend(1, "Mum sleeps badly"))
    assert "Please write the new version" in refused(conv, c.Amend(1, "   "))


def test_an_amendment_with_a_new_first_line_changes_the_title() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(VISIT, "Mum sleeps badly"))
    conv.by("Sam", c.Amend(1, "Move the morning visit to 10:30\nPhysio needs the time"))
    assert conv.proposal(1).title == "Move the morning visit to 10:30"
    conv.by("Sam", c.Amend(1, "x" * 250 + "\nToo long for a title"))
    proposal = conv.proposal(1)
    assert proposal.title == "Move the morning visit to 10:30"  # kept: the line was too long
    assert proposal.version.details.startswith("x" * 250)
    assert proposal.version.number == 3


def test_an_amendment_while_questions_are_asked_opens_no_round() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(VISIT, "Mum sleeps badly", questions="1 day"))
    conv.by("Sam", c.Amend(1, "Mum sleeps badly before 9"))
    proposal = conv.proposal(1)
    assert proposal.stage is Stage.QUESTIONS and len(proposal.rounds) == 1
    assert conv.texts()[-1] == f"Proposal #1: {VISIT}\n#1 has been changed."


def test_a_decided_proposal_cannot_be_amended_or_withdrawn() -> None:
    conv = team("Sam", "Alex")
    n = agreed(conv)
    assert refused(conv, c.Amend(n, "Something else")) == "#1 is agreed. It is done."
    assert refused(conv, c.Withdraw(n)) == "#1 is agreed. It is done."


# -- more time and closing early -------------------------------------------------------------


def test_more_time_must_be_later_than_the_deadline_there_is() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(VISIT))
    text = refused(conv, c.Extend(1, "in 1 day"))
    assert text.startswith("Please choose a later time. The deadline now is Thursday 10")
    assert "extend #1 in 2 days" in text
    assert "couldn't read 'whenever'" in refused(conv, c.Extend(1, "whenever"))


def test_a_closed_proposal_gets_no_more_time() -> None:
    conv = not_agreed_after_an_objection()
    assert refused(conv, c.Extend(1, "in 3 days")) == "#1 is closed: it was not agreed."


def test_more_time_for_questions_moves_only_the_questions_deadline() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(VISIT, questions="1 day", deadline="in 5 days"))
    conv.by("Sam", c.Extend(1, "in 2 days"))
    proposal = conv.proposal(1)
    assert proposal.round is not None and proposal.round.kind is RoundKind.QUESTIONS
    assert proposal.round.deadline == conv.now + 2 * DAY
    assert "More time: the new deadline is Wednesday 9 December" in conv.texts()[-1]
    conv.wait(2 * DAY)
    round_ = conv.proposal(1).round
    assert round_ is not None and round_.deadline == conv.now + 3 * DAY  # as planned


def test_closing_the_questions_early_opens_the_responses() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(VISIT, questions="1 day", deadline="in 5 days"))
    conv.by("Sam", c.Close(1))
    proposal = conv.proposal(1)
    assert proposal.stage is Stage.OPEN and proposal.log[-1].what == "questions_closed"
    assert proposal.round is not None and proposal.round.deadline == conv.now + 5 * DAY


def test_closing_early_works_out_the_result_as_if_the_deadline_were_now() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose(VISIT))
    conv.by("Alex", c.Respond(1, "consent"))
    conv.by("Sam", c.Respond(1, "consent"))
    conv.by("Sam", c.Close(1))
    assert conv.proposal(1).stage is Stage.AGREED
    assert conv.proposal(1).log[-2].what == "closed_early"


def test_closing_while_objections_are_worked_on_stops_the_proposal() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(VISIT))
    conv.by("Alex", c.Respond(1, "object", reason="Not safe"))
    conv.wait(3 * DAY + 8 * HOUR)  # Thursday 17:00, the usual deadline
    conv.by("Sam", c.Close(1))
    proposal = conv.proposal(1)
    assert proposal.stage is Stage.NOT_AGREED
    assert proposal.outcome is not None
    assert proposal.outcome.summary == "It is not agreed. An objection still stands."


# -- reopening -------------------------------------------------------------------------------


def test_a_proposal_that_did_not_pass_is_reopened_for_a_fresh_round() -> None:
    conv = not_agreed_after_an_objection()
    assert "who asked for #1" in refused(conv, c.Reopen(1), name="Jo")
    conv.by("Sam", c.Reopen(1, "in 4 days"))
    proposal = conv.proposal(1)
    assert proposal.stage is Stage.OPEN and proposal.outcome is None
    assert proposal.round is not None and proposal.round.index == 2
    assert proposal.rounds[0].closed_at is not None
    assert proposal.round.participants == frozenset()  # everyone is asked again
    assert proposal.round.deadline == conv.now + 4 * DAY
    assert conv.card_text(1).startswith("#1 is open again.\nProposal #1")
    assert "Still to respond: Sam, Alex, Jo" in conv.card_text(1)
    assert refused(conv, c.Reopen(1)) == "#1 is still open."


def test_a_withdrawn_proposal_is_reopened_with_the_usual_length() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(VISIT))
    conv.by("Sam", c.Withdraw(1))
    conv.by("Sam", c.Reopen(1))
    round_ = conv.proposal(1).round
    assert conv.proposal(1).stage is Stage.OPEN
    assert round_ is not None and round_.deadline == conv.now + 3 * DAY + 8 * HOUR  # Thursday 17:00


def test_an_agreed_decision_is_reopened_as_a_new_proposal_that_follows_it() -> None:
    conv = team("Sam", "Alex")
    n = agreed(conv, review="in 30 days")
    start = len(conv.said)
    assert "who asked for" in refused(conv, c.Reopen(n), name="Alex")
    conv.by("Sam", c.Reopen(n, "in 5 days"))
    old, new = conv.proposal(n), conv.proposal(n + 1)
    assert old.stage is Stage.AGREED and old.log[-1].what == "reopened_as"
    assert (new.follows, new.stage, new.title, new.proposer) == (
        n,
        Stage.OPEN,
        VISIT,
        conv.member_id("Sam"),
    )
    assert new.round is not None and new.round.deadline == conv.now + 5 * DAY
    assert f"{CHAT}|{n}|review" not in conv.timers  # the old review is no longer due
    assert posts_since(conv, start)[0] == "#1 is open again as #2."


# -- outcome and review ----------------------------------------------------------------------


def test_the_outcome_is_recorded_once_the_proposal_has_closed() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(VISIT))
    text = refused(conv, c.RecordOutcome(1, "From Monday"))
    assert text == "#1 is still open. Record the outcome when it has closed."
    conv.by("Sam", c.Respond(1, "consent"))
    conv.by("Alex", c.Respond(1, "consent"))
    assert "Please write what was decided" in refused(conv, c.RecordOutcome(1, " "))
    conv.by("Sam", c.RecordOutcome(1, "From Monday 14 December"))
    outcome = conv.proposal(1).outcome
    assert outcome is not None and outcome.decision == "From Monday 14 December"
    assert outcome.recorded_by == conv.member_id("Sam")
    assert "What we decided is: From Monday 14 December" in conv.card_text(1)
    assert conv.texts()[-1].endswith("We wrote down what was decided: From Monday 14 December")


def test_the_advice_decider_waits_for_the_advice() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Which physio clinic to use", process="advice"))
    text = refused(conv, c.RecordOutcome(1, "The one by the bus stop"))
    assert "Please wait for the advice" in text


def test_a_review_date_set_while_open_is_kept_for_when_it_passes() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(VISIT))
    conv.by("Sam", c.SetReview(1, "in 30 days"))
    assert conv.last_text() == "We will review #1 on Wednesday, 6 January 2027, 09:00 UK time."
    assert f"{CHAT}|1|review" not in conv.timers
    conv.by("Sam", c.Respond(1, "consent"))
    conv.by("Alex", c.Respond(1, "consent"))
    assert conv.timers[f"{CHAT}|1|review"].due == conv.now + 30 * DAY
    assert "We will review it on Wednesday, 6 January 2027" in conv.texts()[-1]


def test_a_review_date_for_an_agreed_decision_sets_its_reminder() -> None:
    conv = team("Sam", "Alex")
    n = agreed(conv)
    conv.by("Sam", c.SetReview(n, "in 3 months"))
    reminder = conv.timers[f"{CHAT}|{n}|review"]
    assert reminder.event == c.ReviewDue(n) and reminder.due > conv.now + 85 * DAY
    assert "couldn't read" in refused(conv, c.SetReview(n, "some day"))


def test_a_decision_that_did_not_pass_has_nothing_to_review() -> None:
    conv = not_agreed_after_an_objection()
    assert refused(conv, c.SetReview(1, "in 30 days")) == "#1 is closed: it was not agreed."


def test_a_review_can_be_put_off_to_a_new_date() -> None:
    conv = team("Sam", "Alex")
    n = agreed(conv, review="in 30 days")
    conv.wait(31 * DAY)
    assert conv.proposal(n).stage is Stage.REVIEW_DUE
    conv.by("Sam", c.SetReview(n, "in 60 days"))
    start = len(conv.said)
    conv.wait(61 * DAY)
    assert any("Time to review #1" in text for text in posts_since(conv, start))


# -- questions and answers -------------------------------------------------------------------


def test_an_empty_question_is_asked_for_and_nothing_is_posted() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(VISIT))
    before = conv.group
    decision = conv.by("Alex", c.Ask(None, "  "))
    (ask,) = decision.effects
    assert isinstance(ask, AskReason) and (ask.word, ask.number) == ("ask", 1)
    assert conv.last_text() == "Alex, what is your question about #1? Reply to this message."
    assert conv.group is before


def test_answers_go_to_the_question_named_or_the_first_unanswered() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose(VISIT))
    assert "Nobody has asked a question about #1 yet." in refused(
        conv, c.AnswerQuestion(1, "Anything")
    )
    conv.by("Alex", c.Ask(1, "What about Tuesdays?"))
    assert conv.texts()[-1] == (
        "Question 1 about #1\nAlex asks: What about Tuesdays?\n"
        "Sam, you can answer with: answer #1 and your answer."
    )
    conv.by("Jo", c.Ask(1, "Who tells the agency?"))
    conv.by("Sam", c.AnswerQuestion(1, "I will", question=2))
    conv.by("Jo", c.AnswerQuestion(1, "Physio is at 11"))
    assert conv.texts()[-1] == (
        "Answer to question 1 about #1\nQuestion: What about Tuesdays?\nJo answers: Physio is at 11"
    )
    conv.by("Alex", c.AnswerQuestion(1, "And on Thursdays?"))  # all answered: the latest
    first, second = conv.proposal(1).questions
    assert [a.text for a in first.answers] == ["Physio is at 11"]
    assert [a.text for a in second.answers] == ["I will", "And on Thursdays?"]


@pytest.mark.parametrize(
    ("action", "says"),
    [
        (c.Ask(1, "x" * 1001), "Please keep a question under 1000 characters."),
        (c.AnswerQuestion(1, "x" * 1001), "Please keep an answer under 1000 characters."),
        (c.AnswerQuestion(1, "  "), "Please write your answer after the number."),
        (c.AnswerQuestion(1, "Yes", question=5), "There is no question 5 about #1."),
    ],
)
def test_questions_and_answers_that_cannot_be_taken(action: c.Action, says: str) -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(VISIT))
    conv.by("Alex", c.Ask(1, "What about Tuesdays?"))
    assert says in refused(conv, action)


def test_no_questions_once_a_proposal_has_closed() -> None:
    conv = not_agreed_after_an_objection()
    assert refused(conv, c.Ask(1, "Why?"), name="Alex") == "#1 is closed: it was not agreed."


# -- proposing: what is refused --------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "says"),
    [
        (c.Propose("  "), "A proposal needs a title."),
        (c.Propose("Trip", process="vote"), "I don't know the process vote."),
        (c.Propose("Trip", quorum=101), "A quorum is a percentage from 0 to 100."),
        (c.Propose("Trip", options=("a", "b")), "Only polls have options."),
        (
            c.Propose("Pick", process="choice", options=tuple("abcdefghijk")),
            "Please give at most 10 options.",
        ),
        (
            c.Propose("Meet", process="time", options=("Tuesday 10:00", "whenever")),
            "couldn't read 'whenever'",
        ),
        (
            c.Propose("Trip", deadline="in 2 days", questions="3 days"),
            "The questions need to end before the deadline.",
        ),
        (c.Propose("Trip", review="some day"), "couldn't read 'some day'"),
    ],
)
def test_a_proposal_that_cannot_be_made_changes_nothing(action: c.Action, says: str) -> None:
    conv = team("Sam", "Alex")
    assert says in refused(conv, action)


def test_ten_options_are_enough_for_a_poll() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Pick a day", process="choice", options=tuple("abcdefghij")))
    assert len(conv.proposal(1).options.choices) == 10


def test_only_the_first_proposal_of_a_group_offers_private_reminders() -> None:
    conv = team("Sam", "Alex")

    def posts_besides_cards() -> list[Post]:
        assert conv.last is not None
        return [e for e in conv.last.effects if isinstance(e, Post) and e.card is None]

    conv.by("Sam", c.Propose(VISIT))
    (tip,) = posts_besides_cards()
    assert [a.command for a in tip.document.actions] == ["reminders on"]
    conv.by("Sam", c.Propose("Buy a new kettle"))
    assert posts_besides_cards() == []


# -- responding: what is refused -------------------------------------------------------------


def test_nothing_open_to_respond_to_points_to_the_decisions() -> None:
    conv = team("Sam", "Alex")
    text = refused(conv, c.Respond(None, "consent"), name="Alex")
    assert text == "Nothing is open right now. Say decisions to see what was decided."


def test_the_same_response_twice_is_recorded_once() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose(VISIT))
    conv.by("Alex", c.Respond(1, "concern", reason="Breakfast"))
    before = conv.group
    conv.by("Alex", c.Respond(1, "worried", reason="Breakfast"))
    assert conv.last_text() == "I already have that answer for #1."
    assert conv.group is before


def test_taking_back_a_reaction_that_was_not_yours_changes_nothing() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose(VISIT))
    conv.by("Alex", c.Respond(1, "consent"))
    before = conv.group
    decision = conv.by("Alex", c.Unrespond(1, "✋"))
    assert decision.effects == () and conv.group is before


def test_withdrawing_an_objection_you_do_not_have_is_refused() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose(VISIT))
    conv.by("Alex", c.Respond(1, "concern", reason="Breakfast"))
    text = refused(conv, c.WithdrawObjection(1), name="Alex")
    assert text == "You have no objection to #1 to withdraw."


def test_an_anonymous_objection_cannot_be_withdrawn_by_name() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose(VISIT, anonymous=True))
    conv.by("Alex", c.Respond(1, "object", reason="Not safe"))
    text = refused(conv, c.WithdrawObjection(1), name="Alex")
    assert "anonymous, so I can't tell which objection is yours" in text


def test_withdrawing_the_last_objection_while_resolving_passes_the_proposal() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(VISIT))
    conv.by("Alex", c.Respond(1, "object", reason="Not safe"))
    conv.by("Sam", c.Respond(1, "consent"))
    conv.wait(3 * DAY + 8 * HOUR)  # Thursday 17:00, the usual deadline
    conv.by("Alex", c.Unrespond(1, "✋"))
    assert conv.proposal(1).stage is Stage.AGREED


def test_a_concern_given_while_resolving_updates_the_card_but_ends_nothing() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose(VISIT))
    conv.by("Alex", c.Respond(1, "object", reason="Not safe"))
    conv.wait(3 * DAY + 8 * HOUR)  # Thursday 17:00, the usual deadline
    conv.by("Jo", c.Respond(1, "concern", reason="Ask the agency"))
    assert conv.proposal(1).stage is Stage.RESOLVING
    assert "Jo — Concern: Ask the agency" in conv.card_text(1)


def test_a_proxy_for_someone_unknown_is_told_to_add_them() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(VISIT))
    text = refused(conv, c.Respond(1, "consent", proxy_for="@grandad"), name="Alex")
    assert text.startswith("I don't know grandad in this group.") and "add Mum" in text


def test_a_reason_asked_for_on_someone_elses_behalf_names_them() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.AddPerson("Mum"))
    conv.by("Sam", c.Propose(VISIT))
    decision = conv.by("Alex", c.Respond(1, "object", proxy_for="Mum"))
    (ask,) = decision.effects
    assert isinstance(ask, AskReason) and ask.word == "for Mum object"
    assert ask.member == conv.member_id("Alex")
    assert conv.last_text().startswith("Mum, please tell us why you chose Object for #1")


@pytest.mark.parametrize(
    ("choices", "maybe", "says"),
    [
        ((), (), "Please say which option, by its number."),
        ((4,), (), "#1 has options 1 to 3."),
        ((1,), (1,), "An option can't be both yes and if need be."),
    ],
)
def test_a_vote_that_cannot_be_counted_is_refused(
    choices: tuple[int, ...], maybe: tuple[int, ...], says: str
) -> None:
    conv = team("Sam", "Alex")
    conv.by(
        "Sam",
        c.Propose(
            "Team meeting", process="time", options=("Tuesday 10:00", "Wednesday 14:00", "Friday")
        ),
    )
    assert says in refused(conv, c.Respond(1, "vote", choices=choices, maybe=maybe), name="Alex")


def test_a_vote_in_a_consent_proposal_is_answered_with_the_words_that_work() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Which day?", process="choice", options=("Monday", "Friday")))
    text = refused(conv, c.Respond(1, "consent"), name="Alex")
    assert text == "In #1 you can respond with: vote.\nLike this: vote #1 1"


def test_a_reason_that_is_too_long_is_refused() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(VISIT))
    text = refused(conv, c.Respond(1, "concern", reason="x" * 1001), name="Alex")
    assert "under 1000 characters" in text


def test_a_response_before_the_questions_end_is_refused() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(VISIT, questions="1 day"))
    text = refused(conv, c.Respond(1, "consent"), name="Alex")
    assert text == "#1 is taking questions first. Responses open after that."


def test_more_time_is_announced_with_the_new_deadline() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(VISIT))
    conv.by("Sam", c.Extend(1, "in 6 days"))
    timers = [e for e in conv.last.effects if isinstance(e, SetTimer)]  # type: ignore[union-attr]
    assert {t.key.rsplit("|", 1)[1]: t.due for t in timers} == {
        "deadline": conv.now + 6 * DAY,
        "nudge": conv.now + 6 * DAY - 24 * HOUR,
    }
    assert "More time: the new deadline is Sunday 13 December, 09:00 UK time." in conv.texts()[-1]


# -- found wanting ---------------------------------------------------------------------------


def test_withdrawing_an_objection_in_lazy_consensus_records_no_support() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose("Buy a new kettle from the kitty", process="lazy"))
    conv.by("Alex", c.Respond(1, "object", reason="The old one works"))
    conv.by("Alex", c.WithdrawObjection(1))
    round_ = conv.proposal(1).round
    assert round_ is not None
    # The objection is taken back; nothing Alex never said is put in its place.
    assert conv.member_id("Alex") not in round_.current()
    assert round_.history[-1].response == WITHDRAWN_RESPONSE


def test_the_groups_questions_setting_is_the_length_of_a_questions_round() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.GroupSetting("questions", "2 days"))
    conv.by("Sam", c.Propose(VISIT, questions=""))
    round_ = conv.proposal(1).round
    assert round_ is not None and round_.kind is RoundKind.QUESTIONS
    assert round_.deadline == conv.now + 2 * DAY + 8 * HOUR  # Wednesday 17:00


def test_a_review_date_cannot_come_before_the_decision() -> None:
    conv = team("Sam", "Alex")
    if conv.by("Sam", c.Propose(VISIT, review="in 2 hours")).refused:
        return
    conv.wait(DAY)
    conv.by("Sam", c.Respond(1, "consent"))
    conv.by("Alex", c.Respond(1, "consent"))
    proposal = conv.proposal(1)
    assert proposal.review_at is not None and proposal.outcome is not None
    assert proposal.review_at > proposal.outcome.at
