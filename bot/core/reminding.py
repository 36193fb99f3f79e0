"""The reminders and questions of actions after a decision (``doing``).

A day before an action's date its person is reminded privately, outside their
quiet hours, in one message with everything else that waits for them (the
nudges of proposals list their actions too: ``timers``); on the date, if it is
not done, the group hears of it kindly and the person is asked "Is this done?".
Each timer carries the date it was set for: a moved or finished action's old
timers do nothing.
"""

from __future__ import annotations

from bot.core import commands as c
from bot.core.cards import title_line
from bot.core.document import Block, Document, Strong, bullets, para
from bot.core.doing import (
    LISTS_AHEAD,
    REMIND_BEFORE,
    current_action,
    describe,
    doer_of,
    done_buttons,
    due_soon,
    open_actions,
    ref,
    soon_lines,
    timer_keys,
)
from bot.core.effects import DirectMessage, Post, SetTimer
from bot.core.model import ActionItem, Member, Proposal

# One private reminder at a time, kept outside quiet hours: the same rules as the
# nudges of proposals waiting for an answer, which a reminder lists too.
from bot.core.timers import _nudge_at, _quiet_until, _waiting_on
from bot.core.turn import Turn


def action_reminder_due(turn: Turn, event: c.ActionReminderDue) -> None:
    found = current_action(turn, event.number, event.item, event.due)
    if found is None:
        return  # done, moved or gone: a stale timer
    proposal, item = found
    reader = doer_of(turn, item)
    if reader is None or not reader.reminders or item.due is None or turn.now >= item.due:
        return
    quiet_until = _quiet_until(turn, reader)
    if quiet_until is not None:
        if quiet_until < item.due:
            reminder_key, _due_key = timer_keys(turn, proposal, item)
            turn.emit(SetTimer(reminder_key, quiet_until, event))
        return
    if _listed_already(turn, reader, proposal, item) or _nudged_today(turn, reader, item):
        return
    _remind(turn, reader)


def _listed_already(turn: Turn, member: Member, proposal: Proposal, item: ActionItem) -> bool:
    """Whether an earlier reminder today already listed this action: another open
    action of theirs, reminded in the last day, before this one, with this one due
    within what that reminder listed (worked out from the actions alone)."""
    assert item.due is not None
    own = item.due - REMIND_BEFORE
    for other_proposal, other in due_soon(turn, member) + _reminded_today(turn, member):
        if other is item or other.due is None:
            continue
        other_at = other.due - REMIND_BEFORE
        within_a_day = turn.now - REMIND_BEFORE < other_at <= turn.now
        listed = other_at < item.due <= other_at + LISTS_AHEAD and item.at <= other_at
        earlier = (other_at, other_proposal.number, other.id) < (own, proposal.number, item.id)
        if within_a_day and listed and earlier:
            return True
    return False


def _reminded_today(turn: Turn, member: Member) -> list[tuple[Proposal, ActionItem]]:
    """Open actions of the member whose date has come in the last day (and so are no
    longer "due soon"), whose reminder may have listed others."""
    found = []
    for proposal in turn.group.proposals.values():
        for item in open_actions(proposal):
            due = item.due
            if due and turn.now - REMIND_BEFORE < due <= turn.now and doer_of(turn, item) is member:
                found.append((proposal, item))
    return found


def _nudged_today(turn: Turn, member: Member, item: ActionItem) -> bool:
    """Whether a proposal's nudge in the last day already listed this action."""
    for proposal in _waiting_on(turn, member):
        nudge_at = _nudge_at(turn, proposal)
        if nudge_at is None or not turn.now - REMIND_BEFORE < nudge_at <= turn.now:
            continue
        due = item.due
        if due is not None and nudge_at < due <= nudge_at + LISTS_AHEAD and item.at <= nudge_at:
            return True
    return False


def _remind(turn: Turn, member: Member) -> None:
    """One private message: the member's things to do soon, and any proposal still
    waiting for their answer (bundled, as every reminder is)."""
    _ = turn.member_t(member)
    soon = due_soon(turn, member)
    blocks: list[Block] = [
        para(_("Hello {name}. A reminder of what you said you would do:").format(name=member.name)),
        bullets(soon_lines(turn, member, soon)),
        para(
            _("When one is done, say: done and its number, like done {ref}.").format(
                ref=ref(*soon[0])
            )
        ),
    ]
    waiting = _waiting_on(turn, member)
    if waiting:
        blocks.append(para(_("We have not heard from you yet about:")))
        blocks.append(bullets([title_line(p, _) for p in waiting]))
    buttons = done_buttons(*soon[0], _) if len(soon) == 1 else ()
    turn.emit(
        DirectMessage(
            member.id, member.name, member.private_identities, Document(tuple(blocks), buttons)
        )
    )


def action_due(turn: Turn, event: c.ActionDue) -> None:
    """The date has come and it is not done: said kindly in the group, with what to
    do next, and the person is asked privately, with buttons."""
    found = current_action(turn, event.number, event.item, event.due)
    if found is None:
        return
    proposal, item = found
    _ = turn.group_t
    name = ref(proposal, item)
    doer = turn.group.members.get(item.who) if item.who is not None else None
    if doer is not None and doer.active:
        words = _(
            "{name}, is it done? Say: done {ref}. If it needs more time, give it a new "
            "date: action {ref} by Monday. Or someone else can take it on: I'll do it {ref}"
        ).format(name=doer.name, ref=name)
    else:
        words = _(
            "Nobody is doing it yet. Can you help? Say: I'll do it {ref}. For a new "
            "date, say: action {ref} by Monday"
        ).format(ref=name)
    heading = _("Not done yet, and that is OK: {action}").format(
        action=describe(turn, proposal, item, _)
    )
    turn.emit(Post(Document((para(Strong(heading)), para(words)))))
    reader = doer_of(turn, item)
    if reader is not None:
        t = turn.member_t(reader)
        turn.emit(
            DirectMessage(
                reader.id,
                reader.name,
                reader.private_identities,
                Document(
                    (
                        para(t("Hello {name}. Is this done?").format(name=reader.name)),
                        para(f"{name} {item.text}"),
                    ),
                    done_buttons(proposal, item, t),
                ),
                fallback=False,  # the group was just told, with the same words to say
            )
        )
