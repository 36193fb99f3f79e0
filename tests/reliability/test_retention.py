"""Closed proposals are deleted ``[storage] retention_months`` after they ended.

``deciding-together run`` looks once at start and then once a day; what storage
deletes with a proposal is tested in ``tests/storage/test_purge.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import runtime
from bot.config import Config, StorageConfig
from bot.core.commands import Actor
from bot.runtime import months_before
from storage.sqlite import SqliteStorage
from tests.harness import running_app
from tests.reliability import database
from tests.reliability.process import until

CHAT = "telegram:-100500"
SAM = Actor("telegram:1001", "Sam")
ALEX = Actor("telegram:1002", "Alex")
LONG_AGO = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
LATELY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 11, 29, 8, 30, tzinfo=UTC), 12, datetime(2025, 11, 29, 8, 30, tzinfo=UTC)),
        (datetime(2026, 3, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2028, 3, 31, tzinfo=UTC), 1, datetime(2028, 2, 29, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=UTC), 1, datetime(2025, 12, 15, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=UTC), 25, datetime(2023, 12, 15, tzinfo=UTC)),
    ],
)
def test_months_are_calendar_months(moment: datetime, months: int, expected: datetime) -> None:
    assert months_before(moment, months) == expected


async def a_year_of_decisions(db: Path) -> None:
    """Two proposals that ended long ago, one that ended lately, one still open."""
    async with running_app(db, start=LONG_AGO) as running:
        say = running.app.submit
        await say(chat=CHAT, actor=SAM, text="join")
        await say(chat=CHAT, actor=ALEX, text="join")
        await say(chat=CHAT, actor=SAM, text="propose Paint the hall\nin 3 days")
        await say(chat=CHAT, actor=SAM, text="withdraw #1")
        await say(chat=CHAT, actor=SAM, text="propose Buy a new kettle\nin 3 days")
        await say(chat=CHAT, actor=SAM, text="consent #2")
        await say(chat=CHAT, actor=ALEX, text="consent #2")
        running.clock.advance(LATELY - running.clock.now())
        await say(chat=CHAT, actor=SAM, text="propose Move the visit to 10:00\nin 3 days")
        await say(chat=CHAT, actor=SAM, text="withdraw #3")
        await say(chat=CHAT, actor=SAM, text="propose Try a new rota\nin 3 days")


async def test_run_deletes_proposals_that_ended_before_the_retention_period(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "deciding-together.db"
    await a_year_of_decisions(db)
    async with running_app(db) as running:
        stages = {
            n: p.stage.value for n, p in (await running.app.whole_group(CHAT)).proposals.items()
        }  # type: ignore[union-attr]
        recorded = len(await running.storage.audit(CHAT))
    assert stages == {1: "withdrawn", 2: "agreed", 3: "withdrawn", 4: "open"}

    caplog.set_level(logging.INFO, logger="deciding_together")
    config = Config(storage=StorageConfig(path=db, retention_months=12))
    stop = asyncio.Event()
    running_bot = asyncio.create_task(runtime.run(config, stop=stop, adapters=[]))
    try:
        await until(
            lambda: "deleted 2 closed proposal(s)" in caplog.text, "the retention job", timeout=10
        )
    finally:
        stop.set()
        await asyncio.wait_for(running_bot, 10)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):  # run() installed these for itself
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)

    storage = await SqliteStorage.open(db)
    try:
        group = await storage.load_group(CHAT)
        assert group is not None
        # #4's deadline passed while nothing ran: it ended today, so it stays too.
        assert sorted(group.proposals) == [3, 4]
        # The audit log is the record of what happened, and is never rewritten.
        assert len(await storage.audit(CHAT)) > recorded
    finally:
        await storage.close()
    assert "retention_months = 12" in caplog.text


async def test_without_retention_months_nothing_is_deleted(tmp_path: Path) -> None:
    db = tmp_path / "deciding-together.db"
    await a_year_of_decisions(db)
    stop = asyncio.Event()
    running_bot = asyncio.create_task(
        runtime.run(Config(storage=StorageConfig(path=db)), stop=stop, adapters=[])
    )
    try:
        # Running: #4's deadline passed while nothing ran, and is fired at start.
        await until(lambda: database.proposal_stages(db, CHAT)[4] != "open", "#4's deadline")
        assert [t for t in asyncio.all_tasks() if t.get_name() == "retention"] == []
    finally:
        stop.set()
        await asyncio.wait_for(running_bot, 10)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
    storage = await SqliteStorage.open(db)
    try:
        group = await storage.load_group(CHAT)
        assert group is not None and sorted(group.proposals) == [1, 2, 3, 4]
    finally:
        await storage.close()


async def test_after_a_purge_the_group_is_read_again(tmp_path: Path) -> None:
    """Groups in memory still hold purged proposals: the application drops them, so the
    next command neither shows a purged proposal nor fails to store its changes."""
    db = tmp_path / "deciding-together.db"
    await a_year_of_decisions(db)
    async with running_app(db) as running:
        app = running.app
        assert 1 in (await app.whole_group(CHAT)).proposals  # type: ignore[union-attr]
        assert await app.purge_closed(months_before(datetime(2026, 11, 29, tzinfo=UTC), 12)) == 2
        shown = await app.submit(chat=CHAT, actor=SAM, text="show #1")
        assert shown.decision is not None and shown.decision.refused
        changed = await app.submit(chat=CHAT, actor=ALEX, text="consent #4")
        assert changed.decision is not None and not changed.decision.refused
        assert sorted((await app.whole_group(CHAT)).proposals) == [3, 4]  # type: ignore[union-attr]


async def test_a_purged_proposals_number_is_never_given_again(tmp_path: Path) -> None:
    db = tmp_path / "deciding-together.db"
    async with running_app(db, start=LONG_AGO) as running:
        app = running.app
        await app.submit(chat=CHAT, actor=SAM, text="join")
        await app.submit(chat=CHAT, actor=SAM, text="propose Paint the hall\nin 3 days")
        await app.submit(chat=CHAT, actor=SAM, text="withdraw #1")
        running.clock.advance(LATELY - running.clock.now())
        assert await app.purge_closed(months_before(LATELY, 12)) == 1
        await app.submit(chat=CHAT, actor=SAM, text="propose Buy a new kettle\nin 3 days")
        assert sorted((await app.whole_group(CHAT)).proposals) == [2]  # type: ignore[union-attr]
