"""The real application on a temporary database, for adapter and scenario tests.

Everything is real — storage, the core, the outbox and the delivery loop —
except the clock, which tests move by hand so deadlines come when they say.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import Application, DeliveryLoop, ManualClock, Storage
from bot.core.model import GroupSettings
from storage.sqlite import SqliteStorage

START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday morning


@dataclass
class Running:
    app: Application
    clock: ManualClock
    delivery: DeliveryLoop
    storage: SqliteStorage

    async def settle(self) -> None:
        """Fire due timers and deliver everything deliverable now."""
        for _ in range(50):
            fired = await self.app.run_due_timers()
            sent = await self.delivery.run_once()
            if not fired and not sent:
                return

    async def wait(self, span: timedelta) -> None:
        """Move the clock on, firing each timer at its own time."""
        end = self.clock.now() + span
        while (due := await self.storage.next_timer_due()) is not None and due <= end:
            if due > self.clock.now():
                self.clock.advance(due - self.clock.now())
            await self.settle()
        if end > self.clock.now():
            self.clock.advance(end - self.clock.now())
        await self.settle()


@contextlib.asynccontextmanager
async def running_app(
    db: Path | Callable[[], Awaitable[Storage]],
    *,
    start: datetime = START,
    settings: GroupSettings | None = None,
) -> AsyncIterator[Running]:
    """The application on the SQLite file ``db``, or on the storage ``db()`` opens."""
    storage: Any = await SqliteStorage.open(db) if isinstance(db, Path) else await db()
    try:
        clock = ManualClock(start)
        app = Application(storage=storage, clock=clock, defaults=settings or GroupSettings())
        yield Running(app, clock, DeliveryLoop(app), storage)
    finally:
        await storage.close()
