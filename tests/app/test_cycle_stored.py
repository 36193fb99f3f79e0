"""The cycle through the real application and its database: a review's check-in
survives a restart and ends on its date, and the weekly digest, read from what is
stored, tells the week's decisions."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from adapters.console import ConsoleAdapter, ConsoleSession
from bot.core.model import GroupSettings
from tests.harness import START, Running, running_app

DAY = timedelta(days=1)


@dataclass
class Chat:
    running: Running
    session: ConsoleSession
    lines: list[str]

    async def say(self, person: str, text: str) -> None:
        await self.session.say(person, text)

    def since(self, start: int) -> str:
        return "\n".join(self.lines[start:])


@contextlib.asynccontextmanager
async def chat(db: Path, *, start: datetime = START, digest: bool = False) -> AsyncIterator[Chat]:
    settings = GroupSettings(digest=digest)
    async with running_app(db, start=start, settings=settings) as running:
        lines: list[str] = []
        adapter = ConsoleAdapter(lines.append)
        running.app.adapters["console"] = adapter
        await adapter.start(running.app)
        session = ConsoleSession(running.app, adapter, running.clock, lines.append, speaker="Sam")
        yield Chat(running, session, lines)


async def test_a_check_in_survives_a_restart_and_ends_on_its_date(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    async with chat(db) as team:
        for person in ("Sam", "Alex", "Jo"):
            await team.say(person, "join")
        await team.say("Jo", "propose Buy a shower chair\nin 2 days\nreview in 10 days")
        for person in ("Sam", "Alex", "Jo"):
            await team.say(person, "consent #1")
        await team.session.wait(11 * DAY)
        await team.say("Alex", "review #1 change Get one with arms")
        now = team.running.clock.now()
    # The bot stops and starts again: the answer and the check-in's date are kept.
    async with chat(db, start=now) as team:
        start = len(team.lines)
        await team.session.wait(4 * DAY)
        said = team.since(start)
        assert "The review of #1 is over. People want to change it, so #2 is a new version." in said
        await team.say("Jo", "history #1")
        said = team.since(start)
        assert "Alex — Change it: Get one with arms" in said
        assert "we looked at it again: change it, in #2" in said


async def test_the_digest_reads_the_weeks_decisions_from_storage(tmp_path: Path) -> None:
    async with chat(tmp_path / "team.db", digest=True) as team:
        for person in ("Sam", "Alex"):
            await team.say(person, "join")
        await team.say("Sam", "propose Tea rota\nin 2 days")
        await team.say("Sam", "consent #1")
        await team.say("Alex", "consent #1")
        start = len(team.lines)
        await team.session.wait(7 * DAY)
        said = team.since(start)
        assert "Our week, in short." in said
        assert "Decided this week:" in said and "Proposal #1: Tea rota — It is agreed." in said
