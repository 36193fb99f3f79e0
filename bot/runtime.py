"""Running for real: storage, the application, its loops, the configured adapters, and the
daily deletion of closed proposals past ``[storage] retention_months``."""

from __future__ import annotations

import asyncio
import calendar
import contextlib
import logging
import signal
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.adapter import Adapter
from bot.app import Application
from bot.clock import Clock, SystemClock
from bot.core import record
from bot.core.deadlines import valid_timezone
from bot.core.model import GroupSettings
from bot.delivery import DeliveryLoop
from bot.private_files import private_folder, write_private
from bot.pruning import keep_pruned
from bot.scheduler import Scheduler
from bot.translations import install_translations
from storage.interface import StorageError
from storage.sqlite import SqliteStorage

if TYPE_CHECKING:
    from bot.config import Config

log = logging.getLogger("deciding_together")

# How often closed proposals past the retention period are looked for.
RETENTION_EVERY = timedelta(days=1)


class GroupNotFound(Exception):
    pass


def check_language(settings: GroupSettings, code: str) -> GroupSettings:
    cleaned = code.strip().lower()
    if not cleaned.replace("-", "").isalpha() or not 2 <= len(cleaned.split("-")[0]) <= 3:
        raise ValueError(f'"{code}" is not a language code. Try one like en, cy or pl.')
    return replace(settings, language=cleaned)


def check_timezone(settings: GroupSettings, name: str) -> GroupSettings:
    zone = valid_timezone(name)
    if zone is None:
        raise ValueError(f'"{name}" is not a time zone I know. Try one like Europe/London.')
    return replace(settings, timezone=zone)


def _adapters(config: Config) -> list[Adapter]:
    adapters: list[Adapter] = []
    if config.telegram is not None:
        from adapters.telegram import TelegramAdapter

        adapters.append(TelegramAdapter(config.telegram))
    if config.matrix is not None:
        from adapters.matrix import MatrixAdapter

        adapters.append(MatrixAdapter(config.matrix))
    return adapters


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier; the last day of the
    month when that month is shorter (31 March, one month back, is 28 or 29 February)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = index // 12, index % 12 + 1
    return moment.replace(
        year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1])
    )


async def purge_expired(app: Application, months: int) -> int:
    """Delete the closed proposals that ended more than ``months`` months ago."""
    before = months_before(app.clock.now(), months)
    purged = await app.purge_closed(before)
    if purged:
        log.info(
            "deleted %d closed proposal(s) that ended before %s (retention_months = %d)",
            purged,
            before.date().isoformat(),
            months,
        )
    return purged


async def keep_retention(
    app: Application, months: int, stop: asyncio.Event, every: timedelta = RETENTION_EVERY
) -> None:
    """Purge at start, then once every ``every``, until ``stop`` is set."""
    while not stop.is_set():
        try:
            await purge_expired(app, months)
        except StorageError as problem:
            log.error("could not delete old closed proposals; will try again: %s", problem)
        except Exception:  # the job must outlive one bad day
            log.exception("deleting old closed proposals failed; will try again")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every.total_seconds())


async def run(
    config: Config,
    *,
    stop: asyncio.Event | None = None,
    clock: Clock | None = None,
    adapters: Sequence[Adapter] | None = None,
) -> None:
    """Run until ``stop`` is set or the process is asked to stop (Ctrl-C, SIGTERM).

    ``clock`` and ``adapters`` stand in for the system clock and the adapters the
    configuration names: tests run a clock that is ahead, or an adapter without pacing."""
    stop = stop or asyncio.Event()
    install_translations()
    storage = await SqliteStorage.open(config.storage.path, synchronous=config.storage.synchronous)
    app = Application(
        storage=storage, clock=clock or SystemClock(), defaults=config.group_settings()
    )
    delivery = DeliveryLoop(app)
    scheduler = Scheduler(app)
    app.on_outbox_changed = delivery.wake
    app.on_timers_changed = scheduler.timers_changed
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    adapters = list(adapters) if adapters is not None else _adapters(config)
    for adapter in adapters:
        app.adapters[adapter.platform] = adapter
    delivering: asyncio.Task[None] | None = None
    retention: asyncio.Task[None] | None = None
    pruning = asyncio.create_task(keep_pruned(app, stop), name="pruning")
    if config.storage.retention_months:
        retention = asyncio.create_task(
            keep_retention(app, config.storage.retention_months, stop), name="retention"
        )
    try:
        await scheduler.start()
        for adapter in adapters:
            await adapter.start(app)
            log.info("%s is running", adapter.platform)
        # Only now can anything be sent: what was waiting (or what overdue deadlines
        # announced at start) goes out at once, not after a failed try and a pause.
        delivering = asyncio.create_task(delivery.run_forever(), name="delivery")
        await stop.wait()
        log.info("stopping")
    finally:
        for adapter in reversed(adapters):
            with contextlib.suppress(Exception):
                await adapter.stop()
        scheduler.stop()
        delivery.stop()
        pruning.cancel()  # a prune in progress is rolled back whole
        with contextlib.suppress(asyncio.CancelledError):
            await pruning
        if retention is not None:
            retention.cancel()  # a purge in progress is rolled back whole
            with contextlib.suppress(asyncio.CancelledError):
                await retention
        if delivering is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(delivering, 5)
        await storage.close()


async def export(config: Config, group_id: str, out: Path) -> list[Path]:
    """Write a group's record to ``out``; returns the files written."""
    install_translations()
    storage = await SqliteStorage.open(config.storage.path, synchronous=config.storage.synchronous)
    try:
        group = await storage.load_group(group_id)
        if group is None:
            known = await storage.group_ids()
            hint = (
                ("Groups in this database: " + ", ".join(known))
                if known
                else "This database has no groups yet."
            )
            raise GroupNotFound(f'There is no group "{group_id}". {hint}')
        private_folder(out)
        written = []
        for filename, _mime, content in record.export_files(group, SystemClock().now()):
            path = out / filename
            write_private(path, content)  # owner-only: the record holds the team's words
            written.append(path)
        return written
    finally:
        await storage.close()
