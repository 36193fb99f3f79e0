"""8. Workers: several on one PostgreSQL, beside SQLite, in the same run.

Every worker is a process of its own (as ``deciding-together run`` is), on a
throw-away PostgreSQL cluster started for the run (``tests.postgres``: fsync
and synchronous commit on, as in production).

* **Votes stored per second**: the storage benchmark's workload (20 teams of
  12, ten open proposals each; each team's responses one after another, the
  teams at once, each response a durable commit before ``submit`` returns) on
  SQLite in one process, on PostgreSQL with one worker, and with two workers
  sharing the teams between them.
* **Roles moving after a SIGKILL**: a worker holding every role is killed;
  the figure is the time until another worker holds them all (the database
  lets go of a dead session's locks; a waiting worker looks every second).
* **Deadline lateness with two workers**: two workers run, one of them fires
  the timers. Deadlines come due over a few seconds, stored by a third
  process that tells the workers so (a hint, as a worker's commit does); the
  lateness of each is its firing's time in the audit log minus its due time.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import statistics
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.queues import Queue
from typing import Any

from bench.results import Figure, Report
from bench.storage import TEAMS, _responses, send_until
from bench.workload import copy_team, make_team, scratch, store_team
from bot.app import Application, ManualClock, Storage, SystemClock
from bot.app.roles import HOUSEKEEPING, TIMERS, TIMERS_CHANGED, sending
from bot.core.commands import DeadlineDue
from bot.core.effects import Effect, SetTimer
from bot.worker import Worker
from storage.postgres import PostgresStorage
from storage.postgres_roles import PostgresRoles
from storage.sqlite import SqliteStorage
from tests.postgres import TEMPLATE, Cluster, running_cluster

SECTION = "8 workers"
TAKEOVER_TARGET = 5.0  # seconds for the roles to move after a SIGKILL
LATENESS_TARGET = 1.0  # seconds, p99
ROLES = (TIMERS, HOUSEKEEPING, sending("telegram", "1"))
SPAWN = multiprocessing.get_context("spawn")  # a fresh process, as a worker is


# -- votes stored per second ----------------------------------------------------------


def _voting_worker(where: str, chats: list[str], begin: float, seconds: float, out: Queue) -> None:
    """A worker process: the teams in ``chats`` respond from ``begin`` for ``seconds``."""
    out.put(asyncio.run(_vote(where, chats, begin, seconds)))


async def _vote(where: str, chats: list[str], begin: float, seconds: float) -> int:
    storage: Storage
    if where.startswith("postgresql:"):
        storage = await PostgresStorage.open(where)
    else:
        storage = await SqliteStorage.open(where, synchronous="full")
    try:
        app = Application(storage=storage, clock=ManualClock(datetime.now(UTC)))
        # A worker among others reads each group again before deciding (as ``run`` on
        # PostgreSQL does): with one worker too, so the two figures compare.
        app.shared = isinstance(storage, PostgresStorage)
        streams = [_responses(int(chat.rsplit("-", 1)[1]), chat) for chat in chats]
        await asyncio.sleep(max(0.0, begin - time.time()))
        until = time.perf_counter() + seconds
        counts = await asyncio.gather(*(send_until(app, [s], until) for s in streams))
        return sum(counts)
    finally:
        await storage.close()


async def _store_teams(storage: Storage) -> list[str]:
    team = make_team("console:template")
    chats = [f"console:team-{n}" for n in range(TEAMS)]
    for chat in chats:
        await store_team(storage, copy_team(team, chat), team.effects)  # type: ignore[arg-type]
    return chats


def _votes_per_second(where: str, chats: list[str], workers: int, seconds: float) -> float:
    """Run ``workers`` processes on ``where``, the teams dealt out between them."""
    out: Queue = SPAWN.Queue()
    begin = time.time() + 4.0  # every process has started and connected by then
    processes = [
        SPAWN.Process(target=_voting_worker, args=(where, chats[n::workers], begin, seconds, out))
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    stored = sum(out.get(timeout=seconds + 120) for _ in processes)
    for process in processes:
        process.join()
    return stored / seconds


async def votes(report: Report, cluster: Cluster, seconds: float) -> None:
    found: dict[str, float] = {}
    with scratch() as folder:
        path = folder / "bench.db"
        lite = await SqliteStorage.open(path)
        chats = await _store_teams(lite)
        await lite.close()
        found["sqlite, one process"] = _votes_per_second(str(path), chats, 1, seconds)
    for workers in (1, 2):
        with cluster.database() as url:
            storage = await PostgresStorage.open(url)
            chats = await _store_teams(storage)
            await storage.close()
            found[f"postgresql, {workers} worker(s)"] = _votes_per_second(
                url, chats, workers, seconds
            )
    sqlite = found["sqlite, one process"]
    report.add(
        Figure(SECTION, "votes stored, SQLite, one process", sqlite, "/s",
               notes=f"{TEAMS} teams at once, durability full")
    )  # fmt: skip
    for workers in (1, 2):
        report.add(
            Figure(
                SECTION,
                f"votes stored, PostgreSQL, {workers} worker{'s' if workers > 1 else ''}",
                found[f"postgresql, {workers} worker(s)"],
                "/s",
                baseline=sqlite,
                baseline_name="SQLite",
                notes="each commit on disk (synchronous commit) before submit returns",
            )
        )
    report.details["workers_votes"] = found


# -- roles moving after a SIGKILL ----------------------------------------------------


def _holding_worker(url: str, out: Queue) -> None:
    """A worker that takes every role, says so, and waits to be killed."""

    async def hold() -> None:
        roles = PostgresRoles(url)
        await roles.start()
        for role in ROLES:
            await roles.hold(role, _nothing, _nothing)
        while not all(roles.holds(role) for role in ROLES):
            await asyncio.sleep(0.01)
        out.put("held")
        await asyncio.sleep(3600)

    asyncio.run(hold())


async def _nothing() -> None:
    pass


async def takeover(report: Report, cluster: Cluster, times: int) -> None:
    moves: list[float] = []
    with cluster.database() as url:
        for _ in range(times):
            out: Queue = SPAWN.Queue()
            holder = SPAWN.Process(target=_holding_worker, args=(url, out))
            holder.start()
            assert out.get(timeout=60) == "held"
            waiting = PostgresRoles(url)
            await waiting.start()
            try:
                for role in ROLES:
                    await waiting.hold(role, _nothing, _nothing)
                await asyncio.sleep(1.5)  # it has looked, and found them taken
                assert not any(waiting.holds(role) for role in ROLES)
                assert holder.pid is not None
                killed = time.perf_counter()
                os.kill(holder.pid, signal.SIGKILL)
                while not all(waiting.holds(role) for role in ROLES):
                    await asyncio.sleep(0.005)
                moves.append(time.perf_counter() - killed)
            finally:
                await waiting.close()
                holder.join()
    report.add(
        Figure(SECTION, f"roles moved after a SIGKILL (max of {times})", max(moves), "s",
               TAKEOVER_TARGET, higher_is_better=False,
               notes=f"median {statistics.median(moves):.2f} s; {len(ROLES)} roles")
    )  # fmt: skip
    report.details["workers_takeover_seconds"] = moves


# -- deadline lateness with two workers ----------------------------------------------


def _timer_worker(url: str, out: Queue, stop: Any, leave: Any) -> None:
    """A worker that fires the timers while it holds their role, until ``stop``; it
    says whether it holds them then, and lets go only at ``leave`` (once both said)."""

    async def work() -> None:
        storage = await PostgresStorage.open(url)
        roles = PostgresRoles(url)
        await roles.start()
        app = Application(storage=storage, clock=SystemClock())
        worker = Worker(app, roles)
        stopping = asyncio.Event()
        looking = asyncio.create_task(worker.look_every(stopping))
        try:
            await worker.fire_timers()
            out.put("started")
            while not stop.is_set():
                await asyncio.sleep(0.1)
            out.put(roles.holds(TIMERS))
            while not leave.is_set():
                await asyncio.sleep(0.1)
        finally:
            stopping.set()
            await looking
            await roles.close()
            await storage.close()

    asyncio.run(work())


def _is_deadline(effect: Effect) -> bool:
    return isinstance(effect, SetTimer) and isinstance(effect.event, DeadlineDue)


async def lateness(report: Report, cluster: Cluster, spread: float) -> None:
    # Fifty deadlines a second, as the single-process deadline benchmark has a hundred:
    # a short run has fewer, not more crowded, deadlines.
    teams = max(10, int(5 * spread))
    with cluster.database() as url:
        migrated = await PostgresStorage.open(url)
        await migrated.close()
        stop, leave, out = SPAWN.Event(), SPAWN.Event(), SPAWN.Queue()
        workers = [
            SPAWN.Process(target=_timer_worker, args=(url, out, stop, leave)) for _ in range(2)
        ]
        for process in workers:
            process.start()
        for _ in workers:
            assert out.get(timeout=60) == "started"
        await asyncio.sleep(2.0)  # one of them holds the timers, and has looked: none yet
        due = await _store_deadlines(url, teams, spread)
        try:
            fired = await _until_fired(url, len(due), spread + 30)
        finally:
            stop.set()
            holders = [out.get(timeout=30) for _ in workers]
            leave.set()
            for process in workers:
                process.join()
    late = sorted((at - due[(group, number)]).total_seconds() for group, number, at in fired)
    counts = {(group, number) for group, number, _ in fired}
    p99 = late[min(len(late) - 1, int(len(late) * 0.99))]
    report.add(
        Figure(SECTION, f"deadline lateness p99, two workers ({len(due):,} timers)", p99, "s",
               LATENESS_TARGET, higher_is_better=False,
               notes=f"median {statistics.median(late):.2f} s; stored by another process, "
               "which tells the workers")
    )  # fmt: skip
    report.details["workers_lateness"] = {
        "timers": len(due),
        "fired": len(fired),
        "fired_twice": len(fired) - len(counts),
        "holders_at_the_end": holders,
        "max_seconds": late[-1] if late else None,
    }


async def _store_deadlines(url: str, teams: int, spread: float) -> dict[tuple[str, int], datetime]:
    """Store teams whose deadlines fall over ``spread`` seconds from a few seconds on,
    then tell the workers, as the worker that stored them would."""
    storage = await PostgresStorage.open(url)
    telling = PostgresRoles(url)
    due: dict[tuple[str, int], datetime] = {}
    first = datetime.now(UTC) + timedelta(seconds=3)
    try:
        for n in range(teams):
            start = first + timedelta(seconds=spread * n / teams) - timedelta(days=3)
            team = make_team(
                f"console:late-{n}", at=start, spread=timedelta(seconds=spread / teams)
            )
            await store_team(storage, team.group, team.effects, at=start, keep=_is_deadline)  # type: ignore[arg-type]
            for effect in team.effects:
                if isinstance(effect, SetTimer) and isinstance(effect.event, DeadlineDue):
                    due[(team.group.id, effect.event.number)] = effect.due
            telling.tell(TIMERS_CHANGED)
        await asyncio.sleep(0.2)  # the last hint is sent
    finally:
        await telling.close()
        await storage.close()
    return due


async def _until_fired(url: str, expected: int, timeout: float) -> list[tuple[str, int, datetime]]:
    """Every deadline firing in the audit log: (group, proposal number, when it fired)."""
    storage = await PostgresStorage.open(url, only_reading=True)
    try:
        began = time.monotonic()
        while True:
            fired = [
                (group, entry.command.number, entry.at)
                for group in await storage.group_ids()
                for entry in await storage.audit(group)
                if isinstance(entry.command, DeadlineDue)
            ]
            if len(fired) >= expected or time.monotonic() - began > timeout:
                return fired
            await asyncio.sleep(0.5)
    finally:
        await storage.close()


async def run(report: Report, seconds: float) -> None:
    with running_cluster() as cluster:
        # Every database of the run is a copy of the template, which holds the schema.
        await (await PostgresStorage.open(cluster.url(TEMPLATE))).close()
        await votes(report, cluster, seconds)
        await takeover(report, cluster, 3 if seconds < 5 else 5)
        await lateness(report, cluster, seconds)
