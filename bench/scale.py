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

**A year-old co-op** (``bench.coop``): 1,000 teams (and 10,000) of 12, each
with 100 closed proposals and their whole response histories and 10 open
ones. A fresh process starts the bot on it; the figures are the time from
that process's start until the first command is answered, and the resident
memory once every team has been heard from (``bench.startup``).

**Big groups**: the cost of one response (decide and store, through
``Application.submit``) in a group of 100 and on a proposal that already has
5,000 responses, against the same in a group of 12, the three taking turns
response by response in one run. The cost is the process's processor time
(every thread) per response: the wall-clock time is mostly the disk's sync,
the same for all three, which would hide a cost that grows (it is in the
notes).
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
from typing import Any

from bench import coop
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
from bot.app import Application, ManualClock
from bot.core import commands as c
from bot.core.decide import decide
from bot.core.model import Group
from storage.sqlite import SqliteStorage

MEMORY_TARGET_MB = 200
STARTUP_TARGET_S = 3.0
# The year-old co-op: (teams, memory target in MB); start-up target as above.
COOP_TARGETS = {1000: 200.0, 10_000: 400.0}
BIG_GROUP_TARGET = 1.5  # a response's cost, × the same in a group of 12


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


Times = dict[int, dict[str, list[float]]]  # teams stored: kind: seconds, in order


