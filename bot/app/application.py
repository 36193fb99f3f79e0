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

import asyncio
import hmac
import logging
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from bot.app.cache import DEFAULT_RECORDS, GroupCache
from bot.app.clock import Clock
from bot.app.locks import GroupLocks
from bot.app.ports import (
    Adapter,
    Commit,
    Delivery,
    Outgoing,
    Remember,
    StaleGroup,
    Storage,
    Timer,
    TokenKind,
    platform_of,
)
from bot.app.roles import EveryRole, Roles
from bot.core import commands as c
from bot.core import record, weblinks
from bot.core.cards import card
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
from bot.core.model import Group, GroupSettings, Proposal
from bot.core.platforms import has_buttons
from bot.core.resident import EVERYTHING, reads, resident, with_proposals

log = logging.getLogger("deciding_together.app")

# How often a command is decided again when its group changed underneath (another
# writer stored it first) before the command is given up for now. Each try reads
# the group afresh, so only a group changed between every read and commit fails.
DECIDE_ATTEMPTS = 3

# How many due timers are fired in one transaction (``run_due_timers``).
TIMER_BATCH = 200
TIMER_RETRY = timedelta(seconds=30)
TIMER_RETRY_MAX = timedelta(hours=1)


# What a web link's secret may look like (``secrets.token_urlsafe``): anything else
# is turned away before it is hashed or looked up.
WEB_SECRET = re.compile(r"[A-Za-z0-9_-]{22,86}")


@dataclass(frozen=True, slots=True)
class Submitted:
    """What came of one platform event."""

    decision: Decision | None = None  # None: ignored or a duplicate
    duplicate: bool = False
    group_id: str | None = None
    direct: tuple[Document, ...] = ()  # replies to send at once (no group to store them in)
    # A gesture's replies, stored held for this update key: the adapter settles the
    # hold with :meth:`Application.confirm_held` or :meth:`Application.release_held`.
    held: str | None = None

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
    # The adapter's memory that changes with the command, stored in its transaction.
    remember: tuple[Remember, ...] = ()
    # A button press or a reaction: its replies are held (see :meth:`Application.submit`).
    gesture: bool = False


