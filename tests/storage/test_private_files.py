"""The database's files are the bot's own: owner-only whatever the umask, and an
erasure wipes old copies from them even when a reader held them at the time."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from bot.app import Outgoing
from bot.core.commands import ForgetMe, Status
from bot.core.effects import Forget
from storage import SqliteStorage

from .examples import commit, rich_group
from .test_forgetting import FORGET, PRIYA, SAM, forgotten, said, store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def companions(db_path: Path) -> list[Path]:
    return [db_path.with_name(db_path.name + suffix) for suffix in ("-wal", "-shm")]


@contextmanager
def umask(value: int) -> Iterator[None]:
    before = os.umask(value)
    try:
        yield
    finally:
        os.umask(before)


@pytest.mark.parametrize("mask", [0o022, 0o000])
async def test_the_database_and_its_journal_files_are_owner_only_whatever_the_umask(
    db_path: Path, mask: int
) -> None:
    with umask(mask):
        storage = await SqliteStorage.open(db_path)
        try:
            await commit(storage, None, rich_group())
            files = [db_path, *companions(db_path)]
            assert all(file.exists() for file in files)
            assert {file.name: mode(file) for file in files} == {file.name: 0o600 for file in files}
        finally:
            await storage.close()


async def test_an_existing_database_readable_by_others_is_tightened_and_the_log_says_so(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    storage = await SqliteStorage.open(db_path)
    await commit(storage, None, rich_group())
    await storage.close()
    db_path.chmod(0o644)
    with closing(sqlite3.connect(db_path)) as other:  # leaves a -wal and -shm behind, 0666
        other.execute("SELECT count(*) FROM groups").fetchall()
        for file in companions(db_path):
            if file.exists():
                file.chmod(0o666)
        with caplog.at_level(logging.WARNING, logger="deciding_together.storage"):
            storage = await SqliteStorage.open(db_path)
        try:
            assert mode(db_path) == 0o600
            assert all(mode(file) == 0o600 for file in companions(db_path) if file.exists())
        finally:
            await storage.close()
    said_ = [r.getMessage() for r in caplog.records]
    assert any(f"{db_path} could be read by other users" in line for line in said_)
    assert "Sam" not in "\n".join(said_)  # the file's name and mode, nothing from inside


def holds(db_path: Path, words: bytes) -> list[str]:
    """The files of the database that hold ``words`` anywhere, free space included."""
    return [
        file.name
        for file in (db_path, *companions(db_path))
        if file.exists() and words in file.read_bytes()
    ]


@pytest.mark.sqlite_only("old copies in SQLite's file and write-ahead log")
async def test_forgetme_with_a_reader_open_wipes_the_old_copies_once_the_reader_ends(
    storage: SqliteStorage, db_path: Path
) -> None:
    group = rich_group()
    await store(storage, None, group, said(PRIYA, Status()), summary="Status by telegram:103")
    await storage.set_value("telegram:dm-note:103", "Priya Shah likes mornings", "telegram:103")
    assert holds(db_path, b"Priya Shah likes mornings")
    # An export (or a backup) is reading while she is forgotten: it holds the log.
    reader = sqlite3.connect(db_path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM kv").fetchone() == (1,)
        await store(storage, group, forgotten(group), said(PRIYA, ForgetMe()), Outgoing(FORGET))
        assert await storage.get_value("telegram:dm-note:103") is None
        # Gone from the tables, but the reader still reads the old version.
        assert holds(db_path, b"Priya Shah likes mornings")
        reader.execute("COMMIT")
    finally:
        reader.close()
    # Once the reader ends, the wipe finishes by itself, without another commit.
    for _ in range(200):
        if not holds(db_path, b"Priya Shah likes mornings"):
            break
        await asyncio.sleep(0.05)
    assert holds(db_path, b"Priya Shah likes mornings") == []
    assert holds(db_path, b"Sam")  # the rest of the record is where it was


@pytest.mark.sqlite_only("old copies in SQLite's file and write-ahead log")
async def test_a_wipe_a_reader_held_up_when_the_bot_stopped_is_done_at_the_next_start(
    db_path: Path,
) -> None:
    storage = await SqliteStorage.open(db_path)
    group = rich_group()
    await store(storage, None, group, said(SAM, Status()))
    await storage.set_value("telegram:dm-note:103", "Priya Shah likes mornings", "telegram:103")
    # A read-only reader (a backup tool): closing it last does not copy the log back.
    reader = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM kv").fetchall()
        forget = Forget(3, ("telegram:103",), ("Priya Shah",), ("priya_s",), "a former member")
        await store(storage, group, forgotten(group), said(PRIYA, ForgetMe()), Outgoing(forget))
        await storage.close()
        assert holds(db_path, b"Priya Shah likes mornings")
    finally:
        reader.close()
    assert holds(db_path, b"Priya Shah likes mornings")
    storage = await SqliteStorage.open(db_path)
    try:
        assert holds(db_path, b"Priya Shah likes mornings") == []
    finally:
        await storage.close()
