"""Counting responses and the outcome rule of each process.

``tally`` counts the current responses of a round. ``verdict`` applies the
process's rule (named in the process table) and says which lifecycle move
follows and why, in a phrase for people. The rules, in the words of the design:

- consent: passes when nobody objects and the quorum is met (or everyone has
  answered); silence is never consent; objections go to a resolve stage.
- lazy: passes at the deadline unless someone objects.
- advice: the decider decides after the deadline.
- consensus: no block, more agree than disagree, quorum met.
- choice / time: the option(s) or slot with most support, quorum met.
- ack: nothing to decide; it records who has read it.

Required voices must have responded for anything to pass.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.core import when
from bot.core.i18n import N_, Phrase, translator
from bot.core.lifecycle import Move
from bot.core.model import Group, Proposal, ResponseRecord, Round
from bot.core.processes import PROCESSES, Process, Rule
from bot.core.visibility import member_name


@dataclass(frozen=True, slots=True)
class Tally:
    counts: Counter[str]  # response word -> how many
    option_counts: Counter[int] = field(default_factory=Counter)  # choice / time: "yes" per option
    maybe_counts: Counter[int] = field(default_factory=Counter)  # time: "if need be" per slot
    responded: frozenset[int] = frozenset()  # who has responded (named or not)
    total: int = 0  # how many current responses there are

    def count(self, word: str) -> int:
        return self.counts.get(word, 0)


def tally(round_: Round) -> Tally:
    records = round_.current_records()
    options: Counter[int] = Counter()
    maybe: Counter[int] = Counter()
    for record in records:
        options.update(record.choices)
        maybe.update(record.maybe)
    return Tally(
        counts=Counter(r.response for r in records),
        option_counts=options,
        maybe_counts=maybe,
        responded=round_.participants,
        total=len(records),
    )


def standing_objections(proposal: Proposal) -> list[ResponseRecord]:
    """Current responses that block the proposal (objections, blocks)."""
    round_ = proposal.round
    if round_ is None:
        return []
    blocking = PROCESSES[proposal.process].blocking
    return [r for r in round_.current_records() if r.response in blocking]


def quorum_of(proposal: Proposal, group: Group) -> int:
    process = PROCESSES[proposal.process]
    if proposal.options.quorum is not None:
        return proposal.options.quorum
    if process.default_quorum is not None:
        return process.default_quorum
    return group.settings.quorum


def counted(proposal: Proposal) -> frozenset[int]:
    """Whose answers count towards the quorum: the members at the start of the
    round, and anyone who joined later and answered. A late joiner's answer is
    counted, so the card ("Answers: 3 of 5") and the verdict always agree."""
    round_ = proposal.round
    if round_ is None:
        return frozenset()
    return round_.eligible | round_.participants


def quorum_needed(proposal: Proposal, group: Group) -> int:
    """How many answers the quorum asks for (rounded up): 0 when there is none."""
    total = len(counted(proposal))
    return -(-quorum_of(proposal, group) * total // 100)


def quorum_met(proposal: Proposal, group: Group) -> bool:
    """Quorum counts the members at the start of the round and late joiners who answered."""
    round_ = proposal.round
    if round_ is None:
        return False
    return len(round_.participants) >= quorum_needed(proposal, group)


def waiting_for(proposal: Proposal, group: Group) -> list[int]:
    """Members who have not responded yet: everyone in the group now, including
    people the roster learned during the round (on Telegram, people are only
    known once they speak), so nobody is forgotten."""
    round_ = proposal.round
    if round_ is None:
        return []
    return sorted(m.id for m in group.active_members() if m.id not in round_.participants)


def everyone_responded(proposal: Proposal, group: Group) -> bool:
    """Every member has responded. A group of one cannot pass early: a proposal
    needs someone besides the proposer to have had their say."""
    round_ = proposal.round
    if round_ is None:
        return False
    # Asked after every response: one pass that stops at the first member still
    # to answer, without building the list of active members.
    participants, counted = round_.participants, 0
    for member in group.members.values():
        if member.active:
            if member.id not in participants:
                return False
            counted += 1
    return counted >= 2


def missing_required(proposal: Proposal, group: Group) -> list[int]:
    round_ = proposal.round
    responded = round_.participants if round_ else frozenset()
    return sorted(m for m in proposal.options.required if m not in responded)


@dataclass(frozen=True, slots=True)
class Verdict:
    move: Move | None  # None: nothing changes yet
    reason: Phrase
    winners: tuple[int, ...] = ()


WAIT = Verdict(None, Phrase(N_("Still waiting for answers.")))


def verdict(proposal: Proposal, group: Group, *, final: bool) -> Verdict:
    """What happens now. ``final`` is True at the deadline (or a close); False
    after each response, when only an early close is possible."""
    process = PROCESSES[proposal.process]
    early = process.early_close and everyone_responded(proposal, group)
    if not final and not early and not (process.ends_when_full and is_full(proposal, group)):
        return WAIT
    missing = missing_required(proposal, group)
    if missing and process.rule not in (Rule.ADVICE, Rule.ACK, Rule.SIGNUP):
        names = ", ".join(_name(group, m) for m in missing)
        return Verdict(
            Move.FAIL,
            Phrase(N_("It is not agreed. We needed to hear from {names}."), {"names": names}),
        )
    return _RULES[process.rule](proposal, group, process, tally(proposal.round), final)  # type: ignore[arg-type]


def resolving_verdict(proposal: Proposal, *, final: bool) -> Verdict:
    """What happens in the resolve stage. ``final`` is True when its time is up
    (or it is closed): an objection still standing stops it, else it passes.
    After each change of responses only the last objection going lets it pass,
    and not in advice, where the decider decides."""
    standing = standing_objections(proposal)
    advice = PROCESSES[proposal.process].rule is Rule.ADVICE
    if final and advice:
        # Closed while the decider had not decided: nothing was agreed, and
        # ``reopen`` asks for advice again.
        return Verdict(
            Move.FAIL,
            Phrase(
                N_("It is closed. No one decided. To ask again, say: reopen #{number}"),
                {"number": proposal.number},
            ),
        )
    if final:
        return _STILL_STANDS if standing else _SORTED_OUT
    if standing or advice:
        return WAIT
    return _SORTED_OUT


_STILL_STANDS = Verdict(Move.FAIL, Phrase(N_("It is not agreed. An objection still stands.")))
_SORTED_OUT = Verdict(Move.PASS, Phrase(N_("It is agreed. The objections are sorted out.")))


def _consent(p: Proposal, g: Group, process: Process, t: Tally, final: bool) -> Verdict:
    objections = standing_objections(p)
    if objections:
        if not final:
            return WAIT  # everyone answered, but an objection may still be withdrawn
        return Verdict(
            Move.OBJECTIONS_STAND,
            Phrase(N_("There are objections to work through."), {}),
        )
    if t.total == 0 or not quorum_met(p, g):  # silence is never consent, whatever the quorum
        return Verdict(
            Move.FAIL,
            Phrase(
                N_(
                    "It is not agreed. Answers: {count} of {total}. We needed at least "
                    "{needed}%. Silence is not consent."
                ),
                {
                    "count": len(t.responded),
                    "total": len(counted(p)),
                    "needed": quorum_of(p, g),
                },
            ),
        )
    if not final:
        return Verdict(
            Move.PASS, Phrase(N_("It is agreed. Everyone has answered, and no one objects."), {})
        )
    return Verdict(Move.PASS, Phrase(N_("It is agreed. No one objected."), {}))


def _lazy(p: Proposal, g: Group, process: Process, t: Tally, final: bool) -> Verdict:
    if standing_objections(p):
        return Verdict(Move.FAIL, Phrase(N_("It is not agreed. Someone has an objection."), {}))
    if not quorum_met(p, g):
        return Verdict(
            Move.FAIL,
            Phrase(N_("It is not agreed. Too few people gave an answer."), {}),
        )
    return Verdict(Move.PASS, Phrase(N_("It is agreed. No one objected by the deadline."), {}))


def _advice(p: Proposal, g: Group, process: Process, t: Tally, final: bool) -> Verdict:
    return Verdict(
        Move.AWAIT_DECIDER,
        Phrase(N_("The advice is in. Now {name} decides."), {"name": _name(g, p.proposer)}),
    )


def _consensus(p: Proposal, g: Group, process: Process, t: Tally, final: bool) -> Verdict:
    if t.count("block"):
        return Verdict(Move.FAIL, Phrase(N_("It is not agreed. Someone blocked it."), {}))
    if not quorum_met(p, g):
        return Verdict(
            Move.FAIL, Phrase(N_("It is not agreed. Too few people gave an answer."), {})
        )
    agree, disagree = t.count("agree"), t.count("disagree")
    if agree > disagree:
        return Verdict(
            Move.PASS,
            Phrase(
                N_("It is agreed. Agree: {agree}. Disagree: {disagree}."),
                {"agree": agree, "disagree": disagree},
            ),
        )
    return Verdict(
        Move.FAIL,
        Phrase(
            N_("It is not agreed. Agree: {agree}. Disagree: {disagree}."),
            {"agree": agree, "disagree": disagree},
        ),
    )


def _choice(p: Proposal, g: Group, process: Process, t: Tally, final: bool) -> Verdict:
    if not quorum_met(p, g) or not t.option_counts:
        return Verdict(Move.FAIL, Phrase(N_("No result. Too few people voted."), {}))
    best = max(t.option_counts.values())
    winners = tuple(sorted(o for o, n in t.option_counts.items() if n == best))
    if len(winners) == 1:
        return Verdict(
            Move.PASS,
            Phrase(N_("Most votes: {option}."), {"option": _option_words(p, g, winners[0])}),
            winners,
        )
    return _tie(p, g, winners)


def _time(p: Proposal, g: Group, process: Process, t: Tally, final: bool) -> Verdict:
    slots = range(1, len(p.options.choices) + 1)

    def score(slot: int) -> tuple[int, int]:
        yes, maybe = t.option_counts.get(slot, 0), t.maybe_counts.get(slot, 0)
        return (yes + maybe, yes)  # most people can come, then most happily

    best = max((score(s) for s in slots), default=None)
    if best is None or best[0] == 0 or not quorum_met(p, g):
        return Verdict(Move.FAIL, Phrase(N_("No time suits enough people."), {}))
    winners = tuple(s for s in slots if score(s) == best)
    if len(winners) == 1:
        return Verdict(
            Move.PASS,
            Phrase(N_("We meet on {time}."), {"time": _option_words(p, g, winners[0])}),
            winners,
        )
    return _tie(p, g, winners)


def _tie(p: Proposal, g: Group, tied: tuple[int, ...]) -> Verdict:
    """A tie decides nothing: it is not "agreed", nothing is marked chosen, and
    the proposer is told what to do next (pick one, or ask again between them)."""
    return Verdict(
        Move.FINISH,
        Phrase(
            N_(
                "It is a tie between: {options}. {name} can pick one with: "
                "outcome #{number} and the one you pick. Or start a new poll with just these."
            ),
            {
                "options": "; ".join(_option_words(p, g, o) for o in tied),
                "name": _name(g, p.proposer),
                "number": p.number,
            },
        ),
    )


def _option_words(p: Proposal, g: Group, option: int) -> str:
    """An option in words: its text, or a time poll's slot spelled out."""
    text = p.options.choices[option - 1]
    if PROCESSES[p.process].rule is not Rule.TIME:
        return text
    settings = g.settings
    return when.spell_out(
        datetime.fromisoformat(text), timezone=settings.timezone, language=settings.language
    )


