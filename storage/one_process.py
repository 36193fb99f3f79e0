"""One process per database: a lock the operating system lets go of when the process ends.

Each running bot keeps its groups in memory and writes them back with each
command. Two processes on one SQLite file (two ``run``s, or a ``run`` and a
``demo --db``) would each answer "Saved" and overwrite the other's changes, so
the second one is refused at start, in words.

The lock is an exclusive ``flock`` on a small file beside the database
("<database>.lock", readable by the bot's own user only). The kernel drops it
when the process ends, however it ends (Ctrl-C, a crash, SIGKILL, a power cut),
so a lock file left behind never keeps the bot from starting: the file stays,
the lock does not. The lock file holds nothing; deleting it while the bot runs
would let a second copy start, so leave it be.

Readers that only read (``export``) take no lock: SQLite lets them read beside
the bot (the database is in WAL mode). Such a reader only checks whether a
bot holds the lock, so it never changes the schema under a running bot.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from bot.app import DatabaseInUse, StorageError

LOCK_SUFFIX = ".lock"


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + LOCK_SUFFIX)


class ProcessLock:
    """The database's lock, held by this process until :meth:`release` (or its end)."""

    def __init__(self, descriptor: int) -> None:
        self._descriptor: int | None = descriptor

    def release(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)  # closing the file lets go of the lock
            self._descriptor = None


def take(database: Path) -> ProcessLock:
    """Hold the database for this process; ``DatabaseInUse`` if another one holds it."""
    descriptor = _open(database)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise DatabaseInUse(
            f"Another copy of the bot is already using this database: {database}. Stop it first."
        ) from None
    except OSError as error:
        os.close(descriptor)
        raise _cannot_lock(database, error) from error
    return ProcessLock(descriptor)


def held_elsewhere(database: Path) -> bool:
    """Whether a running bot holds the database (for readers, which take no lock)."""
    descriptor = _open(database)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError as error:
        raise _cannot_lock(database, error) from error
    finally:
        os.close(descriptor)  # a shared lock held on would keep the bot from starting
    return False


def _open(database: Path) -> int:
    path = lock_path(database)
    try:
        # O_NOFOLLOW: a link planted in the lock file's place is refused, not followed
        # (the bot would otherwise create or lock whatever file it points to).
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as error:
        raise _cannot_lock(database, error) from error


def _cannot_lock(database: Path, error: OSError) -> StorageError:
    return StorageError(
        f"The lock file {lock_path(database)} beside the database could not be used "
        f"({error.strerror}). Check that it is a plain file the bot may write, "
        "or remove it while the bot is stopped."
    )
