"""The SQLite storage: one file, one connection, one transaction per command."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import sqlite3
import stat
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot.app import (
    AuditEntry,
    Commit,
    Delivery,
    Outgoing,
    Pruned,
    Remember,
    Storage,
    StorageError,
    StoredGroup,
    Timer,
    TokenKind,
)
from bot.core.commands import Command, Request
from bot.core.model import Group, Proposal
from storage import (
    changes,
    connection,
    integrity,
    load,
    lookups,
    one_process,
    outbox,
    purge,
    rows,
    schema,
    timers,
    transaction,
)
from storage.connection import Connection
from storage.errors import stale_state, storage_error

# How long to wait for another process (an export, a backup) to release the
# file before giving up with an error.
BUSY_TIMEOUT_MS = 5000

# Pages the write-ahead log may hold before a commit copies them into the
# database (SQLite's default is 1,000). A response writes some 14 pages, most
# of them the same few (the ends of the audit log, the outbox, the deliveries), so a
# longer log copies each of those once for many more commits: ~10 % less time
# writing, on average, for a log file of up to 16 MB that is reused, not grown.
WAL_AUTOCHECKPOINT = 4000

# "full" (the default) makes every commit durable before it returns: the
# adapters acknowledge an update (advance Telegram's offset, Matrix's ``since``)
# only after the commit, so a commit lost to a power cut would be a message
# lost for good. "normal" still survives the bot crashing, but a power cut may
# undo the last commits; it is faster, for hosts with a battery or for trying
# the bot out.
#
# "full" is not SQLite's own FULL, which syncs the log once per commit, holding
# the one connection while it waits. SQLite runs at NORMAL, and this storage
# syncs the write-ahead log itself, on a thread of its own, before a write
# returns: commits that were made while a sync ran share the next one (a
# "group commit"), so busy teams wait for fewer syncs and never for each
# other's. Syncing the log after a commit is exactly what FULL adds to NORMAL
# in WAL mode; the log's header, when it is started afresh, is synced by
# SQLite at NORMAL too.
SYNCHRONOUS = ("full", "normal")

T = TypeVar("T")

log = logging.getLogger("deciding_together.storage")

# The database and its journal files hold a care team's words: readable and
# writable by the bot's own user only, whatever the umask.
OWNER_ONLY = 0o600
# SQLite's two companions of a database in WAL mode.
COMPANIONS = ("-wal", "-shm")

# After a ``forgetme`` or a purge, a reader (an export, a backup) may hold the
# write-ahead log, so old copies cannot be wiped yet: tried again after this
# pause, doubled each time up to the longest, until it is done.
WIPE_RETRY_FIRST = 0.2
WIPE_RETRY_LONGEST = 30.0


class SqliteStorage(lookups.Lookups):
    """The :class:`bot.app.ports.Storage` protocol on an SQLite file.

    One connection serves every caller. A transaction spans several awaits,
    so a lock keeps other callers' statements from running inside it (where
    they would be rolled back with it, or see it half-done)."""

    def __init__(
        self,
        db: Connection,
        where: str,
        instance: str,
        *,
        sync_log: bool = False,
        lock: one_process.ProcessLock | None = None,
    ) -> None:
        self._db = db
        self._process_lock = lock  # this process's hold on the file (see ``one_process``)
        self._where = where
        self._instance = instance
        self._lock = asyncio.Lock()
        self._closed = False
        # Durability ("full"): writes made, writes known to be on disk, the sync
        # under way, and the log file it syncs (opened on the first sync).
        self._sync_log = sync_log
        self._written = 0
        self._synced = 0
        self._syncing: asyncio.Future[None] | None = None
        self._log_file: int | None = None
        # Commits waiting for the worker thread, and the task that hands them over.
        self._queued: list[_Queued] = []
        self._writer: asyncio.Task[None] | None = None
        # Read-through memory of lookups made for every button press and message.
        # Chats change group only through :meth:`commit`, which keeps this up to
        # date; a button's token never changes once made.
        self._chat_groups: dict[str, str] = {}
        self._actions: dict[str, tuple[str, str]] = {}
        # Old copies of erased rows still to be wiped from the files (see ``_wipe``).
        self._wiping: asyncio.Task[None] | None = None

    @classmethod
    async def open(
        cls,
        path: str | Path,
        *,
        synchronous: str = "full",
        only_reading: bool = False,
        check: bool = False,
    ) -> SqliteStorage:
        """Open (or create) the database at ``path`` and bring its schema up to date.

        The whole file is checked for damage (``storage.integrity``) when the bot
        that last wrote it did not close it cleanly, or when ``check`` asks.

        ``synchronous`` is "full" (durable commits, the default) or "normal"
        (faster; a power cut may undo the last commits). Refuses with a
        ``StorageError`` that says why: a missing or read-only folder, a file
        that is not a Deciding Together database or is damaged, a database
        written by a newer version, and (``DatabaseInUse``) a database another
        process is running the bot on. ``only_reading`` (an export) may open a
        database a bot is running on, but then never changes its schema."""
        level = synchronous.lower()
        if level not in SYNCHRONOUS:
            raise StorageError(f'synchronous must be "full" or "normal", not "{synchronous}".')
        where = str(path)
        lock: one_process.ProcessLock | None = None
        beside_a_bot = False
        if where != ":memory:":
            where = str(Path(path).expanduser())
            _check_path(Path(where))
            if only_reading:
                beside_a_bot = one_process.held_elsewhere(Path(where))
            else:
                lock = one_process.take(Path(where))
        try:
            if where != ":memory:":
                _create_owner_only(Path(where))
            return await cls._connect(where, level, lock, beside_a_bot, check)
        except BaseException:
            if lock is not None:
                lock.release()
            raise

    @classmethod
    async def _connect(
        cls,
        where: str,
        level: str,
        lock: one_process.ProcessLock | None,
        beside_a_bot: bool,
        check: bool,
    ) -> SqliteStorage:
        try:
            # isolation_level=None: transactions are begun and ended here, by
            # hand, never implicitly. Every statement is a constant string, so
            # the statement cache prepares each one once per connection.
            db = await connection.connect(where, isolation_level=None, cached_statements=256)
        except sqlite3.Error as error:
            raise storage_error(error, where) from error
        try:
            sync_log = await _configure(db, where, level)
            # Before anything is written: damage is found, not built on.
            if check:
                await integrity.check(db, where)
            elif lock is not None:
                await integrity.check_after_unclean_stop(db, where)
            if beside_a_bot and await schema.schema_version(db) < len(schema.MIGRATIONS):
                raise StorageError(
                    f"A bot of an older version is running on {where}. "
                    "Stop it (or upgrade it) first, then try again."
                )
            await schema.migrate(db, where)
            if lock is not None or where == ":memory:":
                # The bot starts on this file: a reply still held for a gesture was
                # never settled (it stopped between the commit and the pop-up).
                await db.execute(outbox.RELEASE_EVERY_HOLD)
            if lock is not None:
                await integrity.mark_open(db)  # cleared by a clean close
            found = list(
                await db.execute_fetchall("SELECT value FROM meta WHERE name = 'instance'")
            )
        except BaseException as error:
            await db.close()
            if isinstance(error, sqlite3.Error):
                raise storage_error(error, where) from error
            raise
        if where != ":memory:":
            _tighten(Path(where))
        storage = cls(db, where, found[0][0], sync_log=sync_log, lock=lock)
        if not beside_a_bot:
            # A run that stopped while a reader held the log may have left old copies
            # of erased rows in it: wiped now, or as soon as that reader lets go.
            await storage._wipe()
        return storage

    async def close(self) -> None:
        """Close the database; waits for a commit in progress to finish."""
        if self._wiping is not None:
            self._wiping.cancel()  # the next open wipes what is left
            with suppress(asyncio.CancelledError):
                await self._wiping
        if self._writer is not None:
            with suppress(Exception):  # its commits' callers hear of a failure
                await asyncio.shield(self._writer)
        async with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._syncing is not None:
                with suppress(StorageError):  # its waiters hear of a failure
                    await asyncio.shield(self._syncing)
            if self._log_file is not None:
                os.close(self._log_file)
            # Lets SQLite refresh the statistics its query planner uses.
            with suppress(sqlite3.Error):
                await self._db.execute("PRAGMA optimize")
            if self._process_lock is not None:
                with suppress(sqlite3.Error):  # left marked: the next start checks the file
                    await integrity.mark_closed(self._db)
            await self._db.close()
            if self._process_lock is not None:
                self._process_lock.release()  # last: nothing is written after this

    # -- durability -----------------------------------------------------------------------

    async def durable(self) -> None:
        """Return once every write made so far would survive a power cut.

        Writes wait for this themselves (``commit(durable=False)`` does not, so
        that a caller can let go of its own lock first and share the sync with
        the commits made meanwhile). A sync that fails raises ``StorageError``:
        the write is stored, but is not known to be on disk."""
        wanted = self._written
        while self._synced < wanted:
            if self._syncing is None:
                self._syncing = asyncio.ensure_future(self._sync())
            await asyncio.shield(self._syncing)

    def _wrote(self) -> None:
        if self._sync_log:
            self._written += 1

    async def _sync(self) -> None:
        covers = self._written  # every write counted here has committed
        try:
            await asyncio.to_thread(self._sync_log_file)
        except OSError as error:
            raise StorageError(
                f"The database {self._where} could not be written to disk ({error.strerror}). "
                "What was just stored may be lost if the power goes. Check the disk."
            ) from error
        finally:
            self._syncing = None
        self._synced = max(self._synced, covers)

    def _sync_log_file(self) -> None:
        """Sync the write-ahead log (on a thread: it may take milliseconds). fdatasync,
        as SQLite itself uses: the log's data and size, not its times."""
        path = self._where + "-wal"
        if self._log_file is not None and os.fstat(self._log_file).st_ino != _inode(path):
            os.close(self._log_file)  # the log was made anew (another process removed it)
            self._log_file = None
        if self._log_file is None:
            self._log_file = os.open(path, os.O_RDONLY)
        os.fdatasync(self._log_file)

    # -- the one transaction per command --------------------------------------------------

    async def commit(
        self,
        *,
        group_before: Group | None,
        group_after: Group,
        command: Command,
        now: datetime,
        summary: str,
        outgoing: Sequence[Outgoing],
        update_key: str | None = None,
        fired_timer: str | None = None,
        version: int | None = None,
        remember: Sequence[Remember] = (),
        durable: bool = True,
    ) -> bool:
        """Store a command's result atomically (see ``Storage.commit``).

        ``group_before`` must be the group as stored (as loaded, or as last
        committed): only what differs from it is written. After a failed
        commit, load the group again rather than reuse the state in memory.
        A ``StorageError`` means nothing at all was stored."""
        # Planned and encoded before the write: pure work that could fail on
        # a bad value fails before anything is written.
        planned = transaction.plan(
            group_before=group_before,
            group_after=group_after,
            command=command,
            now=now,
            summary=summary,
            outgoing=outgoing,
            update_key=update_key,
            fired_timer=fired_timer,
            version=version,
            remember=remember,
        )
        return await self._store([planned], durable=durable)

    async def commit_many(self, commits: Sequence[Commit], *, durable: bool = True) -> bool:
        """Store several commands' results in one transaction (see ``Storage.commit_many``)."""
        return await self._store([transaction.plan(**each) for each in commits], durable=durable)

    async def _store(self, plans: list[transaction.Plan], *, durable: bool) -> bool:
        """Write planned commands in one transaction; False if an update was seen before."""
        done: asyncio.Future[BaseException | None] = asyncio.get_running_loop().create_future()
        self._queued.append(_Queued(plans, done))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_queued())
        failure = await done
        if isinstance(failure, transaction.AlreadySeen):
            return False
        if isinstance(failure, transaction.StaleState):
            raise stale_state(self._where) from None
        if isinstance(failure, sqlite3.Error):
            raise storage_error(failure, self._where, nothing_saved=True) from failure
        if failure is not None:
            raise failure
        for planned in plans:
            self._note_chats(planned)
        if durable:
            await self.durable()
        return True

    async def _write_queued(self) -> None:
        """Hand the commits queued so far to the worker thread, in one round trip.

        Each is still its own transaction, written in the order it came; only
        the trip to the thread is shared. With many teams busy, that trip (a
        wake-up of the thread and the handing back of the interpreter's lock,
        both ways) cost the event loop about as much as deciding a response."""
        try:
            while self._queued:
                queued, self._queued = self._queued, []
                async with self._lock:
                    try:
                        failures = await self._on_worker(_write_each, [q.plans for q in queued])
                    except BaseException as error:  # the thread or connection itself failed
                        failures = [error] * len(queued)
                    for failure in failures:
                        if failure is None:
                            self._wrote()
                    forgot = any(
                        failure is None and any(planned.forgets for planned in each.plans)
                        for each, failure in zip(queued, failures, strict=True)
                    )
                    if forgot:
                        await self._wipe_now()
                for each, failure in zip(queued, failures, strict=True):
                    if not each.done.done():  # its caller may have been cancelled
                        each.done.set_result(failure)
        finally:
            self._writer = None

    def _note_chats(self, planned: transaction.Plan) -> None:
        """Keep the memory of which chat is in which group as the commit left it."""
        writes, gid = planned.writes, planned.group_id
        if writes.rows(changes.CHATS_DELETE):
            for chat in [chat for chat, group in self._chat_groups.items() if group == gid]:
                del self._chat_groups[chat]
        for chat, group, _position in writes.rows(changes.CHAT_UPSERT):
            self._chat_groups[chat] = group

    async def seen_update(self, update_key: str) -> bool:
        return bool(await self._run(lookups.UPDATE_SEEN, update_key))

    # -- groups --------------------------------------------------------------------------

    async def read_group(self, group_id: str) -> StoredGroup | None:
        """The resident group (``bot.core.resident``) and its version, in one snapshot."""
        tables = await self._fetch(load.fetch, group_id, "resident")
        if tables is None:
            return None
        return StoredGroup(load.build(group_id, tables), load.version(tables))

    async def load_group(self, group_id: str) -> Group | None:
        """The whole group, every proposal in it."""
        tables = await self._fetch(load.fetch, group_id, "every")
        return None if tables is None else load.build(group_id, tables)

    async def read_proposals(
        self, group_id: str, numbers: Collection[int] | None = None
    ) -> dict[int, Proposal]:
        """The group's proposals as stored: those ``numbers`` names, or every one."""
        which: load.Which = "every" if numbers is None else tuple(numbers)
        if which == ():
            return {}
        tables = await self._fetch(load.fetch_proposals, group_id, which)
        return load.build_proposals(tables)

    async def _fetch(self, fetch: Callable[..., T], *args: object) -> T:
        async with self._lock:
            try:
                return await self._on_worker(fetch, *args)
            except sqlite3.Error as error:
                raise storage_error(error, self._where) from error

    async def group_for_chat(self, chat: str) -> str | None:
        known = self._chat_groups.get(chat)
        if known is not None:
            return known
        found = await self._one(lookups.GROUP_OF_CHAT, chat)
        if found is not None:
            self._chat_groups[chat] = found
        return found

    # -- timers --------------------------------------------------------------------------

    async def next_timer_due(self) -> datetime | None:
        async with self._autocommit() as db:
            return await timers.next_due(db)

    async def due_timers(self, now: datetime, limit: int = 100) -> list[Timer]:
        """Unfired timers due at or before ``now``, oldest first."""
        async with self._autocommit() as db:
            return await timers.due_timers(db, now, limit)

    async def postpone_timer(self, group_id: str, key: str, until: datetime) -> None:
        """Move an unfired timer to ``until`` (it failed, and is tried again then)."""
        await self._write(timers.POSTPONE, rows.stamp(until), group_id, key)

    # -- outbox --------------------------------------------------------------------------

    async def pending_deliveries(self, now: datetime, limit: int = 100) -> list[Delivery]:
        """Undelivered, due for an attempt, oldest first."""
        async with self._autocommit() as db:
            return await outbox.pending(db, self._instance, now, limit)

    async def pending_deliveries_elsewhere(
        self, now: datetime, limit: int, busy: Collection[str]
    ) -> list[Delivery]:
        """Like :meth:`pending_deliveries`, without those to the targets in ``busy``."""
        async with self._autocommit() as db:
            return await outbox.pending_elsewhere(
                db, self._instance, now, limit, json.dumps(sorted(busy))
            )

    async def next_delivery_due(self) -> datetime | None:
        async with self._autocommit() as db:
            return await outbox.next_due(db)

    async def delivered(self, delivery_id: int, platform_ref: str | None = None) -> None:
        async with self._autocommit(writes=True) as db:
            await outbox.delivered(db, delivery_id, platform_ref)

    async def delivered_many(self, done: Sequence[tuple[int, str | None]]) -> None:
        """Several deliveries marked delivered in one transaction (one durable write)."""
        async with self._transaction() as db:
            await outbox.delivered_many(db, done)

    async def delivery_failed(self, delivery_id: int, error: str, retry_at: datetime) -> None:
        async with self._autocommit(writes=True) as db:
            await outbox.failed(db, delivery_id, error, retry_at)

    # Settling a hold waits for no disk sync of its own (the next durable write
    # takes it along): lost to a power cut, the hold is released at the next
    # start, and the reply is posted (a thank-you too many, never one missing).

    async def confirm_held(self, *held: str) -> None:
        async with self._autocommit() as db:
            await outbox.confirm_held(db, held)
            self._wrote()

    async def release_held(self, *held: str) -> None:
        async with self._autocommit() as db:
            await outbox.release_held(db, held)
            self._wrote()

    # -- where a card is, per chat --------------------------------------------------------

    async def save_card_message(self, group_id: str, number: int, chat: str, ref: str) -> None:
        # REPLACE also frees (chat, ref) if an old card somehow held it.
        await self._write(
            "INSERT OR REPLACE INTO cards (group_id, number, chat, ref) VALUES (?, ?, ?, ?)",
            group_id,
            number,
            chat,
            ref,
        )

    # -- opaque button ids ----------------------------------------------------------------

    async def action_token(self, group_id: str, command: str, kind: TokenKind = "button") -> str:
        """A short random token for a button, the same each time for the same command.

        12 characters: with a short prefix it fits Telegram's 64-byte
        callback data with room to spare, and it cannot be guessed."""
        stored = _TOKEN_KINDS[kind] + command
        select = lookups.ACTION_TOKEN
        known = await self._one(select, group_id, stored)
        if known is not None:
            return known
        # A new button: its token must outlive a power cut, since it is about to be sent.
        async with self._autocommit(writes=True) as db:
            while True:
                # IGNORE: on the (unlikely) clash of two random tokens, try another.
                await db.execute(
                    lookups.ACTION_INSERT,
                    (secrets.token_urlsafe(9), group_id, stored),
                )
                found = list(await db.execute_fetchall(select, (group_id, stored)))
                if found:
                    return str(found[0][0])

    async def action_for_token(
        self, token: str, kind: TokenKind = "button"
    ) -> tuple[str, str] | None:
        """(group id, command) for a token of ``kind``, or None for a forged or unknown one
        or one of another kind."""
        known = self._actions.get(token)
        if known is None:
            found = await self._run(lookups.ACTION_FOR_TOKEN, token)
            if not found:
                return None
            known = self._actions[token] = (found[0][0], found[0][1])
        group_id, stored = known
        prefix = _TOKEN_KINDS[kind]
        if _kind_of(stored) != kind:
            return None
        return group_id, stored[len(prefix) :]

    # -- adapters' own small state --------------------------------------------------------

    async def get_value(self, key: str) -> str | None:
        return await self._one(lookups.VALUE, key)

    async def set_value(self, key: str, value: str, about: str | None = None) -> None:
        await self._write(
            transaction.KV_UPSERT,
            key,
            value,
            about,
        )

    async def memory_about(self, identity: str) -> dict[str, str]:
        found = await self._run(lookups.MEMORY_ABOUT, identity)
        return dict(found)

    # -- the record -----------------------------------------------------------------------

    async def audit(self, group_id: str) -> list[AuditEntry]:
        return self._audit_entries(
            await self._run(
                lookups.AUDIT_OF_GROUP,
                group_id,
            )
        )

    async def audit_of(self, identity: str) -> list[AuditEntry]:
        # The identity as the command's JSON writes it, quotes included: a whole value
        # (as ``storage.forgetting`` looks for it), then only the commands it sent.
        found = await self._run(
            lookups.AUDIT_NAMING,
            rows.to_json(identity),
        )
        return [
            entry
            for entry in self._audit_entries(found)
            if isinstance(entry.command, Request) and entry.command.actor.identity == identity
        ]

    @staticmethod
    def _audit_entries(found: Iterable[tuple[Any, ...]]) -> list[AuditEntry]:
        return [
            AuditEntry(
                id=id_,
                group_id=gid,
                at=rows.moment(at),
                command=rows.from_json(command, Command),
                summary=summary,
                redacted_at=rows.moment_or_none(redacted_at),
            )
            for id_, gid, at, command, summary, redacted_at in found
        ]

    async def purge_closed(self, before: datetime) -> int:
        """Delete closed proposals that ended before ``before``; returns how many.

        See ``storage.purge`` for what goes with them: their words go from the
        messages and the audit log too, whose entries keep their place. Groups
        loaded before a purge still hold the purged proposals: load them again
        before committing changes to them."""
        async with self._transaction() as db:
            purged = await purge.purge_closed(db, before)
        if purged:
            await self._wipe()
        return purged

    async def prune(self, before: datetime) -> Pruned:
        """Delete messages done with and update keys no longer needed, made before
        ``before`` (see ``storage.purge.prune``)."""
        async with self._transaction() as db:
            messages, updates, timers = await purge.prune(db, before)
        if messages or updates:
            await self._wipe()
        return Pruned(messages=messages, updates=updates, timers=timers)

    # -- wiping old copies -----------------------------------------------------------------

    async def _wipe(self) -> None:
        """Wipe old copies of erased rows from the files, now or as soon as it can be."""
        async with self._lock:
            if not self._closed:
                await self._wipe_now()

    async def _wipe_now(self) -> None:
        """Try once (holding the lock); if a reader holds the log, keep trying in the
        background until it lets go. Stored already, so a failure here is not the
        commit's: it is tried again."""
        try:
            done = await self._on_worker(_wipe_old_copies)
        except sqlite3.Error:
            done = False
        if not done and self._wiping is None:
            self._wiping = asyncio.create_task(self._wipe_later(), name="wiping old copies")

    async def _wipe_later(self) -> None:
        pause = WIPE_RETRY_FIRST
        log.info("old copies of erased data wait for a reader of the database to finish")
        try:
            while True:
                await asyncio.sleep(pause)
                async with self._lock:
                    if self._closed:
                        return
                    with suppress(sqlite3.Error):
                        if await self._on_worker(_wipe_old_copies):
                            log.info("old copies of erased data are now wiped from the files")
                            return
                pause = min(pause * 2, WIPE_RETRY_LONGEST)
        finally:
            self._wiping = None

    # -- plumbing -------------------------------------------------------------------------

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Connection]:
        """One write transaction: all of it is stored, or none of it.

        IMMEDIATE takes the write lock at the start, so a transaction never
        fails half-way because another process started writing first. Durable
        when the block is left; the wait for the disk is outside the lock."""
        async with self._lock:
            try:
                await self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                    await self._db.execute("COMMIT")
                    self._wrote()
                except BaseException:
                    await self._rollback()
                    raise
            except sqlite3.Error as error:
                raise storage_error(error, self._where, nothing_saved=True) from error
        await self.durable()

    @asynccontextmanager
    async def _autocommit(self, *, writes: bool = False) -> AsyncIterator[Connection]:
        """The connection, for statements that each stand alone (autocommit).
        ``writes``: they change something, durable when the block is left."""
        async with self._lock:
            try:
                yield self._db
            except sqlite3.Error as error:
                raise storage_error(error, self._where) from error
            if writes:
                self._wrote()
        if writes:
            await self.durable()

    async def _on_worker(self, work: Callable[..., T], *args: object) -> T:
        """Run ``work(connection, *args)`` on the connection's own thread, in one
        round trip: a synchronous function over the plain ``sqlite3`` connection."""
        return await self._db.run(work, *args)

    async def _rollback(self) -> None:
        # Some errors (a full disk, an I/O error) make SQLite roll back by itself.
        if self._db.in_transaction:
            with suppress(sqlite3.Error):  # the original error is the one worth reporting
                await self._db.execute("ROLLBACK")

    async def _run(self, statement: str, *params: object) -> list[rows.Row]:
        async with self._autocommit() as db:
            return await db.execute_fetchall(statement, params)

    async def _write(self, statement: str, *params: object) -> None:
        """One statement that changes something, durable on return."""
        async with self._autocommit(writes=True) as db:
            await db.execute(statement, params)


