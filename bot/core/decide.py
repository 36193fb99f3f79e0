"""The one entry point of the core: ``decide(group, command, now)``.

It takes the group's current state, one command (a person's request or a timer
that fell due) and the time, and returns the new state with the effects to
carry out. It reads no clock, opens no file and sends nothing. A refused
command returns the very same group object and one friendly reply.

Who may do what is a table (:data:`PERMISSIONS`), checked before any handler
runs. Handlers live in modules by topic; :data:`HANDLERS` maps each action
type to its handler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.core import (
    accounts,
    digest,
    doing,
    people,
    proposing,
    reminding,
    responding,
    reviews,
    timers,
    views,
    weblinks,
)
from bot.core import commands as c
from bot.core.document import doc, para
from bot.core.effects import Effect
from bot.core.endings import ENDINGS
from bot.core.forgetting import pseudonym_member
from bot.core.i18n import N_, can_write, real_language
from bot.core.lifecycle import ACTIVE, RESPONDING, Accepted
from bot.core.model import Group, Member, MemberStatus, Role, Stage
from bot.core.rounds import ACTIONABLE
from bot.core.turn import Refusal, Turn
from bot.core.typed import cleaned


@dataclass(frozen=True, slots=True)
class Decision:
    group: Group
    effects: tuple[Effect, ...]
    summary: str  # one line for the audit log: what was asked and what came of it

    @property
    def refused(self) -> bool:
        return self.summary.startswith("refused")


class Who(StrEnum):
    ANYONE = "anyone"
    MEMBER = "member"
    # Rights over one's own data outlive membership: someone who left may still see
    # what is held about them, and have it erased.
    MEMBER_OR_FORMER = "member or former member"
    STEWARD = "proposer or facilitator"  # checked against the proposal, in its handler
    FACILITATOR = "facilitator"


PERMISSIONS: dict[type, Who] = {
    c.Help: Who.ANYONE,
    c.Join: Who.ANYONE,
    # The code, made by a facilitator, is this group's permission; the chat's own
    # group, if it has one, has let it go first by a facilitator's word (MoveChat).
    c.LinkChat: Who.ANYONE,
    c.Unclear: Who.ANYONE,
    # The code, said privately, is the permission: only its maker had it (``accounts``).
    c.ThisIsMe: Who.ANYONE,
    c.ChatMoved: Who.ANYONE,  # platform events, vouched for by the adapter
    c.ChatGone: Who.ANYONE,
    c.Propose: Who.MEMBER,
    c.Respond: Who.MEMBER,
    c.Unrespond: Who.MEMBER,
    c.WithdrawObjection: Who.MEMBER,
    c.Ask: Who.MEMBER,
    c.AnswerQuestion: Who.MEMBER,
    c.AddAction: Who.MEMBER,
    c.ActionDone: Who.MEMBER,  # the person doing it, or a steward: checked in its handler
    c.MoveAction: Who.MEMBER,  # the same
    c.TakeAction: Who.MEMBER,
    c.Status: Who.MEMBER,
    c.Decisions: Who.MEMBER,
    c.Show: Who.MEMBER,
    c.History: Who.MEMBER,
    c.Export: Who.MEMBER,
    c.Leave: Who.MEMBER,
    c.AddPerson: Who.MEMBER,
    c.MySetting: Who.MEMBER,
    c.ShowSettings: Who.MEMBER,
    c.MyCode: Who.MEMBER,
    c.MyData: Who.MEMBER_OR_FORMER,
    c.ForgetMe: Who.MEMBER_OR_FORMER,
    c.Start: Who.STEWARD,
    c.Amend: Who.STEWARD,
    c.Withdraw: Who.STEWARD,
    c.Extend: Who.STEWARD,
    c.Close: Who.STEWARD,
    c.Reopen: Who.STEWARD,
    c.RecordOutcome: Who.STEWARD,
    c.SetReview: Who.STEWARD,
    # Any member may ask everyone about a decision in force, and answer (``reviews``).
    c.AskReview: Who.MEMBER,
    c.CheckIn: Who.MEMBER,
    c.RemovePerson: Who.FACILITATOR,
    c.MakeFacilitator: Who.FACILITATOR,
    c.GroupSetting: Who.FACILITATOR,
    c.LinkStart: Who.FACILITATOR,
    c.WebLinkStart: Who.FACILITATOR,
    c.WebLinkOff: Who.FACILITATOR,
    c.MoveChat: Who.FACILITATOR,
    c.Unlink: Who.FACILITATOR,
    c.ConfirmPerson: Who.FACILITATOR,
}

# In which stages each command about a proposal is taken: checked once its handler
# has found the proposal and who may act on it (``rounds.admit``), so that "#7 is
# closed" is said only to someone who could act on #7. A refusal says what the stage
# is (``rounds.STAGE_REFUSALS``) unless the command has words of its own. Amending
# and withdrawing follow the lifecycle's own table (``lifecycle.TRANSITIONS``);
# recording an outcome depends on the process too, and is checked in its handler.
_ALL = frozenset(Stage)
_UNDECIDED = frozenset({Stage.NOT_AGREED, Stage.WITHDRAWN, Stage.CLOSED})
STAGES: dict[type, Accepted] = {
    c.Start: Accepted(
        frozenset({Stage.DRAFT}), N_("#{number} has started already. You can answer it now.")
    ),
    c.Respond: Accepted(
        RESPONDING,
        # Two presses at once on a sign-up that needs one more: the first fills it,
        # the second is thanked and told, not told "it is agreed".
        by_process={
            "signup": {
                Stage.AGREED: N_(
                    "Thank you, {name}! #{number} has enough people now, so nothing more "
                    "is needed from you. Say status to see what else needs help."
                )
            }
        },
    ),
    c.Unrespond: Accepted(RESPONDING),
    c.WithdrawObjection: Accepted(RESPONDING),
    c.Ask: Accepted(ACTIVE),
    c.Extend: Accepted(ACTIVE - {Stage.DRAFT}),  # a draft has no deadline yet
    c.Close: Accepted(frozenset(ENDINGS)),  # where a close ends a round (``endings``)
    c.Reopen: Accepted(_ALL - ACTIVE, N_("#{number} is still open.")),
    c.SetReview: Accepted(_ALL - _UNDECIDED),  # anything that is, or may become, a decision
    c.AskReview: Accepted(frozenset({Stage.AGREED})),  # a decision in force, not being reviewed
    c.CheckIn: Accepted(frozenset({Stage.REVIEW_DUE}), reviews.NOT_UNDER_REVIEW),
    c.AddAction: Accepted(
        ACTIONABLE, N_("#{number} is not decided yet. Things to do come after a decision.")
    ),
}

Handler = Callable[[Turn, Any], None]

HANDLERS: dict[type, Handler] = {
    c.Propose: proposing.propose,
    c.Start: proposing.start,
    c.Amend: proposing.amend,
    c.Withdraw: proposing.withdraw,
    c.Extend: proposing.extend,
    c.Close: proposing.close,
    c.Reopen: proposing.reopen,
    c.RecordOutcome: proposing.record_outcome,
    c.SetReview: proposing.set_review,
    c.AskReview: reviews.ask_review,
    c.CheckIn: reviews.check_in,
    c.Ask: proposing.ask,
    c.AnswerQuestion: proposing.answer,
    c.Respond: responding.respond,
    c.Unrespond: responding.unrespond,
    c.WithdrawObjection: responding.withdraw_objection,
    c.AddAction: doing.add_action,
    c.ActionDone: doing.action_done,
    c.MoveAction: doing.move_action,
    c.TakeAction: doing.take_action,
    c.Status: views.status,
    c.Decisions: views.decisions,
    c.Show: views.show,
    c.History: views.history,
    c.Export: views.export,
    c.Help: views.help_,
    c.ShowSettings: views.show_settings,
    c.MyData: views.my_data,
    c.Join: people.join,
    c.Leave: people.leave,
    c.AddPerson: people.add_person,
    c.RemovePerson: people.remove_person,
    c.MakeFacilitator: people.make_facilitator,
    c.MySetting: people.my_setting,
    c.GroupSetting: people.group_setting,
    c.LinkStart: people.link_start,
    c.WebLinkStart: weblinks.web_link_start,
    c.WebLinkOff: weblinks.web_link_off,
    c.LinkChat: people.link_chat,
    c.MoveChat: people.move_chat,
    c.Unlink: people.unlink,
    c.MyCode: accounts.my_code,
    c.ThisIsMe: accounts.this_is_me,
    c.ConfirmPerson: people.confirm_person,
    c.ForgetMe: people.forget_me,
    c.Unclear: views.unclear,
    c.ChatMoved: people.chat_moved,
    c.ChatGone: people.chat_gone,
}

TIMER_HANDLERS: dict[type, Handler] = {
    c.DeadlineDue: timers.deadline_due,
    c.NudgeDue: timers.nudge_due,
    c.ReviewDue: reviews.review_due,
    c.CheckInDue: reviews.check_in_due,
    c.DigestDue: digest.digest_due,
    c.ActionReminderDue: reminding.action_reminder_due,
    c.ActionDue: reminding.action_due,
}


def decide(group: Group, command: c.Command, now: datetime) -> Decision:
    """The new state of ``group`` and the effects of ``command`` at ``now``."""
    if isinstance(command, c.Request):
        return _decide_request(group, command, now)
    turn = Turn(group=group, now=now)
    TIMER_HANDLERS[type(command)](turn, command)
    return Decision(turn.group, tuple(turn.effects), f"{type(command).__name__}")


def _decide_request(group: Group, request: c.Request, now: datetime) -> Decision:
    request = cleaned(request)  # control and bidi characters never reach the record
    action = request.action
    kind = type(action)
    turn = Turn(group=group, now=now, request=request, accepted=STAGES.get(kind))
    try:
        _identify(turn)
        _authorise(turn, PERMISSIONS[kind])
        HANDLERS[kind](turn, action)
    except Refusal as refusal:
        text = refusal.phrase.text(turn.t)
        blocks = [para(text)]
        if refusal.example:
            blocks.append(para(turn.t("Like this: {example}").format(example=refusal.example)))
        turn.effects = []
        turn.reply(document=doc(*blocks))
        return Decision(
            group, tuple(turn.effects), f"refused {kind.__name__}: {refusal.phrase.msgid}"
        )
    summary = f"{kind.__name__} by {request.actor.identity}"
    if turn.note:
        summary += f": {turn.note}"
    return Decision(turn.group, tuple(turn.effects), summary)


# -- who is acting -------------------------------------------------------------------------

# Platform accounts that speak for nobody in particular: Telegram's anonymous group
# admin and automatic channel posts. They never become members.
ANONYMOUS_SENDERS = frozenset({"telegram:1087968824", "telegram:777000", "telegram:136817688"})


def _identify(turn: Turn) -> None:
    """Find the person acting; learn newcomers who are present in the group's chat."""
    request = turn.request
    assert request is not None
    actor = request.actor
    if actor.identity in ANONYMOUS_SENDERS:
        turn.member = None
        return
    member = turn.group.member_by_identity(actor.identity)
    if member is not None:
        language = member.language or _platform_language(turn.group, actor)
        if member.active and (
            member.name != actor.name
            or member.handle != actor.handle
            or member.language != language
            or member.identities[0] != actor.identity
        ):
            # The account used last comes first: private messages go there unless the
            # member chose an app (``Member.private_identities``).
            identities = (actor.identity, *(i for i in member.identities if i != actor.identity))
            member = replace(
                member,
                name=actor.name or member.name,
                handle=actor.handle,
                language=language,
                identities=identities,
            )
            turn.group = turn.group.with_member(member)
        turn.member = member
        return
    can_learn = (
        request.present
        and not request.private
        # Only in a chat of the group (or one joining it): a chat taken out with unlink
        # still shows old cards, and a reaction there makes nobody a member.
        and (request.chat in turn.group.chats or isinstance(request.action, c.LinkChat))
        # A code said in a chat makes nobody a member: it may not be this group's chat.
        and not isinstance(request.action, c.Leave | c.Help | c.ChatMoved | c.ChatGone | c.ThisIsMe)
    )
    if not can_learn:
        return
    replayed = _pseudonym_for(turn.group, actor)
    if replayed is not None:
        turn.group = turn.group.with_member(replace(replayed, identities=(actor.identity,)))
        turn.member = turn.group.members[replayed.id]
        return
    # Someone new, whom the platform vouches is in the chat. A name alone never
    # makes them someone added by name ("add Mum"): a facilitator confirms that.
    first = not any(m.active for m in turn.group.members.values())
    member = Member(
        id=turn.group.next_member_id(),
        name=actor.name or actor.handle or turn.t("Someone"),
        identities=(actor.identity,),
        handle=actor.handle,
        role=Role.FACILITATOR if first else Role.MEMBER,
        language=_platform_language(turn.group, actor),
        joined_at=turn.now,
    )
    turn.group = turn.group.with_member(member)
    turn.member = member
    if first and turn.group.settings.digest:
        digest.schedule_digest(turn)  # the group starts with its weekly digest on
    people.namesake_hint(turn, member)


