"""2. Storage: responses durably stored per second through the application,
against a bare SQLite loop writing transactions of the same shape.

``Application.submit`` with an ``update_key`` for every response (as an
adapter calls it), each in its own WAL transaction: the words are parsed,
the core decides, and the new response, its round, the audit entry, the
card's edit and the reply go into the outbox in one commit, durable before
``submit`` returns.

The work is spread over 20 teams of 12 with 10 open proposals each, so
histories stay realistic while thousands of responses are stored. The teams
talk at the same time, as a host's teams do: each team's responses come one
after another (a chat is one stream of updates), and the 20 streams run
together. Every run stores the same responses, from the same database.

**The baseline** is a plain loop over Python's ``sqlite3`` that runs the very
statements our storage ran, with the same parameters, in the same
transactions, on a copy of the same database, with the same settings (WAL,
``synchronous = NORMAL``, the same checkpoint size, foreign keys and secure
delete) and the same sync policy: with durability "full" the storage syncs
the log itself before a write returns, the commits made during one sync
sharing the next, and the loop syncs the log (``fdatasync``) at the same
points of the same statements, as often as ours did; with "normal" neither
syncs. The statements and syncs are recorded once, in a run of their own
(recording costs time), then ours and the loop take turns
(``bench.pairs``). The ratio is how much of what SQLite itself could do our
path keeps.

A second figure runs the delivery loop too (a null adapter that takes every
message at once), so the outbox's reads and "delivered" marks are in it,
against the same loop replaying those statements as well.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.pairs import PAIRS, interleave
from bench.results import Figure, Report, paired
from bench.workload import (
    PEOPLE,
    PROPOSALS,
    START,
    actor,
    copy_team,
    make_team,
    respond_text,
    scratch,
    store_team,
    warm,
)
from bot.app import Application, Delivery, DeliveryLoop, ManualClock
from bot.core.effects import Post, SetTimer
from storage.sqlite import WAL_AUTOCHECKPOINT, SqliteStorage

TARGET = 2_000  # responses per second
TARGET_RATIO = 0.6  # of the bare SQLite loop's rate
TEAMS = 20

# One statement as the storage ran it: ("one" or "many", SQL, its parameters), or
# ("sync", "", None): the storage synced the log here.
Statement = tuple[str, str, Any]


class NullAdapter:
    """Takes every message at once, as if the platform answered in no time."""

    platform = "console"

    async def start(self, app: Application) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def deliver(self, delivery: Delivery) -> str | None:
        return f"m{delivery.id}"

    def ready_in(self, target: str) -> float:
        return 0.0

    def end_to_end_encrypted(self, chat: str) -> bool:
        return False


class _Recorder:
    """The storage's ``sqlite3`` connection, noting every statement run through it."""

    def __init__(self, db: sqlite3.Connection, log: list[Statement]) -> None:
        self._db, self._log = db, log

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)

    def cursor(self) -> _RecordingCursor:
        return _RecordingCursor(self._db.cursor(), self._log)

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        self._log.append(("one", sql, _kept(params)))
        return self._db.execute(sql, params)

    def executemany(self, sql: str, batch: Any) -> sqlite3.Cursor:
        batch = [_kept(p) for p in batch]
        self._log.append(("many", sql, batch))
        return self._db.executemany(sql, batch)


class _RecordingCursor:
    def __init__(self, cursor: sqlite3.Cursor, log: list[Statement]) -> None:
        self._cursor, self._log = cursor, log

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

    def execute(self, sql: str, params: Any = ()) -> _RecordingCursor:
        self._log.append(("one", sql, _kept(params)))
        self._cursor.execute(sql, params)
        return self

    def executemany(self, sql: str, batch: Any) -> _RecordingCursor:
        batch = [_kept(p) for p in batch]
        self._log.append(("many", sql, batch))
        self._cursor.executemany(sql, batch)
        return self


def _kept(params: Any) -> Any:
    return tuple(params) if isinstance(params, list | tuple) else params


@dataclass(frozen=True)
class Run:
    """One measured run: responses, wall-clock seconds, processor seconds (all threads)."""

    responses: int
    seconds: float
    cpu: float

    @property
    def rate(self) -> float:
        return self.responses / self.seconds

    @property
    def cpu_us(self) -> float:
        return self.cpu / self.responses * 1e6


async def build(path: Path) -> list[str]:
    """The 20 teams, their cards posted (and marked so) before anything is measured."""
    storage = await SqliteStorage.open(path)
    try:
        team = make_team("console:template")
        chats = [f"console:team-{n}" for n in range(TEAMS)]
        for chat in chats:
            await store_team(
                storage,
                copy_team(team, chat),
                team.effects,
                keep=lambda e: isinstance(e, SetTimer) or (isinstance(e, Post) and bool(e.card)),
            )
        app = Application(storage=storage, clock=ManualClock(START))
        app.adapters["console"] = NullAdapter()
        delivery = DeliveryLoop(app)
        while await delivery.run_once():
            pass
    finally:
        await storage.close()
    return chats


