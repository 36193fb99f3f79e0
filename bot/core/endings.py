"""How a round ends, as a table beside the lifecycle's.

Everything that ends a round, or asks whether it has ended, comes here and
nowhere else: a deadline that falls due (``timers``), a steward's
``close #n`` (``proposing``) and every change of the answers (``responding``).
:data:`ENDINGS` says what each of them leads to in each stage; what a
process's rule makes of the answers is ``outcomes`` (:func:`~bot.core.outcomes.verdict`,
:func:`~bot.core.outcomes.resolving_verdict`), and carrying out the move it
names is ``rounds`` (:func:`~bot.core.rounds.apply_verdict`).

    questions  deadline, close  →  the responses round opens
    open       deadline, close  →  the process's rule, time up (a close is the deadline, now)
               an answer        →  the process's rule, early: only a pass ends it (once
                                   everyone has answered); a block, a "no" or a tie waits
                                   for the deadline, so people may still talk and change
    resolving  deadline, close  →  an objection still standing stops it, else it passes
               an answer        →  passes once the last objection is withdrawn (not advice)
    review due deadline, close  →  the check-in is over: its result (``checkins``)
               an answer        →  the same, once everyone asked has answered

A stage missing from the table has no round to end: a deadline then does
nothing (the timer is stale) and a close is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from bot.core import reviewing, rounds
from bot.core.lifecycle import Move
from bot.core.model import Proposal, Stage
from bot.core.outcomes import WAIT, resolving_verdict, verdict
from bot.core.processes import PROCESSES, Rule
from bot.core.turn import Turn


class Trigger(StrEnum):
    """What may end a round."""

    DEADLINE = "deadline"  # the round's deadline fell due
    CLOSE = "close"  # a steward closed it early: as if the deadline were now
    ANSWER = "answer"  # the answers changed: one given, taken back, an objection withdrawn


class Ending(StrEnum):
    """What follows."""

    OPEN_RESPONSES = "open responses"  # the questions are over: everyone is asked
    TIME_UP = "time up"  # the process's rule, with no more time
    PASS_EARLY = "pass early"  # the process's rule while there is time: only a pass ends it
    RESOLVED = "resolved"  # the time to work through objections is over
    OBJECTION_GONE = "objection gone"  # in the resolve stage: passes once none stands
    REVIEWED = "reviewed"  # a review's check-in is over: act on its answers
    ALL_CHECKED_IN = "all checked in"  # the same, early, once everyone asked has answered


S, T = Stage, Trigger
ENDINGS: dict[Stage, dict[Trigger, Ending]] = {
    S.QUESTIONS: {T.DEADLINE: Ending.OPEN_RESPONSES, T.CLOSE: Ending.OPEN_RESPONSES},
    S.OPEN: {T.DEADLINE: Ending.TIME_UP, T.CLOSE: Ending.TIME_UP, T.ANSWER: Ending.PASS_EARLY},
    S.RESOLVING: {
        T.DEADLINE: Ending.RESOLVED,
        T.CLOSE: Ending.RESOLVED,
        T.ANSWER: Ending.OBJECTION_GONE,
    },
    S.REVIEW_DUE: {
        T.DEADLINE: Ending.REVIEWED,
        T.CLOSE: Ending.REVIEWED,
        T.ANSWER: Ending.ALL_CHECKED_IN,
    },
}


def ending(stage: Stage, trigger: Trigger) -> Ending | None:
    """What ``trigger`` leads to in ``stage``, or None if it ends nothing there."""
    return ENDINGS.get(stage, {}).get(trigger)


def end(turn: Turn, proposal: Proposal, trigger: Trigger) -> None:
    """Carry out what ``trigger`` leads to for ``proposal`` (nothing, if nothing)."""
    what = ending(proposal.stage, trigger)
    if what is not None:
        _STEPS[what](turn, proposal)


def _open_responses(turn: Turn, proposal: Proposal) -> None:
    rounds.open_responses(turn, proposal, proposal.planned_deadline)


def _time_up(turn: Turn, proposal: Proposal) -> None:
    rounds.apply_verdict(turn, proposal, verdict(proposal, turn.group, final=True))


def _pass_early(turn: Turn, proposal: Proposal) -> None:
    early = verdict(proposal, turn.group, final=False)
    # Only a pass ends a round before its deadline (the design's promise): a block,
    # a "no" or a tie leaves time to talk and to change an answer. A "please read"
    # that everyone has read decides nothing, so it may finish.
    if early.move is Move.PASS or PROCESSES[proposal.process].rule is Rule.ACK:
        rounds.apply_verdict(turn, proposal, early)
    else:
        rounds.apply_verdict(turn, proposal, WAIT)


def _resolved(turn: Turn, proposal: Proposal) -> None:
    rounds.apply_verdict(turn, proposal, resolving_verdict(proposal, final=True))


def _objection_gone(turn: Turn, proposal: Proposal) -> None:
    rounds.apply_verdict(turn, proposal, resolving_verdict(proposal, final=False))


def _reviewed(turn: Turn, proposal: Proposal) -> None:
    reviewing.finish(turn, proposal)


def _all_checked_in(turn: Turn, proposal: Proposal) -> None:
    reviewing.finish(turn, proposal, early=True)


_STEPS: dict[Ending, Callable[[Turn, Proposal], None]] = {
    Ending.OPEN_RESPONSES: _open_responses,
    Ending.TIME_UP: _time_up,
    Ending.PASS_EARLY: _pass_early,
    Ending.RESOLVED: _resolved,
    Ending.OBJECTION_GONE: _objection_gone,
    Ending.REVIEWED: _reviewed,
    Ending.ALL_CHECKED_IN: _all_checked_in,
}
