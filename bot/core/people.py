"""People and settings: join, leave, add and remove someone, facilitators,
personal and group settings, linking chats, and forgetting a person."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from bot.core import commands as c
from bot.core import deadlines, doing, endings
from bot.core.digest import schedule_digest
from bot.core.document import Strong, doc, fill, para
from bot.core.effects import Forget
from bot.core.endings import Trigger
from bot.core.i18n import N_, can_write, real_language
from bot.core.lifecycle import ACTIVE
from bot.core.merging import merge_members
from bot.core.model import NO_QUIET, Group, GroupSettings, Member, MemberStatus, Proposal, Role
from bot.core.names import find_member, fold
from bot.core.platforms import platform_name, platform_of_chat
from bot.core.processes import PROCESS_NAMES
from bot.core.rounds import announce, refresh_card
from bot.core.turn import Refusal, Turn
from bot.core.when import language_name, zone_name

LINK_VALID_FOR = timedelta(days=1)
MAX_NAME = 60
# What of a code that is not a language is said back (the rest may be anything typed).
MAX_CODE_SHOWN = 20


# Said to someone the platform does not vouch for: not in the chat where they acted.
NOT_IN_CHAT = N_(
    "Only people in this chat can take part in its decisions. Please join the chat first."
)
REMOVED_REFUSAL = N_(
    "A facilitator took you out of this group. Ask a facilitator if you want to come back."
)


def join(turn: Turn, action: c.Join) -> None:
    """``join``, or the platform saying someone joined the chat.

    Only in the group's chat, where the platform vouches for who is there: said
    privately, it could bring back someone who was removed from the chat. Someone
    who left comes back this way; someone a facilitator removed does not."""
    request = turn.request
    assert request is not None
    member = turn.member
    if request.private:
        raise Refusal(
            "Please say join in the group's chat. I can only add people who are in it.",
            example="join",
        )
    if member is None:
        if not request.present:
            raise Refusal(NOT_IN_CHAT)
        raise Refusal(
            "I can't tell who you are when you post anonymously. "
            "Please post as yourself to take part."
        )
    if member.status is MemberStatus.REMOVED:
        raise Refusal(REMOVED_REFUSAL)
    if action.runs_the_chat and not member.is_facilitator:
        member = replace(member, role=Role.FACILITATOR)
        turn.group = turn.group.with_member(member)
        turn.member = member
    if member.status is MemberStatus.LEFT:
        member = replace(member, status=MemberStatus.ACTIVE)
        turn.group = turn.group.with_member(member)
        turn.member = member
        turn.reply_phrase("Welcome back, {name}.", name=member.name)
        return
    if action.already_there:
        return  # counted in quietly: a welcome each would only be noise
    if member.joined_at == turn.now:
        turn.reply_phrase("Welcome, {name}. You are now a member of this group.", name=member.name)
        return
    turn.reply_phrase("You are already a member, {name}.", name=member.name)


def leave(turn: Turn, action: c.Leave) -> None:
    member = turn.member
    assert member is not None
    if _sole_facilitator(turn, member) and not action.left_chat:
        raise Refusal(
            "You are the only one who runs this group. First, let someone else help: "
            "facilitator @name",
            example=f"facilitator @{_someone_else(turn, member)}",
        )
    turn.group = turn.group.with_member(replace(member, status=MemberStatus.LEFT))
    _hand_on_facilitation(turn)
    recount_open_rounds(turn)
    doing.free_actions(turn, member.id)
    turn.reply_phrase(
        "Goodbye, {name}. You have left this group. Say join in the group's chat to come back.",
        name=member.name,
    )


def _someone_else(turn: Turn, member: Member) -> str:
    """A name for the example of handing on facilitation: another member in the
    chat, never the one leaving (the example must not suggest naming yourself)."""
    others = [m for m in turn.group.active_members() if m.id != member.id and m.identities] or [
        m for m in turn.group.active_members() if m.id != member.id
    ]
    return others[0].name if others else "name"


def recount_open_rounds(turn: Turn) -> None:
    """Someone is no longer counted: every open card is drawn again without them,
    and a round that now has everyone's answer may end early, as it would after
    a last answer (``endings``: the same trigger, the same rules)."""
    for number in sorted(turn.group.proposals):
        proposal = turn.group.proposals[number]
        if proposal.stage not in ACTIVE:
            continue
        refresh_card(turn, proposal)
        endings.end(turn, proposal, Trigger.ANSWER)


def _sole_facilitator(turn: Turn, member: Member) -> bool:
    others = [m for m in turn.group.facilitators() if m.id != member.id]
    return member.is_facilitator and not others and len(turn.group.active_members()) > 1


def _hand_on_facilitation(turn: Turn) -> None:
    """A group always keeps a facilitator in the chat: if the last one has gone, the
    longest-standing member with a chat account takes over, and the group is told."""
    if turn.group.facilitators():
        return
    candidates = [m for m in turn.group.active_members() if m.identities]
    if not candidates:
        return
    heir = min(candidates, key=lambda m: m.id)
    turn.group = turn.group.with_member(replace(heir, role=Role.FACILITATOR))
    _ = turn.group_t
    announce(turn, _("{name} now runs the group as its facilitator.").format(name=heir.name))


def add_person(turn: Turn, action: c.AddPerson) -> None:
    """Add someone who is not in the chat (often the person at the centre)."""
    member = turn.member
    assert member is not None
    name = " ".join(action.name.split()).lstrip("@")
    if not name:
        raise Refusal("Please say who to add.", example="add Mum")
    if len(name) > MAX_NAME:
        raise Refusal(
            "That name is too long. Please keep it under {limit} characters.", limit=MAX_NAME
        )
    existing = find_member(turn.group, name)
    if existing is not None and fold(existing.name) == fold(name):
        if existing.active:
            raise Refusal("{name} is already in this group.", name=existing.name)
        if existing.status is MemberStatus.REMOVED and not member.is_facilitator:
            raise Refusal(
                "Only a facilitator can add {name} back. You can ask one of them.",
                name=existing.name,
            )
        if existing.status is MemberStatus.LEFT and existing.identities:
            # They chose to leave: coming back is theirs to choose.
            raise Refusal(
                "{name} left the group. They can come back by saying join in the group's chat.",
                name=existing.name,
            )
        turn.group = turn.group.with_member(replace(existing, status=MemberStatus.ACTIVE))
        turn.reply_phrase("{name} is back in the group.", name=existing.name)
        return
    added = Member(
        id=turn.group.next_member_id(), name=name, added_by=member.id, joined_at=turn.now
    )
    turn.group = turn.group.with_member(added)
    turn.reply_phrase(
        "{name} is now in the group. Anyone can respond for them, like this: for {name} consent #7",
        name=name,
    )


def remove_person(turn: Turn, action: c.RemovePerson) -> None:
    target = find_member(turn.group, action.name)
    if target is None or not target.active:
        raise Refusal("I don't know {name} in this group.", name=action.name.lstrip("@"))
    if target.is_facilitator and len(turn.group.facilitators()) == 1:
        raise Refusal(
            "{name} is the only one who runs the group. First, let someone else help: "
            "facilitator @name",
            name=target.name,
        )
    turn.group = turn.group.with_member(replace(target, status=MemberStatus.REMOVED))
    recount_open_rounds(turn)
    doing.free_actions(turn, target.id)
    turn.reply_phrase(
        "{name} is no longer counted in this group's decisions. "
        "Only a facilitator can add them back.",
        name=target.name,
    )


def make_facilitator(turn: Turn, action: c.MakeFacilitator) -> None:
    target = find_member(turn.group, action.name)
    if target is None or not target.active:
        raise Refusal(
            "I don't know {name} in this group. They need to say something in the chat first.",
            name=action.name.lstrip("@"),
        )
    if target.is_facilitator:
        raise Refusal("{name} already helps run the group.", name=target.name)
    if not target.identities:
        raise Refusal(
            "{name} is not in the chat, so they could not steer the group from here. "
            "A facilitator needs to be in the chat.",
            name=target.name,
        )
    turn.group = turn.group.with_member(replace(target, role=Role.FACILITATOR))
    turn.reply_phrase("{name} now helps run the group as a facilitator.", name=target.name)


def confirm_person(turn: Turn, action: c.ConfirmPerson) -> None:
    """``this is Mum @mary`` (facilitators): the account is the person added by name.

    A name alone never makes an account someone else: "Mum" could be anyone's
    display name. Once a facilitator confirms it, the two become one member,
    with the history of both, and nobody answers for them any more."""
    person = _added_by_name(turn.group, action.name)
    if person is None:
        raise Refusal(
            "I don't know anyone called {name} who was added by name. "
            "Say settings to see who is in the group.",
            example="this is Mum @mary",
            name=action.name,
        )
    with_accounts = {i: m for i, m in turn.group.members.items() if m.identities}
    account = find_member(replace(turn.group, members=with_accounts), action.account)
    if account is None or not account.active:
        raise Refusal(
            "I don't know the chat account {account} in this group. "
            "They need to say something in the chat first.",
            account=action.account,
        )
    turn.group = merge_members(turn.group, person, account)
    if turn.member is not None and turn.member.id == account.id:
        turn.member = turn.group.members[person.id]
    for proposal in turn.group.proposals.values():
        if on_card(proposal, person.id):
            refresh_card(turn, proposal)
    _ = turn.group_t
    if fold(account.name) == fold(person.name):
        said = _("This chat account is {name}.").format(name=person.name)
    else:
        said = _("{account} is {name}.").format(account=account.name, name=person.name)
    from_now_on = _(
        "From now on {name} answers for themselves, and nobody else can answer for them."
    ).format(name=person.name)
    announce(turn, said, then=doc(para(from_now_on)))


def _added_by_name(group: Group, name: str) -> Member | None:
    """The one active member without a chat account whose name is ``name``."""
    wanted = fold(name.lstrip("@"))
    matches = [
        m
        for m in group.members.values()
        if m.active and not m.identities and wanted and fold(m.name) == wanted
    ]
    return matches[0] if len(matches) == 1 else None


def namesake_hint(turn: Turn, member: Member) -> None:
    """A new account shares its name with someone added by name: say how a
    facilitator can join the two, since the bot never does it on a name alone."""
    person = _added_by_name(turn.group, member.name)
    if person is None:
        return
    account = f"@{member.handle}" if member.handle else f"@{member.name}"
    _ = turn.group_t
    hint = _(
        "{name} was added by name before. If this account is the same person, "
        "a facilitator can say:"
    ).format(name=person.name)
    announce(turn, hint, then=doc(para(Strong(f"this is {person.name} {account}"))))


# -- personal settings ---------------------------------------------------------------------


def my_setting(turn: Turn, action: c.MySetting) -> None:
    member = turn.member
    assert member is not None
    key, value = action.key, action.value.strip()
    if key == "language":
        code = _language(value, "language cy")
        member = replace(member, language=code)
        turn.member = member
        turn.group = turn.group.with_member(member)
        if can_write(code):
            turn.reply_phrase(
                "I will write to you in {language}.",
                language=language_name(code, turn.language_of(member)),
            )
        else:
            # Kept, so they get it as soon as it is there; until then, the group's.
            reader = turn.language_of(member)
            turn.reply_phrase(
                "I can't write in {language} yet. Until I can, I will write to you in {fallback}.",
                language=language_name(code, reader),
                fallback=language_name(reader, reader),
            )
    elif key == "quiet":
        if fold(value) in ("off", "none", "no"):
            member = replace(member, quiet=NO_QUIET)
            turn.reply_phrase("Quiet hours are off. I may message you at any time.")
        else:
            quiet = deadlines.parse_quiet_hours(value)
            if quiet is None:
                raise Refusal("I couldn't read those hours.", example="quiet 21:00-08:00")
            member = replace(member, quiet=quiet)
            turn.reply_phrase(
                "I won't send you private messages from {start} to {end}, {zone}.",
                start=quiet.start.strftime("%H:%M"),
                end=quiet.end.strftime("%H:%M"),
                zone=zone_name(turn.timezone_of(member), turn.language_of(member)),
            )
        turn.group = turn.group.with_member(member)
    elif key == "reminders" and value.startswith("on "):
        _reminders_on(turn, member, value.removeprefix("on "))
    elif key == "reminders":
        on = _on_off(value, "reminders on")
        turn.group = turn.group.with_member(replace(member, reminders=on))
        if on:
            turn.reply_phrase(
                "If you have not answered, I will send you a private message before the deadline."
            )
        else:
            turn.reply_phrase(
                "I won't send you reminders. You can still see everything in the group."
            )
    elif key == "timezone":
        zone = deadlines.valid_timezone(value)
        if zone is None:
            raise Refusal(
                "I don't know the time zone {zone}.", example="timezone Europe/London", zone=value
            )
        turn.group = turn.group.with_member(replace(member, timezone=zone))
        turn.reply_phrase("Your time zone is now {zone}.", zone=zone)
    else:
        raise Refusal(
            "I don't know that setting. You can set: language, quiet, reminders, timezone.",
            example="reminders off",
        )


def _reminders_on(turn: Turn, member: Member, platform: str) -> None:
    """``reminders on telegram``: private reminders go to that app, for someone whose
    accounts on several are linked (``me``); else to the one they used last."""
    if not any(platform_of_chat(i) == platform for i in member.identities):
        raise Refusal(
            "You have no {platform} account linked here. To link one, send me the word "
            "me in a private message.",
            platform=platform_name(platform),
        )
    turn.group = turn.group.with_member(replace(member, reminders=True, reminders_on=platform))
    turn.reply_phrase("I will send your reminders on {platform}.", platform=platform_name(platform))


def _language(value: str, example: str) -> str:
    code = real_language(value)
    if code is None:
        raise Refusal(
            "I don't know a language with the code {code}. Try one like en, cy or pl.",
            example=example,
            code=value[:MAX_CODE_SHOWN],
        )
    return code


def _on_off(value: str, example: str) -> bool:
    word = fold(value)
    if word in ("on", "yes", "true", "1"):
        return True
    if word in ("off", "no", "false", "0"):
        return False
    raise Refusal("Please say on or off.", example=example)


# -- group settings (facilitators) ---------------------------------------------------------


def group_setting(turn: Turn, action: c.GroupSetting) -> None:
    settings = turn.group.settings
    key, value = action.key, action.value.strip()
    new: GroupSettings
    if key == "timezone":
        zone = deadlines.valid_timezone(value)
        if zone is None:
            raise Refusal(
                "I don't know the time zone {zone}.",
                example="settings timezone Europe/London",
                zone=value,
            )
        new = replace(settings, timezone=zone)
    elif key == "language":
        new = replace(settings, language=_language(value, "settings language cy"))
    elif key == "process":
        process = PROCESS_NAMES.get(fold(value))
        if process is None:
            raise Refusal(
                "I don't know that process. Choose consent, lazy, advice, consensus, "
                "choice, time or ack.",
                example="settings process consent",
            )
        new = replace(settings, process=process)
    elif key == "quorum":
        digits = value.rstrip("%").strip()
        if not digits.isdigit() or not 0 <= int(digits) <= 100:
            raise Refusal("A quorum is a percentage from 0 to 100.", example="settings quorum 50%")
        new = replace(settings, quorum=int(digits))
    elif key in ("duration", "questions", "nudge", "mindeadline", "resolve"):
        span = deadlines.parse_duration(value)
        if span is None or span <= timedelta(0):
            raise Refusal(
                "I couldn't read that as a length of time.", example=f"settings {key} 2 days"
            )
        new = {
            "duration": lambda: replace(settings, duration=span),
            "questions": lambda: replace(settings, questions=span),
            "nudge": lambda: replace(settings, nudge_before=span),
            "mindeadline": lambda: replace(settings, min_deadline=span),
            "resolve": lambda: replace(settings, resolve=span),
        }[key]()
    elif key == "digest":
        on = _on_off(value, "settings digest on")
        new = replace(settings, digest=on)
        if on and not settings.digest:
            turn.group = replace(turn.group, settings=new)
            schedule_digest(turn)
    else:
        raise Refusal(
            "I don't know that setting. Say settings to see them all.",
            example="settings quorum 50%",
        )
    turn.group = replace(turn.group, settings=new)
    if key == "timezone" and new.digest and new.timezone != settings.timezone:
        schedule_digest(turn)  # Monday 09:00 where the group now is
    turn.reply(para(*fill(turn.t("Saved: {setting}"), setting=Strong(f"{key} {value}"))))


# -- linking chats -------------------------------------------------------------------------


def link_start(turn: Turn, action: c.LinkStart) -> None:
    if not action.code:
        raise Refusal("You can't link chats here.")
    codes = {code: expiry for code, expiry in turn.group.link_codes.items() if expiry > turn.now}
    codes[action.code] = turn.now + LINK_VALID_FOR
    turn.group = replace(turn.group, link_codes=codes)
    turn.reply(
        para(turn.t("To add another chat to this group, say this in that chat within a day:")),
        para(Strong(f"link {action.code}")),
    )


def link_chat(turn: Turn, action: c.LinkChat) -> None:
    """``link CODE`` said in another chat: that chat joins this group, and every chat
    of the group is told. The chat's own group (if it has one) has let it go first,
    by a facilitator's word (:func:`move_chat`)."""
    request = turn.request
    assert request is not None
    if request.private:
        raise Refusal("Please say link and the code in the chat you want to add to the group.")
    if not request.present:
        raise Refusal(NOT_IN_CHAT)
    expiry = turn.group.link_codes.get(action.code)
    if expiry is None or expiry <= turn.now:
        raise Refusal(
            "That link code is not valid. Ask a facilitator for a new one: they say "
            "link in the group's chat."
        )
    if action.mixes_encryption and not action.confirmed:
        # Said before anything changes: the code stays valid for the confirmation.
        raise Refusal(
            "Please think first. Messages in the Matrix room are end-to-end encrypted. "
            "Messages in the Telegram group are not. If you link them, what the group "
            "decides will be posted in both, so it is no longer end-to-end encrypted. "
            "If you still want to link them, say link, the code, and confirm.",
            example=f"link {action.code} confirm",
        )
    codes = {k: v for k, v in turn.group.link_codes.items() if k != action.code}
    if action.chat in turn.group.chats:
        turn.group = replace(turn.group, link_codes=codes)
        turn.reply_phrase("This chat is already part of the group.")
        return
    turn.group = replace(turn.group, chats=(*turn.group.chats, action.chat), link_codes=codes)
    _ = turn.group_t
    name = turn.member.name if turn.member is not None else _("Someone")
    announce(
        turn,
        _(
            "{name} added another chat to this group. Decisions are now "
            "shared in every chat of the group."
        ).format(name=name),
    )


