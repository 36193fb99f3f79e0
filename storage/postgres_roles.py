"""Roles held by PostgreSQL advisory locks, and hints between workers by LISTEN/NOTIFY.

Each worker keeps one connection of its own for its roles (see
``bot.app.roles``). A role is a session-level advisory lock on that
connection: the database lets go of it when the session ends, however the
worker ends (a clean stop, a crash, SIGKILL, a lost network), so a role is
never left with a dead holder. Every second, each worker tries to take the
roles it wants and does not hold (``pg_try_advisory_lock`` never waits), and
the same query shows that its connection, and so its locks, still stand. When
the connection fails, the worker gives up every role at once (``lost``) and
connects again: by then another worker may hold them, and two holders must
never work side by side for long.

A killed worker's roles move within about two seconds: its connection closes
with the process, and the other workers look again within a second. A worker
that hangs, or whose machine vanished, leaves its connection open but silent:
the server ends the session after ten seconds of silence (``idle_session_timeout``,
set for this session only), and its roles move then.

The same connection LISTENs for hints (:meth:`PostgresRoles.tell`): a worker
that stored a timer or a message NOTIFYs, and the holder of the role wakes at
once instead of at its next look. Hints go on a second connection, so that a
hint is never held up by the roles' query.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg
from psycopg.conninfo import make_conninfo

from bot.app.roles import Lost, Taken
from bot.reaching import pauses

log = logging.getLogger("deciding_together.roles")

# The first of the two numbers of every advisory lock a role takes ("DT" and 1), so
# that another program's locks on the same database never stand for a role.
NAMESPACE = 0x44540001
CHANNEL = "deciding_together"
EVERY = 1.0  # seconds between looks for a free role, and between checks of the hold
CONNECT_TIMEOUT = 5  # seconds
# TCP keepalives: a connection whose other end vanished (a cable pulled) is given up
# within seconds, not the system's default two hours.
KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 2,
}
MOST_PAUSE = 60.0  # seconds before a role whose taking failed is tried again, at most
# Seconds of silence after which the server ends the roles' session itself (its
# idle_session_timeout): a worker whose machine vanished, or that hangs, asks
# nothing more, and its roles are free again this long after, whatever TCP does.
GONE_AFTER = 10.0


def lock_key(role: str) -> int:
    """The role's advisory lock: a stable 32-bit number from its name."""
    return int.from_bytes(hashlib.sha256(role.encode()).digest()[:4], "big", signed=True)


@dataclass
class _Role:
    name: str
    taken: Taken
    lost: Lost
    key: int
    locked: bool = False  # this connection holds the lock
    ready: bool = False  # and ``taken`` has run
    taking: asyncio.Task[None] | None = None
    not_before: float = 0.0  # after a failed ``taken``, when to try again
    pauses: Callable[[], float] = field(default_factory=lambda: pauses(EVERY, MOST_PAUSE))


