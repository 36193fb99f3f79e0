"""The proposal lifecycle, as a transition table.

Everything that moves a proposal from one stage to another is named here and
nowhere else: ``decide`` asks :func:`next_stage` and refuses what the table
does not allow, so a closed proposal cannot take responses, a withdrawn one
cannot be amended, and so on.

    draft → questions → open → resolving → agreed | not agreed | withdrawn
                                                   → review due (on the review date)
                                                   → agreed (the check-in is over)

``reopen`` of a proposal that did not pass starts a fresh round on it; an
agreed decision is never rewritten, so reopening it (or one whose review is
due) starts a new proposal that follows it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot.core.model import Stage


class Move(StrEnum):
    START_QUESTIONS = "start_questions"
    OPEN = "open"
    AMEND = "amend"  # a new version: a fresh round where everyone is asked again
    EXTEND = "extend"
    OBJECTIONS_STAND = "objections_stand"  # the deadline passed with objections: resolve them
    AWAIT_DECIDER = "await_decider"  # advice: the deadline passed, the decider decides
    PASS = "pass"
    FAIL = "fail"
    FINISH = "finish"  # for information: the round is over, nothing was decided
    WITHDRAW = "withdraw"
    REOPEN = "reopen"
    REVIEW_DUE = "review_due"
    REVIEW_LATER = "review_later"  # the review is put off to a new date
    REVIEWED = "reviewed"  # the check-in is over: the decision stands until another replaces it


S = Stage
TRANSITIONS: dict[Stage, dict[Move, Stage]] = {
    S.DRAFT: {
        Move.START_QUESTIONS: S.QUESTIONS,
        Move.OPEN: S.OPEN,
        Move.AMEND: S.DRAFT,
        Move.WITHDRAW: S.WITHDRAWN,
    },
    S.QUESTIONS: {
        Move.OPEN: S.OPEN,
        Move.AMEND: S.QUESTIONS,  # the proposer may amend freely while questions are asked
        Move.EXTEND: S.QUESTIONS,
        Move.WITHDRAW: S.WITHDRAWN,
    },
    S.OPEN: {
        Move.AMEND: S.OPEN,
        Move.EXTEND: S.OPEN,
        Move.PASS: S.AGREED,
        Move.FAIL: S.NOT_AGREED,
        Move.OBJECTIONS_STAND: S.RESOLVING,
        Move.AWAIT_DECIDER: S.RESOLVING,
        Move.FINISH: S.CLOSED,
        Move.WITHDRAW: S.WITHDRAWN,
    },
    S.RESOLVING: {
        Move.AMEND: S.OPEN,
        Move.EXTEND: S.RESOLVING,
        Move.PASS: S.AGREED,  # the last objection was withdrawn, or the decider decided
        Move.FAIL: S.NOT_AGREED,
        Move.WITHDRAW: S.WITHDRAWN,
    },
    S.AGREED: {Move.REVIEW_DUE: S.REVIEW_DUE},
    S.NOT_AGREED: {Move.REOPEN: S.OPEN},
    S.WITHDRAWN: {Move.REOPEN: S.OPEN},
    S.CLOSED: {Move.REOPEN: S.OPEN},
    S.REVIEW_DUE: {Move.REVIEW_LATER: S.AGREED, Move.REVIEWED: S.AGREED},
}

# Stages in which the group is still deciding.
ACTIVE: frozenset[Stage] = frozenset({S.DRAFT, S.QUESTIONS, S.OPEN, S.RESOLVING})
# Stages in which responses are taken.
RESPONDING: frozenset[Stage] = frozenset({S.OPEN, S.RESOLVING})
# Stages whose decision is reopened as a new proposal that follows it.
REOPEN_AS_NEW: frozenset[Stage] = frozenset({S.AGREED, S.REVIEW_DUE})


@dataclass(frozen=True, slots=True)
class Accepted:
    """The stages in which a command about a proposal is taken (a row of
    ``decide.STAGES``), and the words of its refusal in the others, if the command
    has words of its own (else each stage's own, ``rounds.STAGE_REFUSALS``).
    ``by_process`` gives a process words of its own for a stage: a press on a
    sign-up that is already full is thanked, not told "it is agreed"."""

    stages: frozenset[Stage]
    refusal: str | None = None
    by_process: Mapping[str, Mapping[Stage, str]] = field(default_factory=dict)


def next_stage(stage: Stage, move: Move) -> Stage | None:
    """The stage ``move`` leads to from ``stage``, or None if it is not allowed."""
    return TRANSITIONS[stage].get(move)
