"""The whole file is read for damage once after an unclean stop, or when asked;
never on an ordinary start, which would read every page of a co-op's database."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from bot.app import StorageError
from bot.cli import EXIT_PROBLEM, main
from storage import SqliteStorage, integrity
from storage.connection import Connection

from .examples import commit, rich_group

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The checks of the whole file made, by database: the real check, counted."""
    made: list[str] = []
    real = integrity.check

    async def counted(db: Connection, where: str) -> None:
        made.append(where)
        await real(db, where)

    monkeypatch.setattr(integrity, "check", counted)
    yield made


def left_open(db_path: Path) -> bool:
    with closing(sqlite3.connect(db_path)) as db:
        return db.execute("SELECT 1 FROM meta WHERE name = 'open since'").fetchone() is not None


def stop_uncleanly(db_path: Path) -> None:
    """A bot that opens the database, commits, and dies without closing it."""
    script = textwrap.dedent(
        f"""
        import asyncio, os
        from storage import SqliteStorage
        from tests.storage.examples import commit, rich_group

        async def main():
            storage = await SqliteStorage.open({str(db_path)!r})
            await commit(storage, None, rich_group("g2"))
            os._exit(0)

        asyncio.run(main())
        """
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, timeout=60)


def damage(db_path: Path) -> None:
    data = bytearray(db_path.read_bytes())
    with closing(sqlite3.connect(db_path)) as db:
        (page,) = db.execute("PRAGMA page_size").fetchone()
    data[page * 2 : page * 4] = b"\xa5" * (page * 2)  # scribble over two pages of tables
    db_path.write_bytes(bytes(data))


async def test_an_ordinary_start_does_not_read_the_whole_file(
    db_path: Path, checks: list[str]
) -> None:
    storage = await SqliteStorage.open(db_path)
    assert left_open(db_path)  # marked while the bot writes
    await commit(storage, None, rich_group())
    await storage.close()
    assert not left_open(db_path)  # a clean stop clears it
    storage = await SqliteStorage.open(db_path)
    await storage.close()
    assert checks == []


async def test_after_an_unclean_stop_the_file_is_checked_once(
    db_path: Path, checks: list[str]
) -> None:
    storage = await SqliteStorage.open(db_path)
    await commit(storage, None, rich_group())
    await storage.close()
    stop_uncleanly(db_path)
    assert left_open(db_path)
    storage = await SqliteStorage.open(db_path)
    assert checks == [str(db_path)]
    assert await storage.load_group("g2") == rich_group("g2")  # what it committed is there
    await storage.close()
    storage = await SqliteStorage.open(db_path)  # that start stopped cleanly
    await storage.close()
    assert checks == [str(db_path)]


async def test_damage_is_found_after_an_unclean_stop(db_path: Path) -> None:
    storage = await SqliteStorage.open(db_path)
    await commit(storage, None, rich_group())
    await storage.close()
    stop_uncleanly(db_path)
    damage(db_path)
    with pytest.raises(StorageError, match="damaged"):
        await SqliteStorage.open(db_path)


async def test_damage_is_found_when_asked_after_a_clean_stop(db_path: Path) -> None:
    storage = await SqliteStorage.open(db_path)
    await commit(storage, None, rich_group())
    await storage.close()
    damage(db_path)
    with pytest.raises(StorageError, match="damaged"):
        await SqliteStorage.open(db_path, check=True)


def config_for(tmp_path: Path, db_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\npath = "{db_path}"\n', encoding="utf-8")
    config.chmod(0o600)
    return config


async def test_check_db_says_whether_the_file_is_sound(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage = await SqliteStorage.open(db_path)
    await commit(storage, None, rich_group())
    # Beside a running bot: it only reads. (A thread: the command runs its own loop.)
    config = str(config_for(tmp_path, db_path))
    assert await asyncio.to_thread(main, ["check-db", "--config", config]) == 0
    assert "sound" in capsys.readouterr().out
    await storage.close()
    damage(db_path)
    assert await asyncio.to_thread(main, ["check-db", "--config", config]) == EXIT_PROBLEM
    assert "damaged" in capsys.readouterr().err


def test_check_db_of_a_missing_file_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nothing-here.db"
    assert main(["check-db", "--config", str(config_for(tmp_path, missing))]) == EXIT_PROBLEM
    assert "no database" in capsys.readouterr().err
    assert not missing.exists()
