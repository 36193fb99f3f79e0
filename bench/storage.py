"""2. Storage: responses durably stored per second through the application.

``Application.submit`` with an ``update_key`` for every response (as an
adapter calls it), each in its own WAL transaction: the words are parsed,
the core decides, and the new response, its round, the audit entry, the
card's edit and the reply go into the outbox in one commit. Measured with
``synchronous = FULL`` (the default: durable before the update is
acknowledged) and ``NORMAL`` side by side on the same workload.

The work is spread over 20 teams of 12 with 10 open proposals each, so
histories stay realistic while thousands of responses are stored.
"""

from __future__ import annotations

import time

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
)
from bot.app import Application
from bot.clock import ManualClock
from storage.sqlite import SqliteStorage

TARGET = 2_000  # responses per second
TEAMS = 20


async def measure(synchronous: str, seconds: float) -> dict[str, float]:
    with scratch() as folder:
        storage = await SqliteStorage.open(folder / "bench.db", synchronous=synchronous)
        try:
            team = make_team("console:template")
            chats = [f"console:team-{n}" for n in range(TEAMS)]
            for chat in chats:
                await store_team(storage, copy_team(team, chat), team.effects)
            app = Application(storage=storage, clock=ManualClock(START))
            sent, started, key = 0, time.perf_counter(), 0
            while time.perf_counter() - started < seconds:
                for person in range(PEOPLE - 1):  # one stays silent: nothing passes early
                    for proposal in range(1, PROPOSALS + 1):
                        for chat in chats:
                            key += 1
                            consent = (person + proposal + key // 2000) % 2 == 0
                            await app.submit(
                                chat=chat,
                                actor=actor(person),
                                text=respond_text(proposal, consent),
                                update_key=f"bench:update:{key}",
                            )
                            sent += 1
                    if time.perf_counter() - started >= seconds:
                        break
            elapsed = time.perf_counter() - started
            stored = len(await storage.audit(chats[0]))
        finally:
            await storage.close()
    return {"responses": sent, "seconds": elapsed, "rate": sent / elapsed, "audit_team_0": stored}


async def run(report: Report, seconds: float) -> None:
    found = {}
    for level in ("full", "normal"):
        found[level] = await measure(level, seconds)
    full, normal = found["full"]["rate"], found["normal"]["rate"]
    report.add(
        Figure(
            "2 storage",
            "responses stored, synchronous=FULL",
            full,
            "/s",
            TARGET,
            baseline=normal,
            baseline_name="NORMAL",
            notes="each in its own WAL transaction, durable on return",
        )
    )
    report.add(
        Figure(
            "2 storage",
            "responses stored, synchronous=NORMAL",
            normal,
            "/s",
            TARGET,
            notes="survives a crash of the bot, a power cut may undo the last ones",
        )
    )
    report.details["storage"] = found
