"""Opening a database: migrations, and clear refusals of files we cannot use."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from bot.app import Outgoing, StorageError
from bot.core.document import doc
from bot.core.effects import EditCard, Reply
from bot.core.model import Group, ResponseRecord
from storage import SqliteStorage, connection
from storage.schema import APPLICATION_ID, MIGRATIONS, migrate
from storage.sqlite import WAL_AUTOCHECKPOINT

from .examples import at, before_actions, commit, rich_group, say, with_response


def pragma(path: Path, name: str) -> object:
    with closing(sqlite3.connect(path)) as db:
        return db.execute(f"PRAGMA {name}").fetchone()[0]


async def test_a_fresh_database_has_the_latest_schema_in_wal_mode(db_path: Path) -> None:
    storage = await SqliteStorage.open(db_path)
    await storage.close()
    assert pragma(db_path, "user_version") == len(MIGRATIONS)
    assert pragma(db_path, "application_id") == APPLICATION_ID
    assert pragma(db_path, "journal_mode") == "wal"
    # Nothing left over from the migrations that copy tables into a new form.
    assert pragma(db_path, "freelist_count") == 0


async def test_commits_are_durable_and_the_log_is_copied_back_in_large_steps(
    db_path: Path,
) -> None:
    storage = await SqliteStorage.open(db_path)
    try:
        found = {
            name: (await storage._db.execute_fetchall(f"PRAGMA {name}"))[0][0]
            for name in ("synchronous", "wal_autocheckpoint")
        }
    finally:
        await storage.close()
    # 1: SQLite's NORMAL; the storage syncs the log itself (tests/storage/test_durability.py).
    assert found == {"synchronous": 1, "wal_autocheckpoint": WAL_AUTOCHECKPOINT}
    assert storage._sync_log


async def test_reopening_keeps_the_data_and_the_version(db_path: Path) -> None:
    storage = await SqliteStorage.open(db_path, synchronous="normal")
    await commit(storage, None, rich_group())
    await storage.close()
    storage = await SqliteStorage.open(db_path)
    assert await storage.load_group("g1") == rich_group()
    await storage.close()
    assert pragma(db_path, "user_version") == len(MIGRATIONS)


async def test_a_database_from_a_newer_version_is_refused(db_path: Path) -> None:
    storage = await SqliteStorage.open(db_path)
    await storage.close()
    with closing(sqlite3.connect(db_path)) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StorageError) as refused:
        await SqliteStorage.open(db_path)
    assert "written by a newer version of Deciding Together" in str(refused.value)
    newer = len(MIGRATIONS) + 1
    assert f"(schema {newer}; this version knows up to {len(MIGRATIONS)})" in str(refused.value)
    assert "Upgrade, or use another --db file." in str(refused.value)


async def test_a_file_that_is_not_a_database_is_refused(db_path: Path) -> None:
    db_path.write_text("Shopping list: milk, bread, tea.\n" * 200)
    with pytest.raises(StorageError, match="not a Deciding Together database"):
        await SqliteStorage.open(db_path)
    assert db_path.read_text().startswith("Shopping list")  # and left as it was


async def test_a_damaged_database_is_refused(db_path: Path) -> None:
    storage = await SqliteStorage.open(db_path)
    await commit(storage, None, rich_group())
    await storage.close()
    data = bytearray(db_path.read_bytes())
    page = pragma(db_path, "page_size")
    assert isinstance(page, int)
    data[page * 2 : page * 4] = b"\xa5" * (page * 2)  # scribble over two pages of tables
    db_path.write_bytes(bytes(data))
    with pytest.raises(StorageError, match="damaged"):
        await SqliteStorage.open(db_path)


async def test_another_programs_database_is_refused(db_path: Path) -> None:
    with closing(sqlite3.connect(db_path)) as db:
        db.execute("CREATE TABLE recipes (name TEXT)")
    with pytest.raises(StorageError, match="another program"):
        await SqliteStorage.open(db_path)


async def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match=r"folder .*does not exist"):
        await SqliteStorage.open(tmp_path / "no-such-folder" / "dt.db")


async def test_a_path_through_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(StorageError, match="is not a folder"):
        await SqliteStorage.open(tmp_path / "notes.txt" / "dt.db")


async def test_a_folder_given_as_the_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="is not a file"):
        await SqliteStorage.open(tmp_path)


async def test_an_unwritable_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if (folder / "probe").exists() or _can_write(folder):
            pytest.skip("running with rights that ignore folder permissions (root)")
        with pytest.raises(StorageError, match="may not be written"):
            await SqliteStorage.open(folder / "dt.db")
    finally:
        folder.chmod(0o755)


def _can_write(folder: Path) -> bool:
    try:
        (folder / "probe").write_text("")
    except OSError:
        return False
    (folder / "probe").unlink()
    return True


async def test_an_unknown_synchronous_setting_is_refused(db_path: Path) -> None:
    with pytest.raises(StorageError, match='"full" or "normal"'):
        await SqliteStorage.open(db_path, synchronous="off")


async def test_a_failing_migration_leaves_the_database_as_it_was(db_path: Path) -> None:
    broken = (*MIGRATIONS, ("CREATE TABLE extra (x)", "THIS IS NOT SQL"))
    storage = await SqliteStorage.open(db_path)
    await storage.close()
    db = await connection.connect(str(db_path), isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError):
            await migrate(db, str(db_path), broken)
    finally:
        await db.close()
    assert pragma(db_path, "user_version") == len(MIGRATIONS)
    with closing(sqlite3.connect(db_path)) as db:
        assert not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'extra'").fetchall()


async def test_a_later_migration_is_applied_once_on_open(db_path: Path) -> None:
    later = (*MIGRATIONS, ("CREATE TABLE extra (x)", "INSERT INTO extra VALUES (1)"))
    storage = await SqliteStorage.open(db_path)
    await storage.close()
    for _ in range(2):
        db = await connection.connect(str(db_path), isolation_level=None)
        await migrate(db, str(db_path), later)
        await db.close()
    assert pragma(db_path, "user_version") == len(later)
    with closing(sqlite3.connect(db_path)) as db:
        assert db.execute("SELECT count(*) FROM extra").fetchone()[0] == 1


@pytest.mark.sqlite_only("SQLite's own triggers; both backends: test_forgetting")
async def test_the_audit_log_cannot_be_rewritten(storage: SqliteStorage, db_path: Path) -> None:
    await commit(storage, None, rich_group())
    with closing(sqlite3.connect(db_path)) as db, pytest.raises(sqlite3.IntegrityError):
        db.execute("DELETE FROM audit")


async def test_an_in_memory_database_works_for_trying_things_out() -> None:
    storage = await SqliteStorage.open(":memory:")
    await commit(storage, None, rich_group())
    assert await storage.load_group("g1") == rich_group()
    await storage.close()
    await storage.close()  # closing twice is harmless


# Columns added after a schema version, which today's code writes.
_ADDED_AFTER = {
    4: [("proposals", "planned_deadline TEXT")],
    6: [("groups", "version INTEGER NOT NULL DEFAULT 0")],
    9: [("proposals", "resident INTEGER NOT NULL DEFAULT 1"), ("groups", "explained_on INTEGER")],
    10: [
        ("link_codes", "kind TEXT NOT NULL DEFAULT 'chat'"),
        ("link_codes", "member_id INTEGER"),
        ("link_codes", "platform TEXT"),
        ("members", "reminders_on TEXT"),
    ],
    11: [("proposals", "actions TEXT NOT NULL DEFAULT '[]'")],
}


def _made_by_migration(table: str) -> tuple[int, str]:
    """The number of the migration that makes ``table``, and its statement."""
    for number, migration in enumerate(MIGRATIONS, start=1):
        for statement in migration:
            if statement.startswith(f"CREATE TABLE {table} "):
                return number, statement
    raise AssertionError(f"no migration makes {table}")


# Tables added after a schema version, which today's code writes (by the migration).
WEB_LINKS_SCHEMA, _WEB_LINKS_TABLE = _made_by_migration("web_links")
_TABLES_AFTER = {WEB_LINKS_SCHEMA: ("web_links", _WEB_LINKS_TABLE)}


def older_group() -> Group:
    """The rich group without what only schemas 10 and later hold (codes to link one's
    accounts, the app chosen for reminders, actions after decisions, web links), as a
    file written before it could hold them."""
    group = before_actions(rich_group())
    members = {i: replace(m, reminders_on=None) for i, m in group.members.items()}
    return replace(group, members=members, account_codes={}, web_links={})


async def written_at_schema(
    db_path: Path,
    version: int,
    group: Group,
    update_key: str | None = None,
    outgoing: tuple[Outgoing, ...] = (),
) -> None:
    """A file that an older version made, at schema ``version``, holding ``group``
    stored for the update ``update_key`` with the messages ``outgoing`` (today's code
    writes it; the columns that came later are dropped afterwards)."""
    db = await connection.connect(str(db_path), isolation_level=None)
    await db.execute("PRAGMA foreign_keys = ON")
    await migrate(db, str(db_path), MIGRATIONS[:version])
    later = [c for v, columns in _ADDED_AFTER.items() if v > version for c in columns]
    for table, column in later:
        await db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
    tables = [made for v, made in _TABLES_AFTER.items() if v > version]
    for _table, create in tables:
        await db.execute(create)
    storage = SqliteStorage(db, str(db_path), "old")
    await commit(storage, None, group, update_key=update_key, outgoing=outgoing)
    for table, column in later:
        await db.execute(f"ALTER TABLE {table} DROP COLUMN {column.split()[0]}")
    for table, _create in tables:
        await db.execute(f"DROP TABLE {table}")
    await storage.close()


async def test_schema_2_numbers_groups_from_the_proposals_they_already_hold(
    db_path: Path,
) -> None:
    """A database written before proposal numbers were remembered learns them on open."""
    await written_at_schema(db_path, 2, older_group())
    # Take the file back to schema 1, as an older version wrote it.
    with closing(sqlite3.connect(db_path)) as old:
        old.execute("ALTER TABLE groups DROP COLUMN numbered")
        old.execute("PRAGMA user_version = 1")
        old.commit()
    storage = await SqliteStorage.open(db_path)
    try:
        group = await storage.load_group("g1")
        assert group is not None and group.numbered == max(group.proposals) == 4
        assert group.next_proposal_number() == 5
        assert pragma(db_path, "user_version") == len(MIGRATIONS)
    finally:
        await storage.close()


async def test_schema_3_keeps_the_record_and_lets_it_be_redacted_once(db_path: Path) -> None:
    """A record written before redaction existed opens with every entry as it was."""
    await written_at_schema(db_path, 2, older_group())
    storage = await SqliteStorage.open(db_path)
    try:
        (entry,) = await storage.audit("g1")
        assert entry.command == say() and entry.redacted_at is None
    finally:
        await storage.close()
    with closing(sqlite3.connect(db_path)) as db:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE audit SET summary = 'rewritten'")
        db.execute("UPDATE audit SET summary = 'redacted', redacted_at = 'now'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE audit SET summary = 'again', redacted_at = 'later'")


async def test_schema_4_keeps_proposals_made_before_their_planned_deadline_was_saved(
    db_path: Path,
) -> None:
    """Proposals stored before the planned deadline was saved come back without one
    (they open with the default length, as they did); new ones keep theirs."""
    await written_at_schema(db_path, 3, older_group())
    storage = await SqliteStorage.open(db_path)
    try:
        group = await storage.load_group("g1")
        assert group is not None and group.proposals[4].planned_deadline is None
        assert group.proposals[4].versions == rich_group().proposals[4].versions
        assert pragma(db_path, "user_version") == len(MIGRATIONS)
        assert await commit(storage, group, rich_group())
        assert await storage.load_group("g1") == rich_group()
    finally:
        await storage.close()


async def test_schema_5_keeps_every_response_update_seen_and_message_waiting(
    db_path: Path,
) -> None:
    """The inbox and the responses move into tables without rowids, and the pending
    deliveries get one index instead of two: nothing is lost, an update seen before
    is still refused, a waiting card edit is still superseded by a newer one, and
    new responses are stored as before."""
    chat = "telegram:-100g1"
    edit, reply = EditCard(1), Reply(chat, doc("noted"))
    waiting = (Outgoing(edit, (chat,)), Outgoing(reply, (chat,)))
    await written_at_schema(
        db_path, 4, older_group(), update_key="telegram:update:1", outgoing=waiting
    )
    with closing(sqlite3.connect(db_path)) as db:
        (stored,) = db.execute("SELECT count(*) FROM responses").fetchone()
    assert stored > 0
    storage = await SqliteStorage.open(db_path)
    try:
        group = await storage.load_group("g1")
        assert group == older_group()
        assert await storage.seen_update("telegram:update:1")
        assert not await commit(storage, group, group, update_key="telegram:update:1")
        before = await storage.pending_deliveries(at(1))
        assert [d.effect for d in before] == [edit, reply]
        record = ResponseRecord(9, 103, "consent", "", at(0.2))
        after = with_response(group, 1, record)
        newer = (Outgoing(edit, (chat,)),)
        assert await commit(storage, group, after, update_key="telegram:update:2", outgoing=newer)
        assert await storage.load_group("g1") == after
        now_pending = await storage.pending_deliveries(at(1))
        assert [d.id for d in now_pending] == [before[1].id, before[1].id + 1]
    finally:
        await storage.close()
    with closing(sqlite3.connect(db_path)) as db:
        assert db.execute("SELECT count(*) FROM responses").fetchone() == (stored + 1,)
        tables = dict(db.execute("SELECT name, sql FROM sqlite_schema WHERE type = 'table'"))
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert tables["inbox"].endswith("WITHOUT ROWID")
    assert tables["responses"].endswith("WITHOUT ROWID")
    assert not {"inbox_5", "responses_5"} & tables.keys()


async def test_schema_7_keeps_the_record_and_lets_a_redacted_entry_lose_its_words_once(
    db_path: Path,
) -> None:
    """An entry a forgetme redacted before schema 7 may still lose a purged proposal's
    words, once; the record is otherwise as it was."""
    await written_at_schema(db_path, 5, older_group())
    with closing(sqlite3.connect(db_path)) as db:
        db.execute("UPDATE audit SET summary = 'by a former member', redacted_at = at")
        db.commit()
    storage = await SqliteStorage.open(db_path)
    try:
        (entry,) = await storage.audit("g1")
        assert entry.command == say() and entry.summary == "by a former member"
    finally:
        await storage.close()
    with closing(sqlite3.connect(db_path)) as db:
        db.execute("UPDATE audit SET command = '{}', purged_at = 'now'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE audit SET command = '[]', purged_at = 'later'")


async def test_schema_8_keeps_waiting_messages_and_holds_a_gesture_reply(
    db_path: Path,
) -> None:
    """Messages waiting before holds existed are still sent; a gesture's reply stored
    since is held (left out of the pending deliveries) until confirmed or released."""
    chat = "telegram:-100g1"
    reply = Reply(chat, doc("noted"))
    await written_at_schema(db_path, 7, older_group(), outgoing=(Outgoing(reply, (chat,)),))
    storage = await SqliteStorage.open(db_path)
    try:
        (waiting,) = await storage.pending_deliveries(at(1))
        assert waiting.effect == reply
        group = await storage.load_group("g1")
        thanks = Reply(chat, doc("thank you"))
        for key in ("telegram:update:1", "telegram:update:2"):
            held = (Outgoing(thanks, (chat,), held=True),)
            assert await commit(storage, group, group, update_key=key, outgoing=held)
        assert await storage.pending_deliveries(at(1)) == [waiting]
        await storage.confirm_held("telegram:update:1")
        await storage.release_held("telegram:update:2")
        (_, released) = await storage.pending_deliveries(at(1))
        assert released.effect == thanks and released.id == waiting.id + 2
    finally:
        await storage.close()
    with closing(sqlite3.connect(db_path)) as db:
        found = db.execute("SELECT status, held_for FROM deliveries ORDER BY id").fetchall()
    assert found == [("pending", None), ("delivered", None), ("pending", None)]


async def test_schema_9_keeps_link_codes_as_codes_that_link_chats(db_path: Path) -> None:
    """Codes stored before accounts could be linked stay codes that link a chat, and
    never link an account; a code to link an account never links a chat."""
    await written_at_schema(db_path, 8, older_group())
    storage = await SqliteStorage.open(db_path)
    try:
        group = await storage.load_group("g1")
        assert group == older_group()
        assert await storage.group_with_link_code("K3Y-42") == "g1"
        assert await storage.group_with_link_code("K3Y-42", "account") is None
        assert await commit(storage, group, rich_group())
        assert await storage.load_group("g1") == rich_group()
        assert await storage.group_with_link_code("me-7Q", "account") == "g1"
        assert await storage.group_with_link_code("me-7Q") is None
    finally:
        await storage.close()


async def test_schema_11_gives_every_stored_proposal_an_empty_list_of_actions(
    db_path: Path,
) -> None:
    """Decisions stored before actions existed open with nothing to do, and take actions."""
    await written_at_schema(db_path, 10, older_group())
    storage = await SqliteStorage.open(db_path)
    try:
        group = await storage.load_group("g1")
        assert group == older_group()
        assert pragma(db_path, "user_version") == len(MIGRATIONS)
        assert await commit(storage, group, rich_group())
        assert await storage.load_group("g1") == rich_group()
    finally:
        await storage.close()
