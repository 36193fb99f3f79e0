"""Killed in the middle of commits, the database holds exactly the commits
that finished: never half of one."""

from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path

import pytest

from storage import SqliteStorage

from .crash_writer import state
from .examples import row_counts

ROOT = Path(__file__).parents[2]


@pytest.mark.slow
@pytest.mark.parametrize("attempt", range(3))
async def test_a_killed_writer_leaves_whole_commits_only(db_path: Path, attempt: int) -> None:
    writer = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.storage.crash_writer", str(db_path),
        cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert writer.stdout is not None
    assert await asyncio.wait_for(writer.stdout.readline(), 30) == b"ready\n"
    await asyncio.sleep(random.uniform(0.2, 0.8))
    writer.kill()
    await writer.wait()

    counts = row_counts(db_path)
    stored = counts["inbox"]
    assert stored > 0
    assert counts["audit"] == stored + 1
    storage = await SqliteStorage.open(db_path)
    try:
        assert await storage.load_group("g1") == state(stored)
    finally:
        await storage.close()
