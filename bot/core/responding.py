"""Responses: giving one, taking it back, withdrawing an objection.

Every change is appended to the round's history; the latest per member counts.
A response that needs a reason is not recorded until the reason comes: the
person is asked for it, and the card keeps showing them as not yet responded.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core import commands as c
from bot.core import endings, rounds, visibility
from bot.core.cards import member_name
from bot.core.document import Document, para
from bot.core.effects import AskReason
from bot.core.endings import Trigger
from bot.core.forgetting import PRIVATE
from bot.core.model import (
    WITHDRAWN_RESPONSE,
    Member,
    Proposal,
    ResponseRecord,
    Round,
    RoundKind,
)
from bot.core.names import find_member
from bot.core.processes import PROCESSES, Process, ResponseKind, Rule
from bot.core.turn import Refusal, Turn

MAX_REASON = 1000

# The processes whose responses pick options.
_POLLS = (Rule.CHOICE, Rule.TIME)


def respond(turn: Turn, action: c.Respond) -> None:
    actor = turn.member
    assert actor is not None
    subject = proxy_subject(turn, action.proxy_for) if action.proxy_for else actor
    proposal = _open_proposal(turn, action.number, f"{action.word} #7")
    process = PROCESSES[proposal.process]
    kind = process.response(action.word)
    if kind is None:
        raise _wrong_word(proposal, process)
    reason = action.reason.strip()
    if len(reason) > MAX_REASON:
        raise Refusal(
            "That is too long. Please keep a reason under {limit} characters.", limit=MAX_REASON
        )
    if kind.needs_reason and not reason:
        _ask_for_reason(turn, proposal, kind, subject)
        return
    choices, maybe = _choices(proposal, process, action)
    round_ = proposal.round
    assert round_ is not None
    anonymous = proposal.options.anonymous
    if anonymous and subject.id in round_.participants:
        raise Refusal(
            "#{number} is anonymous, so your name is not kept with your response, "
            "and it can't be changed.",
            number=proposal.number,
        )
    current = own_answer_kept(round_, proposal, subject, actor)
    if current is not None and _adds_picks(proposal, process, choices, maybe):
        choices, maybe = _toggle(current, choices, maybe)
        if not choices and not maybe:
            _take_back(turn, proposal, subject, actor)
            return
    if current is not None and (
        current.response,
        current.reason,
        current.choices,
        current.maybe,
    ) == (kind.name, reason, choices, maybe):
        turn.reply_phrase("I already have that answer for #{number}.", number=proposal.number)
        return
    record = ResponseRecord(
        seq=len(round_.history) + 1,
        member=None if anonymous else subject.id,
        response=kind.name,
        reason=reason,
        at=turn.now,
        # Anonymity wins over attribution: naming who recorded it would point to whom.
        recorded_by=actor.id if subject.id != actor.id and not anonymous else None,
        choices=choices,
        maybe=maybe,
    )
    proposal = _append(turn, proposal, record, subject.id)
    _acknowledge(turn, proposal, kind, subject, actor)
    after_change(turn, proposal)


def _adds_picks(
    proposal: Proposal, process: Process, choices: tuple[int, ...], maybe: tuple[int, ...]
) -> bool:
    """One option named in a poll where several may be picked (a multi-choice or a
    time poll): it is a press on that option, which adds it to one's picks, or takes
    it away if it was picked already. Several options named set the whole answer."""
    several = process.rule is Rule.TIME or (process.rule is Rule.CHOICE and proposal.options.multi)
    return several and len(choices) + len(maybe) == 1


def _toggle(
    current: ResponseRecord, choices: tuple[int, ...], maybe: tuple[int, ...]
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    yes, need_be = set(current.choices), set(current.maybe)
    (option,) = (*choices, *maybe)
    mine, other = (yes, need_be) if choices else (need_be, yes)
    if option in mine:
        mine.discard(option)
    else:
        mine.add(option)
        other.discard(option)  # "yes" and "if need be" on one option: the latest press wins
    return tuple(sorted(yes)), tuple(sorted(need_be))


def _take_back(turn: Turn, proposal: Proposal, subject: Member, actor: Member) -> None:
    """The last pick was pressed again: the answer is taken back, as a removed
    reaction takes it back, and the person counts as not yet answered."""
    round_ = proposal.round
    assert round_ is not None
    record = ResponseRecord(
        len(round_.history) + 1,
        subject.id,
        WITHDRAWN_RESPONSE,
        "",
        turn.now,
        recorded_by=actor.id if subject.id != actor.id else None,
    )
    proposal = _append(turn, proposal, record, subject.id, responded=False)
    turn.reply_phrase(
        "Your answer to #{number} is taken back. You can pick again at any time.",
        number=proposal.number,
    )
    after_change(turn, proposal)


def unrespond(turn: Turn, action: c.Unrespond) -> None:
    """A reaction was taken back: so is the response it gave."""
    member = turn.member
    assert member is not None
    proposal = _open_proposal(turn, action.number, "consent #7")
    kind = PROCESSES[proposal.process].response(action.word)
    round_ = proposal.round
    assert round_ is not None
    current = round_.response_of(member.id)
    if kind is None or current is None or current.response != kind.name:
        return  # nothing of theirs to take back: an old or foreign reaction
    if action.choices:  # a poll's number reaction: only that pick goes
        if not set(action.choices) & set(current.choices):
            return  # already taken back, or changed since by words or another reaction
        left = tuple(n for n in current.choices if n not in action.choices)
        if left or current.maybe:
            record = replace(current, seq=len(round_.history) + 1, at=turn.now, choices=left)
            after_change(turn, _append(turn, proposal, record, member.id))
            return
    record = ResponseRecord(len(round_.history) + 1, member.id, WITHDRAWN_RESPONSE, "", turn.now)
    proposal = _append(turn, proposal, record, member.id, responded=False)
    after_change(turn, proposal)


def withdraw_objection(turn: Turn, action: c.WithdrawObjection) -> None:
    member = turn.member
    assert member is not None
    proposal = _open_proposal(turn, action.number, "withdraw objection #7")
    if proposal.options.anonymous:
        raise Refusal(
            "#{number} is anonymous, so I can't tell which objection is yours. "
            "The proposer can amend it instead.",
            number=proposal.number,
        )
    process = PROCESSES[proposal.process]
    round_ = proposal.round
    assert round_ is not None
    current = round_.response_of(member.id)
    if current is None or current.response not in process.blocking:
        raise Refusal("You have no objection to #{number} to withdraw.", number=proposal.number)
    # The objection becomes a concern where the process has one, so its reason stays
    # on record and feeds the review without blocking; elsewhere the objection is
    # simply taken back (nobody is recorded as supporting what they objected to).
    concern = process.response("concern") if process.rule is Rule.CONSENT else None
    softer = concern.name if concern is not None else None
    record = ResponseRecord(
        len(round_.history) + 1,
        member.id,
        softer or WITHDRAWN_RESPONSE,
        current.reason if softer else "",
        turn.now,
    )
    proposal = _append(turn, proposal, record, member.id, responded=softer is not None)
    proposal = turn.put(turn.log(proposal, "objection_withdrawn"))
    if softer:
        turn.reply_phrase(
            "Your objection to #{number} is withdrawn. Your reason stays on record as a concern.",
            number=proposal.number,
        )
    else:
        turn.reply_phrase(
            "Your objection to #{number} is withdrawn. You can respond again if you like.",
            number=proposal.number,
        )
    after_change(turn, proposal)


def after_change(turn: Turn, proposal: Proposal) -> None:
    """After the answers change: pass early, pass once the last objection is gone
    in the resolve stage, or just bring the card up to date (``endings``)."""
    endings.end(turn, proposal, Trigger.ANSWER)


# -- helpers -------------------------------------------------------------------------------


def own_answer_kept(
    round_: Round, proposal: Proposal, subject: Member, actor: Member
) -> ResponseRecord | None:
    """The subject's current answer in ``round_``; refused when someone answering for
    them would replace an answer they gave themselves (a proxy never overrides)."""
    current = round_.response_of(subject.id)
    if subject is not actor and current is not None and current.recorded_by is None:
        raise Refusal(
            "{name} gave their answer to #{number} themselves, so I keep it.",
            name=subject.name,
            number=proposal.number,
        )
    return current


def proxy_subject(turn: Turn, typed: str) -> Member:
    """The person a proxy answer is for: only someone without a chat account (added
    by name). Whoever can answer for themselves does."""
    member = find_member(turn.group, typed)
    if member is None or not member.active:
        raise Refusal(
            "I don't know {name} in this group. If they are not in the chat, add them "
            "first: add {name}",
            example="add Mum",
            name=typed.lstrip("@"),
        )
    actor = turn.member
    if member.identities and (actor is None or member.id != actor.id):
        raise Refusal(
            "{name} is in the chat, so only {name} can answer. You could remind them.",
            name=member.name,
        )
    return member


def _open_proposal(turn: Turn, number: int | None, example: str) -> Proposal:
    proposal = rounds.find(turn, number, example=example, responding=True)
    rounds.admit(turn, proposal)
    round_ = proposal.round
    if round_ is None or round_.kind is not RoundKind.RESPONSES:
        raise Refusal(rounds.STAGE_REFUSALS[proposal.stage], number=proposal.number)
    if round_.closed_at is not None:
        # Advice after its deadline: the round is over and the decider is deciding.
        raise Refusal(
            "The advice is in. Now {name} decides.",
            name=member_name(turn.group, proposal.proposer, turn.t),
        )
    return proposal


def _wrong_word(proposal: Proposal, process: Process) -> Refusal:
    words = ", ".join(k.name for k in process.responses)
    first = process.responses[0].name
    example = f"{first} #{proposal.number}"
    if process.rule in _POLLS:
        example = f"vote #{proposal.number} 1"
    return Refusal(
        "In #{number} you can respond with: {words}.",
        example=example,
        number=proposal.number,
        words=words,
    )


def _choices(
    proposal: Proposal, process: Process, action: c.Respond
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    if process.rule not in _POLLS:
        return (), ()
    count = len(proposal.options.choices)
    picked = tuple(dict.fromkeys(action.choices))
    maybe = tuple(dict.fromkeys(action.maybe)) if process.rule is Rule.TIME else ()
    if not picked and not maybe:
        raise Refusal(
            "Please say which option, by its number.", example=f"vote #{proposal.number} 1"
        )
    if any(not 1 <= n <= count for n in (*picked, *maybe)):
        raise Refusal(
            "#{number} has options 1 to {count}.",
            example=f"vote #{proposal.number} 1",
            number=proposal.number,
            count=count,
        )
    if process.rule is Rule.CHOICE and len(picked) > 1 and not proposal.options.multi:
        raise Refusal(
            "Please pick just one option in #{number}.",
            example=f"vote #{proposal.number} {picked[0]}",
            number=proposal.number,
        )
    if set(picked) & set(maybe):
        raise Refusal(
            "An option can't be both yes and if need be.",
            example=f"vote #{proposal.number} 1 maybe 2",
        )
    return tuple(sorted(picked)), tuple(sorted(maybe))


def _append(
    turn: Turn,
    proposal: Proposal,
    record: ResponseRecord,
    member_id: int,
    *,
    responded: bool = True,
) -> Proposal:
    round_ = proposal.round
    assert round_ is not None
    participants = round_.participants
    if responded is not (member_id in participants):  # most responses change an answer given
        participants = participants | {member_id} if responded else participants - {member_id}
    updated = replace(round_, history=(*round_.history, record), participants=participants)
    return turn.put(replace(proposal, rounds=(*proposal.rounds[:-1], updated)))


def _ask_for_reason(turn: Turn, proposal: Proposal, kind: ResponseKind, subject: Member) -> None:
    assert turn.request is not None and turn.member is not None
    _ = turn.t
    chat = turn.request.chat
    if visibility.answered_privately(proposal) and not turn.request.private:
        # Asked in the group, "Jo, please tell us why you object" would name Jo: the
        # question goes to Jo's private chat on the platform Jo used (``dm:`` and the
        # account), and the group hears only that it was asked, with no name.
        chat = PRIVATE + turn.request.actor.identity
        turn.reply_phrase("I have asked you for your reason in a private message.")
    text = _(
        "{name}, please tell us why you chose {response} for #{number}. Reply to this "
        "message with your reason. I only keep your answer once you do."
    ).format(name=subject.name, response=_(kind.label), number=proposal.number)
    turn.emit(
        AskReason(
            chat=chat,
            member=turn.member.id,
            name=turn.member.name,
            identities=turn.member.identities,
            number=proposal.number,
            word=kind.name if subject is turn.member else f"for {subject.name} {kind.name}",
            document=Document((para(text),)),
        )
    )


def _acknowledge(
    turn: Turn, proposal: Proposal, kind: ResponseKind, subject: Member, actor: Member
) -> None:
    _ = turn.t
    if visibility.answered_privately(proposal):
        # No name, and in the group not even the answer: a thank-you that says "Alex:
        # Object" beside an anonymous card would undo it.
        if subject.id != actor.id:
            turn.reply_phrase(
                "Thank you. The answer for #{number} is kept, without a name.",
                number=proposal.number,
            )
        elif turn.request is not None and turn.request.private:
            turn.reply_phrase(
                "Thank you. Your answer to #{number} is kept, without your name: {response}.",
                number=proposal.number,
                response=_(kind.label),
            )
        else:
            turn.reply_phrase(
                "Thank you. Your answer to #{number} is kept, without your name.",
                number=proposal.number,
            )
        return
    if not visibility.sight(proposal).answers and not (turn.request and turn.request.private):
        # While the results are hidden, the group is not told the answer in a thank-you.
        if subject.id != actor.id:
            text = _("{by} gave an answer for {name} on #{number}.")
        else:
            text = _("Thank you, {name}. Your response to #{number} is recorded.")
        turn.reply_text(text.format(name=subject.name, number=proposal.number, by=actor.name))
        return
    if subject.id != actor.id:
        text = _("{by} gave this answer for {name} on #{number}: {response}.").format(
            name=subject.name,
            response=_(kind.label),
            number=proposal.number,
            by=actor.name,
        )
    else:
        text = _("Thank you, {name}. Your response to #{number} is recorded: {response}.").format(
            name=actor.name,
            number=proposal.number,
            response=_(kind.label),
        )
    turn.reply_text(text)
