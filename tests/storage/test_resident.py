"""Reading the resident group, and the record beyond it.

``read_group`` gives what deciding needs: members, settings and the proposals
``bot.core.resident.stays_resident`` keeps. ``read_proposals`` reads the others
when a command asks; ``load_group`` still gives the whole group.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path

from bot.core.model import Outcome, Stage
from bot.core.resident import resident, stays_resident
from storage import SqliteStorage

from .examples import at, commit, rich_group
from .test_opening import older_group, written_at_schema


async def test_the_resident_group_holds_the_proposals_still_being_decided(
    storage: SqliteStorage,
) -> None:
    group = rich_group()
    assert await commit(storage, None, group)
    stored = await storage.read_group("g1")
    assert stored is not None
    # #1 agreed with a review ahead, #2 open, #3 agreed and done with, #4 a draft.
    assert sorted(stored.group.proposals) == [1, 2, 4]
    assert stored.group == resident(group)
    assert await storage.load_group("g1") == group


async def test_proposals_beyond_it_are_read_by_number_or_all_together(
    storage: SqliteStorage,
) -> None:
    group = rich_group()
    assert await commit(storage, None, group)
    assert await storage.read_proposals("g1", [3]) == {3: group.proposals[3]}
    assert await storage.read_proposals("g1", [3, 1, 9]) == {
        1: group.proposals[1],
        3: group.proposals[3],
    }
    assert await storage.read_proposals("g1", []) == {}
    assert await storage.read_proposals("g1") == dict(group.proposals)
    assert await storage.read_proposals("nobody") == {}


async def test_a_proposal_that_closes_leaves_the_resident_group_and_one_reopened_comes_back(
    storage: SqliteStorage,
) -> None:
    group = rich_group()
    assert await commit(storage, None, group)
    draft = group.proposals[4]
    closed = replace(
        draft, stage=Stage.WITHDRAWN, outcome=Outcome(Stage.WITHDRAWN, "Withdrawn.", at(1))
    )
    after = group.with_proposal(closed)
    assert not stays_resident(closed)
    assert await commit(storage, group, after)
    stored = await storage.read_group("g1")
    assert stored is not None and sorted(stored.group.proposals) == [1, 2]

    reopened = after.with_proposal(replace(closed, stage=Stage.OPEN))
    assert await commit(storage, after, reopened)
    stored = await storage.read_group("g1")
    assert stored is not None and sorted(stored.group.proposals) == [1, 2, 4]


async def test_schema_9_marks_the_proposals_already_stored(db_path: Path) -> None:
    """A database from before the resident group: its closed proposals are marked
    by the rule, and the card that explained "object" is found from the rounds."""
    group = older_group()  # as schema 8 could hold it
    await written_at_schema(db_path, 8, group)
    with closing(sqlite3.connect(db_path)) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (8,)
    storage = await SqliteStorage.open(db_path)
    try:
        stored = await storage.read_group("g1")
        whole = await storage.load_group("g1")
        assert stored is not None and whole is not None
        assert whole.proposals == group.proposals
        assert stored.group == resident(whole) and sorted(stored.group.proposals) == [1, 2, 4]
        assert stored.group.explained_on == 1  # the consent proposal that opened for responses
    finally:
        await storage.close()
