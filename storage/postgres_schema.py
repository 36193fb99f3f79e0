"""The PostgreSQL schema, as an ordered list of migrations of its own.

The tables mean what SQLite's do at its latest schema (``storage.schema``): the
same tables, columns and rows, so the same statements and row functions
(``storage.rows``, ``storage.changes``) serve both. Migration ``n`` takes a
database from schema ``n - 1`` to ``n``; none is edited once released. The
version is kept in ``meta`` (``schema``); every migration due runs in one
transaction, under a lock, so two workers starting at once migrate once.

**Times** are the same fixed-width UTC text as on SQLite (``storage.rows.stamp``),
not ``timestamptz``: the rows, the statements and their comparisons (``due <= ?``,
an audit entry's moment among a proposal's) are then the very ones SQLite runs,
and a time reads back exactly as it was written, microseconds and all. Every
text column compares byte by byte (``COLLATE "C"``), as SQLite's do, whatever
the database's own collation: text order is then time order, and ``telegram:``
up to ``telegram;`` holds every Telegram update key.

**Integers** are ``bigint`` where SQLite's are (ids, versions), ``integer``
for small numbers; booleans are ``integer`` 0 or 1, as the rows write them.
"""

from __future__ import annotations

from collections.abc import Sequence

Migration = tuple[str, ...]

# A text column that compares as SQLite's do: byte by byte.
_T = 'text COLLATE "C"'

# The lock two workers opening one database at once take before migrating it.
MIGRATION_LOCK = 0x44546F67  # "DTog", as SQLite's application id