def move_chat(turn: Turn, action: c.MoveChat) -> None:
    """The chat leaves this group for another (facilitators). A group's only chat
    does not leave while it has decisions: they would be out of everyone's reach."""
    if action.chat not in turn.group.chats:
        return
    if turn.group.chats == (action.chat,) and turn.group.proposals:
        raise Refusal(
            "This chat already has its own decisions, so it can't join another group. "
            "Instead, say link here, and use the code in the other chat."
        )
    turn.group = replace(turn.group, chats=tuple(x for x in turn.group.chats if x != action.chat))
    _ = turn.group_t
    announce(
        turn,
        _(
            "One of this group's chats has joined another group. "
            "Its decisions are no longer shared there."
        ),
    )


def unlink(turn: Turn, action: c.Unlink) -> None:
    """``unlink`` (facilitators): the chat where it is said leaves the group. Its
    decisions stay in the group, and every chat is told, the one leaving too."""
    request = turn.request
    assert request is not None
    chat = request.chat
    if request.private or chat not in turn.group.chats:
        raise Refusal("Please say unlink in the chat you want to take out of the group.")
    if chat == turn.group.id:
        # A chat that starts a group stays its home: the bot takes it back on its own.
        raise Refusal(
            "This chat is where the group started, so it stays. To take another chat "
            "out, say unlink in that chat."
        )
    turn.group = replace(turn.group, chats=tuple(x for x in turn.group.chats if x != chat))
    _ = turn.group_t
    announce(
        turn,
        _("A facilitator took one chat out of this group. Decisions are no longer shared there."),
    )
    turn.reply_phrase(
        "This chat has left the group. Its decisions are no longer shared here. "
        "To link it again, a facilitator says link in the group's chat."
    )


