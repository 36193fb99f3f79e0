"""SIGKILL in the middle of a burst: nothing acknowledged is lost, nothing is doubled."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.core.commands import DeadlineDue
from bot.core.model import Stage
from storage.sqlite import SqliteStorage
from tests.app.crash_worker import CHAT, MEMBERS, PROPOSALS

ROOT = Path(__file__).resolve().parents[2]


async def run_worker(db: Path, kill_after_acks: int | None, acked: set[str]) -> bool:
    """Run the worker; kill it with SIGKILL after some acks. True if it finished."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.app.crash_worker",
        str(db),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    seen = 0
    finished = False
    while True:
        line = await asyncio.wait_for(process.stdout.readline(), 60)
        if not line:
            break
        text = line.decode().strip()
        if text.startswith("ack "):
            acked.add(text[4:])
            seen += 1
            if kill_after_acks is not None and seen >= kill_after_acks:
                process.send_signal(signal.SIGKILL)
                break
        if text == "done":
            finished = True
    await process.wait()
    if not finished and kill_after_acks is None:
        raise AssertionError((await process.stderr.read()).decode())  # type: ignore[union-attr]
    return finished


@pytest.mark.slow
async def test_sigkill_during_a_burst_loses_and_doubles_nothing(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    acked: set[str] = set()
    rng = random.Random(7)
    total = 2 * MEMBERS + PROPOSALS
    for _ in range(12):  # twelve kills, each at a random point of the burst
        assert not await run_worker(db, rng.randint(1, total), acked)
    assert await run_worker(db, None, acked)
    assert len(acked) == total

    storage = await SqliteStorage.open(db)
    try:
        group = await storage.load_group(CHAT)
        assert group is not None
        # Every acknowledged response is stored exactly once.
        first = group.proposals[1]
        per_member = Counter(r.member for r in first.rounds[-1].history)
        assert len(per_member) == MEMBERS and set(per_member.values()) == {1}
        assert first.stage is Stage.AGREED
        assert len(group.active_members()) == MEMBERS
        assert sorted(group.proposals) == list(range(1, PROPOSALS + 1))
        # Every due deadline fired exactly once.
        fired = Counter(
            entry.command.number
            for entry in await storage.audit(CHAT)
            if isinstance(entry.command, DeadlineDue)
        )
        assert fired == Counter(range(2, PROPOSALS + 1))
        for number in range(2, PROPOSALS + 1):
            assert group.proposals[number].stage is Stage.NOT_AGREED
        assert await storage.next_timer_due() is None
    finally:
        await storage.close()
    assert os.path.exists(db)
