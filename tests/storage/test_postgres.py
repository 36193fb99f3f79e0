"""What only PostgreSQL does: several workers on one database, its own schema, and
a server that may be unreachable or refuse us.

The storage's contract itself runs on both backends (every test that takes
``storage``); here are the tests of what SQLite has no counterpart for."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import psycopg
import pytest

from bot.app import Application, ManualClock, Outgoing, StaleGroup, StorageError
from bot.core.commands import Actor
from bot.core.document import doc
from bot.core.effects import Reply
from bot.core.model import GroupSettings
from storage import postgres_schema
from storage.postgres import PostgresStorage, without_password
from tests.harness import START
from tests.postgres import Cluster

from .examples import at, commit, rich_group, say

TEAM = "console:team"
PEOPLE = [Actor(f"console:p{n}", f"Person {n}") for n in range(12)]


@pytest.fixture
def url(postgres: Cluster) -> Iterator[str]:
    with postgres.database() as found:
        yield found


@pytest.fixture
def empty_url(postgres: Cluster) -> Iterator[str]:
    """A database without the schema: as a new server's database is."""
    with postgres.database(template="template0") as found:
        yield found


def rows(url: str, statement: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url, autocommit=True) as db:
        cursor = db.execute(statement)
        return [tuple(row) for row in cursor] if cursor.description else []


# -- several workers ---------------------------------------------------------------------


@pytest.fixture
async def two_workers(url: str) -> AsyncIterator[tuple[Application, Application]]:
    """Two applications, each with a storage (a pool of connections) of its own, on one
    database: two workers."""
    first, second = await PostgresStorage.open(url), await PostgresStorage.open(url)
    try:
        apps = tuple(
            Application(storage=storage, clock=ManualClock(START), defaults=GroupSettings())
            for storage in (first, second)
        )
        yield apps[0], apps[1]
    finally:
        await first.close()
        await second.close()


async def test_a_worker_deciding_on_a_group_another_worker_changed_decides_again(
    two_workers: tuple[Application, Application], caplog: pytest.LogCaptureFixture
) -> None:
    one, other = two_workers
    for person in PEOPLE[:3]:
        await one.submit(chat=TEAM, actor=person, text="join")
    await one.submit(chat=TEAM, actor=PEOPLE[0], text="propose Buy a kettle\nin 3 days")
    assert await one.group(TEAM) is not None  # the first worker has the group in memory
    said = await other.submit(chat=TEAM, actor=PEOPLE[1], text="object #1 We have one")
    assert said.decision is not None and not said.decision.refused

    caplog.set_level(logging.INFO, logger="deciding_together.app")
    answered = await one.submit(chat=TEAM, actor=PEOPLE[2], text="consent #1", update_key="u:2")

    assert answered.decision is not None and not answered.decision.refused
    assert "deciding the command again" in caplog.text
    stored = await one.storage.load_group(TEAM)
    assert stored is not None and stored == await one.group(TEAM)
    round_ = stored.proposals[1].round
    assert round_ is not None
    assert sorted(r.response for r in round_.current().values()) == ["consent", "object"]


async def test_two_workers_at_once_store_every_vote_exactly_once(
    two_workers: tuple[Application, Application],
) -> None:
    one, other = two_workers
    for person in PEOPLE:
        await one.submit(chat=TEAM, actor=person, text="join")
    await one.submit(chat=TEAM, actor=PEOPLE[0], text="propose Buy a kettle\nin 3 days")
    await other.group(TEAM)  # both have it in memory: most votes meet a stale group

    # Each vote reaches either worker, and some reach both (a platform repeating it).
    async def vote(n: int) -> None:
        workers = [one, other] if n % 3 == 0 else [(one, other)[n % 2]]
        await asyncio.gather(*(delivered(worker, n) for worker in workers))

    async def delivered(worker: Application, n: int) -> None:
        """Until acknowledged: a group changed under every try is not, and the
        platform sends the update again."""
        while True:
            try:
                await worker.submit(
                    chat=TEAM, actor=PEOPLE[n], text="consent #1", update_key=f"u:{n}"
                )
                return
            except StaleGroup:
                stale.append(n)

    stale: list[int] = []

    await asyncio.gather(*(vote(n) for n in range(1, len(PEOPLE))))

    stored = await one.storage.load_group(TEAM)
    assert stored is not None
    round_ = stored.proposals[1].round
    assert round_ is not None
    voters = sorted(m for m, r in round_.current().items() if r.response == "consent")
    members = {m.name: m.id for m in stored.members.values()}
    assert voters == sorted(members[p.name] for p in PEOPLE[1:])
    # Once each in the record, and the round's history: never twice, never lost.
    responds = [e for e in await one.storage.audit(TEAM) if e.summary.startswith("Respond")]
    assert len(responds) == len(PEOPLE) - 1
    assert len(round_.history) == len(PEOPLE) - 1
    version = await one.storage.read_group(TEAM)
    assert version is not None and version.version == len(await one.storage.audit(TEAM))


