"""A restart with many timers pending, in a process of its own.

``python -m bench.restart DB OVERDUE``: the bot starts on ``DB`` (imports done
first, as a bot's are), its scheduler fires what fell due while it was down;
prints one JSON line with the seconds from opening the database until the
``OVERDUE``-th firing was committed, how many fired, and how many fired more
than once. Each firing is counted as it is committed (``commit`` and
``commit_many``, whichever the application uses); the check that none fired
twice reads the audit log afterwards (one entry per firing), so it holds
whichever way the firings were stored.

The database is made by :func:`build`: teams of 12, each with 10 open
proposals whose deadlines are timers; the first ``overdue_teams`` teams'
deadlines passed an hour ago, the others' are three days away. One team of
each kind is made by the real core and stored by the real storage; the rest
are copies made inside SQLite (``bench.coop.copy_team``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.coop import chat_of, copy_team
from bench.workload import make_team, store_team
from bot.app import Application, Scheduler, SystemClock
from bot.core.commands import DeadlineDue
from bot.core.effects import Effect, SetTimer
from storage.sqlite import SqliteStorage

THREE_DAYS = timedelta(days=3)


def is_deadline(effect: Effect) -> bool:
    return isinstance(effect, SetTimer) and isinstance(effect.event, DeadlineDue)


async def build(path: Path, teams: int, overdue_teams: int) -> None:
    """``teams`` teams with 10 deadlines each; the first ``overdue_teams`` are overdue."""
    now = datetime.now(UTC)
    storage = await SqliteStorage.open(path)
    try:
        past = make_team(chat_of(0), at=now - THREE_DAYS - timedelta(hours=1))
        future = make_team(chat_of(overdue_teams), at=now)
        await store_team(storage, past.group, past.effects, at=now, keep=is_deadline)
        await store_team(storage, future.group, future.effects, at=now, keep=is_deadline)
    finally:
        await storage.close()
    copy_team(path, overdue_teams, template=0)
    copy_team(path, teams, template=overdue_teams)


class Firings:
    """Storage that notes the moment each timer's firing is committed."""

    def __init__(self, storage: SqliteStorage) -> None:
        self.storage = storage
        self.fired: list[tuple[str, str, float]] = []  # group, key, wall-clock time
        self.last = 0.0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.storage, name)

    async def commit(self, **kwargs: Any) -> bool:
        stored = await self.storage.commit(**kwargs)
        if stored:
            self._note([kwargs])
        return stored

    async def commit_many(self, commits: Any, **kwargs: Any) -> bool:
        stored = await self.storage.commit_many(commits, **kwargs)
        if stored:
            self._note(list(commits))
        return stored

    def _note(self, commits: list[Any]) -> None:
        for each in commits:
            if each.get("fired_timer") is not None:
                self.fired.append((each["group_after"].id, each["fired_timer"], time.time()))
                self.last = time.perf_counter()


async def measure(path: str, overdue: int, timeout: float = 300.0) -> dict[str, Any]:
    started = time.perf_counter()
    storage = await SqliteStorage.open(path)
    firings = Firings(storage)
    app = Application(storage=firings, clock=SystemClock())
    scheduler = Scheduler(app)
    app.on_timers_changed = scheduler.timers_changed
    audited = _audit_size(path)
    try:
        await scheduler.start()
        started_s = time.perf_counter() - started
        deadline = time.perf_counter() + timeout
        while len(firings.fired) < overdue and time.perf_counter() < deadline:
            await asyncio.sleep(0.005)
        took = (firings.last or time.perf_counter()) - started
        await asyncio.sleep(0.2)  # anything that would fire a second time, or more
        scheduler.stop()
        again = await app.run_due_timers()
    finally:
        scheduler.stop()
        await storage.close()
    counts = Counter((group, key) for group, key, _at in firings.fired)
    audit = _fired_in_audit(path, audited)
    return {
        "seconds": took,
        "scheduler_start_s": started_s,
        "overdue": overdue,
        "fired": len(firings.fired),
        "fired_once": len(counts),
        "fired_twice": sum(1 for n in counts.values() if n > 1),
        "fired_by_a_second_pass": again,
        "audit_firings": sum(audit.values()),
        "audit_fired_twice": sum(1 for n in audit.values() if n > 1),
    }


def _audit_size(path: str) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0])


def _fired_in_audit(path: str, after: int) -> Counter[tuple[str, str]]:
    """Each deadline's firings, by the audit log's entries since ``after``."""
    with sqlite3.connect(path) as db:
        found = db.execute("SELECT group_id, command FROM audit WHERE id > ?", (after,))
        return Counter((group, command) for group, command in found if "DeadlineDue" in command)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.restart")
    parser.add_argument("db")
    parser.add_argument("overdue", type=int)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.db, args.overdue))))
