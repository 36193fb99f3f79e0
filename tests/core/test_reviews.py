"""A review as an evaluation round: everyone is asked keep, change or stop, the
answers are recorded, and a change or a stop goes to the group for consent."""

from __future__ import annotations

from datetime import timedelta

from bot.core import commands as c
from bot.core.checkins import Result, result
from bot.core.document import plain_text
from bot.core.effects import Post
from bot.core.language import parse
from bot.core.model import RoundKind, Stage
from tests.core.conversation import CHAT, Conversation

DAY = timedelta(days=1)


def agreed(*, review: str | None = "in 2 weeks", concern: bool = True) -> Conversation:
    """Sam, Alex and Jo agree Jo's #1 (Alex with a concern), to review in two weeks."""
    conv = Conversation()
    for name in ("Sam", "Alex", "Jo"):
        conv.by(name, c.Join())
    conv.by("Jo", c.Propose("Tea rota", "Each of us makes tea one day", review=review))
    conv.by("Sam", c.Respond(1, "consent"))
    if concern:
        conv.by("Alex", c.Respond(1, "concern", reason="Fridays are busy"))
    else:
        conv.by("Alex", c.Respond(1, "consent"))
    conv.by("Jo", c.Respond(1, "consent"))
    assert conv.proposal(1).stage is Stage.AGREED
    return conv


def posts(conv: Conversation, start: int = 0) -> list[str]:
    return [plain_text(e.document) for e in conv.said[start:] if isinstance(e, Post)]


def test_at_the_review_date_everyone_is_asked_beside_the_concerns() -> None:
    conv = agreed()
    conv.wait(15 * DAY)
    proposal = conv.proposal(1)
    assert proposal.stage is Stage.REVIEW_DUE
    assert proposal.check_in is not None and proposal.check_in.kind is RoundKind.REVIEW
    # The deciding round is still the one the card and the record count.
    assert proposal.round is not None and proposal.round.kind is RoundKind.RESPONSES
    card = conv.card_text(1)
    assert "Time to review #1: Tea rota" in card
    assert "Please say keep, change or stop" in card
    assert "Concerns when we agreed it:" in card and "Alex — Concern: Fridays are busy" in card
    (posted,) = [e for e in conv.said if isinstance(e, Post) and e.card == 1 and "review" in
                 plain_text(e.document)]  # fmt: skip
    assert [a.command for a in posted.document.actions] == [
        "review #1 keep",
        "review #1 change",
        "review #1 stop",
    ]
    assert f"{CHAT}|1|check-in" in conv.timers


def test_all_keep_keeps_it_and_asks_for_a_new_review_date() -> None:
    conv = agreed()
    conv.wait(15 * DAY)
    conv.by("Sam", c.CheckIn(1, "keep"))
    assert "Thank you. You said: Keep it." in conv.last_text()
    assert "Sam — Keep it" in conv.card_text(1)
    conv.by("Alex", c.CheckIn(1, "keep", "Fridays are fine now"))
    assert conv.proposal(1).stage is Stage.REVIEW_DUE  # Jo has not answered yet
    conv.by("Jo", c.CheckIn(1, "keep"))
    proposal = conv.proposal(1)
    assert proposal.stage is Stage.AGREED and proposal.check_in is None
    assert proposal.log[-1].what == "review_result" and proposal.log[-1].detail == "keep"
    said = conv.last_text()
    assert "The review of #1 is over. We keep it as it is." in said
    assert "Keep it: 3 · Change it: 0 · Stop it: 0" in said
    assert "When should we look at it again?" in said
    assert f"{CHAT}|1|check-in" not in conv.timers


def test_a_change_opens_a_new_version_with_the_reasons() -> None:
    conv = agreed()
    conv.wait(15 * DAY)
    conv.by("Sam", c.CheckIn(1, "keep"))
    conv.by("Alex", c.CheckIn(1, "change", "Swap Friday for Monday"))
    conv.wait(3 * DAY)  # Jo never answers: the check-in ends at its date
    old, new = conv.proposal(1), conv.proposal(2)
    assert old.stage is Stage.AGREED  # it stands until the group agrees the new version
    assert old.log[-1].detail == "change #2"
    assert new.follows == 1 and new.stage is Stage.QUESTIONS
    assert new.proposer == conv.member_id("Jo")
    assert "Swap Friday for Monday" in new.version.details
    assert any("Jo, you can change it now: amend #2" in p for p in posts(conv))
    # Jo changes it, and everyone is asked for consent.
    conv.by("Jo", c.Amend(2, "Each of us makes tea one day, not Friday"))
    conv.wait(2 * DAY)
    assert conv.proposal(2).stage is Stage.OPEN


