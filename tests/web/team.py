"""A care team with a web page: the real application on a temporary database, the
page's real server on a free port, and a way to get a link as a facilitator does."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from bot.app import Submitted
from bot.core.commands import Actor
from bot.core.document import plain_text
from bot.core.effects import DirectMessage, Reply
from bot.translations import install_translations
from bot.web.server import WebServer
from tests.harness import Running, running_app

CHAT = "console:group"
SAM = Actor("console:sam", "Sam")
ALEX = Actor("console:alex", "Alex")
JO = Actor("console:jo", "Jo")
PUBLIC = "https://care.example.org/decisions"


@dataclass
class Team:
    run: Running
    server: WebServer

    @property
    def origin(self) -> str:
        host, port = self.server.address
        return f"http://{host}:{port}"

    async def says(self, who: Actor, *lines: str) -> Submitted:
        submitted = Submitted()
        for text in lines:
            submitted = await self.run.app.submit(
                chat=CHAT, actor=who, text=text, chat_title="Mum's care team"
            )
            assert submitted.decision is not None and not submitted.decision.refused, (
                text,
                submitted.decision and submitted.decision.summary,
            )
        return submitted

    async def link(self, who: Actor = SAM) -> str:
        """The page's address on this server, from the link ``who`` is sent privately."""
        submitted = await self.says(who, "weblink")
        assert submitted.decision is not None
        sent = [
            plain_text(e.document)
            for e in submitted.decision.effects
            if isinstance(e, DirectMessage | Reply) and PUBLIC in plain_text(e.document)
        ]
        found = re.search(re.escape(PUBLIC) + r"/(\S+)", "\n".join(sent))
        assert found is not None, sent
        return f"{self.origin}/{found[1]}"


@contextlib.asynccontextmanager
async def care_team(db: Path) -> AsyncIterator[Team]:
    """Sam (the facilitator), Alex and Jo, with a web page that is on."""
    install_translations()  # as ``run`` does first
    async with running_app(db) as run:
        run.app.web_url = PUBLIC
        server = WebServer(run.app, "127.0.0.1", 0)
        await server.start()
        try:
            team = Team(run, server)
            for who in (SAM, ALEX, JO):
                await team.says(who, "join")
            yield team
        finally:
            await server.stop()


async def decisions_of_a_month(team: Team) -> None:
    """A month of an ordinary care team: one decided, one open, one for information."""
    await team.says(
        SAM,
        "propose Try the new evening routine for a month\n"
        "Supper at 6, then a film, then bed by 9.\nreview in 1 month",
    )
    await team.says(ALEX, "consent #1")
    await team.says(JO, "consent #1")
    await team.says(SAM, "consent #1")
    await team.says(
        ALEX,
        "propose Move the morning visit to 10:00\nMum would like a slower start to the day.",
    )
    await team.says(SAM, "consent #2")
    await team.says(ALEX, "concern #2 The pharmacy closes at 12 on Saturdays")