def _ack(p: Proposal, g: Group, process: Process, t: Tally, final: bool) -> Verdict:
    read = Phrase(
        N_("Who has read it: {count} of {total}."), {"count": t.total, "total": len(counted(p))}
    )
    unread = waiting_for(p, g)
    if not unread or p.options.anonymous:  # anonymous: nobody is named, read or not
        return Verdict(Move.FINISH, read)
    return Verdict(
        Move.FINISH,
        Phrase(
            N_("Who has read it: {count} of {total}. Not read yet: {names}."),
            {
                "count": t.total,
                "total": len(counted(p)),
                "names": ", ".join(_name(g, m) for m in unread),
            },
        ),
    )


def signed_up(proposal: Proposal, group: Group | None = None) -> list[int]:
    """Who said "I can do it" to a sign-up, in the order they said it; with ``group``,
    only those still in it (someone who left can no longer be counted on)."""
    round_ = proposal.round
    if round_ is None:
        return []
    people = [r.member for r in round_.current_records() if r.response == "can" and r.member]
    if group is None:
        return people
    return [m for m in people if (member := group.members.get(m)) is not None and member.active]


def needed(proposal: Proposal) -> int:
    """How many people a sign-up needs (at least one)."""
    return max(proposal.options.target, 1)


def is_full(proposal: Proposal, group: Group) -> bool:
    return len(signed_up(proposal, group)) >= needed(proposal)


