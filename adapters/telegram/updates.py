"""Each Telegram update, to the part of the adapter that reads it.

An update is handled completely — decided and committed by the application —
before it counts as done; only then does polling confirm it to Telegram or the
webhook answer 200. If the process stops in between, Telegram sends it again,
and the application's inbox (keyed ``telegram:update:<update_id>``) drops the
repeat.

An update that fails is tried again. One that keeps failing with an
unexpected error (a bug, not an outage) is given up after a few tries and
logged, so that it cannot hold up every update behind it; storage errors are
never given up on, since they are about the database, not the update.
"""

from __future__ import annotations

import logging
from collections import Counter

from telegram import Update

from adapters.telegram.gestures import Gestures
from adapters.telegram.messages import Messages
from adapters.telegram.roster import Roster
from storage.interface import StorageError

log = logging.getLogger("deciding_together.telegram")

#: The updates the bot asks for. Edited messages are left out on purpose: an edit
#: must not change a response after the fact.
ALLOWED_UPDATES = ("message", "callback_query", "message_reaction", "chat_member", "my_chat_member")

GIVE_UP_AFTER = 3


def update_key(update: Update) -> str:
    return f"telegram:update:{update.update_id}"


class Updates:
    def __init__(self, messages: Messages, gestures: Gestures, roster: Roster) -> None:
        self.messages = messages
        self.gestures = gestures
        self.roster = roster
        self._failures: Counter[int] = Counter()

    async def handle(self, update: Update) -> None:
        key = update_key(update)
        if update.message is not None:
            await self.messages.handle(update.message, key)
        elif update.callback_query is not None:
            await self.gestures.press(update.callback_query, key)
        elif update.message_reaction is not None:
            await self.gestures.react(update.message_reaction, key)
        elif update.chat_member is not None:
            await self.roster.member_changed(update.chat_member, key)
        elif update.my_chat_member is not None:
            await self.roster.bot_changed(update.my_chat_member, key)

    async def process(self, update: Update) -> bool:
        """Handle one update: True when it is done with, False to try it again later."""
        try:
            await self.handle(update)
        except StorageError as problem:
            log.error(
                "could not store Telegram update %s, will try again: %s", update.update_id, problem
            )
            return False
        except Exception:
            self._failures[update.update_id] += 1
            if self._failures[update.update_id] < GIVE_UP_AFTER:
                log.warning(
                    "Telegram update %s failed; trying again", update.update_id, exc_info=True
                )
                return False
            log.exception(
                "Telegram update %s failed %d times; skipping it", update.update_id, GIVE_UP_AFTER
            )
        self._failures.pop(update.update_id, None)
        return True
