"""Looking at what the bot did: its messages, its calls, its answers, and waiting for them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from .commands import scope_key
from .objects import FakeChat, JSONDict, StoredMessage
from .records import CallbackAnswer, CallRecord
from .state import ChatRef, TelegramState


class Looking(TelegramState):
    """What a test reads back from the fake, and how it waits for the bot."""

    def chat(self, chat_id: int) -> FakeChat:
        return self._chat(chat_id)

    def message(self, chat: ChatRef, message_id: int) -> StoredMessage:
        """A message in its current state (deleted ones too: see ``deleted``)."""
        return self._message(self._chat(chat), message_id)

    def bot_messages(self, chat: ChatRef) -> list[StoredMessage]:
        """The bot's messages in a chat that are not deleted, oldest first."""
        room = self._chat(chat)
        return [m for m in room.messages.values() if m.from_bot and not m.deleted]

    def last_bot_message(self, chat: ChatRef) -> StoredMessage | None:
        messages = self.bot_messages(chat)
        return messages[-1] if messages else None

    def calls_to(self, method: str) -> list[CallRecord]:
        """The requests for one method (case-insensitive), oldest first."""
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def answer_for(self, callback_query_id: str) -> CallbackAnswer | None:
        return self.callback_queries[callback_query_id].answer

    def my_commands(
        self, scope: JSONDict | None = None, language_code: str = ""
    ) -> list[JSONDict] | None:
        """The commands set for a scope and language, or None if never set."""
        return self._commands.get((scope_key(scope), language_code))

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates queued for the bot and not yet confirmed."""
        return list(self._pending)

    @property
    def allowed_updates(self) -> list[str] | None:
        """The server-side allowed_updates setting (None means Telegram's default)."""
        return None if self._allowed_updates is None else list(self._allowed_updates)

    @property
    def webhook_url(self) -> str | None:
        return self._webhook.url if self._webhook else None

    async def wait_for(
        self, condition: Callable[[], Any], timeout: float = 5.0, what: str = "condition"
    ) -> Any:
        """Wait until ``condition()`` is truthy and return its value."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not (value := condition()):
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
            await self._wait_change(remaining)
        return value

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[CallRecord], bool] | None = None,
        *,
        since: int = 0,
        timeout: float = 5.0,
    ) -> CallRecord:
        """The first answered call of ``method`` at index >= ``since`` in :attr:`calls`."""

        def find() -> CallRecord | None:
            for call in self.calls[since:]:
                answered = call.status is not None or call.fault is not None
                if (
                    call.method.lower() == method.lower()
                    and answered
                    and (predicate is None or predicate(call))
                ):
                    return call
            return None

        return await self.wait_for(find, timeout, f"a {method} call")

    async def wait_for_answer(self, callback_query_id: str, timeout: float = 5.0) -> CallbackAnswer:
        """The bot's answerCallbackQuery for a button press."""
        return await self.wait_for(
            lambda: self.callback_queries[callback_query_id].answer,
            timeout,
            f"an answer to callback query {callback_query_id}",
        )

    async def wait_for_bot_message(
        self,
        chat: ChatRef,
        predicate: Callable[[StoredMessage], bool] | None = None,
        *,
        after: int = 0,
        timeout: float = 5.0,
    ) -> StoredMessage:
        """The first bot message in ``chat`` with an id above ``after`` matching ``predicate``."""
        room = self._chat(chat)

        def find() -> StoredMessage | None:
            for message in self.bot_messages(room):
                if message.message_id > after and (predicate is None or predicate(message)):
                    return message
            return None

        return await self.wait_for(find, timeout, f"a bot message in chat {room.id}")

    async def wait_until_consumed(self, timeout: float = 5.0) -> None:
        """Wait until the bot confirmed every queued update (fetched, not necessarily handled)."""
        await self.wait_for(lambda: not self._pending, timeout, "the update queue to drain")
