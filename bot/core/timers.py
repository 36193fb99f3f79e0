"""What happens when a timer falls due: deadlines, nudges, reviews, the digest.

A timer carries the round it was set for; if the proposal has moved on (an
extension, an amendment, an early close), the timer is stale and does nothing.
That is what makes firing a timer twice harmless, and a restart safe.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core import commands as c
from bot.core import doing, endings, rounds, visibility
from bot.core.cards import response_actions, title_line
from bot.core.document import Action, Document, Strong, bullets, para
from bot.core.effects import DirectMessage, SetTimer
from bot.core.endings import Trigger
from bot.core.i18n import Translate
from bot.core.lifecycle import ACTIVE
from bot.core.model import Member, Proposal, RoundKind, Stage
from bot.core.outcomes import waiting_for
from bot.core.processes import PROCESSES, Rule
from bot.core.turn import Turn

REMINDER_EVERY = timedelta(days=1)  # a person gets at most one private reminder a day


def _current(turn: Turn, number: int, round_index: int) -> Proposal | None:
    proposal = turn.group.proposals.get(number)
    if proposal is None or proposal.stage not in ACTIVE or proposal.round is None:
        return None
    if proposal.round.index != round_index:
        return None
    return proposal


def deadline_due(turn: Turn, event: c.DeadlineDue) -> None:
    proposal = _current(turn, event.number, event.round)
    if proposal is None or proposal.round is None or turn.now < proposal.round.deadline:
        return  # stale: moved on, or extended (its new timer will come)
    endings.end(turn, proposal, Trigger.DEADLINE)


def nudge_due(turn: Turn, event: c.NudgeDue) -> None:
    proposal = _current(turn, event.number, event.round)
    if proposal is None or proposal.stage is not Stage.OPEN or proposal.round is None:
        return
    round_ = proposal.round
    if turn.now >= round_.deadline:
        return  # fired late (the bot was down): a reminder after the deadline helps nobody
    waiting = [
        turn.group.members[m]
        for m in waiting_for(proposal, turn.group)
        if event.member is None or m == event.member
    ]
    for member in waiting:
        if not member.reminders:
            continue
        if not member.identities:
            _nudge_proxy(turn, proposal, member)
            continue
        quiet_until = _quiet_until(turn, member)
        if quiet_until is not None:
            if quiet_until < round_.deadline:
                turn.emit(
                    SetTimer(
                        rounds.timer_key(turn, proposal.number, f"nudge-{member.id}"),
                        quiet_until,
                        c.NudgeDue(proposal.number, round_.index, member.id),
                    )
                )
            continue
        if _reminded_already(turn, proposal, member):
            continue
        _nudge(turn, proposal, member)


# -- one reminder a day ------------------------------------------------------------------------
#
# Each proposal's nudge falls due on its own, but a person gets one private
# reminder that lists everything waiting for them, not one message per proposal.
# Whether a reminder already went out is worked out from the proposals alone (no
# stored "last reminded" time): the nudge of another open proposal that waits
# for the same person, due within the last day and earlier in the order below,
# has already listed this one, if this one was open by then.


def _nudge_at(turn: Turn, proposal: Proposal) -> datetime | None:
    """When the proposal's nudge falls due, if its round has one (``rounds.arm_round``)."""
    round_ = proposal.round
    if proposal.stage is not Stage.OPEN or round_ is None or round_.kind is not RoundKind.RESPONSES:
        return None
    nudge_at = round_.deadline - turn.group.settings.nudge_before
    return nudge_at if nudge_at > round_.opened_at else None


def _waiting_on(turn: Turn, member: Member) -> list[Proposal]:
    """The open proposals still waiting for the member's answer, oldest first."""
    return sorted(
        (
            p
            for p in turn.group.proposals.values()
            if p.stage is Stage.OPEN
            and p.round is not None
            and p.round.kind is RoundKind.RESPONSES
            and turn.now < p.round.deadline
            and member.id in waiting_for(p, turn.group)
        ),
        key=lambda p: p.number,
    )


def _reminded_already(turn: Turn, proposal: Proposal, member: Member) -> bool:
    own = _nudge_at(turn, proposal)
    assert proposal.round is not None
    if own is None:
        return False
    for other in _waiting_on(turn, member):
        other_at = _nudge_at(turn, other)
        if other is proposal or other_at is None:
            continue
        listed_this_one = proposal.round.opened_at <= other_at
        within_a_day = turn.now - REMINDER_EVERY < other_at <= turn.now
        if listed_this_one and within_a_day and (other_at, other.number) < (own, proposal.number):
            return True
    return False


