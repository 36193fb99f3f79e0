"""Timers: set, moved, cancelled, due oldest first, and fired exactly once."""

from __future__ import annotations

from bot.app import Outgoing, Timer
from bot.core.commands import DeadlineDue, DigestDue, NudgeDue, TimerEvent
from bot.core.effects import CancelTimer, SetTimer
from storage import SqliteStorage
from tests.backends import Database

from .examples import at, commit, rich_group

DEADLINE = DeadlineDue(2, 0)


def timer(key: str, days: float, event: TimerEvent = DEADLINE) -> Outgoing:
    return Outgoing(SetTimer(key, at(days), event))


async def test_due_timers_oldest_first_and_only_when_due(storage: SqliteStorage) -> None:
    group = rich_group()
    await commit(storage, None, group, outgoing=(
        timer("deadline:2", 3), timer("nudge:2", 2, NudgeDue(2, 0, member=3)),
        timer("digest", 7, DigestDue()),
    ))  # fmt: skip
    assert await storage.next_timer_due() == at(2)
    assert await storage.due_timers(at(1)) == []
    assert await storage.due_timers(at(3)) == [
        Timer("nudge:2", "g1", at(2), NudgeDue(2, 0, member=3)),
        Timer("deadline:2", "g1", at(3), DeadlineDue(2, 0)),
    ]
    assert [t.key for t in await storage.due_timers(at(10), limit=1)] == ["nudge:2"]


async def test_setting_a_key_again_moves_the_timer(storage: SqliteStorage) -> None:
    group = rich_group()
    await commit(storage, None, group, outgoing=(timer("deadline:2", 3),))
    await commit(storage, group, group, outgoing=(timer("deadline:2", 5, DeadlineDue(2, 1)),))
    assert await storage.due_timers(at(4)) == []
    assert await storage.due_timers(at(5)) == [Timer("deadline:2", "g1", at(5), DeadlineDue(2, 1))]


async def test_a_cancelled_timer_never_fires(storage: SqliteStorage) -> None:
    group = rich_group()
    await commit(storage, None, group, outgoing=(timer("deadline:2", 3), timer("nudge:2", 2)))
    await commit(storage, group, group, outgoing=(Outgoing(CancelTimer("nudge:2")),))
    assert [t.key for t in await storage.due_timers(at(9))] == ["deadline:2"]
    await commit(storage, group, group, outgoing=(Outgoing(CancelTimer("no-such-timer")),))


async def test_the_same_key_in_two_groups_is_two_timers(storage: SqliteStorage) -> None:
    one, two = rich_group("g1"), rich_group("g2")
    await commit(storage, None, one, outgoing=(timer("deadline:2", 3),))
    await commit(storage, None, two, outgoing=(timer("deadline:2", 4),))
    await commit(storage, two, two, fired_timer="deadline:2", now=at(4))
    assert await storage.due_timers(at(9)) == [Timer("deadline:2", "g1", at(3), DeadlineDue(2, 0))]


async def test_a_fired_timer_fires_once_even_after_reopening(
    storage: SqliteStorage, database: Database
) -> None:
    group = rich_group()
    await commit(storage, None, group, outgoing=(timer("deadline:2", 3), timer("nudge:2", 2)))
    (due,) = await storage.due_timers(at(2.5))
    await commit(storage, group, group, fired_timer=due.key, now=at(2.5))
    assert await storage.due_timers(at(2.5)) == []
    await storage.close()

    reopened = await database.open()
    try:
        assert [t.key for t in await reopened.due_timers(at(9))] == ["deadline:2"]
        assert await reopened.next_timer_due() == at(3)
    finally:
        await reopened.close()


async def test_a_duplicate_firing_changes_nothing(storage: SqliteStorage) -> None:
    group = rich_group()
    await commit(storage, None, group, outgoing=(timer("deadline:2", 3),))
    fire = {"fired_timer": "deadline:2", "update_key": "timer:1", "now": at(3)}
    assert await commit(storage, group, group, **fire)  # type: ignore[arg-type]
    assert not await commit(storage, group, group, **fire)  # type: ignore[arg-type]
    assert len(await storage.audit("g1")) == 2


async def test_a_timer_moved_or_cancelled_since_it_was_found_due_is_not_fired(
    storage: SqliteStorage,
) -> None:
    """Found due, then moved later (or cancelled) by a command before its turn came:
    firing it then stores nothing, and the moved one still fires at its new time."""
    group = rich_group()
    await commit(storage, None, group, outgoing=(timer("deadline:2", 3), timer("nudge:2", 2)))
    await commit(
        storage, group, group, now=at(3.5),
        outgoing=(timer("deadline:2", 5), Outgoing(CancelTimer("nudge:2"))),
    )  # fmt: skip
    for key in ("deadline:2", "nudge:2"):
        assert not await commit(storage, group, group, fired_timer=key, now=at(3.5))
    assert len(await storage.audit("g1")) == 2
    assert await commit(storage, group, group, fired_timer="deadline:2", now=at(5))


async def test_a_timer_set_again_while_firing_is_armed_again(storage: SqliteStorage) -> None:
    """A weekly digest fires and sets itself for next week under the same key."""
    group = rich_group()
    await commit(storage, None, group, outgoing=(timer("digest", 7, DigestDue()),))
    await commit(
        storage, group, group, fired_timer="digest", now=at(7),
        outgoing=(timer("digest", 14, DigestDue()),),
    )  # fmt: skip
    assert await storage.due_timers(at(13)) == []
    assert await storage.due_timers(at(14)) == [Timer("digest", "g1", at(14), DigestDue())]


async def test_no_timers(storage: SqliteStorage) -> None:
    assert await storage.next_timer_due() is None
    assert await storage.due_timers(at(100)) == []


async def test_a_fired_timer_is_pruned_a_week_on_and_never_fires_again(
    storage: SqliteStorage,
) -> None:
    group = rich_group()
    await commit(storage, None, group, outgoing=(timer("deadline:2", -9), timer("nudge:2", -1)))
    await commit(storage, group, group, fired_timer="deadline:2", now=at(-8))
    await commit(storage, group, group, fired_timer="nudge:2", now=at(-1))
    pruned = await storage.prune(at(-7))
    assert pruned.timers == 1  # the deadline fired long ago; the nudge only lately
    assert await storage.due_timers(at(0)) == []
    # Its firing cannot be stored again: nothing is left to fire.
    assert not await commit(storage, group, group, fired_timer="deadline:2", now=at(0))
    # Set again, the key is a timer of its own.
    await commit(storage, group, group, outgoing=(timer("deadline:2", 1),))
    assert [t.key for t in await storage.due_timers(at(2))] == ["deadline:2"]
