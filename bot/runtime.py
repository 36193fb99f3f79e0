"""Running for real: storage, the application, its loops and the configured adapters."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from bot.adapter import Adapter
from bot.app import Application
from bot.clock import Clock, SystemClock
from bot.core import record
from bot.core.deadlines import valid_timezone
from bot.core.model import GroupSettings
from bot.delivery import DeliveryLoop
from bot.scheduler import Scheduler
from storage.sqlite import SqliteStorage

if TYPE_CHECKING:
    from bot.config import Config

log = logging.getLogger("deciding_together")


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
        if delivering is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(delivering, 5)
        await storage.close()


async def export(config: Config, group_id: str, out: Path) -> list[Path]:
    """Write a group's record to ``out``; returns the files written."""
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
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for filename, _mime, content in record.export_files(group, SystemClock().now()):
            path = out / filename
            path.write_text(content, encoding="utf-8")
            written.append(path)
        return written
    finally:
        await storage.close()