def _signup(p: Proposal, g: Group, process: Process, t: Tally, final: bool) -> Verdict:
    people = signed_up(p, g)
    names = ", ".join(_name(g, m) for m in people)
    if len(people) >= needed(p):
        return Verdict(
            Move.PASS, Phrase(N_("We have enough people. Signed up: {names}."), {"names": names})
        )
    if people:
        return Verdict(
            Move.FINISH,
            Phrase(
                N_(
                    "Time is up. Signed up: {names}. We still need {more} more. "
                    "Please ask someone you know, or start a new sign-up."
                ),
                {"names": names, "more": needed(p) - len(people)},
            ),
        )
    return Verdict(
        Move.FAIL,
        Phrase(
            N_(
                "Nobody could sign up this time, and that is OK. Please talk about it "
                "together, or ask again with a new date: reopen #{number} Friday 5pm"
            ),
            {"number": p.number},
        ),
    )


def _name(group: Group, member_id: int) -> str:
    return member_name(group, member_id, translator(group.settings.language))


_RULES: dict[Rule, Callable[[Proposal, Group, Process, Tally, bool], Verdict]] = {
    Rule.CONSENT: _consent,
    Rule.LAZY: _lazy,
    Rule.ADVICE: _advice,
    Rule.CONSENSUS: _consensus,
    Rule.CHOICE: _choice,
    Rule.TIME: _time,
    Rule.ACK: _ack,
    Rule.SIGNUP: _signup,
}
