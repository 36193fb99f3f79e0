"""2. Storage: responses durably stored per second through the application.

``Application.submit`` with an ``update_key`` for every response (as an
adapter calls it), each in its own WAL transaction: the words are parsed,
the core decides, and the new response, its round, the audit entry, the
card's edit and the reply go into the outbox in one commit, durable before
``submit`` returns.

The work is spread over 20 teams of 12 with 10 open proposals each, so
histories stay realistic while thousands of responses are stored. The teams
talk at the same time, as a host's teams do: each team's responses come one
after another (a chat is one stream of updates), and the 20 streams run
together. That is the figure held against the target; the same work with
one response at a time in the whole application, each waiting for its own
sync, is reported beside it. Durability "full" (the default: durable before
the update is acknowledged) and "normal" are measured side by side.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

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
from bot.app import Application, ManualClock
from storage.sqlite import SqliteStorage

TARGET = 2_000  # responses per second
TEAMS = 20


async def measure(synchronous: str, seconds: float, *, together: bool) -> dict[str, float]:
    """Responses stored per second; ``together``: the teams' streams run at once,
    else one response at a time, the teams taking turns."""
    with scratch() as folder:
        storage = await SqliteStorage.open(folder / "bench.db", synchronous=synchronous)
        try:
            team = make_team("console:template")
            chats = [f"console:team-{n}" for n in range(TEAMS)]
            for chat in chats:
                await store_team(storage, copy_team(team, chat), team.effects)
            app = Application(storage=storage, clock=ManualClock(START))
            streams = [_responses(n, chat) for n, chat in enumerate(chats)]
            started = time.perf_counter()
            until = started + seconds
            if together:
                sent = sum(await asyncio.gather(*(_send(app, [s], until) for s in streams)))
            else:
                sent = await _send(app, streams, until)
            elapsed = time.perf_counter() - started
            stored = len(await storage.audit(chats[0]))
        finally:
            await storage.close()
    return {"responses": sent, "seconds": elapsed, "rate": sent / elapsed, "audit_team_0": stored}


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


async def _send(app: Application, streams: list[Iterator[dict[str, object]]], until: float) -> int:
    """Submit from ``streams`` in turn, each response after the last one returned."""
    sent = 0
    while time.perf_counter() < until:
        for stream in streams:
            await app.submit(**next(stream))  # type: ignore[arg-type]
            sent += 1
    return sent


async def run(report: Report, seconds: float) -> None:
    found = {
        "full": await measure("full", seconds, together=True),
        "normal": await measure("normal", seconds, together=True),
        "full_one_at_a_time": await measure("full", seconds, together=False),
    }
    full, normal = found["full"]["rate"], found["normal"]["rate"]
    report.add(
        Figure(
            "2 storage",
            f"responses stored, {TEAMS} teams at once, durability full",
            full,
            "/s",
            TARGET,
            baseline=normal,
            baseline_name="normal",
            notes="each in its own WAL transaction, on disk before submit returns",
        )
    )
    report.add(
        Figure(
            "2 storage",
            f"responses stored, {TEAMS} teams at once, durability normal",
            normal,
            "/s",
            TARGET,
            notes="survives a crash of the bot, a power cut may undo the last ones",
        )
    )
    report.add(
        Figure(
            "2 storage",
            "responses stored one at a time, durability full",
            found["full_one_at_a_time"]["rate"],
            "/s",
            None,
            notes="each waits for its own sync of the disk: the latency, not the capacity",
        )
    )
    report.details["storage"] = found