# Commands that change which chat belongs to which group: decided with every
# group to themselves (see ``bot.app.locks``), as is a chat's first command (it
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
    # The web page of a group's decisions (``bot.web``): where its links start
    # ("" while the page is off), how long a link works, and its secrets (192 bits).
    web_url: str = ""
    web_link_days: int = 90
    make_web_secret: Callable[[], str] = field(default=lambda: secrets.token_urlsafe(24))
    # Called after each commit, so the loops wake without polling.
    on_timers_changed: Callable[[], None] = field(default=lambda: None)
    on_outbox_changed: Callable[[], None] = field(default=lambda: None)
    # The jobs one worker does at a time (see ``bot.app.roles``): all this process's
    # unless it is one of several workers on one database.
    roles: Roles = field(default_factory=EveryRole)
    # Other workers write the same database: a group in memory may be behind what is
    # stored, so its stored version is checked when it is asked for (see ``group``).
    shared: bool = False
    # The resident groups held in memory (``bot.app.cache``), at most this many
    # records of them; the idle ones are let go, and read again when needed.
    memory_records: int = DEFAULT_RECORDS
    # Counts the retention purges that emptied the memory of groups, so that a
    # load that began before one (and read what was then stored) does not put it back.
    _purges: int = 0
    _locks: GroupLocks = field(default_factory=GroupLocks)
    _groups: GroupCache = field(init=False)
    # How often each (group, timer) has failed in a row: its back-off.
    _timer_failures: dict[tuple[str, str], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._groups = GroupCache(self.memory_records, busy=self._locks.busy)

    # -- groups -------------------------------------------------------------------------

    async def group(self, group_id: str) -> Group | None:
        """The group's current resident state (``bot.core.resident``): members,
        settings and the proposals still being decided. Held in memory until it is
        idle and memory is needed; with other workers on the database (``shared``),
        its stored version is checked each time, and it is read again when behind."""
        cached = self._groups.get(group_id)
        if cached is not None and not self.shared:
            return cached
        known = self._groups.version(group_id)
        # Still what is stored? One small read, instead of reading the group whole.
        if (
            cached is not None
            and known is not None
            and await self.storage.group_version(group_id) == known
        ):
            return self._groups.get(group_id) or cached
        purges = self._purges
        stored = await self.storage.read_group(group_id)
        if stored is None or purges != self._purges:
            return None if stored is None else stored.group
        if self.shared and group_id in self._groups:
            known = self._groups.version(group_id)
            held = self._groups.get(group_id)
            if held is not None and known is not None and known >= stored.version:
                return held  # this worker's own commit is as new
            self._groups.put(stored.group, stored.version)
            return stored.group
        # A command may have stored a newer state while this one was read: keep that.
        return self._groups.put_new(stored.group, stored.version)

    async def proposal(self, group_id: str, number: int) -> Proposal | None:
        """Proposal ``number`` of the group as it is now, closed ones too; None if
        there is no such proposal (or group)."""
        group = await self.group(group_id)
        if group is None:
            return None
        found = group.proposals.get(number)
        if found is None:
            found = (await self.storage.read_proposals(group_id, (number,))).get(number)
        return found

    async def whole_group(self, group_id: str) -> Group | None:
        """The group with every proposal in it, closed ones read from storage: for
        reading the whole record (``mydata``), never held in memory."""
        group = await self.group(group_id)
        if group is None:
            return None
        return with_proposals(group, await self.storage.read_proposals(group_id))

    async def _beyond_resident(self, group: Group, command: c.Command) -> dict[int, Proposal]:
        """The proposals ``command`` reads (``bot.core.resident.reads``) that the
        resident group does not hold, read from storage."""
        wanted = reads(command)
        if wanted == EVERYTHING:
            return await self.storage.read_proposals(group.id)
        missing = [n for n in wanted if n not in group.proposals]
        return await self.storage.read_proposals(group.id, missing) if missing else {}

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
        remember: Sequence[Remember] = (),
        gesture: bool = False,
    ) -> Submitted:
        """Decide and store one person's words (``text``) or ``action``.

        ``explicit`` says the words were addressed to the bot (a command prefix,
        a private chat); words that merely reply to a card and cannot be read
        are ordinary chat and are ignored. ``reply_to`` is the number of the
        proposal whose card was replied to. ``group_id`` names the group for
        private chats when the adapter knows it (a button, a deep link).
        ``remember`` is the adapter's memory that changes with the command (the
        prompt it answers, the group a deep link chose): stored in the command's
        own transaction, or on its own when nothing is stored for the command.
        ``gesture`` says it came from a button press or a reaction, which the
        adapter answers another way: the core's replies are stored held (never
        sent) and ``Submitted.held`` names the hold, which the adapter confirms
        (shown in a pop-up, or a reaction's tally says it) or releases (posted).

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
                remember=tuple(remember),
                gesture=gesture,
            )
        )

    async def _submit_one(self, event: Submission) -> Submitted:
        try:
            async with self._locks.shared():
                submitted = await self._decide_and_store(event, every_group=False)
        except _AcrossGroups:
            async with self._locks.everything():
                submitted = await self._decide_and_store(event, every_group=True)
        if event.remember and submitted.decision is None and not submitted.duplicate:
            # No command was stored to carry it (words ignored, or answered without a
            # group): the adapter's memory is written all the same.
            await self.remember(*(each for each in event.remember if not each.if_accepted))
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
        if isinstance(action, c.ThisIsMe):
            # The code names the group, whoever says it: an account new to the group too.
            group_id = await self.storage.group_with_link_code(action.code, "account") or group_id
        if isinstance(action, c.LinkChat):
            # The code names the group to join, whatever chat it is said in.
            linked = await self.storage.group_with_link_code(action.code)
            if linked is not None:
                action = replace(action, mixes_encryption=await self._mixes(linked, chat))
            current = await self.storage.group_for_chat(chat) if not private else None
            if linked is not None and current is not None and current != linked:
                request = c.Request(actor, chat, action, private=private, present=event.present)
                return await self._move_chat(current, linked, request, update_key, event.remember)
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
        remember, gesture = event.remember, event.gesture
        if every_group:
            return await self._apply(
                group, request, update_key=update_key, remember=remember, gesture=gesture
            )
        async with self._locks.groups([group.id]):
            # As the group's last command left it: it may have run while this one waited.
            group = await self.group(group.id) or group
            return await self._apply(
                group, request, update_key=update_key, remember=remember, gesture=gesture
            )

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
                commits, decisions = decided
                if await self._commit_many(commits):
                    results = decisions
                    self._stored(commits)
        if results is not None:
            await self.storage.durable()  # outside the lock, as for submit
            return results
        return [await self._submit_one(event) for event in submissions]

    async def _commit_many(self, commits: list[Commit]) -> bool:
        """Store decisions together; False if one was seen before or a group changed
        underneath (then they are submitted one by one, each decided again as needed)."""
        try:
            return await self.storage.commit_many(commits, durable=False)
        except StaleGroup:
            for each in commits:
                self._forget_group(each["group_after"].id)
            return False

    async def _decide_many(
        self, submissions: Sequence[Submission]
    ) -> tuple[list[Commit], list[Submitted]] | None:
        """Every submission decided in memory, in order; None if one is not a plain event."""
        commits: list[Commit] = []
        states: dict[str, Group] = {}  # each group as the decisions so far leave it
        versions: dict[str, int] = {}  # and the version each of those will be stored at
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
            if isinstance(action, c.LinkChat | c.LinkStart | c.MyData | c.MyCode | c.ThisIsMe):
                return None  # decided one by one (``mydata`` reads beyond its group)
            group = states.get(each.group_id) or await self.group(each.group_id)
            if group is None:
                return None
            version = versions.get(group.id, self._groups.version(group.id))
            request = c.Request(
                actor=each.actor,
                chat=each.chat,
                action=action,
                private=each.private,
                present=each.present,
            )
            wanted = reads(request)
            if wanted == EVERYTHING or any(n not in group.proposals for n in wanted):
                return None  # reads beyond the resident group: decided one by one
            now = self.clock.now()
            decision = decide(group, request, now)
            commit = self._commit(
                group,
                request,
                decision,
                now,
                version=version,
                update_key=each.update_key,
                remember=each.remember,
                held=each.gesture,
            )
            commits.append(commit)
            states[group.id] = decision.group
            if version is not None:
                versions[group.id] = version + 1
            held = each.update_key if _holds(commit["outgoing"]) else None
            results.append(Submitted(decision=decision, group_id=group.id, held=held))
        return commits, results

    async def _move_chat(
        self,
        current_id: str,
        linked_id: str,
        request: c.Request,
        update_key: str | None,
        remember: Sequence[Remember] = (),
    ) -> Submitted:
        """``link CODE`` said in a chat that belongs to another group: its own group lets
        it go (a facilitator's word there), then the code's group takes it in, both in
        one transaction. Either refusal stops both. Called with every group held."""
        current, linked = await self.group(current_id), await self.group(linked_id)
        assert isinstance(request.action, c.LinkChat)
        if current is None or linked is None:
            return await self._apply(linked or current or Group(id=request.chat), request)
        now = self.clock.now()
        leaving = c.Request(
            request.actor,
            request.chat,
            c.MoveChat(request.chat, linked.id),
            private=request.private,
            present=request.present,
        )
        # The chat's own group decides on its whole record (a chat with decisions stays).
        current = with_proposals(current, await self._beyond_resident(current, leaving))
        left = decide(current, leaving, now)
        if left.refused:
            return await self._apply(current, leaving, update_key=update_key, remember=remember)
        joined = decide(linked, request, now)
        if joined.refused:
            return await self._apply(linked, request, update_key=update_key, remember=remember)
        commits = [
            self._commit(
                current,
                leaving,
                left,
                now,
                version=self._groups.version(current.id),
                update_key=None,
            ),
            self._commit(
                linked,
                request,
                joined,
                now,
                version=self._groups.version(linked.id),
                update_key=update_key,
                remember=remember,
            ),
        ]
        try:
            if not await self.storage.commit_many(commits, durable=False):
                return Submitted(duplicate=True, group_id=linked.id)
        except StaleGroup:
            # Another writer changed one of them: read both afresh next time.
            self._forget_group(current.id)
            self._forget_group(linked.id)
            raise
        self._stored(commits)
        return Submitted(decision=joined, group_id=linked.id)

    def _commit(
        self,
        before: Group,
        command: c.Command,
        decision: Decision,
        now: datetime,
        *,
        version: int | None,
        update_key: str | None,
        remember: Sequence[Remember] = (),
        held: bool = False,
        fired_timer: str | None = None,
    ) -> Commit:
        """What storing ``decision`` (made on ``before``, stored at ``version``) takes,
        for :meth:`Storage.commit_many`."""
        return Commit(
            group_before=before,
            group_after=decision.group,
            command=command,
            now=now,
            summary=decision.summary,
            outgoing=self._outgoing(decision, held=held),
            update_key=update_key,
            fired_timer=fired_timer,
            version=version,
            remember=_kept(remember, decision),
        )

    def _stored(self, commits: Sequence[Commit]) -> None:
        """After several decisions were stored together: each group as its last commit
        left it, at the version that commit moved it to; the loops woken as needed."""
        for each in commits:  # in order: a group's last commit counts
            group = each["group_after"]
            self._hold(group, each.get("version"))
            log.debug("%s: %s", group.id, each["summary"])
        outgoing = [o for each in commits for o in each["outgoing"]]
        if any(isinstance(o.effect, SetTimer | CancelTimer) for o in outgoing):
            self.on_timers_changed()
        if any(o.targets for o in outgoing):
            self.on_outbox_changed()

    def _fill_in(self, action: c.Action, chat: str) -> c.Action:
        """Values the core must be given: secrets it cannot make, the chat it cannot see."""
        if isinstance(action, c.LinkStart) and not action.code:
            return c.LinkStart(code=self.make_code())
        if isinstance(action, c.MyCode) and not action.code:
            return c.MyCode(code=self.make_code())
        if isinstance(action, c.LinkChat) and not action.chat:
            return replace(action, chat=chat)
        if isinstance(action, c.WebLinkStart) and not action.digest and self.web_url:
            secret = self.make_web_secret()
            return c.WebLinkStart(
                digest=weblinks.digest(secret),
                link=f"{self.web_url.rstrip('/')}/{secret}",
                days=self.web_link_days,
            )
        return action

    async def _mixes(self, group_id: str, chat: str) -> bool:
        """Whether ``chat`` joining the group would put end-to-end encrypted chats (a
        Matrix room) and chats that are not in one group: then the person is warned."""
        group = await self.group(group_id)
        chats = {*(group.chats if group is not None else ()), chat}
        encrypted = {each for each in chats if self._encrypted(each)}
        return bool(encrypted) and encrypted != chats

    def _encrypted(self, chat: str) -> bool:
        adapter = self.adapters.get(platform_of(chat))
        return adapter is not None and adapter.end_to_end_encrypted(chat)

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
            return await self.group(returning.id)
        # A chat the bot has not seen before starts a group of its own.
        return Group(id=chat, name=chat_title, chats=(chat,), settings=self.defaults)

    async def _without_group(self, chat: str, actor: c.Actor, action: c.Action) -> Submitted:
        """Private words from someone in no group, or in several: answer, store nothing."""
        scratch = Group(id="", settings=self.defaults)
        # A code no group made is answered as one: it does not work.
        if not isinstance(action, c.Help | c.Unclear | c.ThisIsMe):
            groups = await self.storage.groups_for_identity(actor.identity)
            several = (
                N_(
                    "You are in several groups, so please do this in the group's chat, or use "
                    "the buttons I send."
                )
                if has_buttons(chat)
                else N_("You are in several groups, so please do this in the group's chat.")
            )
            action = c.Unclear(
                several
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
        remember: Sequence[Remember] = (),
        gesture: bool = False,
    ) -> Submitted:
        """Decide a command on the group and store the result; decided again on the
        group as stored when another writer changed it since it was read here."""
        for attempt in range(1, DECIDE_ATTEMPTS + 1):
            try:
                return await self._decide_and_commit(
                    group, command, update_key, fired_timer, remember, gesture=gesture
                )
            except StaleGroup:
                self._forget_group(group.id)
                if attempt == DECIDE_ATTEMPTS:
                    log.error(
                        "%s changed underneath each of %d tries to store a command; "
                        "leaving it for now",
                        group.id,
                        attempt,
                    )
                    raise
                log.info("%s changed since it was read; deciding the command again", group.id)
                group = await self.group(group.id) or group
        raise AssertionError("unreachable")  # the loop returns or raises

    def _hold(self, stored: Group, version: int | None) -> None:
        """Hold the resident part of a group a commit from ``version`` just stored, at
        the version the commit left it at (unknown if None)."""
        self._groups.put(resident(stored), None if version is None else version + 1)

    def _forget_group(self, group_id: str) -> None:
        """Drop the group from memory: the next read takes it from storage."""
        self._groups.drop(group_id)

    async def _decide_and_commit(
        self,
        group: Group,
        command: c.Command,
        update_key: str | None,
        fired_timer: str | None,
        remember: Sequence[Remember] = (),
        *,
        gesture: bool = False,
    ) -> Submitted:
        now = self.clock.now()
        before = self._groups.get(group.id)
        # A group not in memory is stored as new: at version 0, it must not be stored yet.
        version = 0 if before is None else self._groups.version(group.id)
        # The closed proposals the command reads join both states, so the commit
        # writes only what the command changed in them.
        beyond = await self._beyond_resident(group, command)
        group = with_proposals(group, beyond)
        before = None if before is None else with_proposals(before, beyond)
        decision = decide(group, command, now)
        if isinstance(command, c.Request) and isinstance(command.action, c.MyData):
            decision = await self._everything_kept(decision)
        outgoing = self._outgoing(decision, held=gesture and update_key is not None)
        remember = _kept(remember, decision)
        stored = await self.storage.commit(
            group_before=before,
            group_after=decision.group,
            command=command,
            now=now,
            summary=decision.summary,
            outgoing=outgoing,
            update_key=update_key,
            fired_timer=fired_timer,
            version=version,
            remember=remember,
            durable=False,  # the callers wait for the disk once they let go of the lock
        )
        if not stored:
            return Submitted(duplicate=True, group_id=group.id)
        self._hold(decision.group, version)
        if any(isinstance(e, SetTimer | CancelTimer) for e in decision.effects):
            self.on_timers_changed()
        if any(o.targets for o in outgoing):
            self.on_outbox_changed()
        log.debug("%s: %s", group.id, decision.summary)
        held = update_key if _holds(outgoing) else None
        return Submitted(decision=decision, group_id=group.id, held=held)

    def _outgoing(self, decision: Decision, *, held: bool = False) -> list[Outgoing]:
        """The decision's effects with their targets; with ``held`` (a gesture), its
        replies are held for the adapter (a question for a reason never is: it needs
        an answer in the chat)."""
        return [
            Outgoing(e, self._targets(decision.group, e), held=held and isinstance(e, Reply))
            for e in decision.effects
        ]

    async def confirm_held(self, *held: str) -> None:
        """Gestures' held replies (``Submitted.held``) were shown another way (a pop-up,
        or a reaction's tally on the card): they count as delivered, never posted."""
        if held:
            await self.storage.confirm_held(*held)

    async def release_held(self, *held: str) -> None:
        """Gestures' held replies were not shown (the pop-up failed): post them."""
        if held:
            await self.storage.release_held(*held)
            self.on_outbox_changed()

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
            group = here if group_id == here.id else await self.whole_group(group_id)
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
        """Fire every timer that is due, oldest first, each exactly once.

        Timers are fired in batches (after a restart, thousands may be overdue):
        each batch is decided in order, each timer on the state the ones before
        it left, and stored in one transaction, each timer marked fired in it.
        A batch that cannot be stored whole (a timer moved or cancelled since it
        was read, a group changed underneath, a timer that fails) is fired one
        by one instead, with the same outcome. A timer that fails (a damaged
        group, a bug) fails alone: it is logged with its group and tried again
        later, backing off, and every other timer still fires on time."""
        fired = 0
        failed: set[tuple[str, str]] = set()
        while True:
            due = await self.storage.due_timers(self.clock.now(), limit=TIMER_BATCH)
            todo = [t for t in due if (t.group_id, t.key) not in failed]
            together = await self._fire_together(todo) if len(todo) > 1 else None
            if together is not None:
                fired += together
            else:
                for timer in todo:
                    try:
                        fired += await self._fire(timer)
                    except Exception:
                        failed.add((timer.group_id, timer.key))
                        await self._postpone(timer)
            await self.storage.durable()
            if len(due) < TIMER_BATCH or not todo:
                return fired

    async def _fire_together(self, timers: Sequence[Timer]) -> int | None:
        """Fire ``timers`` in one transaction; None (having stored nothing) when
        they must be fired one by one."""
        async with self._locks.shared(), self._locks.groups({t.group_id for t in timers}):
            try:
                commits = await self._decide_timers(timers)
            except Exception:
                return None  # one of them fails: fired one by one, it fails alone
            if commits is None:
                return None
            try:
                if not await self._commit_many(commits):
                    return None  # one was moved or cancelled since it was read
            except Exception:
                return None  # said, and dealt with, timer by timer
            self._stored(commits)
        for timer in timers:
            self._timer_failures.pop((timer.group_id, timer.key), None)
        return len(commits)

    async def _decide_timers(self, timers: Sequence[Timer]) -> list[Commit] | None:
        """Each timer decided in order, on its group as the ones before it left it
        (with the closed proposal it names, if any, read from storage); None if a
        group is gone."""
        commits: list[Commit] = []
        states: dict[str, Group] = {}  # each group as the decisions so far leave it
        versions: dict[str, int] = {}  # and the version each of those will be stored at
        # The groups not in memory are read all at once: the storage's thread reads
        # one after another without waiting for each to be asked.
        await asyncio.gather(
            *(self.group(g) for g in {t.group_id for t in timers} if g not in self._groups)
        )
        for timer in timers:
            group = states.get(timer.group_id) or await self.group(timer.group_id)
            if group is None:
                return None
            # Both the state decided on and the state stored: the commit writes the change.
            group = with_proposals(group, await self._beyond_resident(group, timer.event))
            version = versions.get(group.id, self._groups.version(group.id))
            now = self.clock.now()
            decision = decide(group, timer.event, now)
            commits.append(
                self._commit(
                    group,
                    timer.event,
                    decision,
                    now,
                    version=version,
                    update_key=None,
                    fired_timer=timer.key,
                )
            )
            states[group.id] = decision.group
            if version is not None:
                versions[group.id] = version + 1
        return commits

    async def _fire(self, timer: Timer) -> bool:
        # A command may have moved or cancelled the timer since it was read:
        # then the commit finds it no longer due, and nothing is stored.
        async with self._locks.shared(), self._locks.groups([timer.group_id]):
            group = await self.group(timer.group_id)
            if group is None:
                log.warning("timer %s names a group that no longer exists", timer.key)
                group = Group(id=timer.group_id, settings=self.defaults)
            done = await self._apply(group, timer.event, fired_timer=timer.key)
        self._timer_failures.pop((timer.group_id, timer.key), None)
        return done.decision is not None

    async def _postpone(self, timer: Timer) -> None:
        """Log a failed timer with its group and move it on: 30 s, then twice as long
        each time it fails again, at most an hour."""
        where = (timer.group_id, timer.key)
        failures = self._timer_failures[where] = self._timer_failures.get(where, 0) + 1
        wait = min(TIMER_RETRY * 2 ** (failures - 1), TIMER_RETRY_MAX)
        log.exception(
            "timer %s of group %s failed (%d times); trying again in %d s",
            timer.key,
            timer.group_id,
            failures,
            wait.total_seconds(),
        )
        try:
            await self.storage.postpone_timer(timer.group_id, timer.key, self.clock.now() + wait)
        except Exception:
            log.exception("timer %s of group %s could not be moved", timer.key, timer.group_id)
        self.on_timers_changed()

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

    # -- what adapters ask ---------------------------------------------------------------
    # An adapter asks the application, never storage: these are the questions it has.

    async def note_card_posted(self, group_id: str, number: int, chat: str, ref: str) -> None:
        """Remember where a proposal's card was posted in ``chat`` (the platform's ``ref``)."""
        await self.storage.save_card_message(group_id, number, chat, ref)

    async def card_messages(self, group_id: str, number: int) -> dict[str, str]:
        """Where proposal ``number``'s card is, per chat: {chat: the platform's ref}."""
        return await self.storage.card_messages(group_id, number)

    async def card_at(self, chat: str, ref: str) -> tuple[str, int] | None:
        """(group id, number) of the card at message ``ref`` in ``chat``, or None."""
        return await self.storage.card_for_message(chat, ref)

    async def token_for(self, group_id: str, command: str, kind: TokenKind = "button") -> str:
        """The opaque token a button (or a deep link) carries for ``command``."""
        return await self.storage.action_token(group_id, command, kind)

    async def command_behind(
        self, token: str, kind: TokenKind = "button"
    ) -> tuple[str, str] | None:
        """(group id, command) behind a button's (or deep link's) token; None for a forged
        or unknown one, or one made for the other kind."""
        return await self.storage.action_for_token(token, kind)

    async def web_reader(self, secret: str) -> tuple[Group, datetime] | None:
        """The group whose web link carries ``secret``, with every proposal (closed
        ones read from storage, never held in memory), and the time to show it at;
        None for a link that is forged, made up, stopped or out of date (the page
        tells them apart for nobody). The group is read afresh on every call, so
        a ``forgetme`` or a new answer shows at once."""
        if not WEB_SECRET.fullmatch(secret):
            return None
        wanted = weblinks.digest(secret)
        group_id = await self.storage.group_with_web_link(wanted)
        group = await self.group(group_id) if group_id is not None else None
        if group is None:
            return None
        now = self.clock.now()
        works = False
        for kept, link in group.web_links.items():
            # Compared in constant time, every one: how long it takes tells nothing.
            if hmac.compare_digest(kept, wanted) and link.expires_at > now:
                works = True
        if not works:
            return None
        return with_proposals(group, await self.storage.read_proposals(group.id)), now

    async def group_id_of_chat(self, chat: str) -> str | None:
        """The id of the group ``chat`` belongs to, or None."""
        return await self.storage.group_for_chat(chat)

    async def already_seen(self, update_key: str) -> bool:
        """Whether the platform's update was stored before (seen and answered)."""
        return await self.storage.seen_update(update_key)

    async def recall(self, key: str) -> str | None:
        """A value the adapter remembered under ``key`` (its own memory), or None."""
        return await self.storage.get_value(key)

    async def remember(self, *values: Remember) -> None:
        """Remember values that change on their own, with no command (a sync token, a
        moved chat). What changes with a command goes with it: ``submit(remember=...)``."""
        for each in values:
            await self.storage.set_value(each.key, each.value, each.about)

    async def next_timer_due(self) -> datetime | None:
        """When the next timer is due, or None."""
        return await self.storage.next_timer_due()

    async def draw_card(self, delivery: Delivery) -> Delivery | None:
        """A card's edit with the card drawn from the group's state now; None when the
        proposal is gone (purged since): nothing is left to show.

        The one place a card is drawn: ``EditCard`` says only that a card changed,
        and the delivery loop asks here when the edit goes out, so a burst of
        responses costs one drawing per edit actually sent."""
        effect = delivery.effect
        assert isinstance(effect, EditCard)
        group = await self.group(delivery.group_id)
        proposal = await self.proposal(delivery.group_id, effect.number)
        if group is None or proposal is None:
            return None
        document = card(group, proposal, self.clock.now())
        return replace(delivery, effect=replace(effect, document=document))

    async def newer_edit_waiting(self, delivery: Delivery) -> bool:
        """Whether a later edit of the same card waits to go to the same chat, so that
        ``delivery`` (a card's edit) need not be drawn at all."""
        effect = delivery.effect
        if not isinstance(effect, EditCard):
            return False
        waiting = await self.storage.pending_deliveries(self.clock.now(), 500)
        return any(
            other.id > delivery.id
            and other.target == delivery.target
            and other.group_id == delivery.group_id
            and isinstance(other.effect, EditCard)
            and other.effect.number == effect.number
            for other in waiting
        )


def _holds(outgoing: Sequence[Outgoing]) -> bool:
    return any(o.held and o.targets for o in outgoing)


def _kept(remember: Sequence[Remember], decision: Decision) -> tuple[Remember, ...]:
    """What of the adapter's memory a decided command stores (see ``Remember.if_accepted``)."""
    return tuple(each for each in remember if not (each.if_accepted and decision.refused))
