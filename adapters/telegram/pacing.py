"""Outgoing pacing: staying under Telegram's flood limits instead of hitting them.

Telegram documents its limits as counts per window: about one message a second
in a chat, twenty a minute in a group, thirty a second overall. Going over
them earns a 429 and a pause that can last far longer than the burst itself,
so every message (and every edit: Telegram counts those too) waits for its
turn here before it is sent.

Each limit is kept as a sliding window of the messages sent. A token bucket
would be smoother, but a bucket that allows a burst of twenty lets forty
through in some sixty seconds; a window never does.

When does Telegram count a message? Somewhere between the moment we sent the
request and the moment its answer came back; on a busy machine or network
that can be a long stretch, and a fixed margin was sometimes not enough. So a
message holds its place in the windows from its turn (before the request goes
out) until its answer arrived, plus the window's length: a message still in
flight counts without end. Then the next message's arrival is always a whole
window after the previous one's, however late either of them was seen, and
no margin is needed (``Limits.margin`` adds one for a server that counts
differently). On a quiet machine the answer comes within milliseconds, so
this costs next to nothing in throughput.

Should Telegram answer 429 all the same, :meth:`Pacer.hold` keeps every sender
off that chat for as long as it asked.

A turn that is far off is not waited for: :class:`TooLong` says how long it
is, and the delivery loop tries again then, instead of holding a send open.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
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
    margin: float = 0.0  # seconds added to every window (sends already count until answered)
    longest_wait: float = 10.0  # a turn further off than this is handed back


#: Telegram's documented limits (core.telegram.org/bots/faq).
TELEGRAM_LIMITS = Limits()

Key = tuple[str, int]


class TooLong(Exception):
    """The next turn is more than ``Limits.longest_wait`` away."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"the next turn to send is {wait:.1f} s away")
        self.wait = wait


@dataclass(slots=True)
class _Send:
    """One message in the windows: from its turn until its answer came (``inf`` until then)."""

    turn: float
    answered: float = math.inf


@dataclass
class Pacer:
    """Gives out turns to send, per chat, per group and overall."""

    limits: Limits = TELEGRAM_LIMITS
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _sent: dict[Key, deque[_Send]] = field(default_factory=dict)
    _held: dict[int, float] = field(default_factory=dict)  # chat id → no send before this
    # Set (and replaced) whenever a send is answered: a sender waiting for one looks again.
    _answered: asyncio.Event | None = None
    _queue: asyncio.Lock = field(default_factory=asyncio.Lock)

    @asynccontextmanager
    async def turn(self, chat_id: int, *, patient: bool = False) -> AsyncIterator[None]:
        """Wait until a message to ``chat_id`` may go; send it inside the block.

        The message counts from now until the block ends (its answer came, or
        it failed). Raises :class:`TooLong` when the wait would be long, unless
        ``patient`` (for answers that are not stored anywhere, so cannot be
        tried later)."""
        send = await self._take(chat_id, patient)
        try:
            yield
        finally:
            send.answered = self.clock()
            if self._answered is not None:
                self._answered.set()
                self._answered = None

    def ready_in(self, chat_id: int) -> float:
        """Seconds until the chat's own limits (and a 429's pause) let a message go to
        ``chat_id`` (0: now). The overall limit is left out: its wait is short, and
        is waited for in :meth:`turn`. A send still in flight is taken to be
        answered now, so this may be a little early."""
        now = self.clock()
        wait = self._held_for(chat_id, now)
        for key, window in self._own_windows(chat_id):
            wait = max(wait, self._wait(key, window, now, now))
        return wait

    def hold(self, chat_id: int, seconds: float) -> None:
        """Telegram answered 429 for ``chat_id``: nothing goes there for ``seconds``."""
        until = self.clock() + seconds
        self._held[chat_id] = max(until, self._held.get(chat_id, until))

    async def _take(self, chat_id: int, patient: bool) -> _Send:
        # The chat's own limits first, each sender on its own; then the overall one,
        # one sender at a time in the order they came (the lock is fair), so that a
        # freed turn wakes one sender, not every one of hundreds of chats waiting.
        await self._wait_for(chat_id, self._own_windows(chat_id), patient)
        async with self._queue:
            windows = [*self._own_windows(chat_id), (("all", 0), self.limits.overall)]
            send = await self._wait_for(chat_id, windows, patient, take=True)
            assert send is not None
            return send

    async def _wait_for(
        self, chat_id: int, windows: list[tuple[Key, Window]], patient: bool, take: bool = False
    ) -> _Send | None:
        """Wait until every one of ``windows`` has room; then ``take`` the turn in them."""
        while True:
            now = self.clock()
            held = self._held_for(chat_id, now)
            waits = [self._wait(key, window, now, math.inf) for key, window in windows]
            wait = max(held, *waits)
            if wait <= 0:
                if not take:
                    return None
                # Checking and counting happen without a pause in between, so
                # two senders can never take the same turn.
                send = _Send(now)
                for key, _window in windows:
                    self._sent.setdefault(key, deque()).append(send)
                return send
            if wait == math.inf:
                # Only an answer can free a turn: how long it will take is unknown.
                estimate = max(held, *(self._wait(k, w, now, now) for k, w in windows))
                if estimate > self.limits.longest_wait and not patient:
                    raise TooLong(estimate)
                if self._answered is None:
                    self._answered = asyncio.Event()
                await self._answered.wait()
                continue
            if wait > self.limits.longest_wait and not patient:
                raise TooLong(wait)
            await self.sleep(wait)

    def _held_for(self, chat_id: int, now: float) -> float:
        until = self._held.get(chat_id)
        if until is None:
            return 0.0
        if until <= now:
            del self._held[chat_id]
            return 0.0
        return until - now

    def _own_windows(self, chat_id: int) -> list[tuple[Key, Window]]:
        """The chat's limits (the overall one is shared by every chat)."""
        windows = [(("chat", chat_id), self.limits.per_chat)]
        if chat_id < 0:  # groups and supergroups have negative ids
            windows.append((("group", chat_id), self.limits.per_group))
        return windows

    def _wait(self, key: Key, window: Window, now: float, in_flight: float) -> float:
        """Seconds until ``window`` has room, taking a send in flight as answered at
        ``in_flight`` (``inf``: it holds its place until it is)."""
        sent = self._sent.get(key)
        if not sent:
            return 0.0
        span = window.seconds + self.limits.margin
        # Sends leave in order of their turns; one answered late keeps later ones in.
        while sent and sent[0].answered + span <= now:
            sent.popleft()
        if len(sent) < window.count:
            return 0.0
        ends = sorted(in_flight if s.answered == math.inf else s.answered for s in sent)
        counted = [end for end in ends if end + span > now]
        if len(counted) < window.count:
            return 0.0
        # The turn comes when enough of the counted sends have left the window.
        return counted[len(counted) - window.count] + span - now
