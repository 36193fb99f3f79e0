"""Who is in the chat, and where the chat is: joins, leaves, the bot removed, chats that moved.

Telegram has no way to list a group's members, so the roster is built from
what the bot sees: people joining and leaving (``chat_member`` updates, sent
only while the bot is an administrator, and the service messages everyone
gets), and people who speak or press a button. A join or leave that changes
nothing (the same join seen twice, someone leaving who never took part) is
not submitted, so the group does not hear "you are already a member".

A basic group that becomes a supergroup gets a new chat id. The group keeps
everything under the new id (``ChatMoved``), and the move is remembered so
deliveries already waiting for the old id go to the new one.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import Chat, ChatMember, ChatMemberRestricted, ChatMemberUpdated, User
from telegram.constants import ChatMemberStatus, ChatType

from adapters.telegram import ids
from adapters.telegram.memory import OPEN, REFUSED, Memory
from bot.app import Application

if TYPE_CHECKING:
    from adapters.telegram.vouching import Vouching
from bot.core.commands import Actor, ChatGone, ChatMoved, Join, Leave

log = logging.getLogger("deciding_together.telegram")

IN_CHAT = frozenset(
    {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER}
)


def is_in_chat(member: ChatMember) -> bool:
    if isinstance(member, ChatMemberRestricted):
        return member.is_member
    return member.status in IN_CHAT


class Roster:
    def __init__(
        self, app: Application, memory: Memory, platform_actor: Actor, vouching: Vouching
    ) -> None:
        self.app = app
        self.memory = memory
        self.vouching = vouching
        # Who a change is recorded as when no person made it (a failed send told us).
        self.platform_actor = platform_actor

    # -- people ----------------------------------------------------------------------------

    async def member_changed(self, change: ChatMemberUpdated, key: str) -> None:
        """A ``chat_member`` update: someone joined, left or was removed."""
        if change.chat.type == ChatType.PRIVATE:
            return
        was, now = is_in_chat(change.old_chat_member), is_in_chat(change.new_chat_member)
        if was != now:
            await self.joined_or_left(change.chat, change.new_chat_member.user, now, key)

    async def joined_or_left(self, chat: Chat, user: User, joined: bool, key: str) -> None:
        if user.is_bot or user.id in ids.ANONYMOUS_ACCOUNTS:
            return
        if joined:
            self.vouching.joined(chat.id, user.id)
        group = await self.app.group_of_chat(ids.chat_key(chat.id))
        if group is None:
            return  # no group here yet: it starts when someone speaks to the bot
        member = group.member_by_identity(ids.identity(user.id))
        if (member is not None and member.active) == joined:
            return
        await self.app.submit(
            chat=ids.chat_key(chat.id),
            actor=ids.actor(user),
            action=Join() if joined else Leave(left_chat=True),
            present=joined,
            group_id=group.id,
            update_key=key,
            chat_title=chat.title or "",
        )

    # -- the bot itself --------------------------------------------------------------------

    async def bot_changed(self, change: ChatMemberUpdated, key: str) -> None:
        """A ``my_chat_member`` update: the bot was added, removed, blocked or unblocked."""
        present = is_in_chat(change.new_chat_member)
        if change.chat.type == ChatType.PRIVATE:
            # In a private chat "kicked" means the person blocked the bot.
            await self.memory.set_private_status(change.chat.id, OPEN if present else REFUSED)
            return
        if present:
            await self._back(change, key)
            return
        chat = ids.chat_key(change.chat.id)
        group = await self.app.group_of_chat(chat)
        if group is None:
            return
        log.info("the bot was removed from %s", chat)
        await self.memory.chat_left(change.chat.id, group.id)
        await self.app.submit(
            chat=chat,
            actor=ids.actor(change.from_user),
            action=ChatGone(chat),
            present=False,
            group_id=group.id,
            update_key=key,
        )

    async def _back(self, change: ChatMemberUpdated, key: str) -> None:
        """The bot was added to a chat it was removed from: the chat rejoins its group.

        Without this, the next words there would start a new, empty group, which
        for a group's first chat would even share the old group's id."""
        chat = ids.chat_key(change.chat.id)
        group_id = await self.memory.group_left(change.chat.id)
        group = await self.app.group(group_id) if group_id is not None else None
        if group is None or chat in group.chats or await self.app.group_of_chat(chat):
            return
        log.info("the bot is back in %s", chat)
        # ChatMoved keeps a group's everything under a chat id, adding the chat when the
        # group lacks it: here the chat "moves" back to where it was.
        await self.app.submit(
            chat=chat,
            actor=ids.actor(change.from_user),
            action=ChatMoved(chat, chat),
            present=False,
            group_id=group.id,
            update_key=key,
        )

    # -- moved chats -----------------------------------------------------------------------

    async def chat_moved(self, old: int, new: int, key: str, by: User | None = None) -> None:
        """The chat ``old`` is now ``new`` (a group became a supergroup)."""
        if old == new:
            return
        await self.memory.chat_moved(old, new)
        group = await self.app.group_of_chat(ids.chat_key(old))
        if group is None:
            return  # no group there, or the move is already known
        log.info("chat %s moved to %s", old, new)
        await self.app.submit(
            chat=ids.chat_key(old),
            actor=ids.actor(by) if by is not None else self.platform_actor,
            action=ChatMoved(ids.chat_key(old), ids.chat_key(new)),
            present=False,
            group_id=group.id,
            update_key=key,
        )

    async def moved_while_sending(self, old: int, new: int) -> None:
        """Telegram answered a send with ``ChatMigrated``."""
        await self.chat_moved(old, new, f"telegram:migrated:{old}:{new}")
