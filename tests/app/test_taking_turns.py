"""Teams take turns within a group, never across groups: one team's command is
decided while another team's is being written, a team's own commands go one
after another, and what reaches across groups waits for every group."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import GroupLocks
from bot.core.commands import Actor, ChatGone
from bot.core.model import Stage
from tests.harness import Running, running_app

TEAM_A, TEAM_B, TEAM_C = "console:team-a", "console:team-b", "console:team-c"
SAM, ALEX = Actor("console:sam", "Sam"), Actor("console:alex", "Alex")
SOON = 5  # seconds: far more than any of this needs, far less than a hung test


class HeldCommits:
    """Makes the storage hold one group's commits until let go, as a slow disk would."""

    def __init__(self, run: Running, group_id: str) -> None:
        self.group_id = group_id
        self.writing = asyncio.Event()  # a commit of the group has reached the storage
        self.let_go = asyncio.Event()
        self._commit = run.storage.commit
        run.storage.commit = self._held  # type: ignore[method-assign]

    async def _held(self, **commit: Any) -> bool:
        if commit["group_after"].id == self.group_id:
            self.writing.set()
            await self.let_go.wait()
        return await self._commit(**commit)


async def held_at_the_disk(run: Running, words: str) -> tuple[HeldCommits, asyncio.Task[Any]]:
    """Team A's ``words``, submitted and held where the storage writes them."""
    held = HeldCommits(run, TEAM_A)
    task = asyncio.create_task(run.app.submit(chat=TEAM_A, actor=ALEX, text=words))
    await asyncio.wait_for(held.writing.wait(), SOON)
    return held, task


@pytest.fixture
async def run(tmp_path: Path) -> AsyncIterator[Running]:
    async with running_app(tmp_path / "db") as running:
        for team in (TEAM_A, TEAM_B, TEAM_C):
            for person in (SAM, ALEX):
                await running.app.submit(chat=team, actor=person, text="join")
            await running.app.submit(chat=team, actor=SAM, text="propose Buy a kettle\nin 3 days")
        yield running


async def test_a_team_is_answered_while_another_teams_response_is_being_written(
    run: Running,
) -> None:
    held, slow = await held_at_the_disk(run, "consent #1")

    other = await asyncio.wait_for(run.app.submit(chat=TEAM_B, actor=ALEX, text="consent #1"), SOON)

    assert other.decision is not None and not slow.done()
    held.let_go.set()
    assert (await asyncio.wait_for(slow, SOON)).decision is not None
    for team in (TEAM_A, TEAM_B):
        stored = await run.storage.load_group(team)
        assert stored is not None
        responding = stored.proposals[1].round
        assert responding is not None and len(responding.history) == 1


async def test_a_teams_own_commands_are_decided_one_after_another(run: Running) -> None:
    held, first = await held_at_the_disk(run, "concern #1 too dear")
    second = asyncio.create_task(run.app.submit(chat=TEAM_A, actor=ALEX, text="consent #1"))
    await asyncio.sleep(0.05)

    assert not second.done()  # waits for its turn: the first is not stored yet
    held.let_go.set()
    await asyncio.wait_for(asyncio.gather(first, second), SOON)
    stored = await run.storage.load_group(TEAM_A)
    assert stored is not None
    # Decided on the state the first left: the change of mind replaces the concern.
    responding = stored.proposals[1].round
    assert responding is not None
    assert [r.response for r in responding.history] == ["concern", "consent"]
    assert stored == await run.app.group(TEAM_A)


async def test_a_change_to_which_chat_is_in_which_group_waits_for_every_group(
    run: Running,
) -> None:
    held, slow = await held_at_the_disk(run, "consent #1")
    gone = asyncio.create_task(run.app.submit(chat=TEAM_B, actor=SAM, action=ChatGone(TEAM_B)))
    await asyncio.sleep(0.05)
    # Once it waits, a newcomer in another team waits behind it.
    later = asyncio.create_task(run.app.submit(chat=TEAM_C, actor=SAM, text="status"))
    await asyncio.sleep(0.05)

    assert not gone.done() and not later.done()
    held.let_go.set()
    await asyncio.wait_for(asyncio.gather(slow, gone, later), SOON)
    stored = await run.storage.load_group(TEAM_B)
    assert stored is not None and stored.chats == ()


async def test_a_deadline_moved_after_it_was_read_as_due_fires_at_its_new_time(
    run: Running,
) -> None:
    run.clock.advance(timedelta(days=3, minutes=1))
    read_due = run.storage.due_timers
    extended = False

    async def due_then_extended(*args: Any, **kwargs: Any) -> Any:
        nonlocal extended
        found = await read_due(*args, **kwargs)
        if found and not extended:
            # Between reading the due timers and firing them, a facilitator extends.
            extended = True
            await run.app.submit(chat=TEAM_A, actor=SAM, text="extend #1 by 2 days")
        return found

    run.storage.due_timers = due_then_extended  # type: ignore[method-assign]
    await run.app.run_due_timers()

    team_a, team_b = await run.app.whole_group(TEAM_A), await run.app.whole_group(TEAM_B)
    assert team_a is not None and team_b is not None
    assert team_a.proposals[1].stage is Stage.OPEN  # not closed on the old deadline
    assert team_b.proposals[1].stage is not Stage.OPEN  # its own deadline did fire
    run.storage.due_timers = read_due  # type: ignore[method-assign]
    await run.wait(timedelta(days=2))
    team_a = await run.app.whole_group(TEAM_A)
    assert team_a is not None and team_a.proposals[1].stage is not Stage.OPEN


async def test_taking_every_group_waits_for_those_inside_and_goes_before_newcomers() -> None:
    locks = GroupLocks()
    order: list[str] = []
    inside, leave = asyncio.Event(), asyncio.Event()

    async def one_group(name: str, group_id: str, hold: bool = False) -> None:
        async with locks.shared(), locks.groups([group_id]):
            order.append(name)
            if hold:
                inside.set()
                await leave.wait()

    async def every_group() -> None:
        async with locks.everything():
            order.append("everything")

    first = asyncio.create_task(one_group("first", "a", hold=True))
    await inside.wait()
    whole = asyncio.create_task(every_group())
    await asyncio.sleep(0.01)
    newcomer = asyncio.create_task(one_group("newcomer", "b"))
    await asyncio.sleep(0.01)
    assert order == ["first"]  # both wait: one for the first to leave, one behind it
    leave.set()
    await asyncio.wait_for(asyncio.gather(first, whole, newcomer), SOON)
    assert order == ["first", "everything", "newcomer"]


async def test_overlapping_sets_of_groups_never_wait_for_each_other_in_a_circle() -> None:
    locks = GroupLocks()

    async def hold(group_ids: list[str]) -> None:
        async with locks.shared(), locks.groups(group_ids):
            await asyncio.sleep(0)

    await asyncio.wait_for(
        asyncio.gather(*(hold(ids) for ids in (["a", "b"], ["b", "a"], ["b", "c", "a"]) * 20)),
        SOON,
    )