# How a token's kind is kept: in its stored command, as a prefix no command typed
# or drawn on a button can start with (a unit separator), so a table made before
# the kinds existed reads as it was: every token in it is a button's.
_TOKEN_KINDS: dict[TokenKind, str] = {"button": "", "deep link": "\x1fdeep link\x1f"}


def _kind_of(stored: str) -> TokenKind:
    return "deep link" if stored.startswith(_TOKEN_KINDS["deep link"]) else "button"


def _check_path(path: Path) -> None:
    """Refuse, in words, a place where the database cannot live."""
    folder = path.parent
    if not folder.exists():
        raise StorageError(
            f"The folder {folder} does not exist, so the database {path} cannot be made there. "
            "Create the folder, or choose another --db file."
        )
    if not folder.is_dir():
        raise StorageError(f"{folder} is not a folder, so {path} cannot be a database file in it.")
    if path.exists() and not path.is_file():
        raise StorageError(f"{path} is not a file. Choose another --db file.")
    # The journal (WAL) files live beside the database, so the folder must be writable too.
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StorageError(
            f"The folder {folder} may not be written, and the database needs to keep its "
            f"journal files there. Check the folder's permissions, or choose another --db file."
        )
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise StorageError(f"{path} is read-only. Check the file's permissions.")