async def test_two_workers_ask_for_the_same_button_and_get_the_same_token(url: str) -> None:
    first, second = await PostgresStorage.open(url), await PostgresStorage.open(url)
    try:
        tokens = await asyncio.gather(
            *(s.action_token("g1", "consent #1") for s in (first, second) * 5)
        )
        assert len(set(tokens)) == 1
        assert await second.action_for_token(tokens[0]) == ("g1", "consent #1")
    finally:
        await first.close()
        await second.close()


async def test_a_value_postgresql_cannot_hold_is_refused_and_nothing_is_stored(url: str) -> None:
    storage = await PostgresStorage.open(url)
    try:
        with pytest.raises(StorageError, match="Nothing was saved"):
            await commit(storage, None, replace(rich_group(), name="Kettle\x00club"))
        assert await storage.read_group("g1") is None
        assert await storage.audit("g1") == []
    finally:
        await storage.close()


async def test_a_purge_moves_the_groups_it_purged_from_on_a_version(url: str) -> None:
    """Another worker with the group in memory, purged proposal and all, is refused
    at its next commit and reads the group again."""
    storage = await PostgresStorage.open(url)
    try:
        await commit(storage, None, rich_group())
        await commit(storage, None, replace(rich_group("g2"), proposals={}))
        assert await storage.purge_closed(at(-2)) == 1  # #1 of g1 ended at day -5
        purged, untouched = await storage.read_group("g1"), await storage.read_group("g2")
        assert purged is not None and purged.version == 2
        assert untouched is not None and untouched.version == 1
        with pytest.raises(StaleGroup):
            await storage.commit(
                group_before=rich_group(), group_after=rich_group(), command=say(),
                now=at(0), summary="a status", outgoing=(), version=1,
            )  # fmt: skip
    finally:
        await storage.close()


async def test_cut_connections_fail_a_commit_in_words_and_the_next_try_works(url: str) -> None:
    """The server restarted, or a network cut: the pool's connections are gone."""
    storage = await PostgresStorage.open(url)
    try:
        await commit(storage, None, rich_group())
        rows(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                  "WHERE datname = current_database() AND pid <> pg_backend_pid()")  # fmt: skip
        with pytest.raises(StorageError, match="may or may not have been saved"):
            await commit(storage, rich_group(), rich_group(), update_key="u:1")
        # It was not: sent again, it is stored now, once.
        assert await commit(storage, rich_group(), rich_group(), update_key="u:1")
        assert not await commit(storage, rich_group(), rich_group(), update_key="u:1")
    finally:
        await storage.close()


