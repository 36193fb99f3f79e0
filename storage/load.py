"""Reading a group back, exactly as it was committed.

One query per table, each an index range scan over the group's rows in
order, so loading costs the same dozen queries however many proposals the
group holds, and never reads another group's rows. The queries run in one
call on the connection's worker thread (:func:`fetch`); the rows become
values on the caller's side (:func:`build`).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable

from bot.core.model import Group, WebLink
from storage import rows
from storage.rows import Row


def _select(table: str, columns: tuple[str, ...], order: str) -> str:
    return f"SELECT {', '.join(columns)} FROM {table} WHERE group_id = ? ORDER BY {order}"


# The version (see ``Storage.read_group``) is read in the same snapshot, last.
_GROUP = f"SELECT {', '.join(rows.GROUP)}, version FROM groups WHERE id = ?"
_CHATS = "SELECT chat FROM chats WHERE group_id = ? ORDER BY position"
_LINK_CODES = "SELECT code, expires_at FROM link_codes WHERE group_id = ? ORDER BY code"
_WEB_LINKS = (
    "SELECT digest, made_by, made_at, expires_at FROM web_links WHERE group_id = ? ORDER BY digest"
)
_IDENTITIES = _select("identities", ("member_id", "identity"), "member_id, position")
_MEMBERS = _select("members", rows.MEMBER, "id")
_PROPOSALS = _select("proposals", rows.PROPOSAL, "number")
_VERSIONS = _select("versions", rows.VERSION, "number, position")
_ROUNDS = _select("rounds", rows.ROUND, "number, position")
_RESPONSES = _select("responses", rows.RESPONSE, "number, round_position, position")
_QUESTIONS = _select("questions", rows.QUESTION, "number, position")
_ANSWERS = _select("answers", rows.ANSWER, "number, question_position, position")
_LOG = _select("proposal_log", rows.LOG, "number, position")


Tables = dict[str, list[Row]]

_TABLES = {
    "chats": _CHATS,
    "link_codes": _LINK_CODES,
    "web_links": _WEB_LINKS,
    "identities": _IDENTITIES,
    "members": _MEMBERS,
    "versions": _VERSIONS,
    "responses": _RESPONSES,
    "rounds": _ROUNDS,
    "answers": _ANSWERS,
    "questions": _QUESTIONS,
    "log": _LOG,
    "proposals": _PROPOSALS,
}


def fetch(db: sqlite3.Connection, group_id: str) -> Tables | None:
    """Every row of the group, by table; None if there is no such group.

    Synchronous, for the connection's worker thread: one round trip reads the
    whole group, and turning rows into values (:func:`build`) is left to the
    caller. The reads see one snapshot: they run in one read transaction."""
    db.execute("BEGIN")
    try:
        found = db.execute(_GROUP, (group_id,)).fetchall()
        if not found:
            return None
        tables = {name: db.execute(sql, (group_id,)).fetchall() for name, sql in _TABLES.items()}
    finally:
        db.execute("COMMIT")
    tables["group"] = found
    return tables


def build(group_id: str, tables: Tables) -> Group:
    """The group the rows of :func:`fetch` hold, exactly as it was committed."""
    _, name, settings, explained, numbered, _version = tables["group"][0]
    chats = tuple(chat for (chat,) in tables["chats"])
    link_codes = {code: rows.moment(expires) for code, expires in tables["link_codes"]}
    web_links = {
        digest: WebLink(made_by=by, made_at=rows.moment(made), expires_at=rows.moment(expires))
        for digest, by, made, expires in tables["web_links"]
    }
    identities = _by(tables["identities"], lambda r: r[0])
    members = {
        row[1]: rows.member_from(row, [identity for _, identity in identities.get(row[1], [])])
        for row in tables["members"]
    }

    versions = _by(tables["versions"], lambda r: r[1])
    responses = _by(tables["responses"], lambda r: (r[1], r[2]))
    rounds = _by(tables["rounds"], lambda r: r[1])
    answers = _by(tables["answers"], lambda r: (r[1], r[2]))
    questions = _by(tables["questions"], lambda r: r[1])
    log = _by(tables["log"], lambda r: r[1])
    proposals = {}
    for row in tables["proposals"]:
        n = row[1]
        proposals[n] = rows.proposal_from(
            row,
            versions=[rows.version_from(v) for v in versions.get(n, [])],
            rounds=[
                rows.round_from(r, [rows.response_from(x) for x in responses.get((n, r[2]), [])])
                for r in rounds.get(n, [])
            ],
            questions=[
                rows.question_from(q, [rows.answer_from(a) for a in answers.get((n, q[2]), [])])
                for q in questions.get(n, [])
            ],
            log=[rows.log_from(e) for e in log.get(n, [])],
        )

    return Group(
        id=group_id,
        name=name,
        chats=chats,
        settings=rows.settings_from(settings),
        members=members,
        proposals=proposals,
        link_codes=link_codes,
        web_links=web_links,
        objection_explained=bool(explained),
        numbered=numbered,
    )


def version(tables: Tables) -> int:
    """The version the rows of :func:`fetch` are at."""
    return int(tables["group"][0][-1])


def _by(found: Iterable[Row], key: Callable[[Row], Hashable]) -> dict[Hashable, list[Row]]:
    """Rows grouped by ``key(row)``, keeping their order."""
    grouped: dict[Hashable, list[Row]] = defaultdict(list)
    for row in found:
        grouped[key(row)].append(row)
    return grouped