def chat_moved(turn: Turn, action: c.ChatMoved) -> None:
    chats = tuple(action.new if chat == action.old else chat for chat in turn.group.chats)
    if action.new not in chats:
        chats = (*chats, action.new)
    turn.group = replace(turn.group, chats=tuple(dict.fromkeys(chats)))


def chat_gone(turn: Turn, action: c.ChatGone) -> None:
    if action.chat not in turn.group.chats:
        return
    turn.group = replace(turn.group, chats=tuple(x for x in turn.group.chats if x != action.chat))
    if turn.group.chats:
        # The other chats are told: decisions are no longer shared with that one.
        _ = turn.group_t
        announce(
            turn,
            _(
                "I was taken out of one of this group's chats. "
                "Decisions are no longer shared there."
            ),
        )


# -- privacy -------------------------------------------------------------------------------


def forget_me(turn: Turn, action: c.ForgetMe) -> None:
    """Erase what identifies a person; their responses stay, as "a former member".

    Never refused: erasure is a right. Names the bot itself wrote into the record
    (an outcome "withdrawn by Alex") are replaced too; what people typed is theirs
    and stays as they wrote it.

    What storage holds beyond the group's state (the audit log, messages sent
    and waiting, adapters' memory) is erased through ``Forget``, emitted first:
    the confirmation after it must still reach the person."""
    member = turn.member
    assert member is not None and turn.request is not None
    forgotten = Member(
        id=member.id, name="", status=MemberStatus.FORGOTTEN, reminders=False, joined_at=None
    )
    turn.group = turn.group.with_member(forgotten)
    former = turn.group_t("a former member")
    actor = turn.request.actor
    turn.emit(
        Forget(
            member=member.id,
            identities=member.identities,
            names=tuple(dict.fromkeys(n for n in (member.name, actor.name) if n)),
            handles=tuple(dict.fromkeys(h for h in (member.handle, actor.handle) if h)),
            former=former,
        )
    )
    for proposal in turn.group.proposals.values():
        scrubbed = _scrub(proposal, member.name, former)
        if scrubbed is not proposal:
            turn.put(scrubbed)
        if on_card(proposal, member.id):
            refresh_card(turn, proposal)  # the card in the chat still shows their name
    doing.free_actions(turn, member.id)
    _hand_on_facilitation(turn)
    turn.reply_phrase(
        "Done. I have forgotten your name and accounts. Your past responses stay "
        'in the record as "a former member".'
    )


def on_card(proposal: Proposal, member_id: int) -> bool:
    """Whether a proposal's card may name the member: as proposer, as someone who responded
    (or recorded a response), or as someone still to respond."""
    return proposal.proposer == member_id or any(
        member_id in round_.eligible
        or any(member_id in (r.member, r.recorded_by) for r in round_.history)
        for round_ in proposal.rounds
    )


def _scrub(proposal: Proposal, name: str, former: str) -> Proposal:
    """The proposal without ``name`` in what the bot wrote (outcome, log details)."""
    if not name:
        return proposal
    pattern = re.compile(rf"\b{re.escape(name)}\b")
    outcome = proposal.outcome
    if outcome is not None and pattern.search(outcome.summary):
        outcome = replace(outcome, summary=pattern.sub(former, outcome.summary))
    log = tuple(
        replace(e, detail=pattern.sub(former, e.detail)) if pattern.search(e.detail) else e
        for e in proposal.log
    )
    if outcome is proposal.outcome and log == proposal.log:
        return proposal
    return replace(proposal, outcome=outcome, log=log)
