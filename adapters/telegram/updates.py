"""Each Telegram update, to the part of the adapter that reads it.

An update is handled completely — decided and committed by the application —
before it counts as done; only then does polling confirm it to Telegram or the
webhook answer 200. If the process stops in between, Telegram sends it again,
and the application's inbox (keyed ``telegram:update:<update_id>``) drops the
repeat.

An update that fails is tried again. One that keeps failing with an
unexpected error (a bug, not an outage) is given up after a few tries and
logged, so that it cannot hold up every update behind it; database errors, and
Telegram not answering who is in a chat, are never given up on, since they are
about an outage, not the update.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence

from telegram import Update

from adapters.telegram.gestures import Gestures, Press
from adapters.telegram.messages import Messages
from adapters.telegram.roster import Roster
from adapters.telegram.vouching import AskLater
from bot.app import StorageError

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

    async def process_many(
        self, updates: Sequence[Update], stopping: Callable[[], bool] = lambda: False
    ) -> int:
        """Handle a batch of updates in order; returns how many of them, from the first,
        are done with (the rest are fetched again later).

        Button presses that follow one another are decided together and stored
        in one transaction (:meth:`Gestures.press_many`): one durable write for
        the lot instead of one each. Every other update is handled on its own."""
        done = 0
        while done < len(updates) and not stopping():
            presses: list[tuple[Update, Press]] = []
            for update in updates[done:]:
                query = update.callback_query
                press = await self.gestures.plain(query, update_key(update)) if query else None
                if press is None:
                    break
                presses.append((update, press))
            if len(presses) < 2:
                if not await self.process(updates[done]):
                    return done
                done += 1
                continue
            handled = await self._presses(presses)
            done += handled
            if handled < len(presses):
                return done
        return done

    async def _presses(self, presses: list[tuple[Update, Press]]) -> int:
        """Presses together; how many are done with."""
        try:
            await self.gestures.press_many([press for _update, press in presses])
        except (StorageError, AskLater) as problem:
            log.error("could not take %d button presses, will try again: %s", len(presses), problem)
            return 0
        except Exception:
            # A bug, not an outage: each press on its own, so only a bad one is given up.
            log.warning(
                "%d button presses failed together; one by one now", len(presses), exc_info=True
            )
            for done, (update, _press) in enumerate(presses):
                if not await self.process(update):
                    return done
        return len(presses)

    async def process(self, update: Update) -> bool:
        """Handle one update: True when it is done with, False to try it again later."""
        try:
            await self.handle(update)
        except StorageError as problem:
            log.error(
                "could not store Telegram update %s, will try again: %s", update.update_id, problem
            )
            return False
        except AskLater as problem:
            log.warning("Telegram update %s waits: %s", update.update_id, problem)
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
