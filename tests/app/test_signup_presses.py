"""Two presses at once on a sign-up that needs one more: exactly the target is kept,
and the later one is told kindly, whether the presses come one by one at the same
moment or in one batch of platform updates."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import Submission, Submitted
from bot.core.commands import Actor, Respond
from bot.core.document import plain_text
from bot.core.model import Stage
from bot.core.outcomes import signed_up
from tests.harness import Running, running_app

TEAM = "console:team"
SAM, ALEX, JO = (
    Actor("console:sam", "Sam"),
    Actor("console:alex", "Alex"),
    Actor("console:jo", "Jo"),
)
KEPT_OUT = "has enough people now, so nothing more is needed from you"


@pytest.fixture
async def run(tmp_path: Path) -> AsyncIterator[Running]:
    async with running_app(tmp_path / "db") as running:
        for person in (SAM, ALEX, JO):
            await running.app.submit(chat=TEAM, actor=person, text="join")
        await running.app.submit(
            chat=TEAM, actor=SAM, text="signup We need 1 person for the visit on 15 December"
        )
        yield running


def said(submitted: Submitted) -> str:
    assert submitted.decision is not None
    return "\n".join(plain_text(d) for d in submitted.replies())


async def kept(run: Running) -> list[int]:
    group = await run.storage.load_group(TEAM)
    assert group is not None
    proposal = group.proposals[1]
    assert proposal.stage is Stage.AGREED
    return signed_up(proposal)


async def test_two_presses_at_the_same_moment_keep_one_and_thank_the_other(run: Running) -> None:
    presses = [
        run.app.submit(
            chat=TEAM, actor=who, action=Respond(1, "can"), update_key=f"console:{n}", gesture=True
        )
        for n, who in enumerate((ALEX, JO))
    ]
    first, second = await asyncio.gather(*presses)
    assert len(await kept(run)) == 1
    replies = [said(first), said(second)]
    assert sum(KEPT_OUT in r for r in replies) == 1, replies
    assert sum("Your response to #1 is recorded" in r for r in replies) == 1, replies


async def test_two_presses_in_one_batch_keep_one_and_thank_the_other(run: Running) -> None:
    group = await run.storage.load_group(TEAM)
    assert group is not None
    batch = [
        Submission(
            chat=TEAM,
            actor=who,
            action=Respond(1, "can"),
            group_id=group.id,
            update_key=f"console:batch:{n}",
            gesture=True,
        )
        for n, who in enumerate((ALEX, JO))
    ]
    first, second = await run.app.submit_many(batch)
    assert await kept(run) == [group.member_by_identity(ALEX.identity).id]  # type: ignore[union-attr]
    assert "Your response to #1 is recorded" in said(first)
    assert "Thank you, Jo! #1 " + KEPT_OUT in said(second)
