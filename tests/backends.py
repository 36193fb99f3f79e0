"""The backends a test may run on: SQLite and PostgreSQL (a throw-away cluster,
``tests.postgres``).

A test that takes the ``database`` fixture (or, in ``tests/storage``, ``storage``)
runs once on each; :class:`Database` opens the test's database as storage
(again, for a restart) and reads it behind the storage's back. A test about
SQLite itself (its file, its write-ahead log, its pragmas, its lock on the file,
its query plans) is marked ``@pytest.mark.sqlite_only("why")`` and runs on SQLite
alone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import psycopg

from bot.app import Storage
from storage import SqliteStorage
from storage.postgres import PostgresStorage
from storage.postgres_sql import dialect
from tests.storage.examples import TABLES, row_counts

BACKENDS = ("sqlite", "postgresql")


class Database:
    """The test's own database on one backend: opened (again) as storage, and read
    behind the storage's back, as a test checks what is really stored."""

    def __init__(self, backend: str, where: str) -> None:
        self.backend = backend
        self.where = where  # the SQLite file, or the PostgreSQL URL

    async def open(self) -> Storage:
        if self.backend == "sqlite":
            return await SqliteStorage.open(self.where)
        return await PostgresStorage.open(self.where)

    def rows(self, statement: str, *params: object) -> list[tuple[Any, ...]]:
        """What ``statement`` (in SQLite's words) finds, read by a connection of its own."""
        if self.backend == "sqlite":
            with closing(sqlite3.connect(self.where)) as db:
                return [tuple(row) for row in db.execute(statement, params).fetchall()]
        with psycopg.connect(self.where, autocommit=True, cursor_factory=psycopg.RawCursor) as db:
            return [tuple(row) for row in db.execute(dialect(statement), params or None)]

    @contextmanager
    def connection(self) -> Iterator[Callable[[str], object]]:
        """A connection of its own (each statement committed as it runs): its ``execute``."""
        if self.backend == "sqlite":
            with closing(sqlite3.connect(self.where, isolation_level=None)) as db:
                yield db.execute
            return
        with psycopg.connect(self.where, autocommit=True) as connection:
            yield connection.execute

    # What the database's own rules (the audit log's triggers) raise.
    refused = (sqlite3.IntegrityError, psycopg.errors.RaiseException)

    def table_rows(self) -> dict[str, list[str]]:
        """Every row of every table, as text: for searching the whole database for a name."""
        return {table: [repr(row) for row in self.rows(f"SELECT * FROM {table}")]
                for table in (*TABLES, "meta")}  # fmt: skip

    def row_counts(self) -> dict[str, int]:
        """Rows per table."""
        if self.backend == "sqlite":
            return row_counts(Path(self.where))
        return {t: self.rows(f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}
