"""Waking up on time.

Timers are stored in the database, which is the truth. APScheduler's
AsyncIOScheduler holds a single job that wakes the application at the next
due time; after every firing, and whenever a command sets or cancels a timer,
the job is moved to the new next due time. At start, every timer already due
(a deadline that passed while the bot was down) fires once, oldest first.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app import Application

log = logging.getLogger("deciding_together.scheduler")

JOB = "next-timer"


class Scheduler:
    def __init__(self, app: Application) -> None:
        self.app = app
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._rearming: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._scheduler.start()
        await self._fire()

    def timers_changed(self) -> None:
        """A command set or cancelled a timer: look again at what is next."""
        if self._rearming is None or self._rearming.done():
            self._rearming = asyncio.get_running_loop().create_task(self._rearm())

    async def _fire(self) -> None:
        try:
            fired = await self.app.run_due_timers()
            if fired:
                log.info("fired %d timer(s)", fired)
        except Exception:
            log.exception("firing timers failed; trying again in a minute")
            self._scheduler.add_job(
                self._fire, "interval", minutes=1, id=JOB, replace_existing=True
            )
            return
        await self._rearm()

    async def _rearm(self) -> None:
        due = await self.app.storage.next_timer_due()
        if due is None:
            if self._scheduler.get_job(JOB):
                self._scheduler.remove_job(JOB)
            return
        self._scheduler.add_job(
            self._fire,
            "date",
            run_date=due,
            id=JOB,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
