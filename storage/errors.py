"""SQLite's errors, told in words a person running the bot can act on."""

from __future__ import annotations

import sqlite3

from bot.app import StaleGroup, StorageError

_STALE = (
    "What was to be saved in {where} does not fit what is stored there "
    "(the group was probably loaded before a change that did not reach it). "
    "Load the group again."
)
_SAYS = {
    sqlite3.SQLITE_READONLY: (
        "{where} cannot be written: the file, its folder or the disk is read-only. "
        "Check the file's permissions."
    ),
    sqlite3.SQLITE_FULL: "The disk holding {where} is full. Free some space.",
    sqlite3.SQLITE_IOERR: "The disk failed while reading or writing {where}.",
    sqlite3.SQLITE_CORRUPT: (
        "{where} is damaged. Restore it from a backup, or use another --db file."
    ),
    sqlite3.SQLITE_NOTADB: (
        "{where} is not a Deciding Together database (not an SQLite file, or damaged). "
        "Use another --db file."
    ),
    sqlite3.SQLITE_BUSY: (
        "{where} stayed locked by another program for too long. "
        "Is a second copy of the bot using the same file?"
    ),
    sqlite3.SQLITE_LOCKED: "{where} is locked. Is a second copy of the bot using it?",
    sqlite3.SQLITE_CANTOPEN: (
        "{where} cannot be opened. Check that its folder exists and may be written."
    ),
    # The foreign keys refuse a commit whose "before" state is not what is stored.
    sqlite3.SQLITE_CONSTRAINT: _STALE,
}


def storage_error(error: sqlite3.Error, where: str, *, nothing_saved: bool = False) -> StorageError:
    """A ``StorageError`` that says what went wrong with the database ``where``."""
    code: int = getattr(error, "sqlite_errorcode", 0) or 0
    # Extended codes (SQLITE_READONLY_DBMOVED, …) carry the primary code in the low byte.
    message = _SAYS.get(code & 0xFF, "The database {where} failed.").format(where=where)
    if nothing_saved:
        message += " Nothing was saved."
    return StorageError(f"{message} (SQLite: {error})")


def stale_state(where: str) -> StaleGroup:
    """The state a commit started from is not what is stored."""
    return StaleGroup(_STALE.format(where=where) + " Nothing was saved.")