def test_a_stop_opens_a_proposal_to_stop_it() -> None:
    conv = agreed()
    conv.wait(15 * DAY)
    conv.by("Sam", c.CheckIn(1, "keep"))
    conv.by("Alex", c.CheckIn(1, "change"))
    conv.by("Jo", c.CheckIn(1, "stop", "Nobody drinks the tea"))
    new = conv.proposal(2)
    assert new.title == "Stop #1: Tea rota" and new.stage is Stage.OPEN
    assert "Nobody drinks the tea" in new.version.details
    assert conv.proposal(1).stage is Stage.AGREED
    assert conv.proposal(1).log[-1].detail == "stop #2"


def test_a_review_with_no_answers_says_so_kindly_and_tries_again_once() -> None:
    conv = agreed()
    conv.wait(15 * DAY)
    start = len(conv.said)
    conv.wait(4 * DAY)
    proposal = conv.proposal(1)
    assert proposal.stage is Stage.AGREED
    assert proposal.log[-1].what == "review_result" and proposal.log[-1].detail == "none"
    (said,) = [p for p in posts(conv, start) if "Nobody answered" in p]
    assert "That is all right, people are busy. It stays as it is" in said
    assert "we will ask again on Thursday, 7 January 2027, 17:00 UK time" in said
    assert proposal.review_at is not None and f"{CHAT}|1|review" in conv.timers
    # Two weeks on, nobody answers again: said once more, and no third time is set.
    conv.wait(14 * DAY)
    assert conv.proposal(1).stage is Stage.REVIEW_DUE
    start = len(conv.said)
    conv.wait(4 * DAY)
    (said,) = [p for p in posts(conv, start) if "Nobody answered" in p]
    assert "this time either" in said and "review #1 now" in said
    assert conv.proposal(1).review_at is None and f"{CHAT}|1|review" not in conv.timers


def test_a_decision_has_one_check_in_at_a_time() -> None:
    conv = agreed(review=None)
    conv.by("Sam", c.AskReview(1))
    conv.by("Alex", c.CheckIn(1, "keep"))
    assert conv.by("Alex", c.AskReview(1)).refused
    assert "#1 is waiting for its review." in conv.last_text()
    assert len(conv.proposal(1).check_ins) == 1


def test_a_member_who_is_not_the_proposer_may_ask() -> None:
    conv = agreed(review=None)
    decision = conv.by("Alex", c.AskReview(1))
    assert not decision.refused
    entry = next(e for e in conv.proposal(1).log if e.what == "review_due")
    assert entry.by == conv.member_id("Alex")


def test_answers_are_refused_when_nothing_is_under_review() -> None:
    conv = agreed(review=None)
    assert conv.by("Sam", c.CheckIn(1, "keep")).refused
    assert "#1 is not being reviewed now. To ask for a review, say: review #1 now" in (
        conv.last_text()
    )
    assert conv.by("Sam", c.Propose("Another")).effects
    assert conv.by("Sam", c.AskReview(2)).refused  # still open: nothing to review yet


def test_someone_outside_the_group_cannot_answer() -> None:
    conv = agreed()
    conv.wait(15 * DAY)
    decision = conv.by("Otto", c.CheckIn(1, "stop"), private=True, present=False)
    assert decision.refused and conv.proposal(1).check_in is not None
    assert not conv.proposal(1).check_in.history


def test_an_answer_can_be_changed_and_the_latest_counts() -> None:
    conv = agreed()
    conv.wait(15 * DAY)
    conv.by("Sam", c.CheckIn(1, "stop"))
    conv.by("Sam", c.CheckIn(1, "keep"))
    round_ = conv.proposal(1).check_in
    assert round_ is not None and result(round_) is Result.KEEP
    assert len(round_.history) == 2  # both are kept in the record


def test_a_steward_may_close_the_check_in_early() -> None:
    conv = agreed()
    conv.wait(15 * DAY)
    conv.by("Sam", c.CheckIn(1, "keep"))
    assert conv.by("Alex", c.Close(1)).refused  # neither the proposer nor a facilitator
    conv.by("Jo", c.Close(1))
    assert conv.proposal(1).stage is Stage.AGREED
    assert conv.proposal(1).log[-1].detail == "keep"


def test_a_new_review_date_puts_the_check_in_off() -> None:
    conv = agreed()
    conv.wait(15 * DAY)
    conv.by("Jo", c.SetReview(1, "in 30 days"))
    proposal = conv.proposal(1)
    assert proposal.stage is Stage.AGREED and proposal.check_in is None
    assert f"{CHAT}|1|check-in" not in conv.timers
    conv.wait(5 * DAY)  # the old check-in's date passes: nothing happens
    assert conv.proposal(1).stage is Stage.AGREED


