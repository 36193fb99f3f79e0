"""Answers to gestures are not posted in the chat.

A button press is answered in the button's own pop-up, at once; a reaction
has no answer at all, since the card's tally shows it. The core does not know
how someone acted, so it answers a press like typed words, with a reply in
the chat: that reply, waiting in the outbox, is the one this module holds
back, so the group does not fill with "thank you" messages.

The reply is stored (and may be picked up by the delivery loop) before the
adapter learns what it was, so a chat with a gesture in progress holds its
replies until the gesture is settled. Only replies sent after a gesture are
ever held back; after a restart, a reply that was never answered in a pop-up
is posted as usual, so nothing goes unsaid.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter, deque
from collections.abc import AsyncIterator, Iterable

from bot.core.effects import Reply

SETTLE_TIMEOUT = 10.0  # a gesture takes well under this; never hold a chat longer


class QuietReplies:
    def __init__(self) -> None:
        self._busy: Counter[str] = Counter()
        self._quiet: deque[Reply] = deque(maxlen=1000)
        self._settled = asyncio.Condition()

    @contextlib.asynccontextmanager
    async def gesture(self, chat: str) -> AsyncIterator[None]:
        """Hold replies to ``chat`` while a gesture there is being decided."""
        self._busy[chat] += 1
        try:
            yield
        finally:
            self._busy[chat] -= 1
            async with self._settled:
                self._settled.notify_all()

    def keep_quiet(self, replies: Iterable[Reply]) -> None:
        """These replies were shown another way: do not post them."""
        self._quiet.extend(replies)

    async def is_quiet(self, target: str, reply: Reply) -> bool:
        """Whether a reply about to be delivered to ``target`` was already shown."""
        with contextlib.suppress(TimeoutError):
            async with self._settled:
                await asyncio.wait_for(
                    self._settled.wait_for(lambda: self._busy[target] <= 0), SETTLE_TIMEOUT
                )
        if reply in self._quiet:
            self._quiet.remove(reply)
            return True
        return False
