"""A review's commands and timers: the review date, ``review #7 now``, the
answers (``review #7 keep`` / ``change`` / ``stop``) and the check-in's end.

The rules are ``checkins`` (what the answers lead to) and ``endings`` (when a
check-in ends: its date, a steward's ``close``, or the last answer); opening
and ending a check-in is ``reviewing``.

Who may ask for a review at any time (``review #7 now``): any member. A
check-in decides nothing by itself (a change or a stop goes to the whole group
for consent), and co-production asks everyone to say when something is not
working, not only the person who proposed it. The request is attributed in the
history, and a decision has one check-in at a time.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core import checkins, endings, responding, reviewing, rounds
from bot.core import commands as c
from bot.core.model import Proposal, ResponseRecord, Stage
from bot.core.turn import Refusal, Turn

NOT_UNDER_REVIEW = (
    "#{number} is not being reviewed now. To ask for a review, say: review #{number} now"
)


# -- opening -----------------------------------------------------------------------------------


def review_due(turn: Turn, event: c.ReviewDue) -> None:
    """The review date has come: everyone is asked (a stale timer does nothing)."""
    proposal = turn.group.proposals.get(event.number)
    if proposal is None or proposal.stage is not Stage.AGREED:
        return
    if proposal.review_at is None or turn.now < proposal.review_at:
        return
    reviewing.open_check_in(turn, proposal)


def ask_review(turn: Turn, action: c.AskReview) -> None:
    """``review #7 now``: any member may ask everyone about a decision in force.
    Always by its number (or a reply to its card): a guess would ask everyone."""
    if action.number is None:
        raise Refusal("Which decision do you mean? Add its number.", example="review #7 now")
    proposal = rounds.find(turn, action.number, example="review #7 now")
    rounds.admit(turn, proposal)
    reviewing.open_check_in(turn, proposal)


# -- answers -----------------------------------------------------------------------------------


def check_in(turn: Turn, action: c.CheckIn) -> None:
    """One person's keep, change or stop; the last answer may end the check-in."""
    proposal = _find(turn, action.number, stage=Stage.REVIEW_DUE, example="review #7 keep")
    rounds.admit(turn, proposal)
    round_ = proposal.check_in
    if round_ is None:
        raise Refusal(NOT_UNDER_REVIEW, number=proposal.number)
    answer = checkins.ANSWERS.get(action.answer)
    if answer is None:
        raise Refusal("Please say keep, change or stop.", example=f"review #{proposal.number} keep")
    reason = action.reason.strip()
    if len(reason) > checkins.MAX_REASON:
        raise Refusal(
            "That is too long. Please keep it under {limit} characters.",
            limit=checkins.MAX_REASON,
        )
    actor = turn.member
    assert actor is not None
    # Someone added by name is answered for, as in any round (``responding``).
    subject = responding.proxy_subject(turn, action.proxy_for) if action.proxy_for else actor
    anonymous = proposal.options.anonymous
    if anonymous and subject.id in round_.participants:
        # No name is kept with an answer, so an answer cannot be changed.
        raise Refusal("You have answered this review already. Thank you!")
    responding.own_answer_kept(round_, proposal, subject, actor)
    record = ResponseRecord(
        seq=len(round_.history) + 1,
        member=None if anonymous else subject.id,
        response=answer.word,
        reason=reason,
        at=turn.now,
        recorded_by=actor.id if subject is not actor and not anonymous else None,
    )
    round_ = replace(
        round_,
        history=(*round_.history, record),
        participants=round_.participants | {subject.id},
    )
    proposal = turn.put(replace(proposal, rounds=(*proposal.rounds[:-1], round_)))
    if anonymous:
        turn.reply_phrase("Thank you. You said: {answer}.", answer=turn.t(answer.label))
    else:
        turn.reply_phrase(
            "Thank you. You said: {answer}. You can change your answer until the review ends.",
            answer=turn.t(answer.label),
        )
    rounds.refresh_card(turn, proposal)
    endings.end(turn, proposal, endings.Trigger.ANSWER)


def check_in_due(turn: Turn, event: c.CheckInDue) -> None:
    """The check-in's date has come (stale if it ended already, or another began)."""
    proposal = turn.group.proposals.get(event.number)
    if proposal is None or proposal.check_in is None or proposal.check_in.index != event.round:
        return
    endings.end(turn, proposal, endings.Trigger.DEADLINE)


# -- finding -----------------------------------------------------------------------------------


def _find(turn: Turn, number: int | None, *, stage: Stage, example: str) -> Proposal:
    """The decision meant: by number, else the one card replied to (``language``),
    else the only one in ``stage``."""
    if number is not None:
        return rounds.find(turn, number, example=example)
    candidates = [p for p in turn.group.proposals.values() if p.stage is stage]
    if len(candidates) == 1:
        return candidates[0]
    raise Refusal("Which decision do you mean? Add its number.", example=example)