_SCHEMA_1: Migration = (
    f"""CREATE TABLE meta (
        name {_T} PRIMARY KEY,
        value {_T} NOT NULL
    )""",
    # 12 hex digits, as SQLite's: tells this database's delivery keys apart.
    """INSERT INTO meta (name, value)
        VALUES ('instance', substr(replace(gen_random_uuid()::text, '-', ''), 1, 12))""",
    # The check a commit's statements make in the server (``postgres_sql.must_find``):
    # a wrong count aborts the transaction with ``failure`` as its SQLSTATE.
    """CREATE FUNCTION dt_expect(written bigint, wanted bigint, failure text) RETURNS void
        LANGUAGE plpgsql AS $$
        BEGIN
            IF written <> wanted THEN
                -- Shows in the server's log (with the statement, not its values):
                -- said so that an operator reading it knows it is expected.
                RAISE EXCEPTION 'nothing stored, as meant: % rows expected, % found (a '
                    'repeated update, a timer no longer due or a group changed meanwhile)',
                    wanted, written USING ERRCODE = failure;
            END IF;
        END $$""",
    # -- a group's state ---------------------------------------------------------------------
    # ``made`` keeps the order groups were made in (SQLite's rowid).
    f"""CREATE TABLE groups (
        id {_T} PRIMARY KEY,
        name {_T} NOT NULL,
        settings {_T} NOT NULL,
        objection_explained integer NOT NULL,
        numbered integer NOT NULL DEFAULT 0,
        version bigint NOT NULL DEFAULT 0,
        made bigint GENERATED ALWAYS AS IDENTITY
    )""",
    f"""CREATE TABLE chats (
        chat {_T} PRIMARY KEY,
        group_id {_T} NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        position integer NOT NULL
    )""",
    "CREATE INDEX chats_by_group ON chats (group_id, position)",
    f"""CREATE TABLE link_codes (
        group_id {_T} NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        code {_T} NOT NULL,
        expires_at {_T} NOT NULL,
        PRIMARY KEY (group_id, code)
    )""",
    "CREATE INDEX link_codes_by_code ON link_codes (code)",
    f"""CREATE TABLE members (
        group_id {_T} NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        id integer NOT NULL,
        name {_T} NOT NULL,
        handle {_T},
        role {_T} NOT NULL,
        status {_T} NOT NULL,
        language {_T},
        timezone {_T},
        quiet {_T},
        reminders integer NOT NULL,
        added_by integer,
        joined_at {_T},
        PRIMARY KEY (group_id, id)
    )""",
    f"""CREATE TABLE identities (
        group_id {_T} NOT NULL,
        member_id integer NOT NULL,
        position integer NOT NULL,
        identity {_T} NOT NULL,
        PRIMARY KEY (group_id, member_id, position),
        FOREIGN KEY (group_id, member_id) REFERENCES members (group_id, id) ON DELETE CASCADE
    )""",
    "CREATE INDEX identities_by_identity ON identities (identity)",
    # -- proposals and everything in them ------------------------------------------------------
    f"""CREATE TABLE proposals (
        group_id {_T} NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        number integer NOT NULL,
        process {_T} NOT NULL,
        proposer integer NOT NULL,
        stage {_T} NOT NULL,
        created_at {_T} NOT NULL,
        options {_T} NOT NULL,
        review_at {_T},
        follows integer,
        outcome_stage {_T},
        outcome_summary {_T},
        outcome_at {_T},
        outcome_decision {_T},
        outcome_recorded_by integer,
        outcome_winners {_T},
        planned_deadline {_T},
        PRIMARY KEY (group_id, number)
    )""",
    f"""CREATE TABLE versions (
        group_id {_T} NOT NULL,
        number integer NOT NULL,
        position integer NOT NULL,
        version integer NOT NULL,
        title {_T} NOT NULL,
        details {_T} NOT NULL,
        by_member integer NOT NULL,
        at {_T} NOT NULL,
        PRIMARY KEY (group_id, number, position),
        FOREIGN KEY (group_id, number) REFERENCES proposals (group_id, number) ON DELETE CASCADE
    )""",
    f"""CREATE TABLE rounds (
        group_id {_T} NOT NULL,
        number integer NOT NULL,
        position integer NOT NULL,
        round_index integer NOT NULL,
        kind {_T} NOT NULL,
        version integer NOT NULL,
        opened_at {_T} NOT NULL,
        deadline {_T} NOT NULL,
        eligible {_T} NOT NULL,
        participants {_T} NOT NULL,
        closed_at {_T},
        PRIMARY KEY (group_id, number, position),
        FOREIGN KEY (group_id, number) REFERENCES proposals (group_id, number) ON DELETE CASCADE
    )""",
    f"""CREATE TABLE responses (
        group_id {_T} NOT NULL,
        number integer NOT NULL,
        round_position integer NOT NULL,
        position integer NOT NULL,
        seq integer NOT NULL,
        member integer,
        response {_T} NOT NULL,
        reason {_T} NOT NULL,
        at {_T} NOT NULL,
        recorded_by integer,
        choices {_T} NOT NULL,
        maybe {_T} NOT NULL,
        PRIMARY KEY (group_id, number, round_position, position),
        FOREIGN KEY (group_id, number, round_position)
            REFERENCES rounds (group_id, number, position) ON DELETE CASCADE
    )""",
    f"""CREATE TABLE questions (
        group_id {_T} NOT NULL,
        number integer NOT NULL,
        position integer NOT NULL,
        question_id integer NOT NULL,
        by_member integer NOT NULL,
        text {_T} NOT NULL,
        at {_T} NOT NULL,
        PRIMARY KEY (group_id, number, position),
        FOREIGN KEY (group_id, number) REFERENCES proposals (group_id, number) ON DELETE CASCADE
    )""",
    f"""CREATE TABLE answers (
        group_id {_T} NOT NULL,
        number integer NOT NULL,
        question_position integer NOT NULL,
        position integer NOT NULL,
        by_member integer NOT NULL,
        text {_T} NOT NULL,
        at {_T} NOT NULL,
        PRIMARY KEY (group_id, number, question_position, position),
        FOREIGN KEY (group_id, number, question_position)
            REFERENCES questions (group_id, number, position) ON DELETE CASCADE
    )""",
    f"""CREATE TABLE proposal_log (
        group_id {_T} NOT NULL,
        number integer NOT NULL,
        position integer NOT NULL,
        at {_T} NOT NULL,
        by_member integer,
        what {_T} NOT NULL,
        detail {_T} NOT NULL,
        PRIMARY KEY (group_id, number, position),
        FOREIGN KEY (group_id, number) REFERENCES proposals (group_id, number) ON DELETE CASCADE
    )""",
    # -- what happens next -----------------------------------------------------------------
    # ``made``: timers due at the same moment fire in the order they were set.
    f"""CREATE TABLE timers (
        group_id {_T} NOT NULL,
        key {_T} NOT NULL,
        proposal integer,
        due {_T} NOT NULL,
        event {_T} NOT NULL,
        fired_at {_T},
        made bigint GENERATED ALWAYS AS IDENTITY,
        PRIMARY KEY (group_id, key)
    )""",
    "CREATE INDEX timers_unfired ON timers (due) WHERE fired_at IS NULL",
    f"""CREATE TABLE inbox (
        update_key {_T} PRIMARY KEY,
        group_id {_T} NOT NULL,
        at {_T} NOT NULL
    )""",
    # Identity columns never give an id twice: delivery keys derive from them.
    f"""CREATE TABLE outbox (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        group_id {_T} NOT NULL,
        proposal integer,
        effect {_T} NOT NULL,
        created_at {_T} NOT NULL
    )""",
    "CREATE INDEX outbox_by_proposal ON outbox (group_id, proposal) WHERE proposal IS NOT NULL",
    f"""CREATE TABLE deliveries (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        outbox_id bigint NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
        group_id {_T} NOT NULL,
        edit_card integer,
        target {_T} NOT NULL,
        status {_T} NOT NULL CHECK (status IN ('pending', 'delivered', 'superseded')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at {_T} NOT NULL,
        last_error {_T},
        platform_ref {_T},
        erase_when_sent integer NOT NULL DEFAULT 0,
        held_for {_T}
    )""",
    "CREATE INDEX deliveries_by_outbox ON deliveries (outbox_id)",
    # Superseding a card's edit finds the pending ones by card and chat; the
    # delivery loop reads the pending ones in id order.
    "CREATE INDEX deliveries_pending ON deliveries (group_id, edit_card, target) "
    "WHERE status = 'pending'",
    "CREATE INDEX deliveries_pending_in_order ON deliveries (id) WHERE status = 'pending'",
    "CREATE INDEX deliveries_held ON deliveries (held_for) WHERE held_for IS NOT NULL",
    # The answer to a forgetme goes, with its message, once it is sent.
    """CREATE FUNCTION deliveries_erased_when_sent() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM outbox WHERE id = NEW.outbox_id;
            RETURN NULL;
        END $$""",
    """CREATE TRIGGER deliveries_erased_when_sent AFTER UPDATE OF status ON deliveries
        FOR EACH ROW WHEN (NEW.erase_when_sent <> 0 AND NEW.status = 'delivered')
        EXECUTE FUNCTION deliveries_erased_when_sent()""",
    # -- adapters' lookups ---------------------------------------------------------------------
    f"""CREATE TABLE cards (
        group_id {_T} NOT NULL,
        number integer NOT NULL,
        chat {_T} NOT NULL,
        ref {_T} NOT NULL,
        PRIMARY KEY (group_id, number, chat)
    )""",
    "CREATE UNIQUE INDEX cards_by_message ON cards (chat, ref)",
    f"""CREATE TABLE actions (
        token {_T} PRIMARY KEY,
        group_id {_T} NOT NULL,
        command {_T} NOT NULL,
        UNIQUE (group_id, command)
    )""",
    f"""CREATE TABLE kv (
        key {_T} PRIMARY KEY,
        value {_T} NOT NULL,
        about {_T}
    )""",
    "CREATE INDEX kv_by_about ON kv (about) WHERE about IS NOT NULL",
    # -- the record ------------------------------------------------------------------------
    # BY DEFAULT: a change of an entry's id is refused by the trigger, in its words.
    f"""CREATE TABLE audit (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        group_id {_T} NOT NULL,
        at {_T} NOT NULL,
        command {_T} NOT NULL,
        summary {_T} NOT NULL,
        redacted_at {_T},
        purged_at {_T}
    )""",
    "CREATE INDEX audit_by_group ON audit (group_id, id)",
    # Append-only, as on SQLite: the database itself refuses any change but one
    # redaction (a forgotten person) and one removal of words (a purged
    # proposal) per entry, and every delete.
    """CREATE FUNCTION audit_is_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE'
                AND NEW.id = OLD.id AND NEW.group_id = OLD.group_id AND NEW.at = OLD.at
                AND (
                    (OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL
                        AND NEW.purged_at IS NOT DISTINCT FROM OLD.purged_at)
                    OR (OLD.purged_at IS NULL AND NEW.purged_at IS NOT NULL
                        AND NEW.redacted_at IS NOT DISTINCT FROM OLD.redacted_at)
                )
            THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION
                'the audit log is append-only (but for one redaction and one purge of words)';
        END $$""",
    """CREATE TRIGGER audit_is_append_only BEFORE UPDATE OR DELETE ON audit
        FOR EACH ROW EXECUTE FUNCTION audit_is_append_only()""",
    """CREATE TRIGGER audit_is_never_truncated BEFORE TRUNCATE ON audit
        FOR EACH STATEMENT EXECUTE FUNCTION audit_is_append_only()""",
)

