"""The database schema, as an ordered list of migrations.

Migration ``n`` (1-based) takes a database from schema ``n - 1`` to ``n``.
A migration is never edited once released: a change to the schema is a new
migration at the end of the list. The schema version lives in
``PRAGMA user_version``; ``PRAGMA application_id`` marks the file as ours, so
another program's SQLite file is refused rather than written into.

All migrations due are applied in one transaction: a database is either at the
old version or at the new one, never in between.

Times are stored as fixed-width UTC text (``storage.rows.stamp``), so text
order is time order and ``due <= ?`` works on an index. Small nested values
(settings, options, quiet hours) and commands, effects and timer events are
JSON made by ``bot.core.codec``.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.app import StorageError
from storage.connection import Connection

# "DTog" in ASCII: marks a file as a Deciding Together database.
APPLICATION_ID = 0x44546F67

Migration = tuple[str, ...]

_SCHEMA_1: Migration = (
    # Facts about this database file. ``instance`` tells this file's delivery
    # keys apart from another file's: a platform that remembers idempotency
    # keys (Matrix transaction ids) must never see "dt-1" twice.
    """CREATE TABLE meta (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    "INSERT INTO meta (name, value) VALUES ('instance', lower(hex(randomblob(6))))",
    # -- a group's state ---------------------------------------------------------------------
    """CREATE TABLE groups (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        settings TEXT NOT NULL,
        objection_explained INTEGER NOT NULL
    )""",
    # A chat belongs to one group at most.
    """CREATE TABLE chats (
        chat TEXT PRIMARY KEY,
        group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        position INTEGER NOT NULL
    )""",
    "CREATE INDEX chats_by_group ON chats (group_id, position)",
    """CREATE TABLE link_codes (
        group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        code TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (group_id, code)
    )""",
    "CREATE INDEX link_codes_by_code ON link_codes (code)",
    """CREATE TABLE members (
        group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        id INTEGER NOT NULL,
        name TEXT NOT NULL,
        handle TEXT,
        role TEXT NOT NULL,
        status TEXT NOT NULL,
        language TEXT,
        timezone TEXT,
        quiet TEXT,
        reminders INTEGER NOT NULL,
        added_by INTEGER,
        joined_at TEXT,
        PRIMARY KEY (group_id, id)
    )""",
    # An identity may belong to members of several groups; ``position`` keeps
    # the order of ``Member.identities``.
    """CREATE TABLE identities (
        group_id TEXT NOT NULL,
        member_id INTEGER NOT NULL,
        position INTEGER NOT NULL,
        identity TEXT NOT NULL,
        PRIMARY KEY (group_id, member_id, position),
        FOREIGN KEY (group_id, member_id) REFERENCES members (group_id, id) ON DELETE CASCADE
    )""",
    "CREATE INDEX identities_by_identity ON identities (identity)",
    # -- proposals and everything in them ------------------------------------------------------
    # Child rows are keyed by their position in the proposal's tuples, so two
    # items can never overwrite each other even if the core numbered them
    # oddly; the core's own numbers (version, round index, seq, question id)
    # are kept in their own columns.
    """CREATE TABLE proposals (
        group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        process TEXT NOT NULL,
        proposer INTEGER NOT NULL,
        stage TEXT NOT NULL,
        created_at TEXT NOT NULL,
        options TEXT NOT NULL,
        review_at TEXT,
        follows INTEGER,
        outcome_stage TEXT,
        outcome_summary TEXT,
        outcome_at TEXT,
        outcome_decision TEXT,
        outcome_recorded_by INTEGER,
        outcome_winners TEXT,
        PRIMARY KEY (group_id, number)
    )""",
    """CREATE TABLE versions (
        group_id TEXT NOT NULL,
        number INTEGER NOT NULL,
        position INTEGER NOT NULL,
        version INTEGER NOT NULL,
        title TEXT NOT NULL,
        details TEXT NOT NULL,
        by_member INTEGER NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (group_id, number, position),
        FOREIGN KEY (group_id, number) REFERENCES proposals (group_id, number) ON DELETE CASCADE
    )""",
    """CREATE TABLE rounds (
        group_id TEXT NOT NULL,
        number INTEGER NOT NULL,
        position INTEGER NOT NULL,
        round_index INTEGER NOT NULL,
        kind TEXT NOT NULL,
        version INTEGER NOT NULL,
        opened_at TEXT NOT NULL,
        deadline TEXT NOT NULL,
        eligible TEXT NOT NULL,
        participants TEXT NOT NULL,
        closed_at TEXT,
        PRIMARY KEY (group_id, number, position),
        FOREIGN KEY (group_id, number) REFERENCES proposals (group_id, number) ON DELETE CASCADE
    )""",
    # One row per response given: the whole history, in order.
    """CREATE TABLE responses (
        group_id TEXT NOT NULL,
        number INTEGER NOT NULL,
        round_position INTEGER NOT NULL,
        position INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        member INTEGER,
        response TEXT NOT NULL,
        reason TEXT NOT NULL,
        at TEXT NOT NULL,
        recorded_by INTEGER,
        choices TEXT NOT NULL,
        maybe TEXT NOT NULL,
        PRIMARY KEY (group_id, number, round_position, position),
        FOREIGN KEY (group_id, number, round_position)
            REFERENCES rounds (group_id, number, position) ON DELETE CASCADE
    )""",
    """CREATE TABLE questions (
        group_id TEXT NOT NULL,
        number INTEGER NOT NULL,
        position INTEGER NOT NULL,
        question_id INTEGER NOT NULL,
        by_member INTEGER NOT NULL,
        text TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (group_id, number, position),
        FOREIGN KEY (group_id, number) REFERENCES proposals (group_id, number) ON DELETE CASCADE
    )""",
    """CREATE TABLE answers (
        group_id TEXT NOT NULL,
        number INTEGER NOT NULL,
        question_position INTEGER NOT NULL,
        position INTEGER NOT NULL,
        by_member INTEGER NOT NULL,
        text TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (group_id, number, question_position, position),
        FOREIGN KEY (group_id, number, question_position)
            REFERENCES questions (group_id, number, position) ON DELETE CASCADE
    )""",
    """CREATE TABLE proposal_log (
        group_id TEXT NOT NULL,
        number INTEGER NOT NULL,
        position INTEGER NOT NULL,
        at TEXT NOT NULL,
        by_member INTEGER,
        what TEXT NOT NULL,
        detail TEXT NOT NULL,
        PRIMARY KEY (group_id, number, position),
        FOREIGN KEY (group_id, number) REFERENCES proposals (group_id, number) ON DELETE CASCADE
    )""",
    # -- what happens next -----------------------------------------------------------------
    # The core names timers per group ("deadline:7"), so the key is unique
    # within a group, not across groups. ``proposal`` lets a purge find them.
    """CREATE TABLE timers (
        group_id TEXT NOT NULL,
        key TEXT NOT NULL,
        proposal INTEGER,
        due TEXT NOT NULL,
        event TEXT NOT NULL,
        fired_at TEXT,
        PRIMARY KEY (group_id, key)
    )""",
    "CREATE INDEX timers_unfired ON timers (due) WHERE fired_at IS NULL",
    # Updates already acted on (Telegram update ids, Matrix event ids).
    """CREATE TABLE inbox (
        update_key TEXT PRIMARY KEY,
        group_id TEXT NOT NULL,
        at TEXT NOT NULL
    )""",
    # AUTOINCREMENT: ids are never reused, because delivery keys derive from them.
    """CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        group_id TEXT NOT NULL,
        proposal INTEGER,
        effect TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX outbox_by_proposal ON outbox (group_id, proposal) WHERE proposal IS NOT NULL",
    """CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
        group_id TEXT NOT NULL,
        edit_card INTEGER,
        target TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'superseded')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        platform_ref TEXT
    )""",
    "CREATE INDEX deliveries_by_outbox ON deliveries (outbox_id)",
    "CREATE INDEX deliveries_pending ON deliveries (next_attempt_at) WHERE status = 'pending'",
    """CREATE INDEX deliveries_pending_edits ON deliveries (group_id, edit_card, target)
        WHERE status = 'pending' AND edit_card IS NOT NULL""",
    # -- adapters' lookups ---------------------------------------------------------------------
    """CREATE TABLE cards (
        group_id TEXT NOT NULL,
        number INTEGER NOT NULL,
        chat TEXT NOT NULL,
        ref TEXT NOT NULL,
        PRIMARY KEY (group_id, number, chat)
    )""",
    "CREATE UNIQUE INDEX cards_by_message ON cards (chat, ref)",
    """CREATE TABLE actions (
        token TEXT PRIMARY KEY,
        group_id TEXT NOT NULL,
        command TEXT NOT NULL,
        UNIQUE (group_id, command)
    )""",
    """CREATE TABLE kv (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    # -- the record ------------------------------------------------------------------------
    """CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        group_id TEXT NOT NULL,
        at TEXT NOT NULL,
        command TEXT NOT NULL,
        summary TEXT NOT NULL
    )""",
    "CREATE INDEX audit_by_group ON audit (group_id, id)",
    # The audit log is append-only: the database itself refuses to rewrite it.
    """CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
)

# 2: proposal numbers are never given twice, even after old proposals are purged.
_SCHEMA_2: Migration = (
    "ALTER TABLE groups ADD COLUMN numbered INTEGER NOT NULL DEFAULT 0",
    """UPDATE groups SET numbered = COALESCE(
        (SELECT MAX(number) FROM proposals WHERE proposals.group_id = groups.id), 0)""",
)

# 3: forgetting a person reaches past the group's state (``storage.forgetting``).
_SCHEMA_3: Migration = (
    # The audit log stays append-only but for one change: an entry that named a
    # forgotten person is rewritten once, with the person replaced by a pseudonym,
    # and ``redacted_at`` says when. Its id, group and time never change, and no
    # entry is ever deleted.
    "ALTER TABLE audit ADD COLUMN redacted_at TEXT",
    "DROP TRIGGER audit_is_append_only_update",
    """CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
        WHEN NOT (
            OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL
            AND NEW.id IS OLD.id AND NEW.group_id IS OLD.group_id AND NEW.at IS OLD.at
        )
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only (but for one redaction)');
        END""",
    # Whom an adapter's memory is about (an identity), so forgetting them can find it.
    "ALTER TABLE kv ADD COLUMN about TEXT",
    "CREATE INDEX kv_by_about ON kv (about) WHERE about IS NOT NULL",
    # The answer to a forgetme said privately must reach the person, but nothing
    # that names them may stay once it has: such a delivery goes, with its message,
    # as soon as it is marked delivered (or undeliverable).
    "ALTER TABLE deliveries ADD COLUMN erase_when_sent INTEGER NOT NULL DEFAULT 0",
    """CREATE TRIGGER deliveries_erased_when_sent AFTER UPDATE OF status ON deliveries
        WHEN NEW.erase_when_sent AND NEW.status = 'delivered'
        BEGIN DELETE FROM outbox WHERE id = NEW.outbox_id; END""",
)

# 4: the response deadline asked for when a proposal is made. A draft or a proposal
# in its questions round opens for responses at that moment later on; without the
# column, a bot restarted in between forgot it and opened with the default length.
_SCHEMA_4: Migration = ("ALTER TABLE proposals ADD COLUMN planned_deadline TEXT",)

# 5: fewer pages written per response. A table with a rowid keeps its rows in one
# b-tree and its primary key in another, so every insert wrote both; a table
# WITHOUT ROWID is the primary key's b-tree, and an insert writes one page, not
# two. The inbox (one row per update) and the responses are the tables every
# response adds to; their rows are small, as such tables should be. Each is
# copied into its new form, then takes the old one's name.
_SCHEMA_5: Migration = (
    """CREATE TABLE inbox_5 (
        update_key TEXT PRIMARY KEY,
        group_id TEXT NOT NULL,
        at TEXT NOT NULL
    ) WITHOUT ROWID""",
    "INSERT INTO inbox_5 (update_key, group_id, at) SELECT update_key, group_id, at FROM inbox",
    "DROP TABLE inbox",
    "ALTER TABLE inbox_5 RENAME TO inbox",
    """CREATE TABLE responses_5 (
        group_id TEXT NOT NULL,
        number INTEGER NOT NULL,
        round_position INTEGER NOT NULL,
        position INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        member INTEGER,
        response TEXT NOT NULL,
        reason TEXT NOT NULL,
        at TEXT NOT NULL,
        recorded_by INTEGER,
        choices TEXT NOT NULL,
        maybe TEXT NOT NULL,
        PRIMARY KEY (group_id, number, round_position, position),
        FOREIGN KEY (group_id, number, round_position)
            REFERENCES rounds (group_id, number, position) ON DELETE CASCADE
    ) WITHOUT ROWID""",
    """INSERT INTO responses_5 SELECT
        group_id, number, round_position, position, seq, member, response, reason, at,
        recorded_by, choices, maybe
    FROM responses""",
    "DROP TABLE responses",
    "ALTER TABLE responses_5 RENAME TO responses",
    # One index of the pending deliveries, not two: every response adds two
    # (its reply and its card's edit) and supersedes one. Keyed for superseding
    # (the edit of a card to a chat); the delivery loop reads every pending
    # delivery anyway, and the index holds only those.
    "DROP INDEX deliveries_pending_edits",
    "DROP INDEX deliveries_pending",
    "CREATE INDEX deliveries_pending ON deliveries (group_id, edit_card, target) "
    "WHERE status = 'pending'",
)

# 6: a version per group. Every commit moves it on by one and first checks that it
# is still the version the command was decided on, so a writer whose group in
# memory is out of date (another writer committed since) is refused and decides
# again, rather than overwriting what the other stored. Groups already stored
# start at 1; a group row is made at 0 and its first commit leaves it at 1.
_SCHEMA_6: Migration = (
    "ALTER TABLE groups ADD COLUMN version INTEGER NOT NULL DEFAULT 0",
    "UPDATE groups SET version = 1",
)

# 7: the retention purge takes a purged proposal's words out of the audit log too
# (``storage.purge``). The log stays append-only but for two one-time changes to
# an entry, each with its own mark: the redaction of a forgotten person
# (``redacted_at``, schema 3) and the removal of a purged proposal's words
# (``purged_at``). Either may come first; neither touches the entry's id, group
# or time, or the other's mark; no entry is ever deleted.
_SCHEMA_7: Migration = (
    "ALTER TABLE audit ADD COLUMN purged_at TEXT",
    "DROP TRIGGER audit_is_append_only_update",
    """CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
        WHEN NOT (
            NEW.id IS OLD.id AND NEW.group_id IS OLD.group_id AND NEW.at IS OLD.at
            AND (
                (OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL
                    AND NEW.purged_at IS OLD.purged_at)
                OR (OLD.purged_at IS NULL AND NEW.purged_at IS NOT NULL
                    AND NEW.redacted_at IS OLD.redacted_at)
            )
        )
        BEGIN SELECT RAISE(ABORT,
            'the audit log is append-only (but for one redaction and one purge of words)');
        END""",
)

# 8: a pop-up hold. The reply to a gesture (a button press, a reaction) is stored
# held for the gesture's update (``held_for``, its inbox key) and the delivery
# loop never sends it: the adapter then confirms it (shown in the pop-up, or a
# reaction's "thank you", which the card's tally says already: delivered, never
# posted) or releases it (the pop-up failed: posted as usual). A hold left when
# the bot stopped is released when it starts again, so nothing goes unsaid.
_SCHEMA_8: Migration = (
    "ALTER TABLE deliveries ADD COLUMN held_for TEXT",
    "CREATE INDEX deliveries_held ON deliveries (held_for) WHERE held_for IS NOT NULL",
)

# 9: the resident group (``bot.core.resident``). A team's closed proposals stay in
# storage and out of memory: each proposal row says whether the resident group
# holds it (``resident``, written from ``stays_resident`` with every change to the
# row), so a group is loaded without its history, through an index of the
# resident proposals alone. Rows stored before are marked here by the rule as it
# stands at schema 9: still being decided, or a review pending. And the group
# keeps the number of the card that explains the word "object" (``explained_on``),
# since that card may have closed and left memory: for a group stored before, its
# first consent proposal that opened for responses, as the card rule then said.
_SCHEMA_9: Migration = (
    "ALTER TABLE proposals ADD COLUMN resident INTEGER NOT NULL DEFAULT 1",
    """UPDATE proposals SET resident = 0
        WHERE stage IN ('agreed', 'not_agreed', 'withdrawn', 'closed')
        AND NOT (stage = 'agreed' AND review_at IS NOT NULL)""",
    "CREATE INDEX proposals_resident ON proposals (group_id, number) WHERE resident = 1",
    "ALTER TABLE groups ADD COLUMN explained_on INTEGER",
    """UPDATE groups SET explained_on = (
        SELECT MIN(p.number) FROM proposals AS p
        WHERE p.group_id = groups.id AND p.process = 'consent' AND EXISTS (
            SELECT 1 FROM rounds AS r
            WHERE r.group_id = p.group_id AND r.number = p.number AND r.kind = 'responses'
        )
    ) WHERE objection_explained = 1""",
)

# 10: one person, one voice across platforms. A link code has a kind: "chat" (``link``,
# a chat joins the group) or "account" (``me``, a member's account on another
# platform becomes theirs), with the member who asked and the platform where it was
# given; one kind never works as the other. ``members.reminders_on`` is the platform
# a member chose for private reminders (NULL: the one they used last).
_SCHEMA_10: Migration = (
    "ALTER TABLE link_codes ADD COLUMN kind TEXT NOT NULL DEFAULT 'chat'",
    "ALTER TABLE link_codes ADD COLUMN member_id INTEGER",
    "ALTER TABLE link_codes ADD COLUMN platform TEXT",
    "ALTER TABLE members ADD COLUMN reminders_on TEXT",
)

# 11: actions after a decision ("action #7 Alex buys the shower chair by Friday"),
# kept with their proposal as one JSON list: a decision has a few, each changed
# as a whole (done, a new date, a new person), and they go when the proposal goes.
_SCHEMA_11: Migration = ("ALTER TABLE proposals ADD COLUMN actions TEXT NOT NULL DEFAULT '[]'",)

# 12: private links to the group's web page (``weblink``). Only the digest of a
# link's secret is stored; the page finds the group by it (``web_links_by_digest``)
# and the group's state says whether the link still works.
_SCHEMA_12: Migration = (
    """CREATE TABLE web_links (
        group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        digest TEXT NOT NULL,
        made_by INTEGER NOT NULL,
        made_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (group_id, digest)
    )""",
    "CREATE INDEX web_links_by_digest ON web_links (digest)",
)

MIGRATIONS: tuple[Migration, ...] = (
    _SCHEMA_1,
    _SCHEMA_2,
    _SCHEMA_3,
    _SCHEMA_4,
    _SCHEMA_5,
    _SCHEMA_6,
    _SCHEMA_7,
    _SCHEMA_8,
    _SCHEMA_9,
    _SCHEMA_10,
    _SCHEMA_11,
    _SCHEMA_12,
)


async def schema_version(db: Connection) -> int:
    row = await db.fetchone("PRAGMA user_version")
    return int(row[0]) if row else 0


async def migrate(db: Connection, where: str, migrations: Sequence[Migration] = MIGRATIONS) -> None:
    """Bring the database to the latest schema, in one transaction.

    ``where`` names the database in messages. Refuses (``StorageError``) a
    database written by a newer version, or an SQLite file of another program.
    The connection must be in autocommit mode (``isolation_level=None``).
    """
    latest = len(migrations)
    # IMMEDIATE: two processes opening a fresh file at once must not both migrate it.
    await db.execute("BEGIN IMMEDIATE")
    try:
        version = await schema_version(db)
        if version > latest:
            raise StorageError(
                f"This database ({where}) was written by a newer version of Deciding "
                f"Together (schema {version}; this version knows up to {latest}). "
                "Upgrade, or use another --db file."
            )
        await _check_ours(db, where, version)
        for migration in migrations[version:]:
            for statement in migration:
                await db.execute(statement)
        if version < latest:
            # Pragmas take no parameters; both values are integers made here.
            await db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            await db.execute(f"PRAGMA user_version = {latest}")
        await db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            await db.execute("ROLLBACK")
        raise
    if version == 0:
        # A new file went through every migration, and the later ones copy
        # tables and drop the old ones: rebuilt, it is as if made at the latest
        # schema, with no free pages (they would be reused, but a full disk would
        # then show only once they were). A file this small is rebuilt at once.
        await db.execute("VACUUM")


async def _check_ours(db: Connection, where: str, version: int) -> None:
    row = await db.fetchone("PRAGMA application_id")
    application_id = int(row[0]) if row else 0
    if application_id not in (0, APPLICATION_ID):
        raise StorageError(
            f"{where} is an SQLite database of another program, not of Deciding Together. "
            "Use another --db file."
        )
    if version == 0:
        row = await db.fetchone("SELECT count(*) FROM sqlite_master")
        if row and row[0]:
            raise StorageError(
                f"{where} already holds tables of another program. "
                "Use another --db file, or an empty one."
            )
