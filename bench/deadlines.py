"""4. Deadlines: timers through the real scheduler, on the real clock.

* **Lateness**: 1,000 deadlines (100 teams × 10 proposals), spread over a few
  seconds from now, each fired by APScheduler waking the application; the
  lateness of each is the time its firing was committed minus its due time.
* **Restart** (``bench.restart``): a database with 100,000 pending
  deadlines, 10,000 of them overdue (the bot was down while they passed). A
  new process starts the bot; the figure is the time from opening the
  database until every overdue deadline has fired. Each is counted as it is
  committed, and again in the audit log: none may fire twice, and none of
  the 90,000 others may fire.

The teams are made by the core at a time in the past such that their
"in 3 days" deadlines fall where the benchmark needs them.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from bench import restart as restart_case
from bench.restart import Firings, is_deadline
from bench.results import Figure, Report
from bench.workload import make_team, scratch, store_team
from bot.app import Application, Scheduler, SystemClock
from bot.core.effects import SetTimer
from storage.sqlite import SqliteStorage

THREE_DAYS = timedelta(days=3)


async def lateness(report: Report, spread: float, teams: int = 100) -> None:
    now = datetime.now(UTC)
    first_due = now + timedelta(seconds=min(3.0, spread))
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
    timers = f"{len(due):,} timers"
    report.add(Figure("4 deadlines", f"lateness p50 ({timers})", p50, "s", notes=""))
    report.add(
        Figure("4 deadlines", f"lateness p99 ({timers})", p99, "s", 1.0, higher_is_better=False)
    )
    report.details["deadlines_lateness"] = {
        "timers": len(due),
        "fired": len(firings.fired),
        "fired_twice": sum(1 for c in counts.values() if c > 1),
        "spread_seconds": spread,
        "max_seconds": late[-1],
    }


async def restart(report: Report, teams: int) -> None:
    """``teams`` teams of 10 deadlines, a tenth of them overdue; a new process starts."""
    overdue_teams = max(1, teams // 10)
    with scratch() as folder:
        path = folder / "restart.db"
        started = time.perf_counter()
        await restart_case.build(path, teams, overdue_teams)
        built = time.perf_counter() - started
        done = subprocess.run(
            [sys.executable, "-m", "bench.restart", str(path), str(overdue_teams * 10)],
            capture_output=True, text=True, check=True, timeout=900,
        )  # fmt: skip
        found = json.loads(done.stdout.strip().splitlines()[-1])
    twice = found["fired_twice"] + found["audit_fired_twice"]
    report.add(
        Figure(
            "4 deadlines",
            f"restart: {overdue_teams * 10:,} overdue of {teams * 10:,} fired",
            found["seconds"],
            "s",
            5.0,
            higher_is_better=False,
            notes=(
                f"a new process; {found['fired_once']:,} fired, {twice} twice, "
                f"{found['fired_by_a_second_pass']} left for a second pass"
            ),
        )
    )
    report.add(
        Figure(
            "4 deadlines", "restart: timers fired twice", twice, "", 0, higher_is_better=False,
            notes="counted as committed, and again in the audit log",
        )
    )  # fmt: skip
    report.details["deadlines_restart"] = {
        "timers": teams * 10,
        "build_s": built,
        **found,
    }


async def run(report: Report, spread: float, teams: int, lateness_teams: int = 100) -> None:
    await lateness(report, spread, lateness_teams)
    await restart(report, teams)
