"""Actions after a decision: who does what, by when (collaborative implementation).

    action #7 Alex buys the shower chair by Friday     (#7.1, told to Alex privately)
    done #7.1          action #7.1 by Monday          I'll do it #7.1

An action belongs to a decided proposal and is named after it (``#7.1``). Its
person is told privately, reminded a day before its date (outside their quiet
hours, in one message with whatever else waits for them), and asked "Done?" on
the date; the group hears kindly of an action not done by its date, which may
be given a new date or taken on by anyone. Someone who leaves or is forgotten
leaves their open actions for others to take on; nothing is erased.

A sign-up is turned into actions with ``action #8``: one for each person who
signed up, due on the sign-up's day. The timers' side (the reminder, the
question on the date) is ``reminding``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.core import commands as c
from bot.core import rounds
from bot.core.cards import member_name
from bot.core.document import Action, Block, Document, Strong, bullets, para
from bot.core.effects import CancelTimer, DirectMessage, Post, SetTimer
from bot.core.i18n import N_, Translate
from bot.core.language_doing import MAX_ACTION, what_for
from bot.core.model import ActionItem, Member, Proposal
from bot.core.names import find_member
from bot.core.outcomes import signed_up
from bot.core.processes import PROCESSES, Rule
from bot.core.turn import Refusal, Turn

MAX_ACTIONS = 20  # a decision with more to do is a plan, not a decision
MAX_ACTION_TEXT = MAX_ACTION
REMIND_BEFORE = timedelta(days=1)
# A reminder lists every action of the person due within this time after it.
LISTS_AHEAD = 2 * REMIND_BEFORE
EXAMPLE = "action #7 Alex buys the shower chair by Friday"
# Words that name the person typing: "action #7 I book the taxi".
_SELF = frozenset({"i", "me", "myself"})


def ref(proposal: Proposal, item: ActionItem) -> str:
    """How an action is named everywhere: "#7.1"."""
    return f"#{proposal.number}.{item.id}"


def open_actions(proposal: Proposal) -> list[ActionItem]:
    return [item for item in proposal.actions if not item.done]


def action_line(proposal: Proposal, item: ActionItem, who: str, due: str) -> str:
    """One action in words: "#7.1 Alex: buys the shower chair (by Friday 11 December)"."""
    line = f"{ref(proposal, item)} {who}: {item.text}"
    return f"{line} ({due})" if due else line


def describe(turn: Turn, proposal: Proposal, item: ActionItem, _: Translate) -> str:
    """An action in the reader's words: who, what, and by when (in the group's zone)."""
    who = member_name(turn.group, item.who, _) if item.who is not None else _("someone")
    due = ""
    if item.due is not None:
        due = _("by {date}").format(date=rounds.spell(turn, item.due))
    return action_line(proposal, item, who, due)


# -- adding, doing, moving, taking on -------------------------------------------------------


def add_action(turn: Turn, action: c.AddAction) -> None:
    proposal = rounds.find(turn, action.number, example=EXAMPLE)
    rounds.admit(turn, proposal)
    member = turn.member
    assert member is not None
    text = " ".join(action.text.split())
    if not text:
        if PROCESSES[proposal.process].rule is Rule.SIGNUP:
            _from_signup(turn, proposal)
            return
        raise Refusal(
            "Please say who does what, after the number.",
            example=f"action #{proposal.number} Alex buys the shower chair by Friday",
        )
    if len(text) > MAX_ACTION_TEXT:
        raise Refusal(
            "That is too long: please keep a thing to do under {limit} characters.",
            limit=MAX_ACTION_TEXT,
        )
    due = _due(turn, proposal, action.due)
    who, what = _who_and_what(turn, text)
    _add(turn, proposal, [(who, what, due)])


def _from_signup(turn: Turn, proposal: Proposal) -> None:
    """A sign-up's people become one action each: the sign-up, on its day."""
    people = signed_up(proposal, turn.group)
    if not people:
        raise Refusal(
            "Nobody signed up for #{number}, so there is nobody to add. "
            "Say who does it: action #{number} Alex does it",
            number=proposal.number,
        )
    what = what_for(proposal.title)
    taken = {item.who for item in proposal.actions if item.text == what}
    fresh = [m for m in people if m not in taken]
    if not fresh:
        raise Refusal(
            "#{number} is on our list of things to do already. Say status to see it.",
            number=proposal.number,
        )
    on = proposal.options.on
    due = on if on is not None and on > turn.now else None
    _add(turn, proposal, [(m, what, due) for m in fresh])


