"""A version per group: a commit decided on an old state is refused, and decided again.

Two writers share the database here as several workers will (two applications,
each with its groups in memory, on one storage): what one stores is never
overwritten by the other, whose command is decided again on the group as stored.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest

from bot.app import Application, StaleGroup
from bot.app.application import DECIDE_ATTEMPTS
from bot.core.commands import Actor
from bot.core.model import GroupSettings, ResponseRecord
from bot.core.resident import resident
from storage import SqliteStorage
from storage.schema import MIGRATIONS
from tests.backends import Database
from tests.harness import Running, running_app

from .examples import at, commit, rich_group, say, with_response
from .test_opening import older_group, written_at_schema

TEAM = "console:team"
SAM, ALEX = Actor("console:sam", "Sam"), Actor("console:alex", "Alex")
JO = Actor("console:jo", "Jo")


# -- the storage's contract ------------------------------------------------------------


async def test_each_commit_moves_the_group_on_by_one_version(storage: SqliteStorage) -> None:
    assert await storage.read_group("g1") is None
    assert await commit(storage, None, rich_group())
    stored = await storage.read_group("g1")
    assert stored is not None and (stored.group, stored.version) == (resident(rich_group()), 1)

    after = with_response(stored.group, 1, ResponseRecord(9, 103, "consent", "", at(0.2)))
    assert await storage.commit(
        group_before=stored.group,
        group_after=after,
        command=say(),
        now=at(0.2),
        summary="a response",
        outgoing=(),
        version=stored.version,
    )
    again = await storage.read_group("g1")
    assert again is not None and (again.group, again.version) == (after, 2)
    # The version alone, as a worker asks whether its copy is still current.
    assert await storage.group_version("g1") == 2
    assert await storage.group_version("nobody") is None


async def test_a_commit_from_an_older_version_is_refused_and_stores_nothing(
    storage: SqliteStorage, database: Database
) -> None:
    assert await commit(storage, None, rich_group())
    first = await storage.read_group("g1")
    assert first is not None
    ours = with_response(first.group, 1, ResponseRecord(9, 103, "consent", "", at(0.2)))
    theirs = with_response(first.group, 1, ResponseRecord(9, 101, "object", "No", at(0.3)))
    assert await storage.commit(
        group_before=first.group,
        group_after=theirs,
        command=say(),
        now=at(0.3),
        summary="the other writer's response",
        outgoing=(),
        version=first.version,
    )
    counts = database.row_counts()
    with pytest.raises(StaleGroup):
        await storage.commit(
            group_before=first.group,
            group_after=ours,
            command=say(),
            now=at(0.4),
            summary="a response decided on version 1",
            outgoing=(),
            update_key="console:update:1",
            version=first.version,
        )
    assert database.row_counts() == counts  # not even the audit entry or the inbox
    stored = await storage.read_group("g1")
    assert stored is not None and (stored.group, stored.version) == (theirs, 2)
    assert not await storage.seen_update("console:update:1")  # it may come again


async def test_a_group_stored_meanwhile_is_not_stored_again_as_new(
    storage: SqliteStorage,
) -> None:
    """Version 0 means "not stored yet": two writers starting the same group cannot both."""
    assert await storage.commit(
        group_before=None,
        group_after=rich_group(),
        command=say(),
        now=at(0),
        summary="the first writer starts the group",
        outgoing=(),
        version=0,
    )
    with pytest.raises(StaleGroup):
        await storage.commit(
            group_before=None,
            group_after=rich_group(),
            command=say(),
            now=at(0),
            summary="the second writer starts it too",
            outgoing=(),
            version=0,
        )
    assert len(await storage.audit("g1")) == 1


async def test_commits_together_are_refused_together_when_one_group_changed(
    storage: SqliteStorage,
) -> None:
    assert await commit(storage, None, rich_group("g1"))
    assert await commit(storage, None, rich_group("g2"))
    one, two = await storage.read_group("g1"), await storage.read_group("g2")
    assert one is not None and two is not None
    assert await commit(storage, two.group, two.group)  # another writer: g2 is at 2 now
    record = ResponseRecord(9, 103, "consent", "", at(0.2))
    with pytest.raises(StaleGroup):
        await storage.commit_many(
            [
                {
                    "group_before": g.group,
                    "group_after": with_response(g.group, 1, record),
                    "command": say(),
                    "now": at(0.2),
                    "summary": "a press",
                    "outgoing": (),
                    "update_key": f"telegram:update:{n}",
                    "fired_timer": None,
                    "version": g.version,
                }
                for n, g in enumerate((one, two))
            ]
        )
    assert [len(await storage.audit(g)) for g in ("g1", "g2")] == [1, 2]


async def test_schema_6_starts_every_stored_group_at_version_1(db_path: Path) -> None:
    await written_at_schema(db_path, 5, older_group())
    storage = await SqliteStorage.open(db_path)
    try:
        stored = await storage.read_group("g1")
        assert stored is not None and (stored.group, stored.version) == (resident(older_group()), 1)
        with pytest.raises(StaleGroup):
            await commit_at(storage, stored.group, version=0)
        assert await commit_at(storage, stored.group, version=1)
        again = await storage.read_group("g1")
        assert again is not None and again.version == 2
    finally:
        await storage.close()
    with closing(sqlite3.connect(db_path)) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


async def commit_at(storage: SqliteStorage, group: object, *, version: int) -> bool:
    return await storage.commit(
        group_before=group,  # type: ignore[arg-type]
        group_after=group,  # type: ignore[arg-type]
        command=say(),
        now=at(1),
        summary="a status",
        outgoing=(),
        version=version,
    )


# -- the application decides again ----------------------------------------------------


@pytest.fixture
async def run(database: Database) -> AsyncIterator[Running]:
    async with running_app(database.open) as running:
        for person in (SAM, ALEX, JO):
            await running.app.submit(chat=TEAM, actor=person, text="join")
        await running.app.submit(chat=TEAM, actor=SAM, text="propose Buy a kettle\nin 3 days")
        yield running


def other_writer(run: Running) -> Application:
    """A second application on the same database, with groups in memory of its own."""
    return Application(storage=run.storage, clock=run.clock, defaults=GroupSettings())


async def test_a_command_decided_on_a_stale_group_is_decided_again_and_stored(
    run: Running, caplog: pytest.LogCaptureFixture
) -> None:
    before = await run.app.group(TEAM)  # the application has the group in memory
    assert before is not None and not before.proposals[1].round.current()  # type: ignore[union-attr]

    # Another writer stores Alex's objection: the group in the application's memory is stale.
    said = await other_writer(run).submit(
        chat=TEAM, actor=ALEX, text="object #1 We have a kettle", update_key="console:1"
    )
    assert said.decision is not None

    caplog.set_level(logging.INFO, logger="deciding_together.app")
    answered = await run.app.submit(chat=TEAM, actor=JO, text="consent #1", update_key="console:2")

    assert answered.decision is not None
    stored = await run.storage.load_group(TEAM)
    assert stored is not None and stored == await run.app.group(TEAM)
    round_ = stored.proposals[1].round
    assert round_ is not None
    names = {m.id: m.name for m in stored.members.values()}
    assert sorted((names[m], r.response) for m, r in round_.current().items()) == [
        ("Alex", "object"),
        ("Jo", "consent"),
    ]
    assert "deciding the command again" in caplog.text
    # Jo's answer was decided knowing of Alex's objection: the card's tally says both.
    assert [e.summary.split(" by ")[0] for e in await run.storage.audit(TEAM)].count("Respond") == 2


async def test_a_group_changed_under_every_try_is_left_with_a_logged_error(
    run: Running, caplog: pytest.LogCaptureFixture
) -> None:
    other = other_writer(run)
    await run.app.group(TEAM)
    read = run.storage.read_group
    changes = 0
    other_reading = False

    async def read_then_changed(group_id: str) -> object:
        """Each time the application reads the group, another writer changes it next."""
        nonlocal changes, other_reading
        found = await read(group_id)
        if not other_reading:
            changes += 1
            other_reading = True
            try:
                words = "consent #1" if changes % 2 else "concern #1 The price"
                await other.submit(chat=TEAM, actor=ALEX, text=words)
            finally:
                other_reading = False
        return found

    # The first try decides on the group in memory, which the other writer changes too.
    await other.submit(chat=TEAM, actor=ALEX, text="concern #1 The colour")
    run.storage.read_group = read_then_changed  # type: ignore[method-assign]

    with pytest.raises(StaleGroup), caplog.at_level(logging.ERROR, "deciding_together.app"):
        await run.app.submit(chat=TEAM, actor=JO, text="consent #1", update_key="console:jo")

    assert changes == DECIDE_ATTEMPTS - 1  # read again before each try but the first
    assert "leaving it for now" in caplog.text
    run.storage.read_group = read  # type: ignore[method-assign]
    # Nothing of Jo's was stored, and the update was not marked seen: it may come again.
    assert not await run.storage.seen_update("console:jo")
    again = await run.app.submit(chat=TEAM, actor=JO, text="consent #1", update_key="console:jo")
    assert again.decision is not None


async def test_presses_stored_together_on_a_stale_group_are_decided_again_one_by_one(
    run: Running,
) -> None:
    from bot.app import Submission

    await run.app.group(TEAM)
    await other_writer(run).submit(chat=TEAM, actor=ALEX, text="object #1 We have one")
    done = await run.app.submit_many(
        [
            Submission(
                chat=TEAM, actor=JO, text="consent #1", group_id=TEAM, update_key="console:a"
            ),
            Submission(
                chat=TEAM, actor=SAM, text="concern #1 Noise", group_id=TEAM, update_key="console:b"
            ),
        ]
    )
    assert all(each.decision is not None for each in done)
    stored = await run.storage.load_group(TEAM)
    assert stored is not None
    responses = sorted(r.response for r in stored.proposals[1].round.current().values())  # type: ignore[union-attr]
    assert responses == ["concern", "consent", "object"]


async def test_after_presses_stored_together_the_next_command_needs_no_second_try(
    run: Running, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.app import Submission

    caplog.set_level(logging.INFO, logger="deciding_together.app")
    presses = [
        Submission(chat=TEAM, actor=who, text=words, group_id=TEAM, update_key=f"console:{n}")
        for n, (who, words) in enumerate(((JO, "consent #1"), (ALEX, "concern #1 Noise")))
    ]
    assert all(each.decision is not None for each in await run.app.submit_many(presses))
    await run.app.submit(chat=TEAM, actor=SAM, text="consent #1", update_key="console:sam")

    assert "deciding the command again" not in caplog.text  # the versions were kept right
    stored = await run.storage.read_group(TEAM)
    assert stored is not None and stored.group == await run.app.group(TEAM)
