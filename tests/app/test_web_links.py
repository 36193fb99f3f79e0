"""Web links through the application: it makes the secret, keeps its digest, and
finds the group again only by a link that still works."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from bot.core.commands import Actor
from bot.core.document import plain_text
from bot.core.effects import DirectMessage
from bot.core.weblinks import digest
from tests.harness import running_app

CHAT = "console:group"
SAM, ALEX = Actor("console:sam", "Sam"), Actor("console:alex", "Alex")
URL = "https://care.example.org/decisions"


async def made_link(run: object, actor: Actor = SAM) -> str:
    """The link the facilitator is sent privately for ``weblink``."""
    submitted = await run.app.submit(chat=CHAT, actor=actor, text="weblink")  # type: ignore[attr-defined]
    assert submitted.decision is not None
    (private,) = [e for e in submitted.decision.effects if isinstance(e, DirectMessage)]
    found = re.search(re.escape(URL) + r"/(\S+)", plain_text(private.document))
    assert found is not None
    return found[1]


async def test_a_link_opens_its_own_group_until_it_expires(tmp_path: Path) -> None:
    async with running_app(tmp_path / "db") as run:
        run.app.web_url, run.app.web_link_days = URL + "/", 30
        await run.app.submit(chat=CHAT, actor=SAM, text="join")
        secret = await made_link(run)
        assert len(secret) >= 22  # at least 128 random bits, as text
        reading = await run.app.web_reader(secret)
        assert reading is not None and reading[0].id == CHAT
        run.clock.advance(timedelta(days=30))
        assert await run.app.web_reader(secret) is None


async def test_weblink_off_forged_and_odd_secrets_open_nothing(tmp_path: Path) -> None:
    async with running_app(tmp_path / "db") as run:
        run.app.web_url = URL
        await run.app.submit(chat=CHAT, actor=SAM, text="join")
        secret = await made_link(run)
        forged = secret[:-1] + ("A" if secret[-1] != "A" else "B")
        for wrong in (forged, "", "short", secret + "/..", "x" * 500, digest(secret)):
            assert await run.app.web_reader(wrong) is None, wrong
        await run.app.submit(chat=CHAT, actor=SAM, text="weblink off")
        assert await run.app.web_reader(secret) is None


async def test_the_secret_is_stored_nowhere_only_its_digest(tmp_path: Path) -> None:
    async with running_app(tmp_path / "db") as run:
        run.app.web_url = URL
        await run.app.submit(chat=CHAT, actor=SAM, text="join")
        secret = await made_link(run)
        (_entry, made) = await run.storage.audit(CHAT)
        assert secret not in json.dumps(str(made.command))
        assert digest(secret) in str(made.command)
        stored = await run.storage.load_group(CHAT)
        assert stored is not None and list(stored.web_links) == [digest(secret)]


async def test_without_a_web_section_weblink_says_the_page_is_off(tmp_path: Path) -> None:
    async with running_app(tmp_path / "db") as run:
        await run.app.submit(chat=CHAT, actor=SAM, text="join")
        submitted = await run.app.submit(chat=CHAT, actor=SAM, text="weblink")
        assert submitted.decision is not None and submitted.decision.refused
        assert "not switched on" in plain_text(submitted.decision.effects[0].document)  # type: ignore[union-attr]