def copy_database(source: Path, to: Path) -> Path:
    """A copy of a database and its log, readable by its owner only, as the storage
    makes them (else it would tighten them and say so)."""
    for suffix in ("", "-wal"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{to}{suffix}")
            os.chmod(f"{to}{suffix}", 0o600)
    return to


async def ours(
    path: Path,
    chats: list[str],
    synchronous: str,
    count: int,
    *,
    delivering: bool = False,
    together: bool = True,
    record: list[Statement] | None = None,
) -> Run:
    """Store ``count`` responses through the application (and deliver them)."""
    storage = await SqliteStorage.open(path, synchronous=synchronous)
    delivery: DeliveryLoop | None = None
    running: asyncio.Task[None] | None = None
    try:
        app = Application(storage=storage, clock=ManualClock(START))
        await warm(app, chats)
        if delivering:
            app.adapters["console"] = NullAdapter()
            delivery = DeliveryLoop(app)
            app.on_outbox_changed = delivery.wake
        if record is not None:
            storage._db._db = _Recorder(storage._db._db, record)  # type: ignore[assignment]
            syncing = storage._sync_log_file

            def sync_noted() -> None:
                record.append(("sync", "", None))
                syncing()

            storage._sync_log_file = sync_noted  # type: ignore[method-assign]
        streams = [_responses(n, chat) for n, chat in enumerate(chats)]
        each = count // len(chats)
        started, cpu = time.perf_counter(), time.process_time()
        if delivery is not None:
            running = asyncio.create_task(delivery.run_forever())
        if together:
            await asyncio.gather(*(_send(app, [s], each) for s in streams))
        else:
            await _send(app, streams, each)
        if delivery is not None:
            while await storage.next_delivery_due() is not None:
                await asyncio.sleep(0.001)
        took, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        if delivery is not None:
            delivery.stop()
        if running is not None:
            await asyncio.wait_for(running, 10)
        if record is not None and isinstance(storage._db._db, _Recorder):
            storage._db._db = storage._db._db._db
        await storage.close()
    return Run(each * len(chats), took, cpu)


def bare(path: Path, statements: list[Statement], synchronous: str, responses: int) -> Run:
    """The same statements in a plain loop on a plain connection, set up as ours is,
    syncing the log where ours did (durability "full")."""
    db = sqlite3.connect(path, isolation_level=None, cached_statements=256)
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT}")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA secure_delete = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("SELECT count(*) FROM meta").fetchall()  # the log exists from here on
        log = os.open(f"{path}-wal", os.O_RDONLY)
        try:
            took, cpu = _replay(db, log, statements, sync=synchronous == "full")
        finally:
            os.close(log)
    finally:
        db.close()
    return Run(responses, took, cpu)


def _replay(
    db: sqlite3.Connection, log: int, statements: list[Statement], *, sync: bool
) -> tuple[float, float]:
    cursor = db.cursor()
    started, cpu = time.perf_counter(), time.process_time()
    for kind, sql, params in statements:
        if kind == "one":
            cursor.execute(sql, params).fetchall()
        elif kind == "many":
            cursor.executemany(sql, params)
        elif sync:
            os.fdatasync(log)
    return time.perf_counter() - started, time.process_time() - cpu


