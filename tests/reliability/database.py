"""Looking into a bot's database from the test, while the bot runs in another process.

The storage API answers what the bot needs; a test that checks the outbox
after a crash needs a little more (what was delivered, with which platform
id). These read-only queries are kept here, in one place, so a change of
schema touches one file of the tests.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from storage.sqlite import SqliteStorage


@dataclass(frozen=True)
class Sent:
    """One delivery of the outbox, as the database records it."""

    id: int
    target: str
    status: str  # "pending", "delivered" or "superseded"
    platform_ref: str | None  # the message the platform made, when one was made
    kind: str  # the effect: "Post", "EditCard", "Reply", …


def file_of(storage: SqliteStorage) -> Path:
    """The database file of a storage the test opened (as the world fixture does)."""
    return Path(storage._where)


@contextlib.contextmanager
def _reading(db: Path) -> Iterator[sqlite3.Connection]:
    # WAL lets this connection read while the bot writes; the timeout covers a checkpoint.
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        yield connection
    finally:
        connection.close()


def deliveries(db: Path) -> list[Sent]:
    """Every delivery ever made, oldest first."""
    if not db.exists():
        return []
    with _reading(db) as connection:
        rows = connection.execute(
            "SELECT d.id, d.target, d.status, d.platform_ref, json_extract(o.effect, '$.\"@\"') "
            "FROM deliveries AS d JOIN outbox AS o ON o.id = d.outbox_id ORDER BY d.id"
        ).fetchall()
    return [Sent(*row) for row in rows]


def pending(db: Path) -> int:
    """How many deliveries still wait to be sent."""
    return sum(1 for sent in deliveries(db) if sent.status == "pending")


def seen(db: Path, update_keys: set[str]) -> set[str]:
    """Which of ``update_keys`` (``"matrix:$event"``, …) the inbox holds: events acted on."""
    if not db.exists():
        return set()
    with _reading(db) as connection:
        return {
            key
            for key in update_keys
            if connection.execute("SELECT 1 FROM inbox WHERE update_key = ?", (key,)).fetchone()
        }


def summaries(db: Path) -> list[str]:
    """The audit log's one-line summaries, oldest first."""
    if not db.exists():
        return []
    with _reading(db) as connection:
        return [row[0] for row in connection.execute("SELECT summary FROM audit ORDER BY id")]


def proposal_stages(db: Path, group_id: str) -> dict[int, str]:
    if not db.exists():
        return {}
    with _reading(db) as connection:
        rows = connection.execute(
            "SELECT number, stage FROM proposals WHERE group_id = ?", (group_id,)
        ).fetchall()
    return {number: stage for number, stage in rows}


def audit_counts(db: Path) -> Counter[str]:
    """How many times each kind of command was recorded ("Respond by telegram:5", "DeadlineDue")."""
    return Counter(summaries(db))


def table_rows(db: Path) -> dict[str, list[str]]:
    """Every row of every table, as text: for searching the whole file for a name."""
    with _reading(db) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            table: [repr(row) for row in connection.execute(f'SELECT * FROM "{table}"')]
            for table in tables
        }
