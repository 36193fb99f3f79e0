"""What a reader may see of a proposal: the one place that decides it.

Every view of a proposal asks here before it shows an answer: the card,
``show``, ``history``, the printable page, the exports (Markdown, HTML, CSV,
JSON) and ``mydata``. The views that show no answers at all (``status``,
``decisions``, the calendar file, the weekly digest) show titles, deadlines and
outcomes only, which every member may always see.

The rules (the trust model, section 7a of the design):

- **Anonymous** proposals never tie an answer to a person: no name goes with a
  response, a reason or a proxy answer, nobody is listed as still to respond,
  and nothing offers an action that needs to know whose answer is whose
  (``withdraw objection``). Reasons are asked for privately, and a reaction on
  a card (a public room event on Matrix) is not invited.
- **Hidden results** show only how many have answered until the proposal
  closes: no counts per answer, no reasons, no lines of who said what, and no
  history entry that gives an answer away.
- Both at once: both rules.
- A reader always sees their own answers (``mydata``), never anyone else's
  that these rules hide.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.i18n import N_, Translate
from bot.core.lifecycle import ACTIVE
from bot.core.model import Group, LogEntry, Proposal, ResponseRecord, Round
from bot.core.processes import PROCESSES


@dataclass(frozen=True, slots=True)
class Sight:
    """What may be shown of one proposal now."""

    names: bool  # whose answer is whose (False: anonymous)
    answers: bool  # what people answered: counts, reasons, lines (False: hidden until the close)
    waiting: bool  # who has not answered yet, by name


def sight(proposal: Proposal) -> Sight:
    """What anyone may see of ``proposal`` now (its options and its stage)."""
    anonymous = proposal.options.anonymous
    hidden = proposal.options.hide_results and proposal.stage in ACTIVE
    return Sight(names=not anonymous, answers=not hidden, waiting=not anonymous)


def records(proposal: Proposal, round_: Round, reader: int | None = None) -> list[ResponseRecord]:
    """The responses of ``round_``, in the order given, that ``reader`` may see:
    all of them, unless the results are hidden; then only the reader's own."""
    if sight(proposal).answers:
        return list(round_.history)
    if reader is None:
        return []
    return [r for r in round_.history if reader in (r.member, r.recorded_by)]


def current(proposal: Proposal, reader: int | None = None) -> list[ResponseRecord]:
    """The current responses of the proposal's round that ``reader`` may see."""
    round_ = proposal.round
    if round_ is None:
        return []
    if sight(proposal).answers:
        return round_.current_records()
    if reader is None:
        return []
    return [r for r in round_.current_records() if reader in (r.member, r.recorded_by)]


# History entries that give an answer away (who took back an objection).
ANSWER_EVENTS = frozenset({"objection_withdrawn"})


def shows_log_entry(proposal: Proposal, entry: LogEntry) -> bool:
    """Whether a history entry may be shown: not one that tells an answer while
    the answers are hidden or the proposal is anonymous."""
    if entry.what not in ANSWER_EVENTS:
        return True
    seen = sight(proposal)
    return seen.answers and seen.names


HIDDEN_NOTE = N_("Responses so far: {count}. You will see the results at the end.")


def hidden_note(proposal: Proposal, _: Translate) -> str | None:
    """What a view says in place of hidden answers, or None when they may be seen."""
    round_ = proposal.round
    if sight(proposal).answers or round_ is None:
        return None
    return _(HIDDEN_NOTE).format(count=len(round_.current_records()))


def member_name(group: Group, member_id: int | None, _: Translate) -> str:
    member = group.members.get(member_id) if member_id is not None else None
    if member is None or member.status == "forgotten":
        return _("a former member")
    return member.name


def response_line(group: Group, proposal: Proposal, record: ResponseRecord, _: Translate) -> str:
    """One response in words: who, what, why, and who recorded it for them.

    "Mum — Consent (recorded by Sam)". A response recorded for someone always
    says who recorded it; in an anonymous proposal it names nobody, whatever
    the record holds."""
    named = sight(proposal).names
    who = member_name(group, record.member, _) if named and record.member is not None else None
    what = _(PROCESSES[proposal.process].label_of(record.response))
    line = f"{who or _('Someone')} — {what}"
    if record.choices:
        line += " " + ", ".join(map(str, record.choices))
    if record.maybe:
        line += " " + _("(if need be: {options})").format(options=", ".join(map(str, record.maybe)))
    if record.reason:
        line += f": {record.reason}"
    if named and record.recorded_by is not None:
        line += " " + _("(recorded by {name})").format(
            name=member_name(group, record.recorded_by, _)
        )
    return line


def answered_privately(proposal: Proposal) -> bool:
    """Reasons are asked for, and answers thanked, away from the group: in an
    anonymous proposal a name beside "why did you object?" would undo it."""
    return proposal.options.anonymous


def invites_reactions(proposal: Proposal) -> bool:
    """Whether the card asks people to react with an emoji. Not when anonymous: a
    reaction is a public room event (on Matrix anyone in the room sees who reacted)."""
    return not proposal.options.anonymous


def offers_withdraw_objection(proposal: Proposal) -> bool:
    """``withdraw objection`` needs to know whose objection is whose, which an
    anonymous proposal does not keep: it is never offered there."""
    return not proposal.options.anonymous