@dataclass(frozen=True, slots=True)
class _Queued:
    """One commit's planned commands, and where to say how writing them went."""

    plans: list[transaction.Plan]
    done: asyncio.Future[BaseException | None]


def _write_each(
    db: sqlite3.Connection, queued: list[list[transaction.Plan]]
) -> list[BaseException | None]:
    """Write each commit as a transaction of its own (on the worker thread); what
    went wrong with each, or None. One failing leaves the others as they are."""
    failures: list[BaseException | None] = []
    for plans in queued:
        try:
            transaction.write(db, plans)
        except (transaction.AlreadySeen, transaction.StaleState, sqlite3.Error) as failure:
            failures.append(failure)
            continue
        failures.append(None)
    return failures


def _wipe_old_copies(db: sqlite3.Connection) -> bool:
    """After a person is erased or a proposal purged, leave no old copy of their
    rows in the files; True when done.

    ``secure_delete`` has already zeroed the deleted rows in the pages the
    commit wrote; the write-ahead log still holds earlier versions of those
    pages, and the database file holds the versions before them. Copying the
    log back and emptying it (TRUNCATE) leaves only the new versions. A reader
    (an export, a backup) that still reads an older version holds the log:
    then this does not wait for it (the bot would stand still meanwhile) but
    says it is not done, and is tried again."""
    db.execute("PRAGMA busy_timeout = 0")
    try:
        busy, _log, _copied = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return not busy


