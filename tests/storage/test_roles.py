"""Roles: one holder at a time, and a new holder within seconds when the old one is gone.

The PostgreSQL roles run against the suite's throw-away cluster (``tests.postgres``): two workers
(two :class:`PostgresRoles` on one database) ask for the same role, and the
test ends the holder's session the ways a worker ends — its connection cut,
its process killed, a clean stop — and watches the other one take over.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator

import psycopg
import pytest

from bot.app.roles import OUTBOX_CHANGED, TIMERS, EveryRole
from storage.postgres_roles import NAMESPACE, PostgresRoles, lock_key
from tests.postgres import Cluster

TAKEOVER = 5.0  # seconds a role may take to move (the target for several workers)


@pytest.fixture
def url(postgres: Cluster) -> Iterator[str]:
    with postgres.database() as made:
        yield made


class Worker:
    """One worker's roles, and a diary of what its callbacks were told."""

    def __init__(self, name: str, url: str) -> None:
        self.name = name
        self.roles = PostgresRoles(url, every=0.2)
        self.diary: list[str] = []

    async def want(self, role: str = TIMERS) -> None:
        async def taken() -> None:
            self.diary.append(f"taken {role}")

        async def lost() -> None:
            self.diary.append(f"lost {role}")

        await self.roles.hold(role, taken, lost)


@pytest.fixture
async def workers(url: str) -> AsyncIterator[tuple[Worker, Worker]]:
    one, two = Worker("one", url), Worker("two", url)
    await one.roles.start()
    await two.roles.start()
    try:
        yield one, two
    finally:
        await one.roles.close()
        await two.roles.close()


async def until(condition: object, what: str, timeout: float = TAKEOVER) -> float:
    """Wait for ``condition()``; how many seconds it took."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    while not condition():  # type: ignore[operator]
        if loop.time() - began > timeout:
            raise TimeoutError(f"waited {timeout} s for {what}")
        await asyncio.sleep(0.02)
    return loop.time() - began


async def one_holds(one: Worker, two: Worker, role: str = TIMERS) -> tuple[Worker, Worker]:
    """Wait until one of the two holds ``role``; (holder, other)."""
    await until(lambda: one.roles.holds(role) or two.roles.holds(role), "a holder")
    await asyncio.sleep(0.5)  # the other has looked again meanwhile, and must not hold it too
    assert one.roles.holds(role) != two.roles.holds(role)
    return (one, two) if one.roles.holds(role) else (two, one)


def end_sessions(url: str, application_name: str = "deciding-together roles", pid: int = 0) -> int:
    """End the roles' database sessions (one by pid, or all), as a lost network would."""
    with psycopg.connect(url, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s "
            "AND (%s = 0 OR pid = %s)",
            (application_name, pid, pid),
        ).fetchall()
    return len(rows)


async def test_every_role_is_taken_at_once_and_let_go_newest_first() -> None:
    roles, diary = EveryRole(), []
    for role in ("timers", "telegram sending 1"):

        async def taken(role: str = role) -> None:
            diary.append(f"taken {role}")

        async def lost(role: str = role) -> None:
            diary.append(f"lost {role}")

        await roles.hold(role, taken, lost)
        assert roles.holds(role)
    assert diary == ["taken timers", "taken telegram sending 1"]
    await roles.close()
    assert diary[2:] == ["lost telegram sending 1", "lost timers"]
    assert not roles.holds("timers")


async def test_a_role_is_held_by_one_worker_at_a_time(workers: tuple[Worker, Worker]) -> None:
    one, two = workers
    for worker in workers:
        await worker.want(TIMERS)
        await worker.want("telegram sending 1")
    for role in (TIMERS, "telegram sending 1"):
        holder, other = await one_holds(one, two, role)
        assert f"taken {role}" in holder.diary
        assert f"taken {role}" not in other.diary


async def test_a_cut_connection_moves_the_role_and_its_holder_stops_its_work(
    url: str, workers: tuple[Worker, Worker]
) -> None:
    one, two = workers
    for worker in workers:
        await worker.want()
    holder, other = await one_holds(one, two)
    with psycopg.connect(url, autocommit=True) as admin:
        (pid,) = admin.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = %s "
            "AND objid = %s::oid AND granted",
            (NAMESPACE, lock_key(TIMERS) & 0xFFFFFFFF),
        ).fetchone() or (0,)
    assert pid, "the role's lock is not in pg_locks"
    assert end_sessions(url, pid=pid) == 1
    moved = await until(lambda: other.roles.holds(TIMERS), "the other worker to take over")
    assert moved < TAKEOVER
    await until(lambda: "lost timers" in holder.diary, "the old holder to stop its work")
    # Back on its feet, the old holder waits: the role is the other's now.
    await asyncio.sleep(0.6)
    assert not holder.roles.holds(TIMERS)
    assert holder.diary == ["taken timers", "lost timers"]