def _nudge(turn: Turn, proposal: Proposal, member: Member) -> None:
    waiting = _waiting_on(turn, member) or [proposal]
    if len(waiting) > 1:
        _remind_of_all(turn, waiting, member)
        return
    _ = turn.member_t(member)
    assert proposal.round is not None
    deadline = rounds.spell_for(turn, proposal.round.deadline, member)
    document = Document(
        (
            para(_("Hello {name}. We have not heard from you yet about:").format(name=member.name)),
            para(Strong(title_line(proposal, _))),
            para(_("Please give your answer by {deadline}.").format(deadline=deadline)),
        ),
        _response_buttons(proposal, _),
    )
    # Named in the group instead, they would be named as not having answered: not
    # in an anonymous proposal (``visibility``), where only a private nudge is sent.
    fallback = visibility.sight(proposal).waiting
    document = _with_things_to_do(turn, member, document)
    turn.emit(DirectMessage(member.id, member.name, member.private_identities, document, fallback))


def _remind_of_all(turn: Turn, waiting: list[Proposal], member: Member) -> None:
    """One message for everything waiting for the member, each with its deadline."""
    _ = turn.member_t(member)
    items = []
    for proposal in waiting:
        assert proposal.round is not None
        items.append(
            title_line(proposal, _)
            + " — "
            + _("until {deadline}").format(
                deadline=rounds.spell_for(turn, proposal.round.deadline, member)
            )
        )
    document = Document(
        (
            para(_("Hello {name}. We have not heard from you yet about:").format(name=member.name)),
            bullets(items),
            para(_("Please answer each one before its time runs out.")),
        ),
        tuple(
            Action(_("See #{number}").format(number=p.number), f"show #{p.number}") for p in waiting
        ),
    )
    # Named in the group, they would be named as not having answered: only when
    # every proposal listed allows that (``visibility``).
    fallback = all(visibility.sight(p).waiting for p in waiting)
    document = _with_things_to_do(turn, member, document)
    turn.emit(DirectMessage(member.id, member.name, member.private_identities, document, fallback))


def _with_things_to_do(turn: Turn, member: Member, document: Document) -> Document:
    """A reminder also lists the member's actions due soon: one message a day, not
    one per kind of reminder (``doing``)."""
    blocks = doing.things_to_do_blocks(turn, member)
    return Document((*document.blocks, *blocks), document.actions) if blocks else document


def _nudge_proxy(turn: Turn, proposal: Proposal, member: Member) -> None:
    """Someone without the chat answers through a proxy: remind whoever added them,
    outside their quiet hours, with words they can send as they are."""
    helper = turn.group.members.get(member.added_by) if member.added_by else None
    if helper is None or not helper.active or not helper.identities or not helper.reminders:
        return
    round_ = proposal.round
    assert round_ is not None
    quiet_until = _quiet_until(turn, helper)
    if quiet_until is not None:
        if quiet_until < round_.deadline:
            key = rounds.timer_key(turn, proposal.number, f"nudge-{member.id}")
            turn.emit(
                SetTimer(key, quiet_until, c.NudgeDue(proposal.number, round_.index, member.id))
            )
        return
    _ = turn.member_t(helper)
    process = PROCESSES[proposal.process]
    example = f"{process.responses[0].name} #{proposal.number}"
    if process.rule in (Rule.CHOICE, Rule.TIME):
        example = f"vote #{proposal.number} 1"
    document = Document(
        (
            para(
                _(
                    "{name} has not responded to #{number} yet. You can record their response: "
                    "for {name} {example}"
                ).format(name=member.name, number=proposal.number, example=example)
            ),
        )
    )
    turn.emit(DirectMessage(helper.id, helper.name, helper.private_identities, document))


def _response_buttons(proposal: Proposal, _: Translate) -> tuple[Action, ...]:
    return tuple(a for a in response_actions(proposal, _) if not a.command.startswith("ask"))


def _quiet_until(turn: Turn, member: Member) -> datetime | None:
    """When the member's quiet hours end, if they are in them now."""
    quiet = member.quiet_hours
    if quiet is None:
        return None
    zone = ZoneInfo(member.timezone or turn.group.settings.timezone)
    local = turn.now.astimezone(zone)
    if not quiet.contains(local.time().replace(tzinfo=None)):
        return None
    end = local.replace(hour=quiet.end.hour, minute=quiet.end.minute, second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    return end.astimezone(turn.now.tzinfo)
