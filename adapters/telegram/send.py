"""Sending to Telegram: paced, following moved chats, one call at a time.

Every message and edit waits for its turn (:mod:`pacing`). A chat that became
a supergroup answers with ``ChatMigrated``: the move is reported (so the group
keeps the new chat) and the message goes to the new chat at once. Telegram's
other errors are left to the caller, which knows what they mean for its kind
of message, and then to :func:`failure`, which says what they mean for the
delivery loop.
"""

from __future__ import annotations

import html as html_text
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from adapters.telegram.memory import Memory
from adapters.telegram.pacing import Pacer, TooLong
from bot.app import DeliveryFailed, Undeliverable

log = logging.getLogger("deciding_together.telegram")

T = TypeVar("T")
Markup = InlineKeyboardMarkup | ForceReply | None
# Link previews would turn a link in someone's proposal into a large picture.
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def says(error: TelegramError, *words: str) -> bool:
    """Whether Telegram's error message contains any of ``words`` (case-insensitive)."""
    message = error.message.lower()
    return any(word in message for word in words)


def failure(error: Exception) -> Exception:
    """What a Telegram error means for the delivery loop."""
    if isinstance(error, TooLong):
        return DeliveryFailed(str(error), retry_after=error.wait)
    if isinstance(error, RetryAfter):
        return DeliveryFailed(
            "Telegram asked to slow down", retry_after=_seconds(error.retry_after)
        )
    if isinstance(error, Forbidden):
        return Undeliverable(f"Telegram refused: {error.message}")
    if isinstance(error, BadRequest):
        # A request Telegram will never accept (a chat that no longer exists, a
        # message it cannot take): trying again cannot help.
        return Undeliverable(f"Telegram cannot take this: {error.message}")
    if isinstance(error, NetworkError):  # timeouts, 5xx, dropped connections
        return DeliveryFailed(f"Telegram could not be reached: {error.message}")
    return error


class Sender:
    def __init__(
        self,
        bot: Bot,
        pacer: Pacer,
        memory: Memory,
        on_moved: Callable[[int, int], Awaitable[None]],
    ) -> None:
        self.bot = bot
        self.pacer = pacer
        self.memory = memory
        self.on_moved = on_moved

    async def current_chat(self, chat_id: int) -> int:
        """The chat's id now, after any moves."""
        return await self.memory.moved_to(chat_id) or chat_id

    async def send_text(
        self,
        chat_id: int,
        parts: list[str],
        markup: Markup = None,
        *,
        reply_to: int | None = None,
        patient: bool = False,
    ) -> Message:
        """Send the parts of a message in order, the markup on the last; returns the last."""
        sent: Message | None = None
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            sent = await self._send_one(
                chat_id, part, markup if last else None, reply_to if index == 0 else None, patient
            )
            chat_id = sent.chat.id  # later parts follow a move of the first
        assert sent is not None
        return sent

    async def _send_one(
        self, chat_id: int, html: str, markup: Markup, reply_to: int | None, patient: bool
    ) -> Message:
        reply = (
            ReplyParameters(reply_to, allow_sending_without_reply=True)
            if reply_to is not None
            else None
        )

        async def send(to: int, text: str, mode: str | None) -> Message:
            return await self.bot.send_message(
                to,
                text,
                parse_mode=mode,
                reply_markup=markup,
                reply_parameters=reply,
                link_preview_options=NO_PREVIEW,
            )

        try:
            return await self.call(chat_id, lambda to: send(to, html, ParseMode.HTML), patient)
        except BadRequest as error:
            if not says(error, "can't parse entities"):
                raise
            # Our HTML should always parse; if it ever does not, the words still matter
            # more than their bold type.
            log.error("Telegram could not read a message's HTML (%s); sending it plain", error)
            plain = _strip_tags(html)
            return await self.call(chat_id, lambda to: send(to, plain, None), patient)

    async def edit_text(
        self, chat_id: int, message_id: int, html: str, markup: InlineKeyboardMarkup | None
    ) -> bool:
        """Edit a message; False when it is gone or can no longer be edited."""
        try:
            await self.call(
                chat_id,
                lambda to: self.bot.edit_message_text(
                    html,
                    chat_id=to,
                    message_id=message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    link_preview_options=NO_PREVIEW,
                ),
                follow_moves=False,  # a message id means nothing in another chat
            )
        except BadRequest as error:
            if says(error, "not modified"):
                return True  # it already shows exactly this
            if says(error, "not found", "can't be edited", "message_id_invalid"):
                return False
            raise
        except ChatMigrated:
            return False
        return True

    async def send_document(
        self, chat_id: int, filename: str, content: bytes, caption: str | None
    ) -> Message:
        return await self.call(
            chat_id,
            lambda to: self.bot.send_document(
                to,
                InputFile(content, filename=filename),
                caption=caption,
                parse_mode=ParseMode.HTML if caption else None,
            ),
        )

    async def call(
        self,
        chat_id: int,
        send: Callable[[int], Awaitable[T]],
        patient: bool = False,
        *,
        follow_moves: bool = True,
    ) -> T:
        """Wait for the chat's turn and make one call, following the chat if it moved."""
        chat_id = await self.current_chat(chat_id)
        for _move in range(3):
            try:
                # The message counts against the limits until its answer is in.
                async with self.pacer.turn(chat_id, patient=patient):
                    return await send(chat_id)
            except RetryAfter as slow_down:
                # Our count and Telegram's disagreed: every sender keeps off this chat
                # for as long as Telegram asked, not only the one that was refused.
                self.pacer.hold(chat_id, _seconds(slow_down.retry_after))
                raise
            except ChatMigrated as moved:
                if not follow_moves:
                    raise
                await self.on_moved(chat_id, moved.new_chat_id)
                chat_id = moved.new_chat_id
        raise DeliveryFailed("the chat keeps moving; trying again later")


def _seconds(retry_after: timedelta | float) -> float:
    """python-telegram-bot 22 gives seconds, or a timedelta when PTB_TIMEDELTA is set."""
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)


def _strip_tags(html: str) -> str:
    return html_text.unescape(re.sub(r"<[^>]+>", "", html))