async def test_a_killed_process_lets_go_of_its_roles(url: str) -> None:
    """SIGKILL: no goodbye at all, and the database still lets go of the lock."""
    holding = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, psycopg\n"
            "c = psycopg.connect(sys.argv[1], autocommit=True)\n"
            "c.execute('SELECT pg_advisory_lock(%s, %s)', (int(sys.argv[2]), int(sys.argv[3])))\n"
            "print('held', flush=True)\n"
            "time.sleep(600)\n",
            url,
            str(NAMESPACE),
            str(lock_key(TIMERS)),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    waiting = Worker("waiting", url)
    try:
        assert holding.stdout is not None
        assert holding.stdout.readline().strip() == "held"
        await waiting.roles.start()
        await waiting.want()
        await asyncio.sleep(0.8)
        assert not waiting.roles.holds(TIMERS), "taken while another process held it"
        holding.kill()
        holding.wait()
        moved = await until(lambda: waiting.roles.holds(TIMERS), "the waiting worker")
        assert moved < TAKEOVER
    finally:
        holding.kill()
        holding.wait()
        await waiting.roles.close()


async def test_a_worker_that_hangs_loses_its_roles_when_its_session_falls_silent(
    url: str,
) -> None:
    """A machine that vanished, or a worker that hangs, keeps its connection open but
    asks nothing more: the server ends the silent session, and the roles move."""
    hanging = PostgresRoles(url, every=0.2, gone_after=1.5)
    waiting = Worker("waiting", url)
    await hanging.start()
    try:
        await hanging.hold(TIMERS, _nothing, _nothing)
        await until(lambda: hanging.holds(TIMERS), "the first worker to take the role")
        await waiting.roles.start()
        await waiting.want()
        assert hanging._loop_task is not None
        hanging._loop_task.cancel()  # it hangs: no more questions, the connection stays
        await asyncio.sleep(0.8)
        assert not waiting.roles.holds(TIMERS)
        moved = await until(lambda: waiting.roles.holds(TIMERS), "the waiting worker")
        assert moved < TAKEOVER
    finally:
        await hanging.close()
        await waiting.roles.close()


async def _nothing() -> None:
    pass


async def test_a_clean_stop_hands_the_role_over(workers: tuple[Worker, Worker]) -> None:
    one, two = workers
    for worker in workers:
        await worker.want()
    holder, other = await one_holds(one, two)
    await holder.roles.close()
    assert holder.diary == ["taken timers", "lost timers"]
    await until(lambda: other.roles.holds(TIMERS), "the other worker to take over")


async def test_a_role_whose_work_cannot_start_is_left_to_another_worker(
    workers: tuple[Worker, Worker],
) -> None:
    one, two = workers
    tries: list[str] = []

    async def cannot() -> None:
        tries.append("started")
        raise RuntimeError("the platform refused")

    async def undo() -> None:
        tries.append("undone")

    await one.roles.hold(TIMERS, cannot, undo)
    await until(lambda: tries, "the first worker to try")
    await two.want()
    await until(lambda: two.roles.holds(TIMERS), "the second worker to take it")
    assert not one.roles.holds(TIMERS)
    assert tries[:2] == ["started", "undone"]  # what the failed start began is stopped


async def test_work_cut_short_while_taking_a_role_is_undone(url: str) -> None:
    """The connection fails while the role's work is still starting (a Matrix login,
    overdue timers firing): the start is cancelled, and what it began is stopped."""
    worker, diary, starting = PostgresRoles(url, every=0.2), [], asyncio.Event()

    async def slow_start() -> None:
        diary.append("starting")
        starting.set()
        await asyncio.sleep(3600)

    async def undo() -> None:
        diary.append("undone")

    await worker.start()
    try:
        await worker.hold(TIMERS, slow_start, undo)
        await asyncio.wait_for(starting.wait(), TAKEOVER)
        assert end_sessions(url) == 1
        await until(lambda: "undone" in diary, "the start to be undone")
        assert diary[:2] == ["starting", "undone"]
        assert not worker.holds(TIMERS)
    finally:
        await worker.close()


async def test_a_worker_hears_what_another_tells(workers: tuple[Worker, Worker]) -> None:
    one, two = workers
    heard: list[str] = []
    two.roles.listen(OUTBOX_CHANGED, lambda: heard.append(OUTBOX_CHANGED))
    await asyncio.sleep(0.5)  # the second worker is listening
    mine: list[str] = []
    one.roles.listen(OUTBOX_CHANGED, lambda: mine.append(OUTBOX_CHANGED))
    one.roles.tell(OUTBOX_CHANGED)
    took = await until(lambda: heard, "the hint to arrive", timeout=2.0)
    assert took < 1.0  # a hint wakes at once, not at the next look
    assert heard == [OUTBOX_CHANGED]
    await asyncio.sleep(0.5)
    assert mine == []  # the teller woke its own loops itself: its hint is not for it