def _due(turn: Turn, proposal: Proposal, typed: str | None) -> datetime | None:
    if not typed:
        return None
    return rounds.when(turn, typed, example=f"action #{proposal.number} Alex does it by Friday")


def _who_and_what(turn: Turn, text: str) -> tuple[int | None, str]:
    """The person the first words name, and the rest: "Alex buys the chair" → Alex,
    "buys the chair". Words that name nobody leave the action for anyone to take on."""
    words = text.split()
    if words[0].casefold() in _SELF and len(words) > 1 and turn.member is not None:
        return turn.member.id, " ".join(words[1:])
    for size in (3, 2, 1):
        if len(words) <= size:
            continue
        named = find_member(turn.group, " ".join(words[:size]))
        if named is not None and named.active:
            return named.id, " ".join(words[size:])
    return None, text


def _add(
    turn: Turn, proposal: Proposal, new: list[tuple[int | None, str, datetime | None]]
) -> None:
    member = turn.member
    assert member is not None
    if len(proposal.actions) + len(new) > MAX_ACTIONS:
        raise Refusal(
            "#{number} has {limit} things to do already. Please finish some first.",
            number=proposal.number,
            limit=MAX_ACTIONS,
        )
    items: list[ActionItem] = []
    for who, what, due in new:
        item = ActionItem(
            id=len(proposal.actions) + 1,
            text=what,
            who=who,
            due=due,
            by=member.id,
            at=turn.now,
        )
        proposal = turn.log(
            replace(proposal, actions=(*proposal.actions, item)),
            "action_added",
            ref(proposal, item),
        )
        items.append(item)
    proposal = turn.put(proposal)
    _ = turn.group_t
    lines = [describe(turn, proposal, item, _) for item in items]
    blocks: list[Block] = [
        para(Strong(_("Things to do for #{number}:").format(number=proposal.number))),
        bullets(lines),
    ]
    nobodys = [item for item in items if item.who is None]
    if nobodys:
        blocks.append(para(_(TAKE_IT_ON).format(ref=ref(proposal, nobodys[0]))))
    turn.emit(Post(Document(tuple(blocks))))
    for item in items:
        _arm(turn, proposal, item)
        _tell_the_doer(turn, proposal, item)


TAKE_IT_ON = N_("Anyone can take it on. Say: I'll do it {ref}")


def _tell_the_doer(turn: Turn, proposal: Proposal, item: ActionItem) -> None:
    """The person named hears it privately, with the words to say when it is done;
    for someone added by name, whoever speaks for them (``doer_of``)."""
    doer = doer_of(turn, item)
    if doer is None or doer is turn.member:
        return
    _ = turn.member_t(doer)
    by = member_name(turn.group, item.by, _)
    if doer.id == item.who:
        hello = _("Hello {name}. {by} asked you to do this, for #{number}:")
    else:  # someone added by name, whom they speak for
        hello = _(
            "Hello {name}. {by} asked {person} to do this, for #{number}. You speak for them:"
        )
    person = member_name(turn.group, item.who, _)
    lines = [
        hello.format(name=doer.name, by=by, number=proposal.number, person=person),
        item.text,
    ]
    if item.due is not None:
        lines.append(
            _("Please do it by {date}.").format(date=rounds.spell_for(turn, item.due, doer))
        )
    lines.append(
        _("When it is done, say: done {ref}. If you can't do it, please tell the group.").format(
            ref=ref(proposal, item)
        )
    )
    turn.emit(
        DirectMessage(
            doer.id,
            doer.name,
            doer.private_identities,
            Document(tuple(para(line) for line in lines), done_buttons(proposal, item, _)),
            fallback=False,  # the group heard of it already
        )
    )


def done_buttons(proposal: Proposal, item: ActionItem, _: Translate) -> tuple[Action, ...]:
    name = ref(proposal, item)
    return (
        Action("✅ " + _("Done"), f"done {name}"),
        Action("📅 " + _("In a week"), f"action {name} in 1 week"),
    )


def _find_item(
    turn: Turn, number: int | None, item_id: int, example: str
) -> tuple[Proposal, ActionItem]:
    proposal = rounds.find(turn, number, example=example)
    for item in proposal.actions:
        if item.id == item_id:
            return proposal, item
    raise Refusal(
        "There is no #{number}.{item} on our list of things to do. Say status to see them.",
        example="status",
        number=proposal.number,
        item=item_id,
    )


