"""One person, one voice: linking a member's own accounts on several platforms.

A family may be split across apps, and one person may be in both chats of a
group (a Telegram group and a Matrix room, linked). They are one member, with
one answer per round, only once they link their accounts themselves:

    me          said privately on one platform: a short code, valid for a day
    me CODE     said privately on the other platform: this account is theirs

Never by matching names: anyone can call themselves "Mum". The code is made by
the application (the core makes no random numbers) and is kept with its kind
and expiry beside the group's other codes. The rules, each refused in words:

- the code is said privately; said in a chat, others saw it, so it stops working
  there and then (the person asks for a new one);
- a code works once, within a day, and only in the group that made it;
- the person who asked for it must still be a member;
- it links an account on another platform than the one it was given on, and a
  member has one account per platform (an account that is already someone else's
  in the group, with its own account on the code's platform, is someone else);
- an account a facilitator took out of the group does not come back this way.

When the account was a member already (they had spoken in the other chat), the
two members become one (``merging``): one history, and in each round the
latest answer of the two counts. The audit log says what was joined to what.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.core import commands as c
from bot.core.document import Strong, doc, para
from bot.core.effects import DirectMessage
from bot.core.i18n import N_
from bot.core.lifecycle import ACTIVE
from bot.core.merging import merge_members
from bot.core.model import AccountCode, Member, MemberStatus
from bot.core.people import on_card, recount_open_rounds
from bot.core.platforms import platform_name, platform_of_chat
from bot.core.rounds import refresh_card
from bot.core.turn import Refusal, Turn

CODE_VALID_FOR = timedelta(days=1)

CODE_NOT_VALID = N_(
    "That code does not work. It may be old or used already. "
    "To get a new one, send me the word me in a private message."
)


def my_code(turn: Turn, action: c.MyCode) -> None:
    """``me``: a code for the person to say on their other app. Asked privately, since
    whoever sees the code could make their own account this person's."""
    request, member = turn.request, turn.member
    assert request is not None and member is not None
    if not action.code:
        raise Refusal("You can't link your accounts here.")
    if not request.private:
        raise Refusal(
            "Please ask me for your code in a private message, so nobody else sees it.",
            example="me",
        )
    codes = {
        code: given
        for code, given in turn.group.account_codes.items()
        if given.expires > turn.now and given.member != member.id  # one code each
    }
    platform = platform_of_chat(request.actor.identity)
    codes[action.code] = AccountCode(member.id, platform, turn.now + CODE_VALID_FOR)
    turn.group = replace(turn.group, account_codes=codes)
    _ = turn.t
    turn.reply(
        para(
            _(
                "This code links your account on another app to you, so you count once. "
                "Within a day, send me this in a private message from your other app:"
            )
        ),
        para(Strong(f"me {action.code}")),
        para(_("Keep the code to yourself. Never post it in a group chat.")),
    )


def this_is_me(turn: Turn, action: c.ThisIsMe) -> None:
    """``me CODE``: the account saying it becomes the member who asked for the code."""
    request = turn.request
    assert request is not None
    given = turn.group.account_codes.get(action.code)
    if not request.private:
        if given is not None:
            # Everyone in the chat saw it: it must not work for any of them.
            codes = {k: v for k, v in turn.group.account_codes.items() if k != action.code}
            turn.group = replace(turn.group, account_codes=codes)
            turn.note = f"account code of member {given.member} said in a chat: no longer valid"
        turn.reply_phrase(
            "Please send me your code only in a private message. Others in this chat saw "
            "it, so it no longer works. To get a new one, send me the word me in a private message."
        )
        return
    if given is None or given.expires <= turn.now:
        raise Refusal(CODE_NOT_VALID)
    owner = turn.group.members.get(given.member)
    if owner is None or not owner.active:
        raise Refusal(CODE_NOT_VALID)
    identity = request.actor.identity
    platform = platform_of_chat(identity)
    if identity in owner.identities:
        raise Refusal("This account is already linked to you.")
    if platform == given.platform:
        raise Refusal(
            "Please send this code from your account on your other app, not from {platform}.",
            platform=platform_name(platform),
        )
    if any(platform_of_chat(i) == platform for i in owner.identities):
        raise Refusal(
            "You already have a {platform} account linked here. You can link one account "
            "on each app.",
            platform=platform_name(platform),
        )
    other = turn.group.member_by_identity(identity)
    if other is not None and other.status is MemberStatus.REMOVED:
        raise Refusal(
            "A facilitator took this account out of the group. "
            "Ask a facilitator if you want to come back."
        )
    if other is not None and any(platform_of_chat(i) == given.platform for i in other.identities):
        # That member has their own account on the code's platform: someone else.
        raise Refusal(
            "This account is someone else's here. It is linked to their own {platform} account.",
            platform=platform_name(given.platform),
        )
    codes = {k: v for k, v in turn.group.account_codes.items() if k != action.code}
    turn.group = replace(turn.group, account_codes=codes)
    _link(turn, owner, other, identity)
    linked = turn.group.members[owner.id]
    turn.member = linked
    turn.reply_phrase(
        "Done, {name}. This account is now linked to you. You count once in every "
        "decision, and you can answer from either app.",
        name=linked.name,
    )
    # Told on the first account too: if someone else used the code, they find out.
    elsewhere = tuple(i for i in owner.identities if i != identity)
    _ = turn.member_t(linked)
    turn.emit(
        DirectMessage(
            linked.id,
            linked.name,
            elsewhere,
            doc(
                para(
                    _(
                        "Your {platform} account is now linked to you. If you did not do "
                        "this, tell a facilitator."
                    ).format(platform=platform_name(platform))
                )
            ),
            fallback=False,
        )
    )


def _link(turn: Turn, owner: Member, other: Member | None, identity: str) -> None:
    """``identity`` becomes ``owner``'s, and with it the member it was, if any: the
    open cards are drawn again, and a round where everyone has now answered may end."""
    if other is None:
        # The account used last comes first (where private messages go unless chosen).
        joined = replace(owner, identities=(identity, *owner.identities))
        turn.group = turn.group.with_member(joined)
        turn.note = f"account {identity} linked to member {owner.id}"
    else:
        turn.group = merge_members(turn.group, owner, other, keep_settings=True)
        turn.note = (
            f"account {identity} linked to member {owner.id}; "
            f"member {other.id} merged into member {owner.id}"
        )
    recount_open_rounds(turn)
    if other is not None:
        for proposal in turn.group.proposals.values():
            if proposal.stage not in ACTIVE and on_card(proposal, owner.id):
                refresh_card(turn, proposal)  # a closed card named them twice
