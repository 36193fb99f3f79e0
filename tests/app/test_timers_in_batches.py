"""After a restart, overdue timers fire in batches: every one fires, none twice.

A batch is decided in order and stored in one transaction, each timer marked
fired in it (``Application.run_due_timers``); a batch that cannot be stored
whole is fired one by one instead. Speed is measured in ``bench/``.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Sequence
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import Commit, Outgoing, application
from bot.core.commands import Actor, DeadlineDue, NudgeDue, Request, Status
from bot.core.effects import SetTimer
from tests.harness import running_app

SAM, ALEX = Actor("console:sam", "Sam"), Actor("console:alex", "Alex")
TEAMS = [f"console:team-{n}" for n in range(12)]


async def teams_with_deadlines(db: Path) -> None:
    async with running_app(db) as run:
        for chat in TEAMS:
            await run.app.submit(chat=chat, actor=SAM, text="join")
            await run.app.submit(chat=chat, actor=ALEX, text="join")
            for title in ("Buy a kettle", "Paint the hall"):
                await run.app.submit(chat=chat, actor=SAM, text=f"propose {title}\nin 2 days")


def unfired_due(db: Path) -> int:
    with closing(sqlite3.connect(db)) as raw:
        (count,) = raw.execute(
            "SELECT count(*) FROM timers WHERE fired_at IS NULL AND due <= "
            "(SELECT max(at) FROM audit)"
        ).fetchone()
    return int(count)


async def test_every_overdue_timer_fires_once_in_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "db"
    await teams_with_deadlines(db)
    monkeypatch.setattr(application, "TIMER_BATCH", 7)  # several batches, groups split
    async with running_app(db) as run:
        batches: list[int] = []
        commit_many = run.storage.commit_many

        async def counted(commits: Sequence[Commit], **kwargs: Any) -> bool:
            stored = await commit_many(commits, **kwargs)
            if stored and any(each["fired_timer"] for each in commits):
                batches.append(len(commits))
            return stored

        run.storage.commit_many = counted  # type: ignore[method-assign]
        run.clock.advance(timedelta(days=3))
        fired = await run.app.run_due_timers()
        # Each proposal's nudge and deadline, for every team.
        assert fired == len(TEAMS) * 2 * 2
        assert sum(batches) == fired and len(batches) > 1 and max(batches) <= 7
        assert await run.app.run_due_timers() == 0
        entries = [entry for chat in TEAMS for entry in await run.storage.audit(chat)]
        events = Counter(
            (entry.group_id, type(entry.command).__name__, entry.command.number)
            for entry in entries
            if isinstance(entry.command, DeadlineDue | NudgeDue)
        )
    assert len(events) == fired and set(events.values()) == {1}  # none twice
    assert unfired_due(db) == 0  # all fired


async def test_a_timer_moved_after_its_batch_was_read_does_not_fire_and_the_rest_do(
    tmp_path: Path,
) -> None:
    db = tmp_path / "db"
    await teams_with_deadlines(db)
    async with running_app(db) as run:
        run.clock.advance(timedelta(days=3))
        read_due = run.storage.due_timers
        extended = False

        async def due_then_extended(*args: Any, **kwargs: Any) -> Any:
            nonlocal extended
            found = await read_due(*args, **kwargs)
            if found and not extended:
                # Between reading the due timers and firing them, a facilitator extends.
                extended = True
                await run.app.submit(chat=TEAMS[5], actor=SAM, text="extend #1 by 2 days")
            return found

        run.storage.due_timers = due_then_extended  # type: ignore[method-assign]
        fired = await run.app.run_due_timers()
        assert fired == len(TEAMS) * 2 * 2 - 2  # #1 of team 5: its nudge and deadline
        moved = await run.app.proposal(TEAMS[5], 1)
        assert moved is not None and moved.stage.value == "open"
        others = [await run.app.proposal(chat, 1) for chat in TEAMS if chat != TEAMS[5]]
        assert all(p is not None and p.stage.value != "open" for p in others)


async def test_a_timer_naming_a_closed_proposal_fires_in_its_batch(tmp_path: Path) -> None:
    """A closed proposal is not in memory; a timer that names it still fires with
    the others, on the proposal read from storage."""
    db = tmp_path / "db"
    await teams_with_deadlines(db)
    async with running_app(db) as run:
        await run.app.submit(chat=TEAMS[0], actor=SAM, text="withdraw #1")
        stored = await run.storage.read_group(TEAMS[0])
        assert stored is not None and 1 not in stored.group.proposals
        # A deadline left behind for it (as a bot of an older version might have).
        left = SetTimer("left behind", run.clock.now() + timedelta(days=1), DeadlineDue(1, 0))
        assert await run.storage.commit(
            group_before=stored.group,
            group_after=stored.group,
            command=Request(SAM, TEAMS[0], Status()),
            now=run.clock.now(),
            summary="a timer left behind",
            outgoing=(Outgoing(left),),
            version=stored.version,
        )
        run.app._forget_group(TEAMS[0])  # read again: another writer stored it
        one_by_one: list[str] = []
        fire = run.app._fire

        async def alone(timer: Any) -> bool:
            one_by_one.append(timer.key)
            return await fire(timer)

        run.app._fire = alone  # type: ignore[method-assign]
        run.clock.advance(timedelta(days=3))
        fired = await run.app.run_due_timers()
        assert one_by_one == []  # every batch was stored whole
        assert fired == len(TEAMS) * 2 * 2 - 2 + 1  # #1 of team 0 ended; the one left behind
        assert unfired_due(db) == 0
