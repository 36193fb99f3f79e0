"""Sent messages and old update keys are pruned a week on, at start and then daily,
whether or not a retention period is set; what is waiting and what may come again stays."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.commands import Actor
from bot.pruning import keep_pruned
from tests.app.test_application import Recorder
from tests.harness import running_app
from tests.reliability import database
from tests.reliability.process import until

CHAT = "console:group"
SAM = Actor("console:sam", "Sam")


async def test_sent_messages_and_old_update_keys_go_a_week_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "deciding-together.db"
    async with running_app(db) as run:
        platform = Recorder()
        run.app.adapters["console"] = platform
        for number, text in enumerate(["join", "propose Buy a new kettle", "status"], 1):
            await run.app.submit(chat=CHAT, actor=SAM, text=text, update_key=f"console:{number}")
            await run.settle()
        run.clock.advance(timedelta(days=3))
        await run.app.submit(chat=CHAT, actor=SAM, text="status", update_key="console:4")
        run.clock.advance(timedelta(days=5))  # the first three are 8 days old, the last 5
        await run.app.submit(chat=CHAT, actor=SAM, text="status", update_key="console:5")
        before = database.table_rows(db)
        assert len(before["inbox"]) == 5 and len(before["outbox"]) >= 4
        stop = asyncio.Event()
        caplog.set_level(logging.INFO, logger="deciding_together.pruning")
        pruning = asyncio.create_task(keep_pruned(run.app, stop))
        try:
            await until(lambda: "deleted" in caplog.text, "the pruning", timeout=10)
        finally:
            stop.set()
            await asyncio.wait_for(pruning, 5)
        after = database.table_rows(db)
        # The three oldest keys went, and the messages sent then; the two answers
        # not sent yet are still waiting, the older one 5 days old.
        kept = [key for key in (f"console:{n}" for n in range(1, 6)) if key in repr(after["inbox"])]
        assert kept == ["console:4", "console:5"]
        assert len(after["outbox"]) == 2
        assert [d.effect for d in await run.storage.pending_deliveries(run.clock.now())]
    assert "update key(s) older than 7 days" in caplog.text
