"""4. Deadlines: timers through the real scheduler, on the real clock.

* **Lateness**: 1,000 deadlines (100 teams × 10 proposals), spread over a few
  seconds from now, each fired by APScheduler waking the application; the
  lateness of each is the time its firing was committed minus its due time.
* **Restart**: a database with 10,000 pending deadlines, 1,000 of them
  overdue (the bot was down while they passed). A new process's scheduler
  starts; the figure is the time until every overdue deadline has fired.
  Each is counted as it is committed: none may fire twice, and none of the
  9,000 others may fire.

The teams are made by the core at a time in the past such that their
"in 3 days" deadlines fall where the benchmark needs them.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.results import Figure, Report
from bench.workload import copy_team, make_team, scratch, store_team
from bot.app import Application, Scheduler, SystemClock
from bot.core.commands import DeadlineDue
from bot.core.effects import Effect, SetTimer
from storage.sqlite import SqliteStorage

THREE_DAYS = timedelta(days=3)


def is_deadline(effect: Effect) -> bool:
    return isinstance(effect, SetTimer) and isinstance(effect.event, DeadlineDue)


class Firings:
    """Storage that notes the moment each timer's firing is committed."""

    def __init__(self, storage: SqliteStorage) -> None:
        self.storage = storage
        self.fired: list[tuple[str, str, float]] = []  # group, key, wall-clock time

    def __getattr__(self, name: str) -> Any:
        return getattr(self.storage, name)

    async def commit(self, **kwargs: Any) -> bool:
        stored = await self.storage.commit(**kwargs)
        if stored and kwargs.get("fired_timer") is not None:
            self.fired.append((kwargs["group_after"].id, kwargs["fired_timer"], time.time()))
        return stored

    async def commit_many(self, commits: Any, **kwargs: Any) -> bool:
        # Overdue timers are fired in batches, one transaction each.
        stored = await self.storage.commit_many(commits, **kwargs)
        if stored:
            at = time.time()
            self.fired += [
                (each["group_after"].id, each["fired_timer"], at)
                for each in commits
                if each.get("fired_timer") is not None
            ]
        return stored


async def lateness(report: Report, spread: float) -> None:
    teams, now = 100, datetime.now(UTC)
    first_due = now + timedelta(seconds=3)
    with scratch() as folder:
        storage = await SqliteStorage.open(folder / "deadlines.db")
        due: dict[tuple[str, str], datetime] = {}
        try:
            for n in range(teams):
                # Team n's ten deadlines fall in its own slice of the spread.
                start = first_due + timedelta(seconds=spread * n / teams) - THREE_DAYS
                team = make_team(
                    f"console:late-{n}",
                    at=start,
                    spread=timedelta(seconds=spread / teams),
                )
                await store_team(storage, team.group, team.effects, at=start, keep=is_deadline)
                for effect in team.effects:
                    if isinstance(effect, SetTimer) and is_deadline(effect):
                        due[(team.group.id, effect.key)] = effect.due
            firings = Firings(storage)
            app = Application(storage=firings, clock=SystemClock())
            scheduler = Scheduler(app)
            app.on_timers_changed = scheduler.timers_changed
            await scheduler.start()
            deadline = time.monotonic() + spread + 60
            while len(firings.fired) < len(due) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            scheduler.stop()
        finally:
            await storage.close()
    late = sorted(at - due[(g, k)].timestamp() for g, k, at in firings.fired)
    counts = Counter((g, k) for g, k, _ in firings.fired)
    p50 = statistics.median(late)
    p99 = late[min(len(late) - 1, int(len(late) * 0.99))]
    report.add(Figure("4 deadlines", "lateness p50 (1,000 timers)", p50, "s", notes=""))
    report.add(
        Figure("4 deadlines", "lateness p99 (1,000 timers)", p99, "s", 1.0, higher_is_better=False)
    )
    report.details["deadlines_lateness"] = {
        "timers": len(due),
        "fired": len(firings.fired),
        "fired_twice": sum(1 for c in counts.values() if c > 1),
        "spread_seconds": spread,
        "max_seconds": late[-1],
    }


async def restart(report: Report) -> None:
    teams, overdue_teams, now = 1000, 100, datetime.now(UTC)
    with scratch() as folder:
        path = folder / "restart.db"
        storage = await SqliteStorage.open(path)
        try:
            past = make_team("console:template", at=now - THREE_DAYS - timedelta(hours=1))
            future = make_team("console:template", at=now)
            for n in range(teams):
                team = past if n < overdue_teams else future
                group = copy_team(team, f"console:team-{n}")
                await store_team(storage, group, team.effects, at=now, keep=is_deadline)
        finally:
            await storage.close()

        started = time.monotonic()
        storage = await SqliteStorage.open(path)
        firings = Firings(storage)
        try:
            app = Application(storage=firings, clock=SystemClock())
            scheduler = Scheduler(app)
            app.on_timers_changed = scheduler.timers_changed
            await scheduler.start()  # fires what is overdue, then arms the next
            took = time.monotonic() - started
            again = await app.run_due_timers()
            scheduler.stop()
            pending = await storage.next_timer_due()
        finally:
            await storage.close()
    counts = Counter((g, k) for g, k, _ in firings.fired)
    report.add(
        Figure(
            "4 deadlines",
            "restart: 1,000 overdue of 10,000 fired",
            took,
            "s",
            5.0,
            higher_is_better=False,
            notes=f"{len(counts)} fired, {sum(1 for c in counts.values() if c > 1)} twice",
        )
    )
    report.details["deadlines_restart"] = {
        "timers": teams * 10,
        "overdue": overdue_teams * 10,
        "fired": len(firings.fired),
        "fired_once": len(counts),
        "fired_twice": sum(1 for c in counts.values() if c > 1),
        "fired_by_a_second_pass": again,
        "next_pending_due": pending.isoformat() if pending else None,
        "seconds": took,
    }


async def run(report: Report, spread: float) -> None:
    await lateness(report, spread)
    await restart(report)