def test_anonymous_answers_keep_no_name_and_cannot_be_given_twice() -> None:
    conv = Conversation()
    for name in ("Sam", "Alex"):
        conv.by(name, c.Join())
    conv.by("Sam", c.Propose("Kitty for taxis", anonymous=True))
    conv.by("Sam", c.Respond(1, "consent"))
    conv.by("Alex", c.Respond(1, "consent"))
    conv.by("Alex", c.AskReview(1))
    conv.by("Alex", c.CheckIn(1, "change", "Too dear"))
    round_ = conv.proposal(1).check_in
    assert round_ is not None and [r.member for r in round_.history] == [None]
    assert conv.by("Alex", c.CheckIn(1, "keep")).refused
    assert "Alex" not in conv.card_text(1).split("Answers so far:")[1]


def test_the_words_for_a_review() -> None:
    assert parse("review #7 now") == c.AskReview(7)
    assert parse("/review #7 keep") == c.CheckIn(7, "keep")
    assert parse("review #7 keep it") == c.CheckIn(7, "keep")
    assert parse("review #7 keep It fits well") == c.CheckIn(7, "keep", "It fits well")
    assert parse("review #7 change: Mum wants 11") == c.CheckIn(7, "change", "Mum wants 11")
    assert parse("review #7 stop too costly") == c.CheckIn(7, "stop", "too costly")
    assert parse("review #7 1 March") == c.SetReview(7, "1 March")


def test_status_shows_a_review_to_answer() -> None:
    conv = agreed()
    conv.wait(15 * DAY)
    conv.by("Sam", c.Status())
    said = conv.last_text()
    assert "Time to review:" in said
    assert "Proposal #1: Tea rota — keep, change or stop? Say by Thursday 24 December" in said


def test_stopping_what_a_poll_chose_is_asked_for_consent() -> None:
    conv = Conversation()
    for name in ("Sam", "Alex"):
        conv.by(name, c.Join())
    conv.by("Sam", c.Propose("Which day?", process="choice", options=("Monday", "Tuesday")))
    conv.by("Sam", c.Respond(1, "vote", choices=(1,)))
    conv.by("Alex", c.Respond(1, "vote", choices=(1,)))
    assert conv.proposal(1).stage is Stage.AGREED
    conv.by("Alex", c.AskReview(1))
    conv.by("Alex", c.CheckIn(1, "stop", "Monday does not work any more"))
    conv.by("Sam", c.CheckIn(1, "keep"))
    new = conv.proposal(2)
    assert new.process == "consent" and new.options.choices == ()
    assert new.stage is Stage.OPEN and new.title == "Stop #1: Which day?"


def test_someone_added_by_name_is_answered_for_and_counted() -> None:
    conv = agreed()
    conv.by("Sam", c.AddPerson("Mum"))
    conv.wait(15 * DAY)
    for name in ("Sam", "Alex", "Jo"):
        conv.by(name, c.CheckIn(1, "keep"))
    assert conv.proposal(1).check_in is not None  # Mum is asked too: it waits for her
    conv.by("Jo", c.CheckIn(1, "change", "I want my bath back", proxy_for="Mum"))
    assert "Mum — Change it: I want my bath back (recorded by Jo)" in history_text(conv)
    assert conv.proposal(2).follows == 1  # the last answer ended it: Mum asked for a change


def test_nobody_answers_for_someone_in_the_chat() -> None:
    conv = agreed()
    conv.wait(15 * DAY)
    assert conv.by("Jo", c.CheckIn(1, "stop", proxy_for="Alex")).refused
    assert "Alex is in the chat, so only Alex can answer." in conv.last_text()


def history_text(conv: Conversation) -> str:
    conv.by("Sam", c.History(1))
    return conv.last_text()


def test_a_review_is_asked_for_by_number_never_by_a_guess() -> None:
    conv = agreed(review=None)
    assert conv.by("Sam", c.AskReview(None)).refused
    assert "Which decision do you mean? Add its number." in conv.last_text()
    assert conv.proposal(1).stage is Stage.AGREED


def test_a_decision_under_review_stays_in_memory_until_its_review_ends() -> None:
    from bot.core.resident import EVERYTHING, reads, stays_resident

    conv = agreed()
    assert stays_resident(conv.proposal(1))  # its review date is ahead
    conv.wait(15 * DAY)
    assert conv.proposal(1).check_in is not None and stays_resident(conv.proposal(1))
    conv.wait(4 * DAY)  # nobody answered: it is tried again, so it stays
    assert conv.proposal(1).check_in is None and stays_resident(conv.proposal(1))
    conv.wait(14 * DAY)
    for name in ("Sam", "Alex", "Jo"):
        conv.by(name, c.CheckIn(1, "keep"))
    assert not stays_resident(conv.proposal(1))  # kept, nothing more to come by itself
    # The digest tells what was decided this week, closed proposals too.
    assert reads(c.DigestDue()) == EVERYTHING