async def test_commits_are_durable_even_where_the_database_says_otherwise(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    name = url.rsplit("/", 1)[1]
    rows(url, f"ALTER DATABASE {name} SET synchronous_commit = off")
    storage = await PostgresStorage.open(url)
    try:
        async with storage._pool.connection() as connection:
            cursor = await connection.execute("SHOW synchronous_commit")
            assert await cursor.fetchone() == ("on",)
    finally:
        await storage.close()
    assert "fsync off" not in caplog.text  # the test cluster syncs


# -- its own schema ------------------------------------------------------------------------


async def test_an_empty_database_gets_the_latest_schema_once_even_from_two_workers(
    empty_url: str,
) -> None:
    opened = await asyncio.gather(PostgresStorage.open(empty_url), PostgresStorage.open(empty_url))
    for storage in opened:
        await storage.close()
    assert rows(empty_url, "SELECT value FROM meta WHERE name = 'schema'") == [
        (str(len(postgres_schema.MIGRATIONS)),)
    ]
    (instance,) = rows(empty_url, "SELECT value FROM meta WHERE name = 'instance'")
    assert len(str(instance[0])) == 12


async def test_reopening_keeps_the_data_and_the_version(url: str) -> None:
    storage = await PostgresStorage.open(url)
    await commit(storage, None, rich_group())
    await storage.close()
    again = await PostgresStorage.open(url)
    try:
        assert await again.load_group("g1") == rich_group()
        assert await again.group_version("g1") == 1
    finally:
        await again.close()


async def test_reading_an_empty_database_says_so_and_makes_nothing(empty_url: str) -> None:
    with pytest.raises(StorageError, match="empty: the bot has stored nothing there"):
        await PostgresStorage.open(empty_url, only_reading=True)
    assert rows(empty_url, "SELECT to_regclass('meta')") == [(None,)]


async def test_a_database_from_a_newer_version_is_refused(url: str) -> None:
    rows(url, "UPDATE meta SET value = '999' WHERE name = 'schema'")
    with pytest.raises(StorageError, match="newer version"):
        await PostgresStorage.open(url)


async def test_another_programs_database_is_refused_and_left_alone(empty_url: str) -> None:
    rows(empty_url, "CREATE TABLE invoices (id int)")
    with pytest.raises(StorageError, match="another program"):
        await PostgresStorage.open(empty_url)
    assert rows(empty_url, "SELECT to_regclass('meta')") == [(None,)]


async def test_the_audit_log_cannot_even_be_emptied(url: str) -> None:
    storage = await PostgresStorage.open(url)
    await commit(storage, None, rich_group())
    await storage.close()
    with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
        rows(url, "TRUNCATE audit")


async def test_a_reply_held_when_every_worker_stopped_is_released_at_the_next_start(
    url: str,
) -> None:
    storage = await PostgresStorage.open(url)
    reply = Outgoing(Reply(TEAM, doc("Thank you")), (TEAM,), held=True)
    await commit(storage, None, rich_group(), update_key="u:press", outgoing=(reply,))
    assert await storage.pending_deliveries(START) == []  # held: not sent
    await storage.close()
    again = await PostgresStorage.open(url)
    try:
        (delivery,) = await again.pending_deliveries(START)
        assert delivery.effect == reply.effect
    finally:
        await again.close()


# -- a server that cannot be reached, or refuses us -------------------------------------------


async def test_a_server_that_does_not_answer_is_named_without_the_password(
    postgres: Cluster,
) -> None:
    port = _closed_port()
    url = f"postgresql://dt:s3cret-word@127.0.0.1:{port}/deciding"
    with pytest.raises(StorageError) as refused:
        await PostgresStorage.open(url)
    said = str(refused.value)
    assert "did not answer" in said and f"127.0.0.1:{port}" in said
    assert "s3cret-word" not in said and "s3cret-word" not in repr(refused.value.__cause__)


async def test_a_wrong_password_is_told_without_showing_it(postgres: Cluster) -> None:
    url = postgres.url().replace(postgres.password, "not-the-password")
    with pytest.raises(StorageError, match="password") as refused:
        await PostgresStorage.open(url)
    assert "not-the-password" not in str(refused.value)


async def test_a_missing_database_is_told(postgres: Cluster) -> None:
    with pytest.raises(StorageError, match="does not exist"):
        await PostgresStorage.open(postgres.url("no_such_database"))


def test_a_url_is_shown_without_its_password() -> None:
    assert without_password("postgresql://bot:pw@db.example.org:5432/dt") == (
        "postgresql://bot:***@db.example.org:5432/dt"
    )
    assert without_password("postgresql://db.example.org/dt") == "postgresql://db.example.org/dt"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
