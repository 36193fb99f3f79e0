"""Long polling: ``getUpdates`` hands out the queue until a later offset confirms it; only one
poll may wait at a time.
"""

from __future__ import annotations

import asyncio

from .objects import ApiError, JSONDict, Params
from .state import TelegramState


class Polling(TelegramState):
    """The ``getUpdates`` method."""

    async def _api_get_updates(self, p: Params) -> list[JSONDict]:
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        if p.has("allowed_updates"):
            self._set_allowed_updates(p.obj("allowed_updates"))
        offset = p.integer("offset", 0) or 0
        if offset > 0:
            # Confirm: everything before offset is gone for good.
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            # A negative offset keeps only the last -offset updates.
            self._pending = self._pending[offset:]
        limit = min(max(p.integer("limit", 100) or 100, 1), 100)
        timeout = max(0.0, p.number("timeout", 0.0))

        # Telegram allows one getUpdates at a time: a newer one ends an older one with 409.
        self._poll_generation += 1
        generation = self._poll_generation
        self._pulse()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._poll_generation != generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if self._closing.is_set():
                return []
            remaining = deadline - loop.time()
            if self._pending or remaining <= 0:
                return self._pending[:limit]
            await self._wait_change(remaining)