def _may_change(turn: Turn, proposal: Proposal, item: ActionItem) -> None:
    """Whoever does it, whoever added it, the proposer or a facilitator; and anyone
    when nobody (still in the group) is doing it."""
    member = turn.member
    assert member is not None
    doer = turn.group.members.get(item.who) if item.who is not None else None
    if doer is None or not doer.active:
        return
    if member.id in (item.who, item.by, proposal.proposer) or member.is_facilitator:
        return
    raise Refusal(
        "{name} is doing {ref}. Please ask them, or a facilitator.",
        name=doer.name,
        ref=ref(proposal, item),
    )


def _replace_item(proposal: Proposal, item: ActionItem) -> Proposal:
    return replace(
        proposal, actions=tuple(item if i.id == item.id else i for i in proposal.actions)
    )


def action_done(turn: Turn, action: c.ActionDone) -> None:
    proposal, item = _find_item(turn, action.number, action.item, "done #7.1")
    if item.done:
        turn.reply_phrase("{ref} is done already. Thank you!", ref=ref(proposal, item))
        return
    _may_change(turn, proposal, item)
    member = turn.member
    assert member is not None
    item = replace(item, done_at=turn.now, done_by=member.id)
    proposal = turn.put(turn.log(_replace_item(proposal, item), "action_done", ref(proposal, item)))
    _disarm(turn, proposal, item)
    _ = turn.group_t
    rounds.announce(
        turn,
        _("Done: {action}. Thank you, {name}!").format(
            action=describe(turn, proposal, item, _), name=member.name
        ),
    )
    _thank_privately(
        turn, N_("Thank you! {ref} is done. I have told the group."), ref=ref(proposal, item)
    )


def _thank_privately(turn: Turn, msgid: str, **params: str) -> None:
    """Said in a private chat (a reminder's button), it is answered there too: the
    group's post is elsewhere."""
    if turn.request is not None and turn.request.private:
        turn.reply_phrase(msgid, **params)


def move_action(turn: Turn, action: c.MoveAction) -> None:
    proposal, item = _find_item(turn, action.number, action.item, "action #7.1 by Monday")
    if item.done:
        raise Refusal("{ref} is done already. Thank you!", ref=ref(proposal, item))
    _may_change(turn, proposal, item)
    due = rounds.when(turn, action.due, example=f"action {ref(proposal, item)} by Monday")
    item = replace(item, due=due)
    proposal = turn.put(
        turn.log(_replace_item(proposal, item), "action_moved", ref(proposal, item))
    )
    _arm(turn, proposal, item)
    _ = turn.group_t
    rounds.announce(turn, _("New date: {action}.").format(action=describe(turn, proposal, item, _)))
    _thank_privately(
        turn,
        N_("Thank you. {ref} now has a new date: {date}. I have told the group."),
        ref=ref(proposal, item),
        date=rounds.spell_for(turn, due, turn.member),
    )


def take_action(turn: Turn, action: c.TakeAction) -> None:
    proposal, item = _find_item(turn, action.number, action.item, "I'll do it #7.1")
    member = turn.member
    assert member is not None
    if item.done:
        raise Refusal("{ref} is done already. Thank you!", ref=ref(proposal, item))
    if item.who == member.id:
        turn.reply_phrase("{ref} is yours already. Thank you!", ref=ref(proposal, item))
        return
    doer = turn.group.members.get(item.who) if item.who is not None else None
    if doer is not None and doer.active:
        raise Refusal(
            "{name} is doing {ref}. If they can't, they can say so in the group.",
            name=doer.name,
            ref=ref(proposal, item),
        )
    item = replace(item, who=member.id)
    proposal = turn.put(
        turn.log(_replace_item(proposal, item), "action_taken", ref(proposal, item))
    )
    _arm(turn, proposal, item)
    _ = turn.group_t
    rounds.announce(
        turn,
        _("{name} will do it: {action}. Thank you!").format(
            name=member.name, action=describe(turn, proposal, item, _)
        ),
    )


def free_actions(turn: Turn, member_id: int) -> None:
    """Someone left or was forgotten: their open actions wait for someone else to
    take them on, and the group is told (by what is to be done, not by name)."""
    _ = turn.group_t
    lines: list[str] = []
    first = ""
    for number in sorted(turn.group.proposals):
        proposal = turn.group.proposals[number]
        mine = [i for i in open_actions(proposal) if i.who == member_id]
        if not mine:
            continue
        for item in mine:
            freed = replace(item, who=None)
            proposal = turn.log(
                _replace_item(proposal, freed), "action_freed", ref(proposal, freed)
            )
            lines.append(describe(turn, proposal, freed, _))
            first = first or ref(proposal, freed)
        turn.put(proposal)
    if lines:
        turn.emit(
            Post(
                Document(
                    (
                        para(Strong(_("These things to do need someone new:"))),
                        bullets(lines),
                        para(_(TAKE_IT_ON).format(ref=first)),
                    )
                )
            )
        )


