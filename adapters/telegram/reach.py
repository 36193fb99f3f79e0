"""Reaching Telegram: what its errors mean, in plain words, and calling it until it answers.

A network that is down, a Telegram that asks the bot to wait, or a broken answer
from its front are waited out (``bot.reaching``, the same retry as Matrix's); a
refused token is final (:class:`TelegramSetupError`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.reaching import AccessRefused, NotReached, patiently

T = TypeVar("T")


class TelegramSetupError(AccessRefused):
    """The adapter cannot start as configured; the message says what to change."""


TOKEN_REFUSED = (
    "Telegram does not accept the bot token. Check [telegram] token (or the environment "
    "variable DT_TELEGRAM_TOKEN): copy it again from @BotFather, then start the bot again."
)


def trouble(error: TelegramError) -> NotReached | None:
    """A Telegram error that a pause may cure, in plain words; None for any other."""
    if isinstance(error, RetryAfter):
        return NotReached("Telegram asked the bot to wait a little.", _seconds(error.retry_after))
    if isinstance(error, TimedOut) or (
        isinstance(error, NetworkError) and error.message.startswith("httpx.")
    ):
        return NotReached("I can't reach Telegram. Is this computer online?")
    if isinstance(error, NetworkError):  # an answer, but a broken one: a 502 from its front
        return NotReached(f"Telegram is not answering properly right now ({error.message}).")
    return None


async def reach(call: Callable[[], Awaitable[T]]) -> T:
    """Call Telegram until it answers (see ``bot.reaching``); a refused token is final."""

    async def attempt() -> T:
        try:
            return await call()
        except InvalidToken as error:
            raise TelegramSetupError(TOKEN_REFUSED) from error
        except TelegramError as error:
            problem = trouble(error)
            if problem is None:
                raise
            raise problem from error

    return await patiently(attempt)


def _seconds(retry_after: timedelta | float) -> float:
    """python-telegram-bot 22 gives seconds, or a timedelta when PTB_TIMEDELTA is set."""
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after