def _pseudonym_for(group: Group, actor: c.Actor) -> Member | None:
    """In a replayed record, the member a forgotten person's pseudonym stands for.

    Someone a facilitator confirmed as a person added by name became that member;
    once forgotten, their earlier commands carry the pseudonym of the one member,
    who, replayed, is still the person added by name. No platform makes such an
    identity, so this is never a way in."""
    member_id = pseudonym_member(actor.identity)
    if member_id is None:
        return None
    member = group.members.get(member_id)
    return member if member is not None and member.active and not member.identities else None


def _platform_language(group: Group, actor: c.Actor) -> str | None:
    """The language of the person's chat app, kept as theirs when it is not the
    group's and the bot can write it, so that private reminders, which come
    when they are not acting, are in it too. ``language`` changes it."""
    if not actor.language:
        return None
    code = real_language(actor.language)
    if (
        code is None
        or not can_write(code)
        or code.split("-")[0] == group.settings.language.split("-")[0]
    ):
        return None
    return code


def _authorise(turn: Turn, who: Who) -> None:
    member = turn.member
    if who is Who.ANYONE:
        return
    request = turn.request
    assert request is not None
    if member is None:
        if request.actor.identity in ANONYMOUS_SENDERS:
            raise Refusal(
                "I can't tell who you are when you post anonymously. "
                "Please post as yourself to take part."
            )
        if not request.private and not request.present:
            raise Refusal(people.NOT_IN_CHAT)
        raise Refusal(
            "Only members of this group can do that. To join, say join in the group's chat.",
            example="join",
        )
    if who is Who.MEMBER_OR_FORMER:
        return
    if member.status is MemberStatus.REMOVED:
        raise Refusal(people.REMOVED_REFUSAL)
    if member.status is MemberStatus.LEFT:
        raise Refusal(
            "You left this group. To take part again, say join in the group's chat.",
            example="join",
        )
    if who is Who.FACILITATOR and not member.is_facilitator:
        raise Refusal("Only a facilitator can do that. Say settings to see who they are.")
