"""A bot's start with many teams, in a process of its own.

``python -m bench.startup DB``: seconds to open the database and start the
scheduler, seconds until every team is loaded into memory too, and resident
memory (VmRSS) before and after (the brand-new teams of ``bench.scale``).

``python -m bench.startup DB --coop TEAMS``: a year-old co-op
(``bench.coop``) as the bot meets it after a restart: the seconds from this
process's start (its imports included) until the first command, ``status``
in team 0 (it reads every open proposal), is answered; resident memory then;
and then a ``status`` in every team, as a day in which every team is heard
from, with the memory after it
and at its highest. That last part stops early, and says so, when memory
passes ``--memory-cap`` MB or it takes longer than ``--time-cap`` seconds: a
bot that keeps every team it has heard from would otherwise take the
machine's memory.

Prints one JSON line.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # before the imports: they are part of a start

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

# What a bot running both platforms has imported before it opens its database.
import adapters.matrix  # noqa: E402
import adapters.telegram  # noqa: E402, F401
from bench.coop import CLOSED, chat_of  # noqa: E402
from bot.app import Application, Scheduler, SystemClock  # noqa: E402
from bot.core import commands as c  # noqa: E402
from storage.sqlite import SqliteStorage  # noqa: E402

IMPORTED = time.perf_counter()


def memory_mb(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb() -> float:
    return memory_mb("VmRSS")


async def main(path: str) -> dict[str, float]:
    before = rss_mb()
    started = time.perf_counter()
    storage = await SqliteStorage.open(path)
    app = Application(storage=storage, clock=SystemClock())
    scheduler = Scheduler(app)
    app.on_timers_changed = scheduler.timers_changed
    await scheduler.start()
    opened = time.perf_counter() - started
    for group_id in await storage.group_ids():
        await app.group(group_id)
    loaded = time.perf_counter() - started
    result = {"open_s": opened, "startup_s": loaded, "rss_before_mb": before, "rss_mb": rss_mb()}
    scheduler.stop()
    await storage.close()
    return result


def member(team: int, person: int) -> c.Actor:
    """Person ``person`` of co-op team ``team`` (identities carry the team's number)."""
    suffix = f".{team}" if team else ""
    return c.Actor(f"console:{1000 + person}{suffix}", f"Person {person}")


async def coop_main(
    path: str, teams: int, memory_cap: float, time_cap: float, closed: int = CLOSED
) -> dict[str, Any]:
    before = rss_mb()
    storage = await SqliteStorage.open(path)
    app = Application(storage=storage, clock=SystemClock())
    scheduler = Scheduler(app)
    app.on_timers_changed = scheduler.timers_changed
    try:
        await scheduler.start()
        opened = time.perf_counter()
        first = await app.submit(chat=chat_of(0), actor=member(0, 1), text="status")
        answered = time.perf_counter()
        said = " ".join(str(reply) for reply in first.replies())
        assert f"#{closed + 1}" in said, f"the first command was not answered: {said[:200]}"
        result: dict[str, Any] = {
            "imports_s": IMPORTED - STARTED,
            "open_s": opened - IMPORTED,
            "first_answer_s": answered - STARTED,
            "rss_before_open_mb": before,
            "rss_first_mb": rss_mb(),
        }
        touched, stopped = 1, ""
        samples: list[tuple[int, float]] = []
        for team in range(1, teams):
            await app.submit(chat=chat_of(team), actor=member(team, 1), text="status")
            touched += 1
            if team % 100 == 0 or team == teams - 1:
                samples.append((touched, rss_mb()))
                if rss_mb() > memory_cap:
                    stopped = f"memory passed {memory_cap:.0f} MB after {touched} teams"
                    break
                if time.perf_counter() - answered > time_cap:
                    stopped = f"took longer than {time_cap:.0f} s: {touched} teams"
                    break
        result.update(
            {
                "teams": teams,
                "teams_heard_from": touched,
                "every_team_s": time.perf_counter() - answered,
                "rss_after_mb": rss_mb(),
                "rss_peak_mb": memory_mb("VmHWM"),
                "rss_by_teams": samples,
                "stopped": stopped,
            }
        )
        return result
    finally:
        scheduler.stop()
        await storage.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.startup")
    parser.add_argument("db")
    parser.add_argument("--coop", type=int, default=0, help="teams of a year-old co-op")
    parser.add_argument("--closed", type=int, default=CLOSED, help="closed proposals a team has")
    parser.add_argument("--memory-cap", type=float, default=1500.0)
    parser.add_argument("--time-cap", type=float, default=120.0)
    args = parser.parse_args()
    if args.coop:
        found = asyncio.run(
            coop_main(args.db, args.coop, args.memory_cap, args.time_cap, args.closed)
        )
    else:
        found = asyncio.run(main(args.db))
    print(json.dumps(found))
