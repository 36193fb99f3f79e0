"""Whether Telegram vouches that a person is in a group's chat.

Telegram cannot list a group's members, and in a public group (or a channel's
discussion group) people who never joined can see a card and press its buttons,
react, or even comment. The bot learns someone new only when Telegram says they
are in the chat: ``getChatMember`` answers member, administrator, creator, or
restricted with ``is_member``. It is asked once per person the group does not
know yet; a yes makes them a member (so it is never asked again), and a no is
remembered for a few minutes, so an outsider pressing again and again costs one
question, not one each. Someone joining the chat is asked again at once.
"""

from __future__ import annotations

import logging
import time

from telegram import Bot, User
from telegram.error import BadRequest, Forbidden, TelegramError

from adapters.telegram import ids
from adapters.telegram.roster import is_in_chat
from bot.app import Application

log = logging.getLogger("deciding_together.telegram")

# How long a "not in the chat" answer is trusted before Telegram is asked again.
REFUSAL_MEMORY = 300.0


class AskLater(Exception):
    """Telegram could not be asked who is in the chat (an outage, a pause it asked
    for): the update is handled again later, not refused, since no answer came."""


class Vouching:
    def __init__(self, app: Application, bot: Bot) -> None:
        self.app = app
        self.bot = bot
        self._not_in_chat: dict[tuple[int, int], float] = {}  # (chat, user) -> when asked

    async def present(self, chat_id: int, user: User, group_id: str | None = None) -> bool:
        """True when the group counts the person already, or Telegram says they are in
        the chat; False when Telegram says they are not. Raises :class:`AskLater` when
        Telegram cannot be asked now."""
        if await self._known(chat_id, user, group_id):
            return True
        where = (chat_id, user.id)
        asked = self._not_in_chat.get(where)
        if asked is not None and time.monotonic() - asked < REFUSAL_MEMORY:
            return False
        try:
            member = await self.bot.get_chat_member(chat_id, user.id)
        except (BadRequest, Forbidden) as error:
            # Telegram's answer is no: it knows no such member of this chat.
            log.info("Telegram does not vouch for a person in chat %s: %s", chat_id, error)
            member = None
        except TelegramError as error:
            raise AskLater(f"could not ask Telegram who is in chat {chat_id}: {error}") from error
        if member is not None and is_in_chat(member):
            self._not_in_chat.pop(where, None)
            return True
        self._not_in_chat[where] = time.monotonic()
        return False

    def joined(self, chat_id: int, user_id: int) -> None:
        """Telegram said the person joined the chat: forget that they were not in it."""
        self._not_in_chat.pop((chat_id, user_id), None)

    async def _known(self, chat_id: int, user: User, group_id: str | None) -> bool:
        group = (
            await self.app.group(group_id)
            if group_id is not None
            else await self.app.group_of_chat(ids.chat_key(chat_id))
        )
        if group is None:
            return False
        # Only someone still counted: a person who left comes back by rejoining the
        # chat, which Telegram is asked about like anyone new.
        member = group.member_by_identity(ids.identity(user.id))
        return member is not None and member.active
