"""Pruning, once at start and then daily: the messages the bot has sent and the
update keys it no longer needs, after :data:`PRUNE_AFTER` (see ``storage.purge``).

Unlike the retention purge, this runs whether or not ``retention_months`` is set:
it removes nothing of the record, only the bot's own bookkeeping, which would
otherwise grow with every response (about 40 % of a busy database).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from bot.app import Application, StorageError

log = logging.getLogger("deciding_together.pruning")

# A week: long enough to look into "that message never came", far longer than
# a platform may send an update again (Telegram keeps an unconfirmed update for
# 24 hours; a Matrix sync repeats only what came after the last saved token,
# and storage keeps a key until its platform has moved a day past it anyway).
PRUNE_AFTER = timedelta(days=7)
PRUNE_EVERY = timedelta(days=1)


async def prune_once(app: Application) -> None:
    pruned = await app.storage.prune(app.clock.now() - PRUNE_AFTER)
    if pruned.messages or pruned.updates:
        log.info(
            "deleted %d sent message(s) and %d update key(s) older than %d days",
            pruned.messages,
            pruned.updates,
            PRUNE_AFTER.days,
        )


async def keep_pruned(
    app: Application, stop: asyncio.Event, every: timedelta = PRUNE_EVERY
) -> None:
    """Prune at start, then once every ``every``, until ``stop`` is set."""
    while not stop.is_set():
        try:
            await prune_once(app)
        except StorageError as problem:
            log.error("could not delete old sent messages; will try again: %s", problem)
        except Exception:  # the job must outlive one bad day
            log.exception("deleting old sent messages failed; will try again")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every.total_seconds())