def chunked(found: list[float], chunks: int = 7) -> list[float]:
    """Medians (in ms) of consecutive slices of samples taken in turns with another
    series: each slice and the other's same slice are one interleaved pair."""
    size = max(1, len(found) // chunks)
    return [
        statistics.median(found[i : i + size]) * 1000 for i in range(0, len(found) - size + 1, size)
    ]


async def costs(stored: Stored, samples: int) -> Times:
    """Seconds of each response, tally and status, on warm teams, for each
    number of teams stored. The sizes take turns, sample by sample, so a
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
    return times


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


async def run(report: Report, samples: int, sizes: tuple[int, int, int] = (10, 100, 1000)) -> None:
    small, middle, large = sizes
    with scratch() as folder:
        stored: Stored = {}
        for teams in sizes:
            path = folder / f"scale-{teams}.db"
            stored[teams] = (path, await build(path, teams))
        started = start_up(stored[large][0])
        times = await costs(stored, samples)
    by_size = {
        teams: {kind: statistics.median(found) * 1000 for kind, found in by_kind.items()}
        for teams, by_kind in times.items()
    }
    report.add(
        Figure(
            "5 scale", f"resident memory, {large:,} teams loaded", started["rss_mb"], "MB",
            MEMORY_TARGET_MB, higher_is_better=False,
            notes=f"{started['rss_before_mb']:.0f} MB before opening the database",
        )
    )  # fmt: skip
    report.add(
        Figure(
            "5 scale", f"start-up, {large:,} teams loaded", started["startup_s"], "s",
            STARTUP_TARGET_S, higher_is_better=False,
            notes=f"open and scheduler alone: {started['open_s']:.2f} s",
        )
    )  # fmt: skip
    for kind in ("response", "tally", "status"):
        report.add(
            paired(
                "5 scale", f"{kind} with {large:,} teams (vs {small})",
                chunked(times[large][kind]), chunked(times[small][kind]), "ms",
                higher_is_better=False, baseline_name=f"{small} teams",
                notes=f"{middle} teams: {by_size[middle][kind]:.2f} ms",
            )
        )  # fmt: skip
    report.details["scale"] = {"milliseconds_by_teams": by_size, "start_up": started}


def start_up_coop(
    path: Path, teams: int, memory_cap: float, time_cap: float, closed: int = coop.CLOSED
) -> dict[str, Any]:
    """The co-op's start and a day of every team heard from, in a fresh process."""
    found = subprocess.run(
        [
            sys.executable, "-m", "bench.startup", str(path), "--coop", str(teams),
            "--closed", str(closed), "--memory-cap", str(memory_cap),
            "--time-cap", str(time_cap),
        ],
        capture_output=True, text=True, check=True, timeout=time_cap + 600,
    )  # fmt: skip
    return dict(json.loads(found.stdout.strip().splitlines()[-1]))


async def year_old(
    report: Report, sizes: dict[int, float], time_cap: float, closed: int = coop.CLOSED
) -> None:
    """``sizes``: teams → the memory target (MB) they are held against; ``closed``:
    proposals each team has decided (100 in a year)."""
    details: dict[str, Any] = {}
    for teams, memory_target in sizes.items():
        path, built = await coop.coop(teams, closed=closed)
        # Stop a bot that keeps every team well before it takes the machine's memory.
        cap = max(4 * memory_target, 800.0)
        found = start_up_coop(path, teams, cap, time_cap, closed)
        found["database"] = path.name  # in the cache folder the run prints
        found["database_mb"] = path.stat().st_size / 2**20
        found["built_s"] = built
        details[str(teams)] = found
        label = f"year-old co-op, {teams:,} teams"
        report.add(
            Figure(
                "5 scale", f"{label}: start-up until the first answer", found["first_answer_s"],
                "s", STARTUP_TARGET_S, higher_is_better=False,
                notes=(
                    f"imports {found['imports_s']:.2f} s, opening and the scheduler "
                    f"{found['open_s']:.2f} s; {found['rss_first_mb']:.0f} MB then"
                ),
            )
        )  # fmt: skip
        heard = found["teams_heard_from"]
        report.add(
            Figure(
                "5 scale", f"{label}: memory, every team heard from", found["rss_after_mb"],
                "MB", memory_target, higher_is_better=False,
                notes=(
                    f"STOPPED: {found['stopped']}" if found["stopped"]
                    else f"{heard:,} teams in {found['every_team_s']:.1f} s; "
                    f"peak {found['rss_peak_mb']:.0f} MB"
                ),
            )
        )  # fmt: skip
    report.details["year_old_coop"] = details


async def big_groups(report: Report, samples: int, responses: int = 5000) -> None:
    """A response in a group of 100 and on a proposal with 5,000 responses, against
    the same in a group of 12, taking turns."""
    with scratch() as folder:
        storage = await SqliteStorage.open(folder / "big.db")
        try:
            groups = {
                "12 members": make_team("console:small"),
                "100 members": make_team("console:large", people=100),
                "5,000 responses": make_team("console:long", people=100),
            }
            long = groups["5,000 responses"]
            history, said = _answered(long.group, responses)
            # Each response changes the person's answer, so each is stored.
            last: dict[tuple[str, int, int], bool] = {
                ("5,000 responses", person, 1): consent for person, consent in said.items()
            }
            for team in groups.values():
                await store_team(storage, team.group if team is not long else history, team.effects)
            app = Application(storage=storage, clock=ManualClock(START))
            times: dict[str, list[float]] = {kind: [] for kind in groups}
            walls: dict[str, list[float]] = {kind: [] for kind in groups}
            sizes = {"12 members": PEOPLE, "100 members": 100, "5,000 responses": 100}
            for n in range(samples):
                for kind, team in groups.items():
                    person = 1 + n % (sizes[kind] - 1)
                    proposal = 1 if kind == "5,000 responses" else 1 + n % PROPOSALS
                    consent = not last.get((kind, person, proposal), False)
                    last[(kind, person, proposal)] = consent
                    started, cpu = time.perf_counter(), time.process_time()
                    await app.submit(
                        chat=team.group.id, actor=actor(person),
                        text=respond_text(proposal, consent),
                        update_key=f"bench:big:{kind}:{n}",
                    )  # fmt: skip
                    times[kind].append(time.process_time() - cpu)
                    walls[kind].append(time.perf_counter() - started)
            stored = await storage.load_group("console:long")
            round_ = stored.proposals[1].round if stored is not None else None
            responses_after = len(round_.history) if round_ is not None else 0
        finally:
            await storage.close()
    by_chunk = {kind: chunked(found) for kind, found in times.items()}
    chunk = max(1, samples // 7)
    for kind in ("100 members", "5,000 responses"):
        report.add(
            paired(
                "5 scale", f"one response, {kind} (vs 12 members), CPU", by_chunk[kind],
                by_chunk["12 members"], "ms", target=BIG_GROUP_TARGET, higher_is_better=False,
                target_is_ratio=True, baseline_name="12 members",
                notes=(
                    f"{samples} responses each, taking turns; medians of {chunk}; "
                    f"wall clock {statistics.median(walls[kind]) * 1000:.2f} against "
                    f"{statistics.median(walls['12 members']) * 1000:.2f} ms"
                ),
            )
        )  # fmt: skip
    stored_now = responses_after - responses
    assert stored_now == samples, f"{stored_now} of {samples} responses were stored"
    report.details["big_groups"] = {
        "samples": samples,
        "median_cpu_ms": {kind: statistics.median(found) * 1000 for kind, found in times.items()},
        "median_wall_ms": {kind: statistics.median(found) * 1000 for kind, found in walls.items()},
        "responses_on_the_long_proposal_after": responses_after,
    }


def _answered(group: Group, responses: int) -> tuple[Group, dict[int, bool]]:
    """``group`` with ``responses`` responses on proposal 1: its members answer in turn,
    changing their minds, until the round's history is that long; and whether each
    person's last answer was consent."""
    people = len(group.members)
    said: dict[int, bool] = {}
    for n in range(responses):
        person = 1 + n % (people - 1)
        consent = (n // (people - 1)) % 2 == 0
        word, reason = ("consent", "") if consent else ("concern", "wait")
        request = c.Request(
            actor=actor(person), chat=group.id, action=c.Respond(1, word, reason=reason)
        )
        group = decide(group, request, START).group
        said[person] = consent
    return group, said


if __name__ == "__main__":  # pragma: no cover - a manual entry point
    asyncio.run(run(Report(quick=True), 50))
