"""The one SQLite connection, on a thread of its own, awaited from the event loop.

SQLite calls block (a write waits for the file, a sync for the disk), so they
run off the event loop, on one thread that owns the ``sqlite3`` connection and
is the only one ever to touch it. The storage hands that thread whole
functions of its own (``run``): a command's transaction, a group's load, is one
round trip, not a dozen. A round trip costs the loop tens to hundreds of
microseconds (the wake-up of the thread and the hand-over of the interpreter's
lock, both ways), which with many teams busy is about what deciding costs.

This used to be aiosqlite, which does the same with a thread and a queue, but
has no public way to run a function on its thread; the storage reached into its
private queue for it. Owning the thread and the queue is a few lines. As with
aiosqlite, a call handed to the thread is made even if its caller stops waiting
(a ``COMMIT`` asked for is never silently dropped), one after another, in the
order asked.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from queue import SimpleQueue
from typing import Any, Protocol, TypeVar

from storage.rows import Row

T = TypeVar("T")

Params = Sequence[object]

# What the thread is asked to do: the loop and the future to answer on, and the
# call. None lets the thread end.
_Call = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[..., Any], tuple[Any, ...]]
_Calls = SimpleQueue[_Call | None]


@dataclass(frozen=True, slots=True)
class Done:
    """What a statement that returns no rows did."""

    rowcount: int
    lastrowid: int | None


class Statements(Protocol):
    """What the storage's shared queries (``timers``, ``outbox``, ``purge``) ask of a
    connection: this SQLite one, or PostgreSQL's (``storage.postgres``)."""

    async def execute(self, statement: str, params: Params = ()) -> Done: ...

    async def executemany(self, statement: str, params: Iterable[Params]) -> Done: ...

    async def execute_fetchall(self, statement: str, params: Params = ()) -> list[Row]: ...


class Connection:
    """A ``sqlite3`` connection used only on its own thread; every method is awaited."""

    def __init__(self, calls: _Calls, db: sqlite3.Connection) -> None:
        self._calls = calls
        self._db = db
        self._open = True

    def __del__(self) -> None:
        # Never closed (a test that stopped half-way): let the thread end, so that
        # it does not keep the process from exiting.
        if self._open:
            self._calls.put(None)

    async def run(self, work: Callable[..., T], *args: object) -> T:
        """``work(connection, *args)`` on the connection's thread, in one round trip."""
        if not self._open:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        return await _ask(self._calls, work, self._db, *args)

    @property
    def in_transaction(self) -> bool:
        # A flag kept by the connection object, read without calling SQLite.
        return self._db.in_transaction

    async def execute(self, statement: str, params: Params = ()) -> Done:
        return await self.run(_execute, statement, params)

    async def executemany(self, statement: str, params: Iterable[Params]) -> Done:
        return await self.run(_executemany, statement, list(params))

    async def execute_fetchall(self, statement: str, params: Params = ()) -> list[Row]:
        return await self.run(_fetchall, statement, params)

    async def fetchone(self, statement: str, params: Params = ()) -> Row | None:
        return await self.run(_fetchone, statement, params)

    async def close(self) -> None:
        """Close the connection, then let its thread end."""
        if not self._open:
            return
        try:
            await self.run(sqlite3.Connection.close)
        finally:
            self._open = False
            self._calls.put(None)


async def connect(where: str, **options: Any) -> Connection:
    """Open ``where`` (with ``sqlite3.connect``'s ``options``) on a new thread of its own."""
    calls: _Calls = SimpleQueue()
    threading.Thread(target=_serve, args=(calls,), name="sqlite", daemon=True).start()
    try:
        db = await _ask(calls, lambda: sqlite3.connect(where, **options))
    except BaseException:
        calls.put(None)
        raise
    return Connection(calls, db)


async def _ask(calls: _Calls, work: Callable[..., T], *args: Any) -> T:
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[T] = loop.create_future()
    calls.put((loop, answer, work, args))
    return await answer


def _serve(calls: _Calls) -> None:
    """The connection's thread: each call in turn, its answer handed to its loop."""
    while (call := calls.get()) is not None:
        loop, answer, work, args = call
        try:
            result = work(*args)
        except BaseException as error:  # the caller hears of every failure
            _answer(loop, _fail, answer, error)
        else:
            _answer(loop, _succeed, answer, result)


def _answer(
    loop: asyncio.AbstractEventLoop,
    how: Callable[[asyncio.Future[Any], Any], None],
    answer: asyncio.Future[Any],
    value: Any,
) -> None:
    # A loop closed meanwhile has no one left waiting; the thread serves on.
    with suppress(RuntimeError):
        loop.call_soon_threadsafe(how, answer, value)


def _succeed(answer: asyncio.Future[Any], result: Any) -> None:
    if not answer.done():  # its caller may have stopped waiting
        answer.set_result(result)


def _fail(answer: asyncio.Future[Any], error: BaseException) -> None:
    if not answer.done():
        answer.set_exception(error)


def _execute(db: sqlite3.Connection, statement: str, params: Params) -> Done:
    cursor = db.execute(statement, params)
    return Done(cursor.rowcount, cursor.lastrowid)


def _executemany(db: sqlite3.Connection, statement: str, params: list[Params]) -> Done:
    cursor = db.executemany(statement, params)
    return Done(cursor.rowcount, cursor.lastrowid)


def _fetchall(db: sqlite3.Connection, statement: str, params: Params) -> list[Row]:
    return [tuple(row) for row in db.execute(statement, params).fetchall()]


def _fetchone(db: sqlite3.Connection, statement: str, params: Params) -> Row | None:
    row = db.execute(statement, params).fetchone()
    return None if row is None else tuple(row)
