"""A year-old co-operative, built fast and kept between runs.

**One team's year** is lived through the real application on a manual clock:
12 people join; every three and a half days someone proposes, the others
respond over the next hours (consent, or a concern with its reason; one
changes their mind), and three days later the deadline closes the round,
with its reminders on the way. Every message goes out (to an adapter that
takes it at once) and the bot's own pruning deletes what was sent more than
a week ago, as a running bot does. Then ten proposals are open, each with
half the team's responses. So the team's rows are the ones a year of use
leaves: 100 closed proposals with their whole response histories, the audit
log, the inbox keys still kept, the timers.

**The co-op** is that team copied, row by row, inside SQLite
(``INSERT … SELECT`` with the group's id, its chat and its people's
identities changed): thousands of teams in a minute instead of hours of
commits. Every table with a ``group_id`` is copied, so a table added to the
schema later is copied too; the outbox and deliveries are not (the
template's are all delivered and pruned, or waiting like any team's).

**The cache**: the database is kept in the temporary folder, named after
the schema's version, a digest of the code that writes rows, the size and
the day it was built (the open proposals' deadlines are real times; a day
later some would be overdue), so a second run of the benchmark opens it at
once. ``python -m bench`` says where it is.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.results import Figure, Report
from bench.storage import NullAdapter
from bench.workload import actor, respond_text, scratch
from bot.app import Application, DeliveryLoop, ManualClock
from bot.core import commands as c
from bot.pruning import PRUNE_AFTER
from storage import schema
from storage.sqlite import SqliteStorage

PEOPLE = 12
CLOSED = 100
OPEN = 10
EVERY = timedelta(days=3, hours=12)  # a proposal every three and a half days: 100 a year
CACHE = Path(tempfile.gettempdir()) / "deciding-together-bench"
DISK_TARGET_MB = 8.0  # per 1,000 decided proposals, once delivered messages are pruned
# The code whose change changes what the rows look like: a cached database made
# before a change to any of these is made again.
WRITERS = (
    "storage/schema.py",
    "storage/changes.py",
    "storage/rows.py",
    "storage/transaction.py",
    "bot/core/codec.py",
    "bot/core/model.py",
    "bench/coop.py",
)
# Tables never copied: the template's messages are delivered and pruned.
NOT_COPIED = frozenset({"outbox", "deliveries"})


CHAT_PREFIX = "console:coop-"
NUMBER_AT = len(CHAT_PREFIX) + 1  # where the team's number begins, counted from 1 (SQL)


def chat_of(team: int) -> str:
    return f"{CHAT_PREFIX}{team:05d}"


def cached(teams: int, *, people: int = PEOPLE, closed: int = CLOSED, today: str = "") -> Path:
    """Where a co-op of this size is kept."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for name in WRITERS:
        digest.update((root / name).read_bytes())
    today = today or datetime.now(UTC).date().isoformat()
    name = (
        f"coop-schema{len(schema.MIGRATIONS)}-{digest.hexdigest()[:10]}"
        f"-{teams}x{people}x{closed}-{today}.db"
    )
    return CACHE / name


async def coop(teams: int, *, people: int = PEOPLE, closed: int = CLOSED) -> tuple[Path, float]:
    """The co-op's database (built now, or found in the cache) and the seconds it took."""
    path = cached(teams, people=people, closed=closed)
    if path.exists():
        return path, 0.0
    started = time.perf_counter()
    CACHE.mkdir(exist_ok=True)
    _forget_old(path, f"-{teams}x{people}x{closed}-")
    building = path.with_suffix(".building")
    await year_of_a_team(building, people=people, closed=closed)
    copy_team(building, teams)
    shutil.move(building, path)
    # The storage's lock file beside the database (see ``storage.one_process``).
    Path(f"{building}.lock").unlink(missing_ok=True)
    return path, time.perf_counter() - started


def _forget_old(path: Path, size: str) -> None:
    """Delete the cached co-ops this one supersedes (older code's or schema's of the
    same size) and every other day's: each is gigabytes. A build under way
    elsewhere (a ``.building`` file younger than an hour) is left alone."""
    day = f"-{datetime.now(UTC).date().isoformat()}."
    for old in CACHE.glob("coop-*"):
        if old.name.startswith(path.name):
            continue
        try:
            young = time.time() - old.stat().st_mtime < 3600
        except FileNotFoundError:
            continue
        if ".building" in old.name and young:
            continue
        if size in old.name or day not in old.name:
            old.unlink(missing_ok=True)


async def year_of_a_team(
    path: Path, *, people: int = PEOPLE, closed: int = CLOSED, open_: int = OPEN
) -> None:
    """Team 0's year, through the real application, ending now."""
    now = datetime.now(UTC).replace(microsecond=0)
    clock = ManualClock(now - EVERY * closed - timedelta(days=1))
    storage = await SqliteStorage.open(path)
    try:
        app = Application(storage=storage, clock=clock)
        app.adapters["console"] = NullAdapter()
        delivery = DeliveryLoop(app)
        chat, keys = chat_of(0), iter(range(1, 10**9))

        async def say(person: int, text: str | None = None, action: c.Action | None = None) -> None:
            await app.submit(
                chat=chat, actor=actor(person), text=text, action=action,
                update_key=f"console:{next(keys)}",
            )  # fmt: skip

        for person in range(people):
            await say(person, action=c.Join())
        for n in range(1, closed + open_ + 1):
            began = clock.now()
            title, details = f"Proposal {n}", "What we would do, and why, in a few lines."
            await say((n - 1) % people, action=c.Propose(title, details, duration="3 days"))
            answering = range(people) if n <= closed else range(0, people, 2)
            for person in answering:
                if person == (n - 1) % people:
                    continue
                clock.advance(timedelta(minutes=20))
                await say(person, respond_text(n, consent=(person + n) % 3 != 0))
            if n <= closed:
                clock.advance(timedelta(minutes=30))  # someone thinks again
                await say((n + 1) % people, respond_text(n, consent=True))
                clock.advance(began + EVERY - clock.now())
                await app.run_due_timers()
            else:
                clock.advance(timedelta(minutes=5))
            while await delivery.run_once():
                pass
            if n % 10 == 0 or n == closed + open_:
                await storage.prune(clock.now() - PRUNE_AFTER)
    finally:
        await storage.close()


