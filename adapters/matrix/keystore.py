"""The folder of the bot's end-to-end encryption keys, and the key that locks them.

matrix-nio keeps the bot's device keys and its room keys in an SQLite file in
``store_path``, each key pickled (encrypted) with a passphrase. Its default
passphrase is the same for everyone ("DEFAULT_KEY", in nio's source), so anyone
who can read that file can read the keys. Here:

* the folder is readable by the bot's own user only (0700), and so is every
  file in it (0600);
* the passphrase is random, made once and kept in ``pickle-key`` in the folder
  (0600);
* a store locked with nio's default passphrase (made by an earlier version) is
  locked again with the bot's own, through nio's own store API, on start: the
  same keys, so the bot stays the same device to everyone.

Someone who can read the folder as the bot's user can still read the keys: the
passphrase sits beside them. What this keeps out is everyone else on the host.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import sqlite3
import stat
from contextlib import closing
from pathlib import Path
from typing import Any

log = logging.getLogger("deciding_together.matrix")

KEY_FILE = "pickle-key"
# matrix-nio's own default (``ClientConfig.pickle_key``): public, so no protection.
NIO_DEFAULT_KEY = "DEFAULT_KEY"
FOLDER_MODE = 0o700
FILE_MODE = 0o600


def prepare(folder: Path, *, encrypted: bool) -> dict[str, Any]:
    """Make the folder owner-only; the options of nio's client for its store: the
    passphrase (made, and any store locked with nio's default moved to it) and a
    store that makes its file owner-only, when ``encrypted``."""
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    tighten(folder)
    if not encrypted:
        return {}  # no store is written without encryption
    key = _key(folder)
    for database in sorted(folder.glob("*.db")):
        _move_to_key(database, key)
    return {"pickle_key": key, "store": _owner_only_store()}


def _owner_only_store() -> type:
    """nio's default store, its database file made owner-only before SQLite makes it."""
    from nio.store import DefaultStore

    class OwnerOnlyStore(DefaultStore):
        def __post_init__(self) -> None:
            name = self.database_name or f"{self.user_id}_{self.device_id}.db"
            path = Path(self.store_path) / name
            with contextlib.suppress(FileExistsError):
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
            path.chmod(FILE_MODE)
            super().__post_init__()
            tighten(Path(self.store_path))

    return OwnerOnlyStore


def tighten(folder: Path) -> None:
    """The folder 0700 and its files 0600, whatever the umask made them."""
    _owner_only(folder, FOLDER_MODE)
    for file in folder.iterdir():
        if file.is_file() and not file.is_symlink():
            _owner_only(file, FILE_MODE)


def _owner_only(path: Path, wanted: int) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode != wanted:
        path.chmod(wanted)
        if mode & ~wanted & 0o077:
            log.warning(
                "%s could be read by other users of this computer (mode %o); "
                "it is now readable by its owner only (mode %o)",
                path,
                mode,
                wanted,
            )


def _key(folder: Path) -> str:
    """The passphrase kept in the folder; made (random) the first time."""
    path = folder / KEY_FILE
    with contextlib.suppress(FileNotFoundError):
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
    key = secrets.token_urlsafe(32)
    temporary = path.with_suffix(".tmp")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key)
        file.flush()
        os.fsync(file.fileno())
    temporary.replace(path)  # whole or not at all: a half-written key would lock the keys away
    return key


def _move_to_key(database: Path, key: str) -> None:
    """Lock a store still locked with nio's default passphrase with ``key`` instead.

    Each of its devices is checked: one that opens with ``key`` is left alone (so
    this is done once, and a move cut short by a crash is finished next time)."""
    from nio.store import DefaultStore

    try:
        with closing(sqlite3.connect(database)) as db:
            devices = db.execute("SELECT user_id, device_id FROM accounts").fetchall()
    except sqlite3.Error:
        return  # not a store of nio's, or one without an account yet
    moved = False
    for user_id, device_id in devices:
        store = DefaultStore(
            user_id, device_id, str(database.parent), pickle_key=key, database_name=database.name
        )
        try:
            if _opens(store):
                continue
            store.pickle_key = NIO_DEFAULT_KEY
            if not _opens(store):
                log.error(
                    "the encryption keys in %s open with neither the bot's key nor nio's "
                    "default; left as they are",
                    database,
                )
                continue
            account = store.load_account()
            sessions = store.load_sessions()
            room_keys = store.load_inbound_group_sessions()
            store.pickle_key = key
            with store.database.atomic():  # all of it, or the old passphrase still opens it
                store.save_account(account)
                for sender_key, held in sessions.items():
                    for session in held:
                        store.save_session(sender_key, session)
                for room_key in room_keys:
                    store.save_inbound_group_session(room_key)
            moved = True
            log.warning(
                "the encryption keys of device %s were locked with matrix-nio's public "
                "default passphrase; they are now locked with the bot's own (%s)",
                device_id,
                KEY_FILE,
            )
        finally:
            store.database.close()
    if moved:
        # No old copy of the keys may stay in the file's free pages: rebuilt.
        with closing(sqlite3.connect(database)) as db:
            db.execute("VACUUM")
        tighten(database.parent)


def _opens(store: object) -> bool:
    try:
        return store.load_account() is not None  # type: ignore[attr-defined]
    except Exception:  # vodozemac's error for a wrong passphrase
        return False
