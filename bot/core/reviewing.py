"""Carrying out a review's check-in: opening it, ending it, acting on its result.

The rules are ``checkins`` (what the answers lead to) and ``endings`` (when a
check-in ends: its date, a steward's ``close``, or the last answer); the
commands and timers that start and answer a check-in are ``reviews``. This
module does what they say, as ``rounds`` does for the rounds of a proposal.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.core import cards, checkins, rounds
from bot.core import commands as c
from bot.core.checkins import Result
from bot.core.effects import CancelTimer, SetTimer
from bot.core.lifecycle import Move
from bot.core.model import LogEntry, Proposal, ProposalOptions, Round, RoundKind
from bot.core.processes import PROCESSES, Rule
from bot.core.turn import Turn

ASKS_WITH_OPTIONS = frozenset({Rule.CHOICE, Rule.TIME, Rule.SIGNUP})
CHECK_IN_LENGTH = timedelta(days=3)  # ends at 17:00 in the group's zone on the third day
TRY_AGAIN_AFTER = timedelta(days=14)  # a check-in nobody answered is asked once more


# -- opening -----------------------------------------------------------------------------------


def open_check_in(turn: Turn, proposal: Proposal) -> Proposal:
    """Everyone in the chat is asked: keep, change or stop (the card carries the buttons)."""
    proposal = rounds.move(turn, proposal, Move.REVIEW_DUE)
    deadline = rounds.default_end(turn, turn.now, CHECK_IN_LENGTH)
    check_in = Round(
        index=len(proposal.rounds) + 1,
        kind=RoundKind.REVIEW,
        version=proposal.version.number,
        opened_at=turn.now,
        deadline=deadline,
        # Everyone, the people added by name too: someone answers for them.
        eligible=frozenset(m.id for m in turn.group.active_members()),
    )
    proposal = turn.put(
        turn.log(replace(proposal, rounds=(*proposal.rounds, check_in)), "review_due")
    )
    n = proposal.number
    turn.emit(CancelTimer(rounds.timer_key(turn, n, "review")))  # asked for early
    turn.emit(
        SetTimer(rounds.timer_key(turn, n, "check-in"), deadline, c.CheckInDue(n, check_in.index))
    )
    _ = turn.group_t
    rounds.post_card(
        turn,
        proposal,
        intro=_("Time to review #{number}: {title}").format(number=n, title=proposal.title),
    )
    return proposal


# -- ending ------------------------------------------------------------------------------------


def finish(turn: Turn, proposal: Proposal, *, early: bool = False) -> None:
    """End the open check-in and act on its result (``checkins.result``)."""
    round_ = proposal.check_in
    if round_ is None:
        return
    if early and not checkins.everyone_answered(round_, turn.group):
        return
    result = checkins.result(round_)
    n = proposal.number
    round_ = replace(round_, closed_at=turn.now)
    proposal = replace(proposal, rounds=(*proposal.rounds[:-1], round_), review_at=None)
    proposal = rounds.move(turn, proposal, Move.REVIEWED)
    turn.emit(CancelTimer(rounds.timer_key(turn, n, "check-in")))
    _ = turn.group_t
    tally = checkins.counts_line(round_, _)
    if result is Result.NO_ANSWERS:
        _no_answers(turn, proposal)
        return
    if result is Result.KEEP:
        proposal = turn.put(_logged(turn, proposal, result.value))
        rounds.refresh_card(turn, proposal)
        rounds.announce(
            turn,
            _("The review of #{number} is over. We keep it as it is. {counts}").format(
                number=n, counts=tally
            ),
            proposal,
            rounds.ask_for_the_record(turn, proposal, outcome=False, review=True),
        )
        return
    reasons = [r.reason for r in round_.current_records() if r.response != "keep" and r.reason]
    follower = _follow_up(turn, proposal, result, reasons)
    proposal = turn.put(_logged(turn, proposal, f"{result.value} #{follower.number}"))
    rounds.refresh_card(turn, proposal)


def _no_answers(turn: Turn, proposal: Proposal) -> None:
    """Nobody answered: said kindly, recorded, and tried once more two weeks on."""
    n = proposal.number
    _ = turn.group_t
    last = [e.detail for e in proposal.log if e.what == "review_result"]
    tried_before = bool(last) and last[-1] == Result.NO_ANSWERS.value
    if tried_before:
        proposal = turn.put(_logged(turn, proposal, Result.NO_ANSWERS.value))
        rounds.refresh_card(turn, proposal)
        rounds.announce(
            turn,
            _(
                "Nobody answered the review of #{number} this time either. That is all "
                "right. It stays as it is. To ask again, say: review #{number} now"
            ).format(number=n),
            proposal,
        )
        return
    again = rounds.default_end(turn, turn.now, TRY_AGAIN_AFTER)
    proposal = turn.put(_logged(turn, replace(proposal, review_at=again), Result.NO_ANSWERS.value))
    turn.emit(SetTimer(rounds.timer_key(turn, n, "review"), again, c.ReviewDue(n)))
    rounds.refresh_card(turn, proposal)
    rounds.announce(
        turn,
        _(
            "Nobody answered the review of #{number}. That is all right, people are busy. "
            "It stays as it is, and we will ask again on {date}. To pick another day, "
            "say: review #{number} and a date."
        ).format(number=n, date=rounds.spell(turn, again)),
        proposal,
    )


def _follow_up(turn: Turn, proposal: Proposal, result: Result, reasons: list[str]) -> Proposal:
    """A change opens a new version, a stop a proposal to stop it: both for consent,
    both following the decision, which stands until the group agrees otherwise."""
    _ = turn.group_t
    n = proposal.number
    why = "\n".join(f"- {reason}" for reason in reasons)
    if result is Result.STOP:
        title = _("Stop #{number}: {title}").format(number=n, title=proposal.title)
        details = _("After the review, someone asked to stop #{number}.").format(number=n)
    else:
        title = proposal.title
        details = proposal.version.details
    if why:
        details = (details + "\n\n" if details else "") + _("What people said:") + "\n" + why
    # Proposed in the name of whoever proposed the decision: they steward it, as
    # before (or a facilitator); the answers that led to it are in its details.
    # A poll's or a sign-up's options belong to the question it asked: changing or
    # stopping what came of it is a question for consent, in plain words.
    process, options = proposal.process, proposal.options
    if PROCESSES[process].rule in ASKS_WITH_OPTIONS:
        process = "consent"
        options = ProposalOptions(anonymous=proposal.options.anonymous)
    follower = rounds.follow(
        turn,
        proposal,
        title=title,
        details=details,
        by=proposal.proposer,
        process=process,
        options=options,
    )
    name = cards.member_name(turn.group, follower.proposer, _)
    if result is Result.STOP:
        rounds.announce(
            turn,
            _(
                "The review of #{old} is over. Someone asked to stop it, so #{new} asks "
                "everyone: can we stop it? Until then, #{old} stays as it is."
            ).format(old=n, new=follower.number),
            proposal,
        )
        rounds.open_responses(turn, follower, None)
        return follower
    rounds.announce(
        turn,
        _(
            "The review of #{old} is over. People want to change it, so #{new} is a new "
            "version. {name}, you can change it now: amend #{new} and the new text. Then "
            "everyone is asked. Until then, #{old} stays as it is."
        ).format(old=n, new=follower.number, name=name),
        proposal,
    )
    follower = rounds.move(turn, follower, Move.START_QUESTIONS)
    follower = rounds.open_round(
        turn, follower, RoundKind.QUESTIONS, rounds.default_end(turn, turn.now, timedelta(days=1))
    )
    rounds.post_card(turn, follower)
    return follower


def _logged(turn: Turn, proposal: Proposal, result: str) -> Proposal:
    """The result in the decision's history: the group's, so it names no one (the
    last answer that ended it early is not what decided it)."""
    return proposal.logged(LogEntry(turn.now, None, "review_result", result))


def put_off(turn: Turn, proposal: Proposal) -> Proposal:
    """A new review date, or a reopening, while a check-in is open: it ends with no result."""
    round_ = proposal.check_in
    if round_ is None:
        return proposal
    turn.emit(CancelTimer(rounds.timer_key(turn, proposal.number, "check-in")))
    closed = replace(round_, closed_at=turn.now)
    return replace(proposal, rounds=(*proposal.rounds[:-1], closed))
