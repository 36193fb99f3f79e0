"""The integrity check, when it is worth its cost: after an unclean stop, or when asked.

``PRAGMA quick_check`` reads every page of the file: seconds for a co-op's
database, on every start. Damage comes from a stop the database did not see
coming (a crash, a power cut, a disk that failed mid-write), so the bot marks
the database as open when it starts writing to it (a row in ``meta``) and
clears the mark when it closes cleanly. A start that finds the mark still there
follows an unclean stop: it checks the file once, before anything is written,
and marks it open again. ``deciding-together check-db`` checks it on demand,
even beside a running bot (docs/running.md).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from bot.app import StorageError
from storage.connection import Connection

log = logging.getLogger("deciding_together.storage")

_MARK = "open since"
_LEFT_OPEN = "SELECT value FROM meta WHERE name = ?"
_MARK_OPEN = (
    "INSERT INTO meta (name, value) VALUES (?, ?) "
    "ON CONFLICT (name) DO UPDATE SET value = excluded.value"
)
_MARK_CLOSED = "DELETE FROM meta WHERE name = ?"


async def left_open(db: Connection) -> str | None:
    """When the bot that last wrote the database started, if it never closed it
    cleanly; None after a clean stop (or for a new file)."""
    has_meta = await db.fetchone(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
    )
    if has_meta is None:
        return None
    row = await db.fetchone(_LEFT_OPEN, (_MARK,))
    return None if row is None else str(row[0])


async def check(db: Connection, where: str) -> None:
    """Read the whole file; refuse it, in words, if it is damaged."""
    problems = [row[0] for row in await db.execute_fetchall("PRAGMA quick_check")]
    if problems != ["ok"]:
        raise StorageError(
            f"{where} is damaged ({problems[0]}). "
            "Restore it from a backup, or use another --db file."
        )


async def check_after_unclean_stop(db: Connection, where: str) -> None:
    """Check the file if the bot that last wrote it did not close it cleanly."""
    since = await left_open(db)
    if since is None:
        return
    log.warning(
        "the bot that opened %s at %s did not close it cleanly; checking the file", where, since
    )
    await check(db, where)


async def mark_open(db: Connection) -> None:
    """Mark the database open for writing (in autocommit mode: its own transaction)."""
    await db.execute(_MARK_OPEN, (_MARK, datetime.now(UTC).isoformat(timespec="seconds")))


async def mark_closed(db: Connection) -> None:
    """Clear the mark: every write is done, and the database closes cleanly."""
    await db.execute(_MARK_CLOSED, (_MARK,))