# 2: SQLite's schemas 9 to 11, in one step. The resident group (``bot.core.resident``):
# each proposal row says whether the resident group holds it, and the group the card
# that explained "object". Link codes have a kind ("chat" or "account", with the
# member who asked and the platform); a member may choose where reminders go.
# Actions after a decision, with their proposal, as one JSON list. (A database made
# at schema 1 holds no rows that the marks of schema 9 would change, but they are
# applied all the same, as SQLite's are.)
_SCHEMA_2: Migration = (
    "ALTER TABLE proposals ADD COLUMN resident integer NOT NULL DEFAULT 1",
    """UPDATE proposals SET resident = 0
        WHERE stage IN ('agreed', 'not_agreed', 'withdrawn', 'closed')
        AND NOT (stage = 'agreed' AND review_at IS NOT NULL)""",
    "CREATE INDEX proposals_resident ON proposals (group_id, number) WHERE resident = 1",
    "ALTER TABLE groups ADD COLUMN explained_on integer",
    """UPDATE groups SET explained_on = (
        SELECT MIN(p.number) FROM proposals AS p
        WHERE p.group_id = groups.id AND p.process = 'consent' AND EXISTS (
            SELECT 1 FROM rounds AS r
            WHERE r.group_id = p.group_id AND r.number = p.number AND r.kind = 'responses'
        )
    ) WHERE objection_explained = 1""",
    f"ALTER TABLE link_codes ADD COLUMN kind {_T} NOT NULL DEFAULT 'chat'",
    "ALTER TABLE link_codes ADD COLUMN member_id integer",
    f"ALTER TABLE link_codes ADD COLUMN platform {_T}",
    f"ALTER TABLE members ADD COLUMN reminders_on {_T}",
    f"ALTER TABLE proposals ADD COLUMN actions {_T} NOT NULL DEFAULT '[]'",
)

# 3: private links to a group's web page (SQLite's schema 12): only their digests.
_SCHEMA_3: Migration = (
    f"""CREATE TABLE web_links (
        group_id {_T} NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        digest {_T} NOT NULL,
        made_by integer NOT NULL,
        made_at {_T} NOT NULL,
        expires_at {_T} NOT NULL,
        PRIMARY KEY (group_id, digest)
    )""",
    "CREATE INDEX web_links_by_digest ON web_links (digest)",
)

MIGRATIONS: tuple[Migration, ...] = (_SCHEMA_1, _SCHEMA_2, _SCHEMA_3)


def statements(version: int, migrations: Sequence[Migration] = MIGRATIONS) -> list[str]:
    """Every statement that takes a database at ``version`` to the latest schema."""
    return [statement for migration in migrations[version:] for statement in migration]
