"""5. Scale: a co-operative's teams on one small server.

1,000 teams of 12 with 10 open proposals each (every deadline and reminder
stored as a timer). A fresh process (so nothing else this run did counts)
opens the database, starts the scheduler and loads every team into memory,
as a bot that has heard from every team since it started would hold them;
its start-up time and resident memory are the figures.

The cost of one response, one tally (``show #n``: the card with its current
tally) and one ``status`` is then measured through ``Application.submit`` with
10, 100 and 1,000 teams stored: it must not grow with the number of *other*
teams.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.results import Figure, Report
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
from bot.app import Application, ManualClock
from storage.sqlite import SqliteStorage

MEMORY_TARGET_MB = 200
STARTUP_TARGET_S = 3.0


async def build(path: Path, teams: int) -> list[str]:
    storage = await SqliteStorage.open(path)
    try:
        template = make_team("console:template")
        chats = [f"console:team-{n}" for n in range(teams)]
        for chat in chats:
            await store_team(storage, copy_team(template, chat), template.effects)
    finally:
        await storage.close()
    return chats


Stored = dict[int, tuple[Path, list[str]]]  # number of teams: the database, the teams' chats


async def costs(stored: Stored, samples: int) -> dict[int, dict[str, float]]:
    """Median milliseconds of a response, a tally and a status, on warm teams, for
    each number of teams stored. The sizes take turns, sample by sample, so a
    moment when the disk is slow falls on all of them alike: measured one size
    after the other, a slow spell of the shared disk made 1,000 teams look
    half as slow again as 10."""
    apps: dict[int, Application] = {}
    try:
        for teams, (path, chats) in stored.items():
            apps[teams] = Application(
                storage=await SqliteStorage.open(path), clock=ManualClock(START)
            )
            await warm(apps[teams], chats)
        picks = {teams: random.Random(7) for teams in stored}
        times: dict[int, dict[str, list[float]]] = {
            teams: {"response": [], "tally": [], "status": []} for teams in stored
        }
        for n in range(samples):
            for teams, app in apps.items():
                pick, chats = picks[teams], stored[teams][1]
                chat = pick.choice(chats)
                person, proposal = pick.randrange(1, PEOPLE - 1), pick.randrange(1, PROPOSALS + 1)
                for kind, text in (
                    ("response", respond_text(proposal, n % 2 == 0)),
                    ("tally", f"show #{proposal}"),
                    ("status", "status"),
                ):
                    started = time.perf_counter()
                    await app.submit(
                        chat=chat, actor=actor(person), text=text, update_key=f"bench:{kind}:{n}"
                    )
                    times[teams][kind].append(time.perf_counter() - started)
    finally:
        for app in apps.values():
            await app.storage.close()
    return {
        teams: {kind: statistics.median(found) * 1000 for kind, found in by_kind.items()}
        for teams, by_kind in times.items()
    }


def start_up(path: Path) -> dict[str, float]:
    """Start-up time and memory, measured in a fresh process (``bench.startup``)."""
    found = subprocess.run(
        [sys.executable, "-m", "bench.startup", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return dict(json.loads(found.stdout.strip().splitlines()[-1]))


async def run(report: Report, samples: int) -> None:
    with scratch() as folder:
        stored: Stored = {}
        for teams in (10, 100, 1000):
            path = folder / f"scale-{teams}.db"
            stored[teams] = (path, await build(path, teams))
        started = start_up(stored[1000][0])
        by_size = await costs(stored, samples)
    report.add(
        Figure(
            "5 scale", "resident memory, 1,000 teams loaded", started["rss_mb"], "MB",
            MEMORY_TARGET_MB, higher_is_better=False,
            notes=f"{started['rss_before_mb']:.0f} MB before opening the database",
        )
    )  # fmt: skip
    report.add(
        Figure(
            "5 scale", "start-up, 1,000 teams loaded", started["startup_s"], "s",
            STARTUP_TARGET_S, higher_is_better=False,
            notes=f"open and scheduler alone: {started['open_s']:.2f} s",
        )
    )  # fmt: skip
    for kind in ("response", "tally", "status"):
        small, large = by_size[10][kind], by_size[1000][kind]
        report.add(
            Figure(
                "5 scale", f"{kind} with 1,000 teams (vs 10)", large, "ms",
                baseline=small, baseline_name="10 teams",
                notes=f"100 teams: {by_size[100][kind]:.2f} ms",
            )
        )  # fmt: skip
    report.details["scale"] = {"milliseconds_by_teams": by_size, "start_up": started}


if __name__ == "__main__":  # pragma: no cover - a manual entry point
    asyncio.run(run(Report(quick=True), 50))
