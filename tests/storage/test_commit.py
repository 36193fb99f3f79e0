"""One command, one transaction: duplicates change nothing, the audit log
records every command, and nothing half-written ever remains."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from bot.app import Outgoing, StorageError
from bot.core.commands import DeadlineDue
from bot.core.document import doc
from bot.core.effects import Post, SetTimer
from bot.core.model import ResponseRecord
from storage import SqliteStorage
from tests.backends import Database

from .examples import NOW, at, commit, rich_group, row_counts, say, with_response

POST = Outgoing(Post(doc("Hello")), targets=("telegram:-100g1",))
TIMER = Outgoing(SetTimer("deadline:2", at(2), DeadlineDue(2, 0)))


async def test_a_duplicate_update_changes_nothing(
    storage: SqliteStorage, database: Database
) -> None:
    before = rich_group()
    await commit(storage, None, before, update_key="telegram:update:1")
    assert await storage.seen_update("telegram:update:1")
    counts = database.row_counts()

    after = with_response(before, 2, ResponseRecord(3, None, "vote", "", at(0.1), choices=(1,)))
    again = await commit(
        storage, before, after, update_key="telegram:update:1", outgoing=(POST, TIMER)
    )
    assert again is False
    assert database.row_counts() == counts
    assert await storage.load_group("g1") == before
    assert len(await storage.audit("g1")) == 1


async def test_unseen_update(storage: SqliteStorage) -> None:
    assert not await storage.seen_update("matrix:$event")


async def test_the_audit_log_keeps_every_command_in_order(storage: SqliteStorage) -> None:
    group = rich_group()
    await commit(storage, None, group)
    await storage.commit(
        group_before=group, group_after=group, command=say("consent"), now=at(1),
        summary="Sam consented to #2", outgoing=(),
    )  # fmt: skip
    entries = await storage.audit("g1")
    assert [e.command for e in entries] == [say(), say("consent")]
    assert [e.at for e in entries] == [NOW, at(1)]
    assert entries[1].summary == "Sam consented to #2"
    assert await storage.audit("g2") == []


async def test_a_naive_time_is_refused_before_anything_is_written(
    storage: SqliteStorage,
) -> None:
    group = rich_group()
    with pytest.raises(ValueError, match="timezone-aware"):
        await commit(storage, None, replace(group, link_codes={"X": NOW.replace(tzinfo=None)}))
    assert await storage.load_group("g1") is None
    assert await commit(storage, None, group)


@pytest.mark.sqlite_only("SQLite's query_only pragma makes the file read-only")
async def test_a_read_only_database_refuses_the_commit_and_keeps_the_record(
    storage: SqliteStorage, db_path: Path
) -> None:
    before = rich_group()
    await commit(storage, None, before)
    # query_only makes every write fail exactly as a read-only file does
    # (SQLITE_READONLY); chmod cannot, for tests running as root.
    await storage._db.execute("PRAGMA query_only = ON")
    after = with_response(before, 2, ResponseRecord(3, None, "vote", "", at(0.1), choices=(1,)))
    with pytest.raises(StorageError, match=r"cannot be written.*Nothing was saved"):
        await commit(storage, before, after, update_key="u:2", outgoing=(POST,))
    await storage.close()

    reopened = await SqliteStorage.open(db_path)
    try:
        assert await reopened.load_group("g1") == before
        assert not await reopened.seen_update("u:2")
        assert await reopened.pending_deliveries(at(1)) == []
    finally:
        await reopened.close()


@pytest.mark.sqlite_only("SQLite's max_page_count pragma fills the disk part way through")
async def test_a_full_disk_part_way_through_leaves_nothing_half_written(
    storage: SqliteStorage, db_path: Path
) -> None:
    small = replace(rich_group(), proposals={})
    await commit(storage, None, small)
    counts = row_counts(db_path)
    # No room to grow: the big write fails part-way, after some rows went in.
    pages = (await storage._db.execute_fetchall("PRAGMA page_count"))[0][0]  # type: ignore[index]
    await storage._db.execute(f"PRAGMA max_page_count = {pages}")
    first = rich_group().proposals[1]
    long_read = replace(first.versions[0], details="All the details. " * 20_000)
    big = rich_group().with_proposal(replace(first, versions=(*first.versions, long_read)))
    with pytest.raises(StorageError, match=r"full.*Nothing was saved"):
        await commit(storage, small, big, update_key="u:big", outgoing=(POST, TIMER))
    assert row_counts(db_path) == counts
    assert await storage.load_group("g1") == small

    await storage._db.execute("PRAGMA max_page_count = 1073741823")
    assert await commit(storage, small, big, update_key="u:big")  # the retry is not a duplicate
    assert await storage.load_group("g1") == big


async def test_a_stale_group_is_refused_rather_than_half_stored(storage: SqliteStorage) -> None:
    """A proposal changed in memory but missing from storage is not rebuilt from a fragment."""
    group = rich_group()
    await commit(storage, None, group)
    assert await storage.purge_closed(at(100)) == 2
    changed = with_response(group, 2, ResponseRecord(3, None, "vote", "", at(0.1)))
    stale = changed.with_proposal(replace(group.proposals[1], review_at=None))
    with pytest.raises(StorageError, match="Load the group again"):
        await commit(storage, group, stale)


async def test_a_response_to_a_round_not_stored_is_refused(
    storage: SqliteStorage, database: Database
) -> None:
    """A round that ``before`` holds is updated in place: when it is not there, the
    commit is refused whole instead of storing a response without its round."""
    group = rich_group()
    await commit(storage, None, group)
    assert await storage.purge_closed(at(100)) == 2
    counts = database.row_counts()
    changed = with_response(group, 1, ResponseRecord(3, None, "consent", "", at(0.1)))
    with pytest.raises(StorageError, match="Load the group again"):
        await commit(storage, group, changed, update_key="u:stale")
    assert database.row_counts() == counts
    assert not await storage.seen_update("u:stale")


async def test_commits_made_at_once_are_each_their_own_transaction(
    storage: SqliteStorage,
) -> None:
    """Commits waiting together share the trip to the database's thread, not their fate:
    a duplicate or a stale one among them is refused alone."""
    groups = [rich_group(f"g{n}") for n in range(4)]
    for group in groups[:3]:
        await commit(storage, None, group, update_key=f"u:{group.id}")
    changed = [
        with_response(group, 2, ResponseRecord(3, None, "vote", "", at(0.1), choices=(1,)))
        for group in groups
    ]
    outcomes = await asyncio.gather(
        *(
            commit(storage, group, after, update_key=key)
            # g1's update was seen before; g3 was never stored, so its "before" is stale.
            for group, after, key in zip(
                groups, changed, ["u:new:0", "u:g1", "u:new:2", "u:new:3"], strict=True
            )
        ),
        return_exceptions=True,
    )

    assert outcomes[:3] == [True, False, True]
    assert isinstance(outcomes[3], StorageError)
    assert await storage.load_group("g0") == changed[0]
    assert await storage.load_group("g1") == groups[1]
    assert await storage.load_group("g2") == changed[2]
    assert await storage.load_group("g3") is None
    assert not await storage.seen_update("u:new:3")
