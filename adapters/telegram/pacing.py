"""Outgoing pacing: staying under Telegram's flood limits instead of hitting them.

Telegram documents its limits as counts per window: about one message a second
in a chat, twenty a minute in a group, thirty a second overall. Going over
them earns a 429 and a pause that can last far longer than the burst itself,
so every message (and every edit: Telegram counts those too) waits for its
turn here before it is sent.

Each limit is kept as a sliding window of the times messages were sent. A
token bucket would be smoother, but a bucket that allows a burst of twenty
lets forty through in some sixty seconds; a window never does. A small margin
on every window absorbs the difference between when we send and when Telegram
counts.

A turn that is far off is not waited for: :class:`TooLong` says how long it
is, and the delivery loop tries again then, instead of holding a send open.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Window:
    """At most ``count`` messages in any ``seconds`` long stretch of time."""

    count: int
    seconds: float


@dataclass(frozen=True, slots=True)
class Limits:
    per_chat: Window = Window(1, 1.0)
    per_group: Window = Window(20, 60.0)
    overall: Window = Window(30, 1.0)
    margin: float = 0.1  # seconds added to every window, for network jitter
    longest_wait: float = 10.0  # a turn further off than this is handed back


#: Telegram's documented limits (core.telegram.org/bots/faq).
TELEGRAM_LIMITS = Limits()


class TooLong(Exception):
    """The next turn is more than ``Limits.longest_wait`` away."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"the next turn to send is {wait:.1f} s away")
        self.wait = wait


@dataclass
class Pacer:
    """Gives out turns to send, per chat, per group and overall."""

    limits: Limits = TELEGRAM_LIMITS
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _sent: dict[tuple[str, int], deque[float]] = field(default_factory=dict)

    async def turn(self, chat_id: int, *, patient: bool = False) -> None:
        """Wait until a message to ``chat_id`` may go, and count it as sent.

        Raises :class:`TooLong` when the wait would be long, unless ``patient``
        (for answers that are not stored anywhere, so cannot be tried later)."""
        windows = self._windows(chat_id)
        while True:
            now = self.clock()
            wait = max(self._wait(key, window, now) for key, window in windows)
            if wait <= 0:
                # Checking and counting happen without a pause in between, so
                # two senders can never take the same turn.
                for key, _window in windows:
                    self._sent.setdefault(key, deque()).append(now)
                return
            if wait > self.limits.longest_wait and not patient:
                raise TooLong(wait)
            await self.sleep(wait)

    def _windows(self, chat_id: int) -> list[tuple[tuple[str, int], Window]]:
        windows = [(("chat", chat_id), self.limits.per_chat), (("all", 0), self.limits.overall)]
        if chat_id < 0:  # groups and supergroups have negative ids
            windows.append((("group", chat_id), self.limits.per_group))
        return windows

    def _wait(self, key: tuple[str, int], window: Window, now: float) -> float:
        span = window.seconds + self.limits.margin
        sent = self._sent.get(key)
        if not sent:
            return 0.0
        while sent and sent[0] <= now - span:
            sent.popleft()
        if len(sent) < window.count:
            return 0.0
        # The turn comes when the oldest send that still counts leaves the window.
        return sent[len(sent) - window.count] + span - now
