"""Keeping the long-running jobs alive: polling, syncing, delivering.

Each job loops for as long as the bot runs and catches the failures it
expects. A failure it does not expect (a bug, or an answer no one foresaw)
must not leave the process alive but deaf: :func:`keep_alive` logs it and
starts the job again after a pause that grows while it keeps failing, and
shrinks back once the job has run well for a while. The job's own state (the
Telegram offset, the Matrix sync token) lives on, so nothing is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.app import StorageError
from bot.reaching import pauses, spell_pause

log = logging.getLogger("deciding_together")

FIRST_PAUSE = 1.0  # seconds before the first new start
MAX_PAUSE = 60.0
HEALTHY = 60.0  # a job that ran this long before failing starts again at once (after 1 s)


async def keep_alive(
    name: str,
    job: Callable[[], Awaitable[None]],
    stopping: asyncio.Event,
    *,
    first: float = FIRST_PAUSE,
    most: float = MAX_PAUSE,
) -> None:
    """Run ``job()`` until ``stopping`` is set; start it again whenever it fails.

    ``name`` says what the job is, for the log ("Telegram polling")."""
    loop = asyncio.get_running_loop()
    following = pauses(first, most)
    while not stopping.is_set():
        began = loop.time()
        try:
            await job()
        except Exception:
            log.exception("%s stopped because of an unexpected error", name)
        else:
            if stopping.is_set():
                return
            log.error("%s ended by itself", name)
        if loop.time() - began >= HEALTHY:
            following = pauses(first, most)
        wait = following()
        log.warning("Starting %s again in %s.", name, spell_pause(wait))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), wait)


async def now_and_every(
    what: str, job: Callable[[], Awaitable[object]], stopping: asyncio.Event, every: timedelta
) -> None:
    """Do ``job()`` at once, then once every ``every``, until ``stopping`` is set.

    A turn that fails is logged and the job waits for its next turn: a daily job
    must outlive one bad day. ``what`` says what it does, for the log ("delete
    old sent messages")."""
    while not stopping.is_set():
        try:
            await job()
        except StorageError as problem:
            log.error("could not %s; will try again: %s", what, problem)
        except Exception:
            log.exception("could not %s; will try again", what)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), every.total_seconds())
