"""Two member records that turn out to be one person become one member.

This happens when a facilitator confirms that a chat account is a person
who was added by name (``this is Mum @mary``): the person keeps their member
number, so everything recorded for them by proxy stays theirs, and whatever the
account did before the confirmation moves over to it. Nothing is lost: every
response, question, answer, version and log entry is kept, renumbered. In a
round both gave answers in, the latest counts, as it always does for one person.

It happens too when a person links their own account on another platform, which
was a member of its own (``accounts``: ``me CODE``).
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.model import (
    Answer,
    Group,
    LogEntry,
    Member,
    Proposal,
    Question,
    ResponseRecord,
    Role,
    Round,
)


def merge_members(
    group: Group, keep: Member, gone: Member, *, keep_settings: bool = False
) -> Group:
    """``group`` with ``gone`` folded into ``keep``: one member, ``keep``'s number.

    The merged member speaks for themselves from now on (``added_by`` is cleared)
    through the accounts of both, ``gone``'s first (the one used last), and keeps
    the settings they chose there; with ``keep_settings`` (a person linking their
    own accounts, ``accounts``), those chosen on ``keep`` come first instead."""
    first, second = (keep, gone) if keep_settings else (gone, keep)
    merged = replace(
        keep,
        identities=tuple(dict.fromkeys((*gone.identities, *keep.identities))),
        handle=first.handle or second.handle,
        role=Role.FACILITATOR if Role.FACILITATOR in (keep.role, gone.role) else keep.role,
        language=first.language or second.language,
        timezone=first.timezone or second.timezone,
        quiet=first.quiet or second.quiet,
        reminders=gone.reminders and keep.reminders,
        reminders_on=first.reminders_on or second.reminders_on,
        added_by=None,
    )
    swap = _Swap(gone.id, keep.id)
    members = {
        mid: (replace(m, added_by=keep.id) if m.added_by == gone.id and mid != keep.id else m)
        for mid, m in group.members.items()
        if mid != gone.id
    }
    members[keep.id] = merged
    proposals = {number: swap.unless_same(p) for number, p in group.proposals.items()}
    return replace(group, members=members, proposals=proposals)


class _Swap:
    """Every place a proposal names a member, with one member number put for another."""

    def __init__(self, old: int, new: int) -> None:
        self.old, self.new = old, new

    def id(self, member: int | None) -> int | None:
        return self.new if member == self.old else member

    def ids(self, members: frozenset[int]) -> frozenset[int]:
        if self.old not in members:
            return members
        return (members - {self.old}) | {self.new}

    def unless_same(self, proposal: Proposal) -> Proposal:
        """The proposal renumbered; the very same object when it never names the member,
        so storage writes only what changed."""
        swapped = self.proposal(proposal)
        return proposal if swapped == proposal else swapped

    def proposal(self, proposal: Proposal) -> Proposal:
        outcome = proposal.outcome
        if outcome is not None and outcome.recorded_by == self.old:
            outcome = replace(outcome, recorded_by=self.new)
        return replace(
            proposal,
            proposer=self.new if proposal.proposer == self.old else proposal.proposer,
            versions=tuple(
                replace(v, by=self.new) if v.by == self.old else v for v in proposal.versions
            ),
            rounds=tuple(self.round(r) for r in proposal.rounds),
            options=replace(proposal.options, required=self.ids(proposal.options.required)),
            questions=tuple(self.question(q) for q in proposal.questions),
            outcome=outcome,
            log=tuple(self.entry(e) for e in proposal.log),
        )

    def round(self, round_: Round) -> Round:
        return replace(
            round_,
            eligible=self.ids(round_.eligible),
            participants=self.ids(round_.participants),
            history=tuple(self.record(r) for r in round_.history),
        )

    def record(self, record: ResponseRecord) -> ResponseRecord:
        if self.old not in (record.member, record.recorded_by):
            return record
        member, recorded_by = self.id(record.member), self.id(record.recorded_by)
        # What the account recorded for the person now reads as the person's own.
        return replace(
            record, member=member, recorded_by=None if recorded_by == member else recorded_by
        )

    def question(self, question: Question) -> Question:
        answers = tuple(
            Answer(self.new, a.text, a.at) if a.by == self.old else a for a in question.answers
        )
        by = self.new if question.by == self.old else question.by
        return replace(question, by=by, answers=answers)

    def entry(self, entry: LogEntry) -> LogEntry:
        return replace(entry, by=self.new) if entry.by == self.old else entry
