"""Long polling, with the offset in our own hands.

Telegram keeps every update until a later ``getUpdates`` names an ``offset``
past it. So the offset moves past an update only after the update was handled
and committed: a crash before that means Telegram sends it again, and the
inbox drops the repeat. (PTB's Updater is not used because it confirms a batch
on its next fetch whether or not the handler finished with it.)

A fetched batch is handed over whole, so that button presses in it can be
stored together (:meth:`Updates.process_many`); the offset then moves past
as many updates as were done with, from the first.

Stopping ends the waiting fetch but never an update being handled, and then
confirms what was handled, so a clean restart does not see it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError

from adapters.telegram.reach import TOKEN_REFUSED, trouble
from adapters.telegram.updates import ALLOWED_UPDATES
from bot.reaching import spell_pause
from bot.supervising import keep_alive

log = logging.getLogger("deciding_together.telegram")

MAX_PAUSE = 60.0
# Seconds the last confirmation may take on the way out: stopping must be quick, and
# what is not confirmed is only fetched again, and dropped, at the next start.
CONFIRM_TIMEOUT = 1.0


class _Stopping(Exception):
    """The fetch was ended because the poller is stopping."""


class Poller:
    def __init__(
        self,
        bot: Bot,
        process: Callable[[Sequence[Update], Callable[[], bool]], Awaitable[int]],
        *,
        timeout: int = 30,
    ) -> None:
        self.bot = bot
        self.process = process  # handles a batch; returns how many, from the first, are done
        self.timeout = timeout
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.offset: int | None = None  # the next update id wanted: all below are handled
        self._confirmed: int | None = None  # the offset Telegram last heard

    def start(self) -> None:
        self._stopping.clear()
        # Supervised: a failure outside what ``_run`` foresees (an update PTB cannot
        # read, a bug) starts it again from the same offset instead of leaving it deaf.
        self._task = asyncio.create_task(
            keep_alive("Telegram polling", self._run, self._stopping), name="telegram-polling"
        )

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                updates = await self._fetch()
            except _Stopping:
                break
            except TelegramError as error:
                failures += 1
                await self._pause(self._pause_after(error, failures))
                continue
            failures = 0
            self._confirmed = self.offset
            done = await self.process(updates, self._stopping.is_set) if updates else 0
            if done:
                self.offset = updates[done - 1].update_id + 1
            if done < len(updates) and not self._stopping.is_set():
                failures += 1
                await self._pause(min(2.0**failures, MAX_PAUSE))  # then from the first not done
        await self._confirm()

    async def _fetch(self) -> tuple[Update, ...]:
        """One long poll, ended early (:class:`_Stopping`) when stopping."""
        fetch = asyncio.ensure_future(
            self.bot.get_updates(
                offset=self.offset, timeout=self.timeout, allowed_updates=list(ALLOWED_UPDATES)
            )
        )
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if not fetch.done():
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError, TelegramError):
                await fetch
            raise _Stopping
        return fetch.result()

    def _pause_after(self, error: TelegramError, failures: int) -> float:
        if isinstance(error, RetryAfter):
            wait = error.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            log.warning("Telegram asked to wait %.0f s before fetching updates again", seconds)
            return seconds
        if isinstance(error, InvalidToken):
            log.error("%s", TOKEN_REFUSED)
            return MAX_PAUSE
        if isinstance(error, Conflict):
            log.error(
                "another copy of this bot is fetching its updates (%s); only one may run",
                error.message,
            )
            return 5.0
        pause = min(2.0 ** min(failures, 6), MAX_PAUSE)
        problem = trouble(error)
        if problem is not None:  # the same plain words as at start
            log.warning("%s Trying again in %s.", problem.sentence, spell_pause(pause))
        else:
            log.warning("Telegram refused to give updates: %s", error.message)
        return pause

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _confirm(self) -> None:
        """Tell Telegram what was handled since the last fetch (on the way out)."""
        if self.offset is None or self.offset == self._confirmed:
            return
        try:
            await asyncio.wait_for(
                self.bot.get_updates(offset=self.offset, timeout=0, limit=1), CONFIRM_TIMEOUT
            )
            self._confirmed = self.offset
        except (TelegramError, TimeoutError) as error:
            # Not confirmed: the next start gets those updates again, and drops them.
            log.info("could not confirm the last updates to Telegram: %s", error)
