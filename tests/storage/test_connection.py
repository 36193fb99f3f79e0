"""The connection's own thread: every call there, in order, none dropped."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest

from storage import connection
from storage.connection import Connection


@pytest.fixture
async def db(db_path: Path) -> AsyncIterator[Connection]:
    opened = await connection.connect(str(db_path), isolation_level=None)
    await opened.execute("CREATE TABLE notes (text TEXT)")
    yield opened
    await opened.close()


def _thread(_db: sqlite3.Connection) -> int:
    return threading.get_ident()


async def test_every_call_runs_on_one_thread_that_is_not_the_event_loops(db: Connection) -> None:
    first, second = await db.run(_thread), await db.run(_thread)
    assert first == second != threading.get_ident()


def _slow_insert(db: sqlite3.Connection, started: threading.Event, go: threading.Event) -> None:
    started.set()
    go.wait(5)
    db.execute("INSERT INTO notes VALUES ('first')")


async def test_a_call_is_made_even_if_its_caller_stops_waiting(
    db: Connection, db_path: Path
) -> None:
    started, go = threading.Event(), threading.Event()
    busy = asyncio.ensure_future(db.run(_slow_insert, started, go))
    await asyncio.to_thread(started.wait, 5)
    # Queued behind the busy call, then given up on before the thread reaches it.
    second = asyncio.ensure_future(db.execute("INSERT INTO notes VALUES ('second')"))
    await asyncio.sleep(0)
    second.cancel()
    go.set()
    await busy
    # In the order asked, the second one too.
    assert await db.execute_fetchall("SELECT text FROM notes ORDER BY rowid") == [
        ("first",),
        ("second",),
    ]
    with closing(sqlite3.connect(db_path)) as other:
        assert other.execute("SELECT count(*) FROM notes").fetchone() == (2,)


async def test_a_failing_statement_fails_its_caller_and_the_thread_serves_on(
    db: Connection,
) -> None:
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        await db.execute("SELECT * FROM nowhere")
    done = await db.execute("INSERT INTO notes VALUES ('still here')")
    assert done.rowcount == 1
    assert await db.fetchone("SELECT text FROM notes") == ("still here",)


async def test_a_closed_connection_refuses_calls_and_its_thread_ends(db_path: Path) -> None:
    before = set(threading.enumerate())
    db = await connection.connect(str(db_path))
    (thread,) = set(threading.enumerate()) - before
    await db.close()
    await db.close()  # closing twice is harmless
    with pytest.raises(sqlite3.ProgrammingError):
        await db.execute("SELECT 1")
    await asyncio.to_thread(thread.join, 5)
    assert not thread.is_alive()


async def test_a_file_that_cannot_be_opened_fails_and_leaves_no_thread(tmp_path: Path) -> None:
    before = set(threading.enumerate())
    with pytest.raises(sqlite3.OperationalError):
        await connection.connect(str(tmp_path / "no folder" / "x.db"))
    for thread in set(threading.enumerate()) - before:
        await asyncio.to_thread(thread.join, 5)
        assert not thread.is_alive()
