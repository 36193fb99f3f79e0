"""Durable before it returns: the write-ahead log is synced after every write,
and writes made while a sync runs share the next one.

The syncs are watched by wrapping ``os.fdatasync`` where the storage calls it: the
wrapper looks at the database from another connection at the moment of the
sync, which tells which commits the sync covers.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.app import Application, ManualClock, StorageError, Submission
from bot.core.commands import Actor
from storage import SqliteStorage
from storage import sqlite as sqlite_module

from .examples import NOW, commit, rich_group

pytestmark = pytest.mark.sqlite_only(
    "how SQLite's write-ahead log is synced; PostgreSQL syncs its own"
)

_fdatasync = os.fdatasync  # the real one, kept before the fixture wraps it


@dataclass
class Syncs:
    """Each sync of the log: how many audit entries were committed when it began."""

    db_path: Path
    seen: list[int] = field(default_factory=list)
    hold: threading.Event | None = None  # set: syncs wait for it
    fail: bool = False

    def fdatasync(self, fd: int) -> None:
        with closing(sqlite3.connect(self.db_path)) as other:
            self.seen.append(other.execute("SELECT count(*) FROM audit").fetchone()[0])
        if self.hold is not None:
            self.hold.wait(timeout=10)
        if self.fail:
            raise OSError(5, "Input/output error")
        _fdatasync(fd)


@pytest.fixture
def syncs(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Syncs]:
    watched = Syncs(db_path)
    monkeypatch.setattr(sqlite_module.os, "fdatasync", watched.fdatasync)
    yield watched
    if watched.hold is not None:
        watched.hold.set()


async def test_a_commit_returns_after_a_sync_that_began_once_it_was_stored(
    storage: SqliteStorage, syncs: Syncs
) -> None:
    assert await commit(storage, None, rich_group())
    assert syncs.seen == [1]
    assert await commit(storage, rich_group(), rich_group(), update_key="telegram:update:1")
    assert syncs.seen == [1, 2]


async def test_commits_made_while_a_sync_runs_share_the_next_one(
    storage: SqliteStorage, syncs: Syncs
) -> None:
    groups = [rich_group(f"g{n}") for n in range(20)]
    syncs.hold = threading.Event()
    first = asyncio.create_task(commit(storage, None, groups[0]))
    while not syncs.seen:  # the first sync has begun, and waits
        await asyncio.sleep(0.01)
    rest = [asyncio.create_task(commit(storage, None, g)) for g in groups[1:]]
    while storage._written < len(groups):  # all stored, none durable yet
        await asyncio.sleep(0.01)
    assert not any(t.done() for t in [first, *rest])
    syncs.hold.set()
    assert all(await asyncio.gather(first, *rest))
    # One sync for the first commit, one for the nineteen stored while it ran.
    assert syncs.seen == [1, 20]


async def test_normal_durability_never_syncs(db_path: Path, syncs: Syncs) -> None:
    storage = await SqliteStorage.open(db_path, synchronous="normal")
    try:
        assert await commit(storage, None, rich_group())
        await storage.set_value("k", "v")
        await storage.durable()
    finally:
        await storage.close()
    assert syncs.seen == []


async def test_small_writes_are_durable_too(storage: SqliteStorage, syncs: Syncs) -> None:
    await storage.set_value("telegram:dm:1", "open")
    await storage.action_token("g1", "consent #1")  # a new button's token
    await storage.action_token("g1", "consent #1")  # the same: nothing written
    assert len(syncs.seen) == 2


async def test_a_sync_that_fails_says_so_and_the_commit_is_still_stored(
    storage: SqliteStorage, syncs: Syncs
) -> None:
    syncs.fail = True
    with pytest.raises(StorageError, match="could not be written to disk"):
        await commit(storage, None, rich_group())
    syncs.fail = False
    assert await storage.load_group("g1") == rich_group()
    await storage.durable()  # the next sync covers it
    assert syncs.seen == [1, 1]


async def test_the_next_command_is_decided_while_the_last_one_syncs(
    storage: SqliteStorage, syncs: Syncs
) -> None:
    app = Application(storage=storage, clock=ManualClock(NOW))
    syncs.hold = threading.Event()
    sam, jo = Actor("console:sam", "Sam"), Actor("console:jo", "Jo")
    first = asyncio.create_task(app.submit(chat="console:one", actor=sam, text="join"))
    while not syncs.seen:
        await asyncio.sleep(0.01)
    second = asyncio.create_task(app.submit(chat="console:two", actor=jo, text="join"))
    while (await app.group("console:two")) is None:  # decided and stored meanwhile
        await asyncio.sleep(0.01)
    assert not first.done() and not second.done()  # neither acknowledged before the disk
    syncs.hold.set()
    assert (await first).decision is not None and (await second).decision is not None
    assert syncs.seen == [1, 2]


async def test_a_batch_is_not_acknowledged_before_the_disk_has_it(
    storage: SqliteStorage, syncs: Syncs
) -> None:
    app = Application(storage=storage, clock=ManualClock(NOW))
    sam, jo = Actor("console:sam", "Sam"), Actor("console:jo", "Jo")
    await app.submit(chat="console:one", actor=sam, text="join")
    await app.submit(chat="console:one", actor=jo, text="join")
    synced = len(syncs.seen)
    syncs.hold = threading.Event()
    batch = [
        Submission(chat="console:one", actor=who, text="status", group_id="console:one",
                   update_key=f"console:update:{n}")
        for n, who in enumerate((sam, jo))
    ]  # fmt: skip
    task = asyncio.create_task(app.submit_many(batch))
    while len(syncs.seen) == synced:  # stored, and the sync has begun
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    assert not task.done()
    syncs.hold.set()
    assert all(r.decision is not None for r in await task)
    assert syncs.seen[-1] == 4  # two joins and the batch's two entries
