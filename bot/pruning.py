"""Pruning, once at start and then daily: the messages the bot has sent and the
update keys it no longer needs, after :data:`PRUNE_AFTER` (see ``storage.purge``).

Unlike the retention purge, this runs whether or not ``retention_months`` is set:
it removes nothing of the record, only the bot's own bookkeeping, which would
otherwise grow with every response (about 40 % of a busy database).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.app import Application
from bot.supervising import now_and_every

log = logging.getLogger("deciding_together.pruning")

# A week: long enough to look into "that message never came", far longer than
# a platform may send an update again (Telegram keeps an unconfirmed update for
# 24 hours; a Matrix sync repeats only what came after the last saved token,
# and storage keeps a key until its platform has moved a day past it anyway).
PRUNE_AFTER = timedelta(days=7)
PRUNE_EVERY = timedelta(days=1)


async def prune_once(app: Application) -> None:
    pruned = await app.storage.prune(app.clock.now() - PRUNE_AFTER)
    if pruned.messages or pruned.updates or pruned.timers:
        log.info(
            "deleted %d sent message(s) and %d update key(s) older than %d days, "
            "and %d timer(s) fired before then",
            pruned.messages,
            pruned.updates,
            PRUNE_AFTER.days,
            pruned.timers,
        )


async def keep_pruned(
    app: Application, stop: asyncio.Event, every: timedelta = PRUNE_EVERY
) -> None:
    """Prune at start, then once every ``every``, until ``stop`` is set."""
    await now_and_every("delete old sent messages", lambda: prune_once(app), stop, every)
