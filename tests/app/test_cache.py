"""Idle groups leave memory under a bound, and nothing is lost when they do.

The bound counts records (``bot.app.cache.records``); the least recently used
group goes first, and a group with a command being decided never goes.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.app import Scheduler
from bot.app.cache import GroupCache, records
from bot.core.commands import Actor
from bot.core.model import Group, Member
from tests.harness import running_app

SAM = Actor("console:sam", "Sam")


def team(group_id: str, size: int = 3) -> Group:
    return Group(
        id=group_id, members={n: Member(n, f"Member {n}", (f"console:{n}",)) for n in range(size)}
    )


def test_the_least_recently_used_group_goes_first() -> None:
    cache = GroupCache(limit=3 * records(team("a")))
    for name in "abc":
        cache.put(team(name), 1)
    assert cache.get("a") is not None  # "a" used again: "b" is now the idlest
    cache.put(team("d"), 1)
    assert "b" not in cache and {"a", "c", "d"} <= {n for n in "abcd" if n in cache}
    assert cache.held_records == 3 * records(team("a"))


def test_a_busy_group_stays_however_idle() -> None:
    cache = GroupCache(limit=2 * records(team("a")), busy=lambda group_id: group_id == "a")
    for name in "abc":
        cache.put(team(name), 1)
    assert "a" in cache and "b" not in cache and "c" in cache


def test_the_bound_counts_what_groups_hold_not_how_many_there_are() -> None:
    big = team("big", size=100)
    cache = GroupCache(limit=records(big) + 1)
    cache.put(team("a"), 1)
    cache.put(team("b"), 1)
    cache.put(big, 1)  # makes room by letting both small ones go
    assert len(cache) == 1 and "big" in cache


def test_a_group_read_while_a_newer_one_was_stored_keeps_the_newer() -> None:
    cache = GroupCache()
    newer = team("a", size=4)
    cache.put(newer, 5)
    assert cache.put_new(team("a"), 4) is newer and cache.version("a") == 5


async def test_groups_let_go_are_read_again_with_nothing_lost(tmp_path: Path) -> None:
    async with running_app(tmp_path / "db") as run:
        run.app.memory_records = 1
        run.app.__post_init__()  # a tiny bound: every other group is let go
        chats = [f"console:team{n}" for n in range(5)]
        for chat in chats:
            await run.app.submit(chat=chat, actor=SAM, text="propose Buy a kettle\nin 3 days")
        await run.app.submit(chat=chats[-1], actor=SAM, text="status")
        assert len(run.app._groups) == 1
        for chat in chats:
            done = await run.app.submit(chat=chat, actor=SAM, text="consent #1")
            assert done.decision is not None and not done.decision.refused
        for chat in chats:
            stored = await run.storage.read_group(chat)
            assert stored is not None
            (response,) = stored.group.proposals[1].rounds[-1].current().values()
            assert response.response == "consent"


async def test_a_group_deciding_a_command_is_not_let_go(tmp_path: Path) -> None:
    async with running_app(tmp_path / "db") as run:
        run.app.memory_records = 1
        run.app.__post_init__()
        await run.app.submit(chat="console:a", actor=SAM, text="propose Buy a kettle")
        await run.app.submit(chat="console:b", actor=SAM, text="join")
        read = run.storage.read_proposals
        others_loaded = asyncio.Event()

        async def while_others_come_in(*args: object, **kwargs: object) -> object:
            # While "a" decides (it reads #1's record), another group comes into memory.
            await run.app.submit(chat="console:b", actor=SAM, text="status")
            others_loaded.set()
            assert "console:a" in run.app._groups
            return await read(*args, **kwargs)  # type: ignore[arg-type]

        run.storage.read_proposals = while_others_come_in  # type: ignore[method-assign]
        done = await run.app.submit(chat="console:a", actor=SAM, text="decisions")
        assert others_loaded.is_set() and done.decision is not None


async def test_start_up_reads_no_group_until_one_is_needed(tmp_path: Path) -> None:
    """Timers are read from their own table: a start reads no group, whatever the
    number of teams; a team's first command (or its first timer) reads it."""
    db = tmp_path / "db"
    chats = [f"console:team{n}" for n in range(5)]
    async with running_app(db) as run:
        for chat in chats:
            await run.app.submit(chat=chat, actor=SAM, text="propose Buy a kettle\nin 3 days")
    async with running_app(db) as run:
        read: list[str] = []
        read_group = run.storage.read_group

        async def counted(group_id: str) -> object:
            read.append(group_id)
            return await read_group(group_id)

        run.storage.read_group = counted  # type: ignore[method-assign]
        scheduler = Scheduler(run.app)
        await scheduler.start()  # nothing is due yet: the next deadline is armed
        assert read == [] and len(run.app._groups) == 0
        await run.app.submit(chat=chats[2], actor=SAM, text="status")
        assert read == [chats[2]]
        scheduler.stop()
