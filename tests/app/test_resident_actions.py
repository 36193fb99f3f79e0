"""A decision with something still to do stays in memory until it is done; a sign-up
that closed leaves memory and is turned into things to do from storage."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.document import plain_text
from bot.core.effects import Post
from bot.core.model import Stage
from tests.app.test_resident import ALEX, CHAT, SAM, agreed_kettle, held, replied, say
from tests.harness import running_app


async def test_an_action_not_done_keeps_its_decision_in_memory_until_it_is_done(
    tmp_path: Path,
) -> None:
    async with running_app(tmp_path / "db") as run:
        await agreed_kettle(run)
        assert await held(run) == set()
        await say(run, SAM, "action #1 Alexandra buys it by Friday")
        assert await held(run) == {1}
        assert "#1.1 Alexandra Quigley: buys it" in replied(await say(run, SAM, "status"))
        await run.wait(timedelta(days=5))  # its "not done yet" comes from memory
        waiting = await run.storage.pending_deliveries(run.clock.now())
        said = [plain_text(d.effect.document) for d in waiting if isinstance(d.effect, Post)]
        assert any(text.startswith("Not done yet, and that is OK: #1.1") for text in said)
        asked = await say(run, ALEX, "done #1.1")
        assert asked.decision is not None and not asked.decision.refused
        assert await held(run) == set()
        whole = await run.storage.load_group(CHAT)
        assert whole is not None and whole.proposals[1].actions[0].done


async def test_a_closed_sign_up_is_read_from_storage_to_become_things_to_do(
    tmp_path: Path,
) -> None:
    async with running_app(tmp_path / "db") as run:
        await say(run, SAM, "join")
        await say(run, ALEX, "join")
        await say(run, SAM, "signup We need 1 person for the visit on 15 December")
        await say(run, ALEX, "can #1")
        whole = await run.storage.load_group(CHAT)
        assert whole is not None and whole.proposals[1].stage is Stage.AGREED
        assert await held(run) == set()
        made = await say(run, SAM, "action #1")
        assert made.decision is not None
        posts = [plain_text(e.document) for e in made.decision.effects if isinstance(e, Post)]
        assert any("#1.1 Alexandra Quigley: the visit on 15 December" in p for p in posts)
        assert await held(run) == {1}