def _create_owner_only(path: Path) -> None:
    """Make a new database file readable by its owner only, before SQLite opens it.

    SQLite gives the write-ahead log and the shared-memory file it makes beside
    a database the database file's own permissions (and sets them exactly,
    whatever the umask), so an owner-only database is enough for all three.
    The process's umask is left alone: it is shared by every thread, and the
    libraries' threads write files of their own."""
    with suppress(FileExistsError):
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)
        try:
            os.fchmod(descriptor, OWNER_ONLY)  # the umask may have taken bits away; none added
        finally:
            os.close(descriptor)


def _tighten(path: Path) -> None:
    """An existing database (or its journal files) readable by others is made owner-only."""
    for file in (path, *(Path(f"{path}{suffix}") for suffix in COMPANIONS)):
        try:
            mode = stat.S_IMODE(file.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & ~OWNER_ONLY:
            try:
                file.chmod(OWNER_ONLY)
            except OSError as error:
                log.warning("could not make %s readable by its owner only: %s", file, error)
                continue
            log.warning(
                "%s could be read by other users of this computer (mode %o); "
                "it is now readable by its owner only (mode 600)",
                file,
                mode,
            )


def _inode(path: str) -> int | None:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return None


async def _configure(db: Connection, where: str, synchronous: str) -> bool:
    """Set the connection up; True if the storage must sync the log itself ("full")."""
    await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # The first read of the file: a file that is not SQLite fails here, before
    # anything is written into it. (The whole file is read only when it is
    # worth it: ``storage.integrity``.)
    await db.execute_fetchall("SELECT count(*) FROM sqlite_master")
    # WAL: readers (an export) do not block the bot, and a commit is one append.
    mode = next(iter(await db.execute_fetchall("PRAGMA journal_mode = WAL")))[0]
    await db.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT}")
    await db.execute("PRAGMA foreign_keys = ON")
    # Deleted rows are overwritten with zeros, not just unlinked: what forgetme and
    # the retention purge delete must not stay readable in the file's free space.
    await db.execute("PRAGMA secure_delete = ON")
    if mode != "wal":
        # An in-memory database (tests), or a file system without shared memory:
        # no log to sync, so SQLite's own levels apply.
        await db.execute(f"PRAGMA synchronous = {synchronous.upper()}")
        return False
    await db.execute("PRAGMA synchronous = NORMAL")
    return synchronous == "full"


if TYPE_CHECKING:

    def _keeps_the_protocol(storage: SqliteStorage) -> Storage:
        return storage  # mypy checks every method against ``Storage`` here
