"""The application: one way through the house.

A platform event arrives through an adapter as :meth:`Application.submit`.
The application finds the group, reads the words with the chat language
parser, asks the core to decide, and stores everything the decision produced
— new state, audit entry, timers, outbox deliveries, and the platform's update
id for deduplication — in one transaction. Only then does the adapter confirm
the update to its platform, and only then does the delivery loop send.

Timers come back the same way through :meth:`run_due_timers`, so a deadline is
decided exactly like a person's command.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.adapter import Adapter, platform_of
from bot.clock import Clock
from bot.core import commands as c
from bot.core import record
from bot.core.codec import encode
from bot.core.decide import Decision, decide
from bot.core.document import Document
from bot.core.effects import (
    AskReason,
    CancelTimer,
    DirectMessage,
    EditCard,
    Effect,
    Post,
    Reply,
    SendFile,
    SetTimer,
)
from bot.core.i18n import N_
from bot.core.language import NotUnderstood, parse
from bot.core.model import Group, GroupSettings
from bot.locks import GroupLocks
from storage.interface import Commit, Outgoing, Storage

log = logging.getLogger("deciding_together.app")


@dataclass(frozen=True, slots=True)
class Submitted:
    """What came of one platform event."""

    decision: Decision | None = None  # None: ignored or a duplicate
    duplicate: bool = False
    group_id: str | None = None
    direct: tuple[Document, ...] = ()  # replies to send at once (no group to store them in)

    def replies(self) -> list[Document]:
        """The answers to the person, e.g. for a button's pop-up acknowledgement."""
        if self.decision is None:
            return list(self.direct)
        return [e.document for e in self.decision.effects if isinstance(e, Reply | AskReason)]


@dataclass(frozen=True, slots=True)
class Submission:
    """One event for :meth:`Application.submit_many`: what :meth:`Application.submit` takes."""

    chat: str
    actor: c.Actor
    text: str | None = None
    action: c.Action | None = None
    private: bool = False
    present: bool = True
    explicit: bool = True
    reply_to: int | None = None
    group_id: str | None = None
    update_key: str | None = None
    chat_title: str = ""


# Commands that change which chat belongs to which group: decided with every
# group to themselves (see ``bot.locks``), as is a chat's first command (it
# starts a group) and a chat coming back to its group.
_ACROSS_GROUPS = (c.LinkChat, c.ChatMoved, c.ChatGone)


class _AcrossGroups(Exception):
    """The command reaches beyond one group: decide it again with every group held."""


