"""Forgetting a person in storage: the audit log redacted once, the outbox and the
adapters' memory cleared of them, all in the forgetme's own transaction."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from bot.app import Outgoing, StorageError
from bot.core.commands import Actor, Command, ForgetMe, Request, Respond, Status
from bot.core.document import Mention, doc, para
from bot.core.effects import DirectMessage, Forget, Post, Reply, SendFile
from bot.core.model import Group, Member, MemberStatus
from storage import SqliteStorage, connection
from tests.backends import Database

from .examples import NOW, TABLES, at, rich_group

GROUP_CHAT = "telegram:-100g1"
PRIYA = Actor("telegram:103", "Priya Shah", handle="priya_s", language="hi")
SAM = Actor("telegram:101", "Sam")
FORGET = Forget(3, ("telegram:103",), ("Priya Shah",), ("priya_s",), "a former member")


def forgotten(group: Group) -> Group:
    return group.with_member(Member(3, "", (), status=MemberStatus.FORGOTTEN))


async def store(
    storage: SqliteStorage,
    before: Group | None,
    after: Group,
    command: Command,
    *outgoing: Outgoing,
    summary: str = "",
) -> None:
    await storage.commit(
        group_before=before,
        group_after=after,
        command=command,
        now=NOW,
        summary=summary or f"{type(command).__name__}",
        outgoing=outgoing,
    )


def said(actor: Actor, action: object, chat: str = GROUP_CHAT) -> Request:
    return Request(actor, chat, action, private=chat.startswith("dm:"))


def rows(path: Path, statement: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute(statement).fetchall()


# -- the audit log's one exception ---------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE audit SET summary = 'rewritten'",
        "UPDATE audit SET command = '{}'",
        "UPDATE audit SET redacted_at = NULL",
        "UPDATE audit SET redacted_at = 'now', id = 99",
        "UPDATE audit SET redacted_at = 'now', group_id = 'g2'",
        "UPDATE audit SET redacted_at = 'now', at = 'earlier'",
        "DELETE FROM audit",
    ],
)
async def test_the_database_refuses_any_change_to_the_record_but_one_redaction(
    storage: SqliteStorage, database: Database, change: str
) -> None:
    await store(storage, None, rich_group(), said(SAM, Status()))
    with database.connection() as execute:
        with pytest.raises(database.refused, match="append-only"):
            execute(change)
        # The one change allowed: a redaction, once, that keeps the entry's place.
        execute("UPDATE audit SET summary = 'redacted', redacted_at = 'now'")
        with pytest.raises(database.refused, match="append-only"):
            execute("UPDATE audit SET summary = 'again', redacted_at = 'later'")
        with pytest.raises(database.refused, match="append-only"):
            execute("DELETE FROM audit")


async def test_forgetting_redacts_the_persons_entries_and_leaves_the_others(
    storage: SqliteStorage,
) -> None:
    group = rich_group()
    await store(storage, None, group, said(PRIYA, Respond(2, "object", "Too loud")),
                summary="Respond by telegram:103")  # fmt: skip
    await store(storage, group, group, said(SAM, Status()), summary="Status by telegram:101")
    await store(storage, group, group, said(PRIYA, Status(), "dm:telegram:103"),
                summary="Status by telegram:103")  # fmt: skip
    await store(storage, group, forgotten(group), said(PRIYA, ForgetMe()), Outgoing(FORGET),
                summary="ForgetMe by telegram:103")  # fmt: skip
    entries = await storage.audit("g1")
    assert [e.summary for e in entries] == [
        "Respond by former:3",
        "Status by telegram:101",
        "Status by former:3",
        "ForgetMe by former:3",
    ]
    assert [e.redacted_at for e in entries] == [NOW, None, NOW, NOW]
    pseudonym = Actor("former:3", "a former member", None, "hi")
    assert entries[0].command == said(pseudonym, Respond(2, "object", "Too loud"))
    assert entries[1].command == said(SAM, Status())
    assert entries[2].command == said(pseudonym, Status(), "dm:former:3")


@pytest.mark.sqlite_only("an SQLite trigger stands in for a full disk")
async def test_a_forgetme_that_fails_after_the_redaction_leaves_everything_as_it_was(
    storage: SqliteStorage, db_path: Path
) -> None:
    group = rich_group()
    await store(storage, None, group, said(PRIYA, Status()), summary="Status by telegram:103")
    await storage.set_value("telegram:dm:103", "open", "telegram:103")
    # The disk fills up as the answer, after the redaction, is written.
    with closing(sqlite3.connect(db_path)) as db:
        db.execute(
            "CREATE TRIGGER full BEFORE INSERT ON outbox WHEN instr(NEW.effect, 'Done') "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )
    answer = Reply(GROUP_CHAT, doc("Done."))
    with pytest.raises(StorageError):
        await store(storage, group, forgotten(group), said(PRIYA, ForgetMe()),
                    Outgoing(FORGET), Outgoing(answer, (GROUP_CHAT,)))  # fmt: skip
    (entry,) = await storage.audit("g1")
    assert entry.summary == "Status by telegram:103" and entry.redacted_at is None
    assert await storage.get_value("telegram:dm:103") == "open"
    loaded = await storage.load_group("g1")
    assert loaded is not None and loaded.members[3].identities == ("telegram:103",)


# -- the outbox ----------------------------------------------------------------------------


async def test_forgetting_clears_the_outbox_of_the_person(
    storage: SqliteStorage, database: Database
) -> None:
    group = rich_group()
    welcome = Post(doc("Welcome, Priya Shah."))
    sams = Post(doc("Welcome, Sam."))
    nudge = DirectMessage(3, "Priya Shah", ("telegram:103",), doc("Please respond to #2"))
    file = SendFile("my-data.json", "application/json", '{"name": "Priya Shah"}', member=3,
                    identities=("telegram:103",))  # fmt: skip
    answer = Reply("dm:telegram:103", doc("Your settings"), private=True)
    waiting = Post(doc(para("Still to respond: ", Mention("Priya Shah", "telegram:103"), ", Sam")))
    await store(storage, None, group, said(SAM, Status()),
                Outgoing(welcome, (GROUP_CHAT,)), Outgoing(sams, (GROUP_CHAT,)),
                Outgoing(nudge, ("dm:telegram:103",)), Outgoing(file, ("dm:telegram:103",)),
                Outgoing(answer, ("dm:telegram:103",)))  # fmt: skip
    for delivery in await storage.pending_deliveries(at(1)):
        if delivery.effect in (welcome, sams, file):
            await storage.delivered(delivery.id, "m1")
    await store(storage, group, group, said(SAM, Status()), Outgoing(waiting, (GROUP_CHAT,)))
    await store(storage, group, forgotten(group), said(PRIYA, ForgetMe()), Outgoing(FORGET))
    # Sent and naming her: gone. For her alone, sent or not: gone. Waiting for the
    # group: sent with "a former member" instead. Sam's welcome: untouched.
    pending = [d.effect for d in await storage.pending_deliveries(at(1))]
    assert pending == [Post(doc(para("Still to respond: ", Mention("a former member"), ", Sam")))]
    kept = [effect for (effect,) in database.rows("SELECT effect FROM outbox")]
    assert len(kept) == 2 and "Welcome, Sam." in kept[0]
    everything = repr(database.rows("SELECT * FROM outbox")) + repr(
        database.rows("SELECT * FROM deliveries")
    )
    assert "Priya" not in everything and "telegram:103" not in everything


async def test_the_answer_to_a_private_forgetme_reaches_the_person_then_goes(
    storage: SqliteStorage, database: Database
) -> None:
    group = rich_group()
    answer = Reply("dm:telegram:103", doc("Done. I have forgotten you."), private=True)
    await store(storage, None, group, said(SAM, Status()))
    await store(storage, group, forgotten(group), said(PRIYA, ForgetMe(), "dm:telegram:103"),
                Outgoing(FORGET), Outgoing(answer, ("dm:telegram:103",)))  # fmt: skip
    (delivery,) = await storage.pending_deliveries(at(1))
    assert (delivery.target, delivery.effect) == ("dm:telegram:103", answer)
    await storage.delivered(delivery.id, "m7")
    assert database.rows("SELECT * FROM outbox") == []
    assert database.rows("SELECT * FROM deliveries") == []


async def test_a_forget_leaves_other_groups_alone(
    storage: SqliteStorage, database: Database
) -> None:
    mine, other = rich_group(), rich_group("g2")
    hello = Post(doc("Hello, Priya Shah."))
    await store(storage, None, other, said(PRIYA, Status()), Outgoing(hello, ("telegram:-100g2",)),
                summary="Status by telegram:103")  # fmt: skip
    await store(storage, None, mine, said(PRIYA, Status()), summary="Status by telegram:103")
    await store(storage, mine, forgotten(mine), said(PRIYA, ForgetMe()), Outgoing(FORGET))
    (theirs,) = await storage.audit("g2")
    assert theirs.summary == "Status by telegram:103" and theirs.command.actor == PRIYA
    assert [d.effect for d in await storage.pending_deliveries(at(1))] == [hello]


# -- adapters' memory ----------------------------------------------------------------------


async def test_memory_about_the_person_goes_unless_another_group_knows_them(
    storage: SqliteStorage,
) -> None:
    mine, other = rich_group(), rich_group("g2")
    await store(storage, None, mine, said(SAM, Status()))
    await storage.set_value("telegram:dm:103", "open", "telegram:103")
    await storage.set_value("telegram:dm:101", "open", "telegram:101")
    await storage.set_value("telegram:moved:-100", "-200")
    # A row stays about its person when it is written again without saying so.
    await storage.set_value("telegram:prompt:103:5", "{}", "telegram:103")
    await storage.set_value("telegram:prompt:103:5", "")
    await store(storage, None, other, said(SAM, Status()))
    # Priya is in g2 too: forgetting her in g1 keeps what g2 still needs.
    await store(storage, mine, forgotten(mine), said(PRIYA, ForgetMe()), Outgoing(FORGET))
    assert await storage.get_value("telegram:dm:103") == "open"
    await store(storage, other, forgotten(other), said(PRIYA, ForgetMe()), Outgoing(FORGET))
    assert await storage.get_value("telegram:dm:103") is None
    assert await storage.get_value("telegram:prompt:103:5") is None
    assert await storage.get_value("telegram:dm:101") == "open"
    assert await storage.get_value("telegram:moved:-100") == "-200"


async def test_what_is_erased_is_wiped_from_the_files_not_just_unlinked(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Some SQLite builds wipe deleted rows by default and some do not: start from one
    # that does not, so the storage's own setting is what is tested.
    connect = connection.connect

    async def unwiped(*args: Any, **kwargs: Any) -> connection.Connection:
        db = await connect(*args, **kwargs)
        await db.execute("PRAGMA secure_delete = OFF")
        return db

    monkeypatch.setattr(connection, "connect", unwiped)
    storage = await SqliteStorage.open(db_path)
    try:
        await _erase_a_remembered_note(storage, db_path)
    finally:
        await storage.close()


async def _erase_a_remembered_note(storage: SqliteStorage, db_path: Path) -> None:
    await store(storage, None, rich_group(), said(SAM, Status()))
    await storage.set_value("telegram:dm-note:103", "Priya Shah likes mornings", "telegram:103")
    with closing(sqlite3.connect(db_path)) as other:  # her row is in the database file now
        other.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert b"Priya Shah likes mornings" in db_path.read_bytes()
    await store(storage, rich_group(), forgotten(rich_group()), said(PRIYA, ForgetMe()),
                Outgoing(FORGET, ()))  # fmt: skip
    for file in (db_path, db_path.with_name(db_path.name + "-wal")):
        assert b"Priya Shah likes mornings" not in (file.read_bytes() if file.exists() else b"")


async def test_after_a_forgetme_no_table_holds_the_persons_name_or_accounts(
    storage: SqliteStorage, database: Database
) -> None:
    """Every row of every table, read behind the storage's back: nothing of her is left.
    (What the proposals themselves keep is the core's to say, in the group it forgets
    her from; here that group only forgets who she was.)"""
    group = rich_group()
    await store(storage, None, group, said(PRIYA, Respond(2, "object", "Too loud")),
                Outgoing(Post(doc("Welcome, Priya Shah (@priya_s).")), (GROUP_CHAT,)),
                Outgoing(Reply("dm:telegram:103", doc("Hi Priya")), ("dm:telegram:103",)),
                summary="Respond by telegram:103")  # fmt: skip
    await storage.set_value("telegram:dm:103", "Priya Shah likes mornings", "telegram:103")
    await store(storage, group, forgotten(group), said(PRIYA, ForgetMe()), Outgoing(FORGET),
                summary="ForgetMe by telegram:103")  # fmt: skip
    proposals = {"proposals", "versions", "rounds", "responses", "questions", "answers"}
    for table in set(TABLES) - proposals - {"proposal_log"}:
        found = repr(database.rows(f"SELECT * FROM {table}"))
        for trace in ("Priya", "priya_s", "telegram:103"):
            assert trace not in found, f"{trace} is still in {table}"