def copy_team(path: Path, teams: int, *, template: int = 0) -> None:
    """Team ``template`` copied as teams ``template + 1`` … ``teams - 1``, inside
    SQLite, in one transaction (the file must not be open elsewhere).

    By doubling: the teams made so far are copied as the next as many, one
    statement per table, so each statement reads its rows in key order and
    writes the copies in key order too (the teams' numbers are zero-padded):
    five times faster than one team at a time, which wrote into the middle of
    every index."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode = OFF")  # a file being made: no log needed
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA cache_size = -262144")  # 256 MB
        statements = [_copy_statement(db, table) for table in _tables(db)]
        db.execute("BEGIN")
        have = 1
        while template + have < teams:
            more = min(have, teams - template - have)
            values = {"low": chat_of(template), "high": chat_of(template + more), "by": have}
            for statement in statements:
                db.execute(statement, values)
            have += more
        db.execute("COMMIT")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA optimize")
    finally:
        db.close()


def _tables(db: sqlite3.Connection) -> list[str]:
    names = [
        row[0]
        for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")
    ]
    return [
        name
        for name in names
        if name not in NOT_COPIED
        and not name.startswith("sqlite_")
        and (name == "groups" or "group_id" in _columns(db, name))
    ]


def _columns(db: sqlite3.Connection, table: str) -> dict[str, tuple[str, int]]:
    """Each column's type and its place in the primary key (0: not in it)."""
    return {row[1]: (row[2].upper(), row[5]) for row in db.execute(f"PRAGMA table_info({table})")}


def _copy_statement(db: sqlite3.Connection, table: str) -> str:
    """``INSERT … SELECT`` of the rows of teams ``:low`` ≤ team < ``:high`` of
    ``table`` as those of the teams ``:by`` further on.

    The group's id and its chat become the new team's; a person's identity,
    an update's key and a button's token get the team's number (they are
    unique across the whole database); an integer primary key of its own (the
    audit log's ids) is left for SQLite to give."""
    columns = _columns(db, table)
    group = "id" if table == "groups" else "group_id"
    number = f"(CAST(substr({group}, {NUMBER_AT}) AS INTEGER) + :by)"
    kept, made = [], []
    for name, (kind, in_key) in columns.items():
        if name == "id" and kind == "INTEGER" and in_key == 1:
            continue
        if name in (group, "chat"):
            made.append(f"printf('{CHAT_PREFIX}%05d', {number})")
        elif name in ("identity", "update_key", "token"):
            made.append(f"substr({name}, 1, instr({name} || '.', '.') - 1) || '.' || {number}")
        else:
            made.append(name)
        kept.append(name)
    return (
        f"INSERT INTO {table} ({', '.join(kept)}) SELECT {', '.join(made)} FROM {table} "
        f"WHERE {group} >= :low AND {group} < :high"
    )


async def disk(report: Report, closed: int = CLOSED) -> None:
    """The database's size per 1,000 decided proposals: one team's year, every
    message delivered and pruned (as a week later, the bot's daily pruning)."""
    with scratch() as folder:
        path = folder / "disk.db"
        await year_of_a_team(path, closed=closed, open_=0)
        storage = await SqliteStorage.open(path)
        try:
            later = datetime.now(UTC) + PRUNE_AFTER + timedelta(days=1)
            await storage.prune(later)
        finally:
            await storage.close()
        used, tables = _used(path)
        empty = folder / "empty.db"
        await (await SqliteStorage.open(empty)).close()
        fixed, _ = _used(empty)
    # A new database's pages (one per table and index) are not the proposals' cost.
    per_thousand = (used - fixed) / closed * 1000 / 2**20
    report.add(
        Figure(
            "9 disk", "database per 1,000 decided proposals, delivered messages pruned",
            per_thousand, "MB", DISK_TARGET_MB, higher_is_better=False,
            notes=(
                f"one team's year ({closed} proposals, 12 people): pages in use, "
                f"less the {fixed // 1024} kB of an empty database"
            ),
        )
    )  # fmt: skip
    report.details["disk"] = {
        "closed_proposals": closed,
        "bytes_in_use": used,
        "bytes_of_an_empty_database": fixed,
        "mb_per_1000_by_table": {
            name: round(size / closed * 1000 / 2**20, 2) for name, size in tables.items()
        },
    }


def _used(path: Path) -> tuple[int, dict[str, int]]:
    """Bytes of the pages in use, and of each table with its indexes (largest first)."""
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        free = db.execute("PRAGMA freelist_count").fetchone()[0]
        size = db.execute("PRAGMA page_size").fetchone()[0]
        owners = dict(db.execute("SELECT name, tbl_name FROM sqlite_master"))
        tables: dict[str, int] = {}
        for name, used in db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
            table = owners.get(name, name)
            tables[table] = tables.get(table, 0) + used
    finally:
        db.close()
    ordered = dict(sorted(tables.items(), key=lambda item: -item[1]))
    return (pages - free) * size, ordered