def _responses(team: int, chat: str) -> Iterator[dict[str, object]]:
    """One team's responses, for ever: 11 people answer each of 10 proposals, in
    turn consenting and raising a concern with a reason."""
    key = 0
    while True:
        for person in range(PEOPLE - 1):  # one stays silent: nothing passes early
            for proposal in range(1, PROPOSALS + 1):
                key += 1
                consent = (person + proposal + key // 110) % 2 == 0
                yield {
                    "chat": chat,
                    "actor": actor(person),
                    "text": respond_text(proposal, consent),
                    "update_key": f"bench:update:{team}:{key}",
                }


async def _send(app: Application, streams: list[Iterator[dict[str, object]]], each: int) -> None:
    """Submit ``each`` responses from every stream, in turn, each after the last returned."""
    for _ in range(each):
        for stream in streams:
            await app.submit(**next(stream))  # type: ignore[arg-type]


async def send_until(
    app: Application, streams: list[Iterator[dict[str, object]]], until: float
) -> int:
    """Submit from ``streams`` in turn until ``until`` (``time.perf_counter``); how many."""
    sent = 0
    while time.perf_counter() < until:
        for stream in streams:
            await app.submit(**next(stream))  # type: ignore[arg-type]
            sent += 1
    return sent


class Case:
    """One configuration measured in pairs: its recorded statements, then turns."""

    def __init__(self, folder: Path, base: Path, chats: list[str], count: int) -> None:
        self.folder, self.base, self.chats, self.count = folder, base, chats, count
        self.runs = 0
        self.recorded: dict[tuple[str, bool], dict[str, int]] = {}

    def fresh(self) -> Path:
        self.runs += 1
        target = self.folder / f"run-{self.runs}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        return copy_database(self.base, target)

    async def measure(
        self, synchronous: str, pairs: int, *, delivering: bool = False
    ) -> tuple[list[Run], list[Run]]:
        recorded: list[Statement] = []
        await ours(
            self.fresh(), self.chats, synchronous, self.count,
            delivering=delivering, record=recorded,
        )  # fmt: skip
        statements = _without_setup(recorded)
        mine: list[Run] = []
        theirs: list[Run] = []

        async def one_of_ours() -> float:
            found = await ours(
                self.fresh(), self.chats, synchronous, self.count, delivering=delivering
            )
            mine.append(found)
            return found.rate

        async def one_bare() -> float:
            found = bare(self.fresh(), statements, synchronous, self.count)
            theirs.append(found)
            return found.rate

        await interleave(pairs, one_of_ours, one_bare)
        self.recorded[(synchronous, delivering)] = {
            "statements": sum(1 for s in statements if s[0] != "sync"),
            "transactions": sum(1 for s in statements if s[1] == "COMMIT"),
            "syncs": sum(1 for s in statements if s[0] == "sync"),
        }
        return mine, theirs


def _without_setup(recorded: list[Statement]) -> list[Statement]:
    """What the storage ran while the responses were stored (recording began after the
    groups were loaded), without the pragmas of closing."""
    return [s for s in recorded if not s[1].lstrip().upper().startswith("PRAGMA")]


async def run(report: Report, count: int, pairs: int = PAIRS) -> None:
    found: dict[str, Any] = {}
    with scratch() as folder:
        base = folder / "base.db"
        chats = await build(base)
        case = Case(folder, base, chats, count)
        for synchronous in ("full", "normal"):
            mine, theirs = await case.measure(synchronous, pairs)
            _report(report, synchronous, mine, theirs, delivering=False)
            found[synchronous] = _details(mine, theirs, case.recorded[(synchronous, False)])
        mine, theirs = await case.measure("full", pairs, delivering=True)
        _report(report, "full", mine, theirs, delivering=True)
        found["full_with_delivery"] = _details(mine, theirs, case.recorded[("full", True)])
        alone = await ours(case.fresh(), chats, "full", count, together=False)
        found["full_one_at_a_time"] = {"rate": alone.rate, "cpu_us": alone.cpu_us}
    report.add(
        Figure(
            "2 storage", "responses stored one at a time, durability full", alone.rate, "/s",
            notes="each waits for its own sync of the disk: the latency, not the capacity",
        )
    )  # fmt: skip
    report.details["storage"] = {"teams": TEAMS, "responses_per_run": count, **found}


def _report(
    report: Report, synchronous: str, mine: list[Run], theirs: list[Run], *, delivering: bool
) -> None:
    what = "responses stored and delivered" if delivering else "responses stored"
    name = f"{what}, {TEAMS} teams at once, durability {synchronous}"
    report.add(
        paired(
            "2 storage", name, [r.rate for r in mine], [r.rate for r in theirs], "/s",
            target=TARGET_RATIO, target_is_ratio=True, baseline_name="bare SQLite loop",
            notes=(
                "the delivery loop's reads and marks too, null adapter"
                if delivering
                else f"the absolute target of {TARGET:,}/s is not a ratio: see the value"
            ),
        )
    )  # fmt: skip
    report.add(
        paired(
            "2 storage", f"CPU per response ({synchronous}{', delivered' if delivering else ''})",
            [r.cpu_us for r in mine], [r.cpu_us for r in theirs], "µs",
            higher_is_better=False, baseline_name="bare SQLite loop",
            notes="processor time of the whole process (every thread) per response",
        )
    )  # fmt: skip


def _details(mine: list[Run], theirs: list[Run], recorded: dict[str, int]) -> dict[str, Any]:
    return {
        "recorded_run": recorded,
        "ours_rate": [round(r.rate, 1) for r in mine],
        "bare_rate": [round(r.rate, 1) for r in theirs],
        "ours_cpu_us": [round(r.cpu_us, 1) for r in mine],
        "bare_cpu_us": [round(r.cpu_us, 1) for r in theirs],
    }