class PostgresRoles:
    """The roles of one worker among several on one PostgreSQL database."""

    alone = False

    def __init__(self, url: str, *, every: float = EVERY, gone_after: float = GONE_AFTER) -> None:
        self.url = url
        self.every = every
        self.gone_after = gone_after
        self._roles: dict[str, _Role] = {}
        self._heard: dict[str, list[Callable[[], None]]] = {}
        self._holding: psycopg.AsyncConnection | None = None
        self._telling: psycopg.AsyncConnection | None = None
        self._to_tell: set[str] = set()
        self._tell_task: asyncio.Task[None] | None = None
        self._loop_task: asyncio.Task[None] | None = None
        self._closing = False

    async def start(self) -> None:
        """Begin looking for roles, in the background."""
        self._loop_task = asyncio.create_task(self._run(), name="roles")

    # -- the port ----------------------------------------------------------------------

    async def hold(self, role: str, taken: Taken, lost: Lost) -> None:
        if role in self._roles:
            raise ValueError(f"the role {role!r} is asked for already")
        key = lock_key(role)
        if any(other.key == key for other in self._roles.values()):
            # Two roles on one lock would always move together: name this one otherwise.
            raise ValueError(f"the role {role!r} has the lock of another role")
        self._roles[role] = _Role(role, taken, lost, key)

    def holds(self, role: str) -> bool:
        held = self._roles.get(role)
        return held is not None and held.ready

    def tell(self, change: str) -> None:
        self._to_tell.add(change)
        if self._tell_task is None or self._tell_task.done():
            self._tell_task = asyncio.get_running_loop().create_task(self._send_hints())

    def listen(self, change: str, heard: Callable[[], None]) -> None:
        self._heard.setdefault(change, []).append(heard)

    async def close(self) -> None:
        self._closing = True
        for task in (self._loop_task, self._tell_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        await self._lose_every_role()
        for connection in (self._holding, self._telling):
            if connection is not None:
                with contextlib.suppress(Exception):
                    await connection.close()  # the session ends: its locks are let go
        self._holding = self._telling = None

    # -- holding -----------------------------------------------------------------------

    async def _run(self) -> None:
        while not self._closing:
            try:
                if self._holding is None:
                    self._holding = await self._connect()
                    await self._hold_only_while_asking(self._holding)
                    await self._holding.execute(f"LISTEN {CHANNEL}")
                await self._take_free_roles(self._holding)
                await self._hear(self._holding)
            except (psycopg.Error, OSError) as problem:
                if any(role.locked for role in self._roles.values()):
                    log.warning(
                        "lost the database connection that holds this worker's roles: "
                        "letting them go (%s)",
                        problem,
                    )
                else:
                    log.warning("cannot reach the database for the roles (%s)", problem)
                await self._lose_every_role()
                if self._holding is not None:
                    with contextlib.suppress(Exception):
                        await self._holding.close()
                    self._holding = None
                await asyncio.sleep(self.every)

    async def _connect(self) -> psycopg.AsyncConnection:
        return await psycopg.AsyncConnection.connect(
            make_conninfo(self.url, **KEEPALIVES),
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT,
            application_name="deciding-together roles",
        )

    async def _hold_only_while_asking(self, connection: psycopg.AsyncConnection) -> None:
        """Have the server end this session once it has been silent for ``gone_after``
        seconds (the worker asks every second while it lives)."""
        milliseconds = int(self.gone_after * 1000)
        try:
            await connection.execute(f"SET idle_session_timeout = {milliseconds}")
        except psycopg.errors.UndefinedObject:  # before PostgreSQL 14: TCP's own timeouts
            log.info(
                "this PostgreSQL cannot end silent sessions; a vanished worker's "
                "roles wait for its connection to time out"
            )

    async def _take_free_roles(self, connection: psycopg.AsyncConnection) -> None:
        """Try for every role wanted and not held; the query also proves the hold stands."""
        now = asyncio.get_running_loop().time()
        wanted = [r for r in self._roles.values() if not r.locked and r.not_before <= now]
        if not wanted:
            await connection.execute("SELECT 1")
            return
        cursor = await connection.execute(
            "SELECT key, pg_try_advisory_lock(%s, key) FROM unnest(%s::int[]) AS wanted(key)",
            (NAMESPACE, [role.key for role in wanted]),
        )
        got = {key for key, locked in await cursor.fetchall() if locked}
        for role in wanted:
            if role.key in got:
                role.locked = True
                role.taking = asyncio.create_task(self._take(role), name=f"taking {role.name}")

    async def _take(self, role: _Role) -> None:
        """Run the role's ``taken``; on failure, undo what it began and let the role go,
        to try again later (a platform not reached yet, say): another worker may
        take it meanwhile."""
        log.info("this worker now holds the role: %s", role.name)
        try:
            await role.taken()
        except Exception:
            pause = role.pauses()
            log.exception("taking the role %s failed; trying again in %.0f s", role.name, pause)
            role.not_before = asyncio.get_running_loop().time() + pause
            await self._undo(role)
            await self._let_go(role)
            return
        role.ready = True
        role.pauses = pauses(EVERY, MOST_PAUSE)

    async def _let_go(self, role: _Role) -> None:
        role.locked = False
        if self._holding is None:
            return
        with contextlib.suppress(psycopg.Error, OSError):
            await self._holding.execute("SELECT pg_advisory_unlock(%s, %s)", (NAMESPACE, role.key))

    async def _lose_every_role(self) -> None:
        """Stop every role's work at once: this worker's hold is gone, or it stops."""
        for role in reversed(list(self._roles.values())):
            if not role.locked:
                continue
            role.locked = False
            begun = role.taking is not None and not role.taking.done()
            if role.taking is not None and begun:
                # Cut short while taking the role: what it began is undone all the same.
                role.taking.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await role.taking
            if role.ready or begun:
                role.ready = False
                log.info("this worker no longer holds the role: %s", role.name)
                await self._undo(role)

    @staticmethod
    async def _undo(role: _Role) -> None:
        try:
            await role.lost()
        except Exception:
            log.exception("stopping the work of the role %s failed", role.name)

    async def _hear(self, connection: psycopg.AsyncConnection) -> None:
        """Wait a second for hints from the other workers, passing each one on."""
        async for note in connection.notifies(timeout=self.every):
            if self._telling is not None and note.pid == self._telling.info.backend_pid:
                continue  # this worker's own hint: it woke its own loops already
            for heard in self._heard.get(note.payload, ()):
                heard()

    # -- telling -----------------------------------------------------------------------

    async def _send_hints(self) -> None:
        """NOTIFY what changed; a hint that cannot be sent is only a later wake-up."""
        try:
            if self._telling is None:
                self._telling = await self._connect()
            while self._to_tell:
                change = self._to_tell.pop()
                await self._telling.execute("SELECT pg_notify(%s, %s)", (CHANNEL, change))
        except (psycopg.Error, OSError) as problem:
            log.debug("could not tell the other workers (%s)", problem)
            if self._telling is not None:
                with contextlib.suppress(Exception):
                    await self._telling.close()
                self._telling = None
