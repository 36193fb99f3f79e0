"""Waking up on time.

Timers are stored in the database, which is the truth. APScheduler's
AsyncIOScheduler holds a single job that wakes the application at the next
due time; after every firing, and whenever a command sets or cancels a timer,
the job is moved to the new next due time. At start, every timer already due
(a deadline that passed while the bot was down) fires once, oldest first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app.application import Application

log = logging.getLogger("deciding_together.scheduler")

JOB = "next-timer"


class Scheduler:
    def __init__(self, app: Application) -> None:
        self.app = app
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._rearming: asyncio.Task[None] | None = None
        self._firing: asyncio.Task[None] | None = None
        self._again = False
        self._changed = False  # the timers changed while the firing ran

    async def start(self) -> None:
        self._scheduler.start()
        await self._wake()
        if self._firing is not None:
            await self._firing

    def timers_changed(self) -> None:
        """A command set or cancelled a timer: look again at what is next."""
        if self._firing is not None and not self._firing.done():
            # The firing looks when it is done: each timer it fires changes the timers,
            # and a look each time cost more than the firing itself.
            self._changed = True
            return
        if self._rearming is None or self._rearming.done():
            self._rearming = asyncio.get_running_loop().create_task(self._rearm())

    async def _wake(self) -> None:
        """The job APScheduler runs: it only starts the firing and returns at once.

        APScheduler skips a job whose previous run has not ended, and a
        one-off job skipped is gone. Firing (which may take seconds, and re-arms
        the job for a next timer that is already due) therefore runs in a task
        of its own; a wake-up during it makes it look again when it is done."""
        self._again = True
        if self._firing is None or self._firing.done():
            self._firing = asyncio.get_running_loop().create_task(self._fire())

    async def _fire(self) -> None:
        while self._again:
            self._again = False
            try:
                fired = await self.app.run_due_timers()
                if fired:
                    log.info("fired %d timer(s)", fired)
            except Exception:
                log.exception("firing timers failed; trying again in a minute")
                self._again_in_a_minute()
                return
        # A change made while the firing looks is looked at again.
        self._changed = True
        while self._changed:
            self._changed = False
            await self._rearm()

    def _again_in_a_minute(self) -> None:
        """Wake up in a minute, and then every minute, until the timers can be read."""
        if self._scheduler.running:
            self._scheduler.add_job(
                self._wake, "interval", minutes=1, id=JOB, replace_existing=True
            )

    async def _rearm(self) -> None:
        """Move the job to the next due time. A failure here (the database busy or
        gone) would leave no job at all, and timers silent: wake in a minute instead."""
        try:
            await self._look_ahead()
        except Exception:
            log.exception("could not read the next timer; looking again in a minute")
            self._again_in_a_minute()

    async def _look_ahead(self) -> None:
        due = await self.app.storage.next_timer_due()
        if due is None:
            if self._scheduler.get_job(JOB):
                self._scheduler.remove_job(JOB)
            return
        self._scheduler.add_job(
            self._wake,
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

    async def finish_firing(self, grace: float) -> None:
        """Let a firing in hand end (its commits are whole either way), for ``grace`` s."""
        for task in (self._firing, self._rearming):
            if task is None or task.done():
                continue
            await asyncio.wait([task], timeout=grace)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