@dataclass
class Application:
    storage: Storage
    clock: Clock
    defaults: GroupSettings = field(default_factory=GroupSettings)
    adapters: dict[str, Adapter] = field(default_factory=dict)
    make_code: Callable[[], str] = field(default=lambda: secrets.token_hex(4))
    # Called after each commit, so the loops wake without polling.
    on_timers_changed: Callable[[], None] = field(default=lambda: None)
    on_outbox_changed: Callable[[], None] = field(default=lambda: None)
    _groups: dict[str, Group] = field(default_factory=dict)
    # Counts the retention purges that emptied the memory of groups, so that a
    # load that began before one (and read what was then stored) does not put it back.
    _purges: int = 0
    _locks: GroupLocks = field(default_factory=GroupLocks)

    # -- groups -------------------------------------------------------------------------

    async def group(self, group_id: str) -> Group | None:
        """The group's current state (cached: this process is the only writer)."""
        cached = self._groups.get(group_id)
        if cached is not None:
            return cached
        purges = self._purges
        group = await self.storage.load_group(group_id)
        if group is None or purges != self._purges:
            return group
        # A command may have stored a newer state while this one was read: keep that.
        return self._groups.setdefault(group_id, group)

    async def group_of_chat(self, chat: str) -> Group | None:
        group_id = await self.storage.group_for_chat(chat)
        return await self.group(group_id) if group_id else None

    # -- people's events ----------------------------------------------------------------

    async def submit(
        self,
        *,
        chat: str,
        actor: c.Actor,
        text: str | None = None,
        action: c.Action | None = None,
        private: bool = False,
        present: bool = True,
        explicit: bool = True,
        reply_to: int | None = None,
        group_id: str | None = None,
        update_key: str | None = None,
        chat_title: str = "",
    ) -> Submitted:
        """Decide and store one person's words (``text``) or ``action``.

        ``explicit`` says the words were addressed to the bot (a command prefix,
        a private chat); words that merely reply to a card and cannot be read
        are ordinary chat and are ignored. ``reply_to`` is the number of the
        proposal whose card was replied to. ``group_id`` names the group for
        private chats when the adapter knows it (a button, a deep link).

        Returns once what was stored would survive a power cut: the adapter may
        then acknowledge the update to its platform. The wait for the disk is
        outside the lock, so the next command is decided meanwhile and shares
        the disk's next sync."""
        return await self._submit_one(
            Submission(
                chat=chat,
                actor=actor,
                text=text,
                action=action,
                private=private,
                present=present,
                explicit=explicit,
                reply_to=reply_to,
                group_id=group_id,
                update_key=update_key,
                chat_title=chat_title,
            )
        )

    async def _submit_one(self, event: Submission) -> Submitted:
        try:
            async with self._locks.shared():
                submitted = await self._decide_and_store(event, every_group=False)
        except _AcrossGroups:
            async with self._locks.everything():
                submitted = await self._decide_and_store(event, every_group=True)
        # A duplicate waits too: the first delivery's commit may still be syncing.
        await self.storage.durable()
        return submitted

    async def _decide_and_store(self, event: Submission, *, every_group: bool) -> Submitted:
        """Decide and store one event; with ``every_group`` false, only if it stays
        within one group (else raises ``_AcrossGroups`` having changed nothing)."""
        chat, actor, action, group_id = event.chat, event.actor, event.action, event.group_id
        private, update_key = event.private, event.update_key
        # A duplicate update is found by the commit itself (its inbox entry is
        # written in the same transaction), so the usual path costs no extra
        # look-up; the paths below that store nothing, or store something
        # else first, ask before they act.
        if action is None:
            parsed = parse(event.text or "", reply_to=event.reply_to)
            if isinstance(parsed, NotUnderstood):
                if not event.explicit:
                    return Submitted()
                parsed = c.Unclear(
                    parsed.problem.msgid,
                    tuple((k, str(v)) for k, v in parsed.problem.params.items()),
                    parsed.example,
                )
            action = parsed
        if isinstance(action, _ACROSS_GROUPS) and not every_group:
            raise _AcrossGroups
        action = self._fill_in(action, chat)
        if isinstance(action, c.LinkChat):
            # The code names the group to join, whatever chat it is said in.
            linked = await self.storage.group_with_link_code(action.code)
            group_id = linked or group_id
        group = await self._group_for(
            chat, actor, private, group_id, event.chat_title, update_key, every_group=every_group
        )
        if group is None:
            if update_key is not None and await self.storage.seen_update(update_key):
                return Submitted(duplicate=True)
            return await self._without_group(chat, actor, action)
        request = c.Request(
            actor=actor, chat=chat, action=action, private=private, present=event.present
        )
        if every_group:
            return await self._apply(group, request, update_key=update_key)
        async with self._locks.groups([group.id]):
            # As the group's last command left it: it may have run while this one waited.
            group = await self.group(group.id) or group
            return await self._apply(group, request, update_key=update_key)

    async def submit_many(self, submissions: Sequence[Submission]) -> list[Submitted]:
        """Decide several events one after another, and store them in one transaction.

        For a burst of button presses (one batch of Telegram updates): each is
        decided on the state the one before it left, as :meth:`submit` one by
        one would, and all of them, each with its inbox entry, are stored with
        one durable write instead of one each. Nothing is stored unless all
        are. Only plain events (a known group, a platform update id, words
        that parse) are taken together; when another kind is among them, or
        one of the updates was stored before (a repeat after a restart), they
        are submitted one by one instead, with the same outcome."""
        results: list[Submitted] | None = None
        group_ids = [each.group_id for each in submissions if each.group_id is not None]
        if len(group_ids) < len(submissions):
            return [await self._submit_one(event) for event in submissions]
        async with self._locks.shared(), self._locks.groups(group_ids):
            decided = await self._decide_many(submissions)
            if decided is not None:
                commits, states, decisions = decided
                if await self.storage.commit_many(commits, durable=False):
                    results = decisions
                    self._groups.update(states)
                    for done in commits:
                        log.debug("%s: %s", done["group_after"].id, done["summary"])
                    effects = [e for r in results if r.decision for e in r.decision.effects]
                    if any(isinstance(e, SetTimer | CancelTimer) for e in effects):
                        self.on_timers_changed()
                    if any(o.targets for each in commits for o in each["outgoing"]):
                        self.on_outbox_changed()
        if results is not None:
            await self.storage.durable()  # outside the lock, as for submit
            return results
        return [await self._submit_one(event) for event in submissions]

    async def _decide_many(
        self, submissions: Sequence[Submission]
    ) -> tuple[list[Commit], dict[str, Group], list[Submitted]] | None:
        """Every submission decided in memory, in order; None if one is not a plain event."""
        commits: list[Commit] = []
        states: dict[str, Group] = {}  # each group as the decisions so far leave it
        results: list[Submitted] = []
        for each in submissions:
            if each.group_id is None or each.update_key is None:
                return None
            action = each.action
            if action is None:
                parsed = parse(each.text or "", reply_to=each.reply_to)
                if isinstance(parsed, NotUnderstood):
                    return None
                action = parsed
            action = self._fill_in(action, each.chat)
            if isinstance(action, c.LinkChat | c.LinkStart | c.MyData):
                return None  # decided one by one (``mydata`` reads beyond its group)
            group = states.get(each.group_id) or await self.group(each.group_id)
            if group is None:
                return None
            request = c.Request(
                actor=each.actor,
                chat=each.chat,
                action=action,
                private=each.private,
                present=each.present,
            )
            now = self.clock.now()
            decision = decide(group, request, now)
            commits.append(
                Commit(
                    group_before=group,
                    group_after=decision.group,
                    command=request,
                    now=now,
                    summary=decision.summary,
                    outgoing=[
                        Outgoing(e, self._targets(decision.group, e)) for e in decision.effects
                    ],
                    update_key=each.update_key,
                    fired_timer=None,
                )
            )
            states[group.id] = decision.group
            results.append(Submitted(decision=decision, group_id=group.id))
        return commits, states, results

    def _fill_in(self, action: c.Action, chat: str) -> c.Action:
        """Values the core must be given: secrets it cannot make, the chat it cannot see."""
        if isinstance(action, c.LinkStart) and not action.code:
            return c.LinkStart(code=self.make_code())
        if isinstance(action, c.LinkChat) and not action.chat:
            return c.LinkChat(code=action.code, chat=chat)
        return action

    async def _group_for(
        self,
        chat: str,
        actor: c.Actor,
        private: bool,
        group_id: str | None,
        chat_title: str,
        update_key: str | None,
        *,
        every_group: bool,
    ) -> Group | None:
        """The group the event belongs to; None for private words outside any one group.

        A chat's first command starts a group, and a chat the bot was removed
        from and is back in returns to its group: both need ``every_group``."""
        if group_id is not None:
            return await self.group(group_id)
        if private:
            groups = await self.storage.groups_for_identity(actor.identity)
            return await self.group(groups[0]) if len(groups) == 1 else None
        group = await self.group_of_chat(chat)
        if group is not None:
            return group
        if not every_group:
            raise _AcrossGroups
        returning = await self.group(chat)
        if returning is not None:
            if update_key is not None and await self.storage.seen_update(update_key):
                return None  # done before: the chat is back already
            # The bot was removed from this chat and is back: the group it started here
            # is still there, with all its decisions. Take the chat back into it first.
            back = c.Request(actor=actor, chat=chat, action=c.ChatMoved(chat, chat))
            await self._apply(returning, back)
            return self._groups[returning.id]
        # A chat the bot has not seen before starts a group of its own.
        return Group(id=chat, name=chat_title, chats=(chat,), settings=self.defaults)

    async def _without_group(self, chat: str, actor: c.Actor, action: c.Action) -> Submitted:
        """Private words from someone in no group, or in several: answer, store nothing."""
        scratch = Group(id="", settings=self.defaults)
        if not isinstance(action, c.Help | c.Unclear):
            groups = await self.storage.groups_for_identity(actor.identity)
            action = c.Unclear(
                N_(
                    "You are in several groups, so please do this in the group's chat, or use "
                    "the buttons I send."
                )
                if groups
                else N_("I don't know you yet. Please say join in your group's chat first.")
            )
        request = c.Request(actor=actor, chat=chat, action=action, private=True, present=False)
        decision = decide(scratch, request, self.clock.now())
        return Submitted(direct=tuple(e.document for e in decision.effects if isinstance(e, Reply)))

    async def _apply(
        self,
        group: Group,
        command: c.Command,
        *,
        update_key: str | None = None,
        fired_timer: str | None = None,
    ) -> Submitted:
        now = self.clock.now()
        before = self._groups.get(group.id)
        decision = decide(group, command, now)
        if isinstance(command, c.Request) and isinstance(command.action, c.MyData):
            decision = await self._everything_kept(decision)
        outgoing = [Outgoing(e, self._targets(decision.group, e)) for e in decision.effects]
        stored = await self.storage.commit(
            group_before=before,
            group_after=decision.group,
            command=command,
            now=now,
            summary=decision.summary,
            outgoing=outgoing,
            update_key=update_key,
            fired_timer=fired_timer,
            durable=False,  # the callers wait for the disk once they let go of the lock
        )
        if not stored:
            return Submitted(duplicate=True, group_id=group.id)
        self._groups[group.id] = decision.group
        if any(isinstance(e, SetTimer | CancelTimer) for e in decision.effects):
            self.on_timers_changed()
        if any(o.targets for o in outgoing):
            self.on_outbox_changed()
        log.debug("%s: %s", group.id, decision.summary)
        return Submitted(decision=decision, group_id=group.id)

    async def _everything_kept(self, decision: Decision) -> Decision:
        """``mydata`` holds everything kept about the person: the core wrote what its
        group holds; their other groups, what they typed (the audit log) and the
        adapters' memory about them are added here, into the same one file."""
        effects: list[Effect] = []
        for effect in decision.effects:
            if isinstance(effect, SendFile) and effect.member is not None:
                kept = await self._kept_about(decision.group, effect.identities)
                effect = replace(effect, content=kept)
            effects.append(effect)
        return replace(decision, effects=tuple(effects))

    async def _kept_about(self, here: Group, identities: tuple[str, ...]) -> str:
        group_ids = {here.id: None}
        typed: list[dict[str, Any]] = []
        memory: dict[str, str] = {}
        for identity in identities:
            group_ids.update(dict.fromkeys(await self.storage.groups_for_identity(identity)))
            typed += [
                {"group": e.group_id, "at": e.at.isoformat(), **encode(e.command)}
                for e in await self.storage.audit_of(identity)
            ]
            memory.update(await self.storage.memory_about(identity))
        parts: list[dict[str, Any]] = []
        for group_id in group_ids:
            group = here if group_id == here.id else await self.group(group_id)
            found = [group.member_by_identity(i) for i in identities] if group else []
            member = next((m for m in found if m is not None), None)
            if group is not None and member is not None:
                parts.append(record.member_record(group, member.id))
        return record.member_file(parts, typed, memory)

    def _targets(self, group: Group, effect: Effect) -> tuple[str, ...]:
        """Where a message effect goes; timers go nowhere (they are stored as timers)."""
        if isinstance(effect, Post | EditCard):
            return group.chats
        if isinstance(effect, Reply | AskReason):
            return (effect.chat,)
        if isinstance(effect, DirectMessage):
            return self._private_target(effect.identities, group)
        if isinstance(effect, SendFile):
            if effect.member is not None and effect.chat is None:
                return self._private_target(effect.identities, group)
            return (effect.chat,) if effect.chat else group.chats
        return ()

    def _private_target(self, identities: tuple[str, ...], group: Group) -> tuple[str, ...]:
        """One private chat per person: on a platform that is running, else the first."""
        if not identities:
            return ()
        running = [i for i in identities if platform_of(i) in self.adapters]
        return ("dm:" + (running or list(identities))[0],)

    # -- the clock's events ---------------------------------------------------------------

    async def run_due_timers(self) -> int:
        """Fire every timer that is due, oldest first, each exactly once."""
        fired = 0
        while True:
            due = await self.storage.due_timers(self.clock.now(), limit=100)
            for timer in due:
                # A command may have moved or cancelled the timer since it was read:
                # then the commit finds it no longer due, and nothing is stored.
                async with self._locks.shared(), self._locks.groups([timer.group_id]):
                    group = await self.group(timer.group_id)
                    if group is None:
                        log.warning("timer %s names a group that no longer exists", timer.key)
                        group = Group(id=timer.group_id, settings=self.defaults)
                    done = await self._apply(group, timer.event, fired_timer=timer.key)
                    fired += done.decision is not None
            await self.storage.durable()
            if len(due) < 100:
                return fired

    # -- retention ------------------------------------------------------------------------

    async def purge_closed(self, before: datetime) -> int:
        """Delete closed proposals that ended before ``before``; returns how many.

        With every group held, and the groups in memory are dropped after it,
        so no command decides on (or commits over) a purged proposal."""
        async with self._locks.everything():
            purged = await self.storage.purge_closed(before)
            if purged:
                self._groups.clear()
                self._purges += 1
            return purged

    # -- delivery -------------------------------------------------------------------------

    async def note_card_posted(self, group_id: str, number: int, chat: str, ref: str) -> None:
        await self.storage.save_card_message(group_id, number, chat, ref)
