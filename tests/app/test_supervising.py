"""A long-running job that fails in a way nobody foresaw is started again, not left dead.

The fault is real: the fake Bot API answers one ``getUpdates`` with garbage
that python-telegram-bot cannot read (an ``AttributeError`` deep inside it, not
a ``TelegramError``). Before supervision, that ended polling for good and left
the process alive but deaf.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.telegram import TelegramAdapter
from bot import runtime
from bot.app import Application, Scheduler, SystemClock
from bot.app.scheduler import JOB
from bot.config import TelegramConfig, parse_config_text
from bot.reaching import pauses
from bot.supervising import keep_alive
from storage.sqlite import SqliteStorage
from tests.fakes.telegram import FakeTelegram


class GarbledTelegram(FakeTelegram):
    """The fake Bot API, whose first answer to ``getUpdates`` is garbage."""

    garbled = 1

    async def _api_get_updates(self, p: Any) -> Any:
        if self.garbled:
            self.garbled -= 1
            return [{"update_id": 5, "message": "garbage"}]
        return await super()._api_get_updates(p)


async def test_polling_that_fails_is_started_again_and_hears_people(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with GarbledTelegram() as tg:
        config = parse_config_text(f'[storage]\npath = "{tmp_path / "bot.db"}"\n', env={})
        adapter = TelegramAdapter(TelegramConfig(token=tg.token, base_url=tg.base_url))
        sam = tg.user(1001, "Sam")
        team = tg.group(-100500, "Mum's care team", supergroup=True, members=[sam])
        tg.send_text(team, sam, "/join")
        stop = asyncio.Event()
        running = asyncio.create_task(runtime.run(config, stop=stop, adapters=[adapter]))
        try:
            welcome = await tg.wait_for_bot_message(team, lambda m: True, timeout=15)
            assert welcome.text
        finally:
            stop.set()
            await asyncio.wait_for(running, 10)
    assert tg.garbled == 0
    assert "Telegram polling stopped because of an unexpected error" in caplog.text
    assert "Starting Telegram polling again in 1 s." in caplog.text


async def test_a_job_that_keeps_failing_waits_longer_each_time(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stopping = asyncio.Event()
    starts = 0

    async def failing() -> None:
        nonlocal starts
        starts += 1
        if starts == 4:
            stopping.set()
            return
        raise RuntimeError("a fault nobody foresaw")

    await asyncio.wait_for(keep_alive("the test job", failing, stopping, first=0.01), 5)
    assert starts == 4
    waits = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Starting")]
    assert len(waits) == 3
    assert caplog.text.count("the test job stopped because of an unexpected error") == 3


def test_pauses_double_up_to_the_most() -> None:
    following = pauses(2.0, 60.0)
    assert [following() for _ in range(7)] == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]


async def test_a_scheduler_that_cannot_read_its_timers_looks_again_every_minute(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    storage = await SqliteStorage.open(tmp_path / "bot.db")
    app = Application(storage=storage, clock=SystemClock())
    scheduler = Scheduler(app)
    await scheduler.start()
    try:
        await storage.close()  # a real fault: the database is gone from under it
        scheduler.timers_changed()
        await scheduler.finish_firing(5)
        job = scheduler._scheduler.get_job(JOB)
        assert job is not None, "no wake-up left: the timers would stay silent"
        assert job.trigger.interval == timedelta(minutes=1)
        assert "could not read the next timer; looking again in a minute" in caplog.text
    finally:
        scheduler.stop()
