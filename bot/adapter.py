"""What the application expects of a chat platform's adapter.

An adapter turns platform events into calls to :meth:`Application.submit` and
turns deliveries from the outbox into platform messages. It is thin: no
decision is made in an adapter, only translation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from storage.interface import Delivery

if TYPE_CHECKING:
    from bot.app import Application


class DeliveryFailed(Exception):
    """A delivery did not go through this time; it will be tried again.

    ``retry_after`` is what the platform asked for (Telegram's ``retry_after``,
    Matrix's ``retry_after_ms``), in seconds."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Undeliverable(Exception):
    """A delivery can never go through (the bot was removed from the chat).

    It is recorded as such in the outbox, never silently dropped."""


class Adapter(Protocol):
    platform: str  # the prefix of its chats and identities: "telegram", "matrix", "console"

    async def start(self, app: Application) -> None: ...

    async def stop(self) -> None: ...

    async def deliver(self, delivery: Delivery) -> str | None:
        """Send one delivery; return the platform's id of what was posted (a card's
        message id), or None. Raise DeliveryFailed or Undeliverable."""
        ...

    def ready_in(self, target: str) -> float:
        """Seconds until the platform's pacing lets a message go to ``target``; 0 for a
        platform without one. The delivery loop waits that long before it draws a
        card's edit, rather than draw it and then wait."""
        ...


def platform_of(target: str) -> str:
    """ "telegram:-100" → "telegram"; "dm:matrix:@sam:x" → "matrix"."""
    if target.startswith("dm:"):
        target = target[3:]
    return target.split(":", 1)[0]