# -- timers ----------------------------------------------------------------------------------


def timer_keys(turn: Turn, proposal: Proposal, item: ActionItem) -> tuple[str, str]:
    return (
        rounds.timer_key(turn, proposal.number, f"action-{item.id}-reminder"),
        rounds.timer_key(turn, proposal.number, f"action-{item.id}-due"),
    )


def _arm(turn: Turn, proposal: Proposal, item: ActionItem) -> None:
    """The reminder a day before the date and the question on it; a new date moves both
    (the events carry the date they were set for, so an old one does nothing)."""
    reminder_key, due_key = timer_keys(turn, proposal, item)
    if item.due is None or item.due <= turn.now:
        # No date, or one gone by (taken on late): the group heard of it on the day.
        turn.emit(CancelTimer(reminder_key), CancelTimer(due_key))
        return
    stamp = item.due.isoformat()
    remind_at = item.due - REMIND_BEFORE
    if remind_at > turn.now:
        turn.emit(
            SetTimer(reminder_key, remind_at, c.ActionReminderDue(proposal.number, item.id, stamp))
        )
    else:
        turn.emit(CancelTimer(reminder_key))
    turn.emit(SetTimer(due_key, item.due, c.ActionDue(proposal.number, item.id, stamp)))


def _disarm(turn: Turn, proposal: Proposal, item: ActionItem) -> None:
    for key in timer_keys(turn, proposal, item):
        turn.emit(CancelTimer(key))


def current_action(
    turn: Turn, number: int, item_id: int, due: str
) -> tuple[Proposal, ActionItem] | None:
    """The action a timer was set for, if it is still open and still has that date."""
    proposal = turn.group.proposals.get(number)
    if proposal is None:
        return None
    for item in proposal.actions:
        if item.id == item_id and not item.done and item.due and item.due.isoformat() == due:
            return proposal, item
    return None


def doer_of(turn: Turn, item: ActionItem) -> Member | None:
    """Who hears about an action privately: its person, or, for someone added by name
    (no chat account), whoever added them."""
    doer = turn.group.members.get(item.who) if item.who is not None else None
    if doer is None or not doer.active:
        return None
    if not doer.identities and doer.added_by is not None:
        helper = turn.group.members.get(doer.added_by)
        return helper if helper is not None and helper.active and helper.identities else None
    return doer if doer.identities else None


def due_soon(turn: Turn, member: Member) -> list[tuple[Proposal, ActionItem]]:
    """The member's open actions (or those of the people they speak for) due within
    :data:`LISTS_AHEAD`, soonest first: what one reminder lists."""
    found = []
    for proposal in turn.group.proposals.values():
        for item in open_actions(proposal):
            if item.due is None or not turn.now < item.due <= turn.now + LISTS_AHEAD:
                continue
            if doer_of(turn, item) is member:
                found.append((proposal, item))
    return sorted(found, key=lambda pair: (pair[1].due or turn.now, pair[0].number, pair[1].id))


def soon_lines(turn: Turn, member: Member, soon: list[tuple[Proposal, ActionItem]]) -> list[str]:
    _ = turn.member_t(member)
    return [
        f"{ref(p, i)} {i.text} — "
        + _("by {date}").format(date=rounds.spell_for(turn, i.due, member))  # type: ignore[arg-type]
        for p, i in soon
    ]


def things_to_do_blocks(turn: Turn, member: Member) -> list[Block]:
    """What a proposal's nudge adds about the member's actions due soon, so that one
    message a day carries every reminder (``timers``)."""
    soon = due_soon(turn, member)
    if not soon:
        return []
    _ = turn.member_t(member)
    return [
        para(_("A reminder of what you said you would do:")),
        bullets(soon_lines(turn, member, soon)),
        para(
            _("When one is done, say: done and its number, like done {ref}.").format(
                ref=ref(*soon[0])
            )
        ),
    ]


def status_lines(turn: Turn, _: Translate) -> list[str]:
    """Every open action in the group, by its decision, for ``status``."""
    lines: list[str] = []
    for number in sorted(turn.group.proposals):
        proposal = turn.group.proposals[number]
        lines.extend(describe(turn, proposal, item, _) for item in open_actions(proposal))
    return lines
