"""A review as an evaluation round: the check-in on an agreed decision.

At the review date, or when a member asks (``review #7 now``), everyone is
asked one short question about a decision that is in force: keep it, change it
or stop it, each with a reason if they like. The answers are a round of their
own on the decision (``RoundKind.REVIEW``), stored like any other round, so
they are in the record, the exports and ``mydata`` with nothing new to store.

This module is the rulebook of a check-in, with no turn and no effects: the
answers (:data:`ANSWERS`), what the answers lead to (:func:`result`), and the
words every view shows of it (the card, ``history``, the exports, the Easy Read
page). Carrying it out is ``reviews``.

What the answers lead to, once the check-in is over (consent's own logic: the
decision stands as long as everyone can live with it, and any one voice that
asks for more is heard by the whole group, who then decide by consent):

    someone says stop    →  a proposal to stop it, for consent
    else, someone says change  →  a new version, for consent (questions first)
    else, all say keep   →  it stays as it is, and a new review date is asked for
    nobody answered      →  it stays as it is; we try again once, two weeks on
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core import visibility
from bot.core.document import Action, Block, Strong, bullets, para
from bot.core.i18n import N_, Translate
from bot.core.model import Group, Proposal, ResponseRecord, Round


class Result(StrEnum):
    KEEP = "keep"
    CHANGE = "change"
    STOP = "stop"
    NO_ANSWERS = "none"


@dataclass(frozen=True, slots=True)
class ReviewAnswer:
    """Keep, change or stop (not an answer to a question, ``model.Answer``)."""

    word: str  # stored in the round and typed after "review #7"
    label: str  # in words, to translate
    emoji: str


# In the order the strongest ask wins (``result``): stop, then change, then keep.
ANSWERS: dict[str, ReviewAnswer] = {
    a.word: a
    for a in (
        ReviewAnswer("keep", N_("Keep it"), "👍"),
        ReviewAnswer("change", N_("Change it"), "✏️"),
        ReviewAnswer("stop", N_("Stop it"), "🛑"),
    )
}

MAX_REASON = 500


def result(round_: Round) -> Result:
    """What a check-in's answers lead to (the table in this module's docstring)."""
    given = {r.response for r in round_.current_records()}
    for answer in (Result.STOP, Result.CHANGE, Result.KEEP):
        if answer.value in given:
            return answer
    return Result.NO_ANSWERS


def counts(round_: Round) -> dict[str, int]:
    """How many gave each answer, in the order of :data:`ANSWERS`."""
    tally = dict.fromkeys(ANSWERS, 0)
    for record in round_.current_records():
        if record.response in tally:
            tally[record.response] += 1
    return tally


def everyone_answered(round_: Round, group: Group) -> bool:
    """Whether everyone asked who is still a member has answered: the check-in
    may then end before its date, as a round does when everyone has responded."""
    asked = [m for m in round_.eligible if (p := group.members.get(m)) is not None and p.active]
    return bool(asked) and all(m in round_.participants for m in asked)


def concerns(proposal: Proposal) -> list[ResponseRecord]:
    """The concerns recorded in the round that agreed it: they feed the review."""
    round_ = proposal.round
    if round_ is None:
        return []
    return [r for r in round_.current_records() if r.response == "concern" and r.reason]


# -- words -----------------------------------------------------------------------------------


def answer_line(group: Group, proposal: Proposal, record: ResponseRecord, _: Translate) -> str:
    """ "Sam — Change: the bus is late" (nobody named when the decision was anonymous)."""
    named = visibility.sight(proposal).names and record.member is not None
    who = visibility.member_name(group, record.member, _) if named else _("Someone")
    answer = ANSWERS.get(record.response)
    line = f"{who} — {_(answer.label) if answer else record.response}"
    if record.reason:
        line += f": {record.reason}"
    if named and record.recorded_by is not None:
        line += " " + _("(recorded by {name})").format(
            name=visibility.member_name(group, record.recorded_by, _)
        )
    return line


def counts_line(round_: Round, _: Translate) -> str:
    """ "Keep: 3 · Change: 1 · Stop: 0" """
    return " · ".join(
        f"{_(ANSWERS[word].label)}: {count}" for word, count in counts(round_).items()
    )


def buttons(proposal: Proposal, _: Translate) -> tuple[Action, ...]:
    n = proposal.number
    return tuple(
        Action(f"{a.emoji} {_(a.label)}", f"review #{n} {a.word}") for a in ANSWERS.values()
    )


def card_blocks(group: Group, proposal: Proposal, deadline: str, _: Translate) -> list[Block]:
    """What the card of a decision under review says: the question, the concerns
    recorded when it was agreed, and the answers so far."""
    round_ = proposal.check_in
    if round_ is None:
        return []
    n = proposal.number
    blocks: list[Block] = [
        para(
            _(
                "Is it still working for you? Please say keep, change or stop, "
                "by {deadline}. You can add why."
            ).format(deadline=deadline)
        ),
        para(_("Like this: {example}").format(example=f"review #{n} change Mum wants it later")),
    ]
    worries = concerns(proposal)
    if worries:
        blocks.append(para(Strong(_("Concerns when we agreed it:"))))
        blocks.append(bullets([visibility.response_line(group, proposal, r, _) for r in worries]))
    given = round_.current_records()
    if given:
        blocks.append(para(Strong(_("Answers so far:")), " " + counts_line(round_, _)))
        blocks.append(bullets([answer_line(group, proposal, r, _) for r in given]))
    return blocks
