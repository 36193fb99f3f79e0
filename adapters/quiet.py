"""A room's answers wait until the adapter has noted what they answer.

The Matrix adapter threads an answer under the message it answers
(``adapters.matrix.threads``), and learns which message that is only when
``submit`` returns; the answer, already stored, may be picked up by the
delivery loop before then. So while a submission in a room is being decided,
deliveries to that room wait (at most :data:`SETTLE_TIMEOUT`), then go out.

Nothing is held back here: a reply to a gesture that is shown another way (a
button's pop-up, a reaction's tally) is held in the outbox itself and settled
through the application (``Application.confirm_held``/``release_held``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator

SETTLE_TIMEOUT = 10.0  # a submission takes well under this; never hold a room longer


class NotedFirst:
    def __init__(self) -> None:
        self._busy: Counter[str] = Counter()
        self._settled = asyncio.Condition()

    @contextlib.asynccontextmanager
    async def noting(self, chat: str) -> AsyncIterator[None]:
        """Hold deliveries to ``chat`` while a submission there is decided and noted."""
        self._busy[chat] += 1
        try:
            yield
        finally:
            self._busy[chat] -= 1
            if self._busy[chat] <= 0:
                del self._busy[chat]
            async with self._settled:
                self._settled.notify_all()

    async def noted(self, target: str) -> None:
        """Wait until no submission to ``target`` is being decided (or the timeout)."""
        if self._busy[target] <= 0:
            return
        with contextlib.suppress(TimeoutError):
            async with self._settled:
                await asyncio.wait_for(
                    self._settled.wait_for(lambda: self._busy[target] <= 0), SETTLE_TIMEOUT
                )
