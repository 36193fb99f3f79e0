"""The PostgreSQL storage: several workers on one database, one transaction per command.

It implements the same port as ``storage.sqlite`` (``bot.app.ports.Storage``),
with the same rows and, where they mean the same, the same statements
(``storage.postgres_sql`` says which words it rewrites). What differs is how
the work is shared between processes:

* **One round trip per commit.** A command's transaction (``storage.transaction``
  plans it) is sent in pipeline mode: ``BEGIN``, every statement, ``COMMIT``,
  and one wait for the answers. The checks SQLite makes on the way (the update
  seen before, the timer no longer due, the group's version) are made in the
  server (``postgres_sql.must_find``): a failed one aborts the transaction there,
  and the ``COMMIT`` that follows it rolls back. A ``forgetme`` reads what it
  erases, so it takes a few round trips more.
* **Durability.** A commit returns once PostgreSQL has it on disk (its own
  ``synchronous_commit``, on by default), so :meth:`durable` has nothing left to
  wait for.
* **Versions.** Commits of one group take turns (a transaction lock on the
  group's id), and each moves the group's version on only from the version it
  was decided on: a worker that decided on an old state gets ``StaleGroup``,
  reads the group again and decides again, as with SQLite.
* **Connections** come from a pool (psycopg-pool): a worker keeps a few open.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Collection, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import AsyncConnection, AsyncRawCursor
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from bot.app import (
    AuditEntry,
    Commit,
    Delivery,
    Outgoing,
    Pruned,
    Remember,
    StaleGroup,
    Storage,
    StorageError,
    StoredGroup,
    Timer,
    TokenKind,
)
from bot.core.addresses import url_without_password as without_password
from bot.core.commands import Command, Request
from bot.core.effects import Forget
from bot.core.model import Group, Proposal
from storage import (
    changes,
    forgetting,
    load,
    lookups,
    outbox,
    postgres_schema,
    purge,
    rows,
    timers,
    transaction,
)
from storage.connection import Done, Params
from storage.postgres_sql import dialect, first_parameter_as, must_find
from storage.rows import Row

# The same tokens' kinds and audit entries as SQLite's (statements and rows alike).
from storage.sqlite import _TOKEN_KINDS, SqliteStorage, _kind_of

log = logging.getLogger("deciding_together.storage")

# The SQLSTATEs of the checks made in the server (``dt_expect``, schema 1).
SEEN = "DT001"  # the update was stored before, or the timer is no longer due
STALE = "DT002"  # the group is not at the version the command was decided on

# Commits of one group take turns: a transaction lock on (this class, the group).
# Two 32-bit keys, a space apart from the one-key locks of the workers' roles.
_GROUP_LOCKS = 0x44546772  # "DTgr"
_TAKE_TURN = f"SELECT pg_advisory_xact_lock({_GROUP_LOCKS}, hashtext($1))"
_NOT_STORED_YET = "SELECT dt_expect(count(*), 0, '" + STALE + "') FROM groups WHERE id = $1"
# The outbox row just inserted, for its deliveries, in the same round trip.
_LAST_OUTBOX = "currval(pg_get_serial_sequence('outbox', 'id'))"

# How long to wait for the server before saying it cannot be reached.
CONNECT_TIMEOUT = 10
# Connections a worker keeps: its commits, the delivery loop, the timers.
POOL_SIZE = 8

# Every connection: statements in PostgreSQL's own ``$1`` form (``postgres_sql``), and
# each statement its own transaction unless a ``transaction()`` block holds several.
_CONNECTING: dict[str, Any] = {
    "cursor_factory": AsyncRawCursor,
    "autocommit": True,
    "connect_timeout": CONNECT_TIMEOUT,
}


def unreachable(error: BaseException, where: str) -> StorageError:
    """The words for a server that could not be reached or would not let us in.

    psycopg's own message may quote the connection string, password and all: it
    is never shown; only what kind of failure it was."""
    text = str(error).lower()
    if "password" in text or "authentication" in text:
        why = "it did not accept the user name or password. Check them in the URL."
    elif "does not exist" in text:
        why = "the database (or the user) does not exist there. Create it, or check the URL."
    elif "invalid" in text or "missing" in text or "syntax" in text:
        why = 'the URL cannot be read. It looks like "postgresql://user:password@host/db".'
    else:
        why = "the server did not answer. Check that it runs, and the host and port in the URL."
    return StorageError(f"Could not connect to the PostgreSQL database {where}: {why}")


def _failed(error: psycopg.Error, where: str, *, nothing_saved: bool = False) -> StorageError:
    said = f"The PostgreSQL database {where} failed ({type(error).__name__}"
    said += f": {error.sqlstate})." if error.sqlstate else ")."
    if nothing_saved:
        said += " Nothing was saved."
    return StorageError(said)


def _stale(where: str) -> StaleGroup:
    return StaleGroup(
        f"What was to be saved in {where} does not fit what is stored there (another "
        "worker changed the group since it was read). Load the group again. Nothing was saved."
    )


class _Statements:
    """One connection inside a transaction, with the methods the shared queries
    (``storage.timers``, ``outbox``, ``purge``) call: their SQLite statements,
    run as PostgreSQL reads them."""

    def __init__(self, connection: AsyncConnection[Row]) -> None:
        self._connection = connection

    async def execute(self, statement: str, params: Params = ()) -> Done:
        cursor = await self._connection.execute(dialect(statement), params or None)
        return Done(cursor.rowcount, None)

    async def executemany(self, statement: str, params: Iterable[Params]) -> Done:
        batch = list(params)
        if not batch:
            return Done(0, None)
        async with self._connection.cursor() as cursor:
            await cursor.executemany(dialect(statement), batch)
            return Done(cursor.rowcount, None)

    async def execute_fetchall(self, statement: str, params: Params = ()) -> list[Row]:
        cursor = await self._connection.execute(dialect(statement), params or None)
        return await cursor.fetchall()


class PostgresStorage(lookups.Lookups):
    """The :class:`bot.app.ports.Storage` protocol on a PostgreSQL database."""

    def __init__(self, pool: AsyncConnectionPool[Any], where: str, instance: str) -> None:
        self._pool = pool
        self._where = where
        self._instance = instance
        # Tokens never change once made; a chat's group may (another worker moves
        # it), so that is read each time.
        self._actions: dict[str, tuple[str, str]] = {}

    @classmethod
    async def open(
        cls, url: str, *, only_reading: bool = False, pool_size: int = POOL_SIZE
    ) -> PostgresStorage:
        """Connect to the database at ``url`` and bring its schema up to date.

        Refuses with a ``StorageError`` that says why, never showing the
        password: a server that cannot be reached or refuses us, a database
        holding another program's tables, or one written by a newer version.
        ``only_reading`` (an export) never changes the schema, and leaves the
        replies held by running workers as they are."""
        where = without_password(url)
        try:
            first = await AsyncConnection.connect(url, **_CONNECTING)
        except (psycopg.Error, ValueError) as error:
            raise unreachable(error, where) from None
        connecting = dict(_CONNECTING)
        try:
            if await _setting(first, "synchronous_commit") == "off":
                # Acknowledged means on disk: this database's own default is not kept.
                connecting["options"] = "-c synchronous_commit=on"
            if await _setting(first, "fsync") == "off":
                log.warning(
                    "the PostgreSQL server at %s runs with fsync off: a power cut may lose "
                    "what the bot has acknowledged. Turn fsync on in its configuration.",
                    where,
                )
            async with first.transaction():
                instance = await _migrate(first, where, only_reading)
                if not only_reading:
                    # A worker starts: a reply still held for a gesture was never
                    # settled (a worker stopped between the commit and the pop-up).
                    # Released, it is posted: a thank-you too many, never one missing.
                    await first.execute(dialect(outbox.RELEASE_EVERY_HOLD))
        except psycopg.Error as error:
            raise _failed(error, where) from error
        finally:
            await first.close()
        pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            kwargs=connecting,
            open=False,
            name="deciding-together",
        )
        try:
            await pool.open(wait=True, timeout=CONNECT_TIMEOUT)
        except PoolTimeout:
            await pool.close()
            raise StorageError(
                f"Could not keep connections open to the PostgreSQL database {where}. "
                "Check that the server allows enough connections (max_connections)."
            ) from None
        return cls(pool, where, instance)

    async def close(self) -> None:
        await self._pool.close()

    # -- durability -----------------------------------------------------------------------

    async def durable(self) -> None:
        """Every commit is on disk when it returns (PostgreSQL's synchronous commit)."""

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
        """Store a command's result atomically (see ``Storage.commit``)."""
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
        return await self._store([planned])

    async def commit_many(self, commits: Sequence[Commit], *, durable: bool = True) -> bool:
        """Store several commands' results in one transaction (see ``Storage.commit_many``)."""
        return await self._store([transaction.plan(**each) for each in commits])

    async def _store(self, plans: list[transaction.Plan]) -> bool:
        try:
            async with (
                self._pool.connection() as connection,
                connection.pipeline(),
                connection.transaction(),
            ):
                cursor = connection.cursor()
                # In a fixed order, so that two commits of several groups never
                # wait for each other both ways.
                for group_id in sorted({planned.group_id for planned in plans}):
                    await cursor.execute(_TAKE_TURN, (group_id,))
                for planned in plans:
                    await _write(cursor, planned)
        except psycopg.Error as error:
            if error.sqlstate == SEEN:
                return False
            if error.sqlstate == STALE or isinstance(error, psycopg.errors.IntegrityError):
                # An integrity error: a row the plan trusted to be stored is not.
                raise _stale(self._where) from None
            if isinstance(error, psycopg.OperationalError):
                # The connection went (the server restarted, the network failed):
                # perhaps after the COMMIT was sent, so perhaps it was stored.
                raise StorageError(
                    f"The connection to the PostgreSQL database {self._where} was lost while "
                    "saving. It may or may not have been saved; an update the platform sends "
                    "again is recognised either way."
                ) from error
            if isinstance(error, psycopg.DataError):
                # A value PostgreSQL cannot hold (a NUL in a text: the core takes
                # control characters out of what people type, so this is a bug).
                raise StorageError(
                    f"A value could not be stored in {self._where}: {error}. Nothing was saved."
                ) from error
            raise _failed(error, self._where, nothing_saved=True) from error
        return True

    async def seen_update(self, update_key: str) -> bool:
        return bool(await self._run(lookups.UPDATE_SEEN, update_key))

    # -- groups --------------------------------------------------------------------------

    async def read_group(self, group_id: str) -> StoredGroup | None:
        """The resident group (``bot.core.resident``) and its version, in one snapshot
        and one round trip."""
        tables = await self._read(load.reads(group_id, "resident", whole=True))
        if not tables["group"]:
            return None
        return StoredGroup(load.build(group_id, tables), load.version(tables))

    async def load_group(self, group_id: str) -> Group | None:
        """The whole group, every proposal in it."""
        tables = await self._read(load.reads(group_id, "every", whole=True))
        return load.build(group_id, tables) if tables["group"] else None

    async def read_proposals(
        self, group_id: str, numbers: Collection[int] | None = None
    ) -> dict[int, Proposal]:
        """The group's proposals as stored: those ``numbers`` names, or every one."""
        which: load.Which = "every" if numbers is None else tuple(numbers)
        if which == ():
            return {}
        return load.build_proposals(await self._read(load.reads(group_id, which, whole=False)))

    async def _read(self, reads: list[load.Read]) -> load.Tables:
        """The rows each read finds, by table: one snapshot, one round trip."""
        try:
            async with (
                self._pool.connection() as connection,
                connection.pipeline(),
                connection.transaction(),
            ):
                await connection.execute(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"
                )
                cursors = [
                    (name, await connection.execute(dialect(sql), params))
                    for name, sql, params in reads
                ]
                return {name: await cursor.fetchall() for name, cursor in cursors}
        except psycopg.Error as error:
            raise _failed(error, self._where) from error

    async def group_for_chat(self, chat: str) -> str | None:
        return await self._one(lookups.GROUP_OF_CHAT, chat)

    # -- timers --------------------------------------------------------------------------

    async def next_timer_due(self) -> datetime | None:
        async with self._transaction() as db:
            return await timers.next_due(db)

    async def due_timers(self, now: datetime, limit: int = 100) -> list[Timer]:
        async with self._transaction() as db:
            return await timers.due_timers(db, now, limit)

    async def postpone_timer(self, group_id: str, key: str, until: datetime) -> None:
        await self._run(timers.POSTPONE, rows.stamp(until), group_id, key)

    # -- outbox --------------------------------------------------------------------------

    async def pending_deliveries(self, now: datetime, limit: int = 100) -> list[Delivery]:
        async with self._transaction() as db:
            return await outbox.pending(db, self._instance, now, limit)

    async def pending_deliveries_elsewhere(
        self, now: datetime, limit: int, busy: Collection[str]
    ) -> list[Delivery]:
        async with self._transaction() as db:
            return await outbox.pending_elsewhere(
                db, self._instance, now, limit, rows.to_json(sorted(busy))
            )

    async def next_delivery_due(self) -> datetime | None:
        async with self._transaction() as db:
            return await outbox.next_due(db)

    async def delivered(self, delivery_id: int, platform_ref: str | None = None) -> None:
        async with self._transaction() as db:
            await outbox.delivered(db, delivery_id, platform_ref)

    async def delivered_many(self, done: Sequence[tuple[int, str | None]]) -> None:
        async with self._transaction() as db:
            await outbox.delivered_many(db, done)

    async def delivery_failed(self, delivery_id: int, error: str, retry_at: datetime) -> None:
        async with self._transaction() as db:
            await outbox.failed(db, delivery_id, error, retry_at)

    async def confirm_held(self, *held: str) -> None:
        async with self._transaction() as db:
            await outbox.confirm_held(db, held)

    async def release_held(self, *held: str) -> None:
        async with self._transaction() as db:
            await outbox.release_held(db, held)

    # -- where a card is, per chat --------------------------------------------------------

    async def save_card_message(self, group_id: str, number: int, chat: str, ref: str) -> None:
        async with self._transaction() as db:
            # As SQLite's REPLACE: the message (chat, ref) is this card's only.
            await db.execute("DELETE FROM cards WHERE chat = ? AND ref = ?", (chat, ref))
            await db.execute(
                "INSERT INTO cards (group_id, number, chat, ref) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (group_id, number, chat) DO UPDATE SET ref = excluded.ref",
                (group_id, number, chat, ref),
            )

    # -- opaque button ids ----------------------------------------------------------------

    async def action_token(self, group_id: str, command: str, kind: TokenKind = "button") -> str:
        """A short random token for a button, the same each time for the same command
        (across workers too: the first one stored is everyone's)."""
        stored = _TOKEN_KINDS[kind] + command
        select = lookups.ACTION_TOKEN
        while True:
            known = await self._one(select, group_id, stored)
            if known is not None:
                return known
            # On a clash (of two random tokens, or with another worker's token for
            # the same button), nothing is stored, and the select says which holds.
            await self._run(
                lookups.ACTION_INSERT,
                secrets.token_urlsafe(9),
                group_id,
                stored,
            )

    async def action_for_token(
        self, token: str, kind: TokenKind = "button"
    ) -> tuple[str, str] | None:
        known = self._actions.get(token)
        if known is None:
            found = await self._run(lookups.ACTION_FOR_TOKEN, token)
            if not found:
                return None
            known = self._actions[token] = (found[0][0], found[0][1])
        group_id, stored = known
        if _kind_of(stored) != kind:
            return None
        return group_id, stored[len(_TOKEN_KINDS[kind]) :]

    # -- adapters' own small state --------------------------------------------------------

    async def get_value(self, key: str) -> str | None:
        return await self._one(lookups.VALUE, key)

    async def set_value(self, key: str, value: str, about: str | None = None) -> None:
        await self._run(transaction.KV_UPSERT, key, value, about)

    async def memory_about(self, identity: str) -> dict[str, str]:
        found = await self._run(lookups.MEMORY_ABOUT, identity)
        return dict(found)

    # -- the record -----------------------------------------------------------------------

    async def audit(self, group_id: str) -> list[AuditEntry]:
        return SqliteStorage._audit_entries(
            await self._run(
                lookups.AUDIT_OF_GROUP,
                group_id,
            )
        )

    async def audit_of(self, identity: str) -> list[AuditEntry]:
        found = await self._run(
            lookups.AUDIT_NAMING,
            rows.to_json(identity),
        )
        return [
            entry
            for entry in SqliteStorage._audit_entries(found)
            if isinstance(entry.command, Request) and entry.command.actor.identity == identity
        ]

    async def purge_closed(self, before: datetime) -> int:
        """Delete closed proposals that ended before ``before`` (see ``storage.purge``).

        The rows are deleted when this returns; PostgreSQL reclaims their space
        later (autovacuum), and backups keep them until they expire (see
        docs/reliability.md, "Storage: PostgreSQL").

        Each group a proposal is purged from moves on a version: another worker
        that holds the group in memory, purged proposals and all, is refused
        at its next commit (``StaleGroup``) and reads the group again."""
        async with self._transaction() as db:
            ended = await db.execute_fetchall(
                purge.ENDED_BEFORE, (*purge.ENDED, rows.stamp(before))
            )
            purged = await purge.purge_closed(db, before)
            groups = sorted({(group_id,) for group_id, _number in ended})
            await db.executemany(changes.GROUP_VERSION_MOVE_ON, groups)
        return purged

    async def prune(self, before: datetime) -> Pruned:
        async with self._transaction() as db:
            messages, updates, fired = await purge.prune(db, before)
        return Pruned(messages=messages, updates=updates, timers=fired)

    # -- plumbing -------------------------------------------------------------------------

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[_Statements]:
        """One transaction on a connection of the pool: all of it is stored, or none."""
        try:
            async with self._pool.connection() as connection, connection.transaction():
                yield _Statements(connection)
        except psycopg.Error as error:
            raise _failed(error, self._where, nothing_saved=True) from error

    async def _run(self, statement: str, *params: object) -> list[Row]:
        """One statement on its own (SQLite's words); its rows, if it returns any."""
        try:
            async with self._pool.connection() as connection:
                cursor = await connection.execute(dialect(statement), params or None)
                return await cursor.fetchall() if cursor.description else []
        except psycopg.Error as error:
            raise _failed(error, self._where) from error


# -- one command's writes, sent in one go ------------------------------------------------


async def _write(db: AsyncRawCursor[Row], plan: transaction.Plan) -> None:
    """The statements of ``storage.transaction.write`` for one plan, in its order,
    with its checks made by the server."""
    if plan.update_key is not None:
        inbox = (plan.update_key, plan.group_id, plan.at)
        await db.execute(must_find(transaction.INBOX_INSERT, 1, SEEN), inbox)
    if plan.fired_timer is not None:
        await db.execute(must_find(timers.FIRE, 1, SEEN), plan.fired_timer)
    group = (plan.group_id,)
    if plan.version:
        version = (*group, plan.version)
        await db.execute(must_find(changes.GROUP_VERSION_NEXT, 1, STALE), version)
    elif plan.version == 0:
        await db.execute(_NOT_STORED_YET, group)
    for statement, batch in plan.writes:
        checked = statement in changes.MUST_FIND
        await db.executemany(
            must_find(statement, 1, STALE) if checked else dialect(statement), batch
        )
    if not plan.version:
        await db.execute(dialect(changes.GROUP_VERSION_MOVE_ON), group)
    await db.execute(dialect(transaction.AUDIT_INSERT), plan.audit)
    if plan.remember:
        await db.executemany(dialect(transaction.KV_UPSERT), plan.remember)
    for step in plan.steps:
        if isinstance(step, transaction.Message):
            await _store_message(db, plan.group_id, plan.at, step)
        elif isinstance(step, Forget):
            await _erase(db, plan.group_id, plan.at, step)
        else:
            await db.execute(dialect(step[0]), step[1])


async def _store_message(
    db: AsyncRawCursor[Row], gid: str, at: str, message: transaction.Message
) -> None:
    """One outbox row and a delivery per target, due now (as ``storage.transaction``)."""
    await db.execute(dialect(outbox.OUTBOX_INSERT), message.row)
    card = message.edit_card
    deliveries: list[Row]
    if message.held_for is not None:
        held = (int(message.erase_when_sent), message.held_for)
        deliveries = [(gid, card, target, at, *held) for target in message.targets]
        insert = outbox.DELIVERY_INSERT_HELD
    else:
        deliveries = [(gid, card, target, at) for target in message.targets]
        insert = (
            outbox.DELIVERY_INSERT_ERASED if message.erase_when_sent else outbox.DELIVERY_INSERT
        )
        if card is not None:
            superseded = [(gid, card, target) for target in message.targets]
            await db.executemany(dialect(outbox.SUPERSEDE), superseded)
    await db.executemany(first_parameter_as(insert, _LAST_OUTBOX), deliveries)


async def _erase(db: AsyncRawCursor[Row], group_id: str, at: str, forget: Forget) -> None:
    """``storage.forgetting.erase``, its reads awaited."""
    found = []
    for statement, params in forgetting.audit_queries(group_id, forget):
        await db.execute(dialect(statement), params)
        found.append(await db.fetchall())
    await _many(db, forgetting.REDACT, forgetting.redactions(found, at, forget))
    query = forgetting.messages_query(group_id, forget)
    if query is not None:
        await db.execute(dialect(query[0]), query[1])
        deleted, rewritten = forgetting.message_changes(await db.fetchall(), forget)
        await _many(db, forgetting.DELETE_MESSAGE, deleted)
        await _many(db, forgetting.REWRITE_MESSAGE, rewritten)
    await _many(db, forgetting.FORGET_MEMORY, forgetting.memory_rows(forget))


async def _many(db: AsyncRawCursor[Row], statement: str, batch: Sequence[Row]) -> None:
    if batch:
        await db.executemany(dialect(statement), batch)


async def _setting(db: AsyncConnection[Row], name: str) -> str:
    cursor = await db.execute("SELECT current_setting($1)", (name,))
    found = await cursor.fetchone()
    return str(found[0]) if found else ""


# -- the schema ----------------------------------------------------------------------------


async def check(url: str) -> str:
    """Connect to the database at ``url`` and say what the bot would find there, changing
    nothing (``check-config``). Raises ``StorageError`` as :meth:`PostgresStorage.open`
    would: the server unreachable or refusing us, a database of another program or of
    a newer version."""
    where = without_password(url)
    try:
        db = await AsyncConnection.connect(url, **_CONNECTING)
    except (psycopg.Error, ValueError) as error:
        raise unreachable(error, where) from None
    try:
        version = await _schema_version(db, where)
    except psycopg.Error as error:
        raise _failed(error, where) from error
    finally:
        await db.close()
    latest = len(postgres_schema.MIGRATIONS)
    if version > latest:
        raise StorageError(
            f"The database {where} was written by a newer version of Deciding Together "
            f"(schema {version}; this version knows up to {latest}). Upgrade the bot."
        )
    if version == 0:
        return f"{where} (empty: the bot makes its tables when it starts)"
    if version < latest:
        return f"{where} (brought up to date when the bot starts)"
    return where


async def _migrate(db: AsyncConnection[Row], where: str, only_reading: bool) -> str:
    """Bring the schema up to date (in the caller's transaction); the instance's name."""
    latest = len(postgres_schema.MIGRATIONS)
    # Two workers starting at once: the second waits, then finds it done.
    await db.execute("SELECT pg_advisory_xact_lock($1)", (postgres_schema.MIGRATION_LOCK,))
    version = await _schema_version(db, where)
    if version > latest:
        raise StorageError(
            f"This database ({where}) was written by a newer version of Deciding Together "
            f"(schema {version}; this version knows up to {latest}). Upgrade this worker."
        )
    if version < latest:
        if only_reading and version == 0:
            raise StorageError(f"The database {where} is empty: the bot has stored nothing there.")
        if only_reading:
            raise StorageError(
                f"The database {where} is at an older schema. Start the bot of this version "
                "on it once (it brings the schema up to date), then try again."
            )
        for statement in postgres_schema.statements(version):
            await db.execute(statement)
        await db.execute(
            "INSERT INTO meta (name, value) VALUES ('schema', $1) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (str(latest),),
        )
    cursor = await db.execute("SELECT value FROM meta WHERE name = 'instance'")
    found = await cursor.fetchone()
    if found is None:
        raise StorageError(f"{where} is not a Deciding Together database (no instance).")
    return str(found[0])


async def _schema_version(db: AsyncConnection[Row], where: str) -> int:
    """0 for an empty database; refuses one holding another program's tables."""
    cursor = await db.execute("SELECT to_regclass('meta') IS NOT NULL")
    found = await cursor.fetchone()
    if found is not None and found[0]:
        cursor = await db.execute("SELECT value FROM meta WHERE name = 'schema'")
        version = await cursor.fetchone()
        if version is not None and str(version[0]).isdigit():
            return int(version[0])
    cursor = await db.execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")
    tables = await cursor.fetchone()
    if tables is not None and tables[0]:
        raise StorageError(
            f"{where} already holds tables of another program. "
            "Use another database, or an empty one."
        )
    return 0


if TYPE_CHECKING:

    def _keeps_the_protocol(storage: PostgresStorage) -> Storage:
        return storage  # mypy checks every method against ``Storage`` here
