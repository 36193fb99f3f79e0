"""Reading a group back, exactly as it was committed.

One query per table, each an index range scan over the group's rows in
order, so loading costs the same dozen queries however many proposals the
group holds, and never reads another group's rows. The queries run in one
call on the connection's worker thread (:func:`fetch`); the rows become
values on the caller's side (:func:`build`).
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Literal

from bot.core.model import AccountCode, Group, Proposal, WebLink
from storage import rows
from storage.rows import Row

# Which proposals a read takes: the resident ones (``bot.core.resident``), every
# one, or those named by number (a JSON list, read with ``json_each``).
Which = Literal["resident", "every"] | Sequence[int]

_ONLY = {
    "resident": (
        " AND number IN (SELECT number FROM proposals WHERE group_id = ?1 AND resident = 1)"
    ),
    "every": "",
    "numbered": " AND number IN (SELECT value FROM json_each(?2))",
}


def _select(table: str, columns: tuple[str, ...], order: str, only: str) -> str:
    where = "group_id = ?1" + _ONLY[only]
    return f"SELECT {', '.join(columns)} FROM {table} WHERE {where} ORDER BY {order}"


# The version (see ``Storage.read_group``) is read in the same snapshot, last.
_GROUP = f"SELECT {', '.join(rows.GROUP)}, version FROM groups WHERE id = ?"
_CHATS = "SELECT chat FROM chats WHERE group_id = ? ORDER BY position"
_LINK_CODES = (
    "SELECT code, expires_at, kind, member_id, platform FROM link_codes "
    "WHERE group_id = ? ORDER BY code"
)
_WEB_LINKS = (
    "SELECT digest, made_by, made_at, expires_at FROM web_links WHERE group_id = ? ORDER BY digest"
)
_IDENTITIES = (
    "SELECT member_id, identity FROM identities WHERE group_id = ? ORDER BY member_id, position"
)
_MEMBERS = f"SELECT {', '.join(rows.MEMBER)} FROM members WHERE group_id = ? ORDER BY id"
# The group's own tables, read whichever proposals are read.
_OWN = {
    "chats": _CHATS,
    "link_codes": _LINK_CODES,
    "web_links": _WEB_LINKS,
    "identities": _IDENTITIES,
    "members": _MEMBERS,
}


def _proposal_tables(only: str) -> dict[str, str]:
    # The proposals themselves, resident: through the index of the resident ones.
    proposals = (
        f"SELECT {', '.join(rows.PROPOSAL)} FROM proposals "
        "WHERE group_id = ?1 AND resident = 1 ORDER BY number"
        if only == "resident"
        else _select("proposals", rows.PROPOSAL, "number", only)
    )
    return {
        "versions": _select("versions", rows.VERSION, "number, position", only),
        "responses": _select("responses", rows.RESPONSE, "number, round_position, position", only),
        "rounds": _select("rounds", rows.ROUND, "number, position", only),
        "answers": _select("answers", rows.ANSWER, "number, question_position, position", only),
        "questions": _select("questions", rows.QUESTION, "number, position", only),
        "log": _select("proposal_log", rows.LOG, "number, position", only),
        "proposals": proposals,
    }


_PROPOSAL_TABLES = {only: _proposal_tables(only) for only in _ONLY}

Tables = dict[str, list[Row]]


def fetch(db: sqlite3.Connection, group_id: str, which: Which = "resident") -> Tables | None:
    """Every row of the group, by table, with the proposals ``which`` names; None
    if there is no such group.

    Synchronous, for the connection's worker thread: one round trip reads the
    whole group, and turning rows into values (:func:`build`) is left to the
    caller. The reads see one snapshot: they run in one read transaction."""
    db.execute("BEGIN")
    try:
        found = db.execute(_GROUP, (group_id,)).fetchall()
        if not found:
            return None
        tables = {name: db.execute(sql, (group_id,)).fetchall() for name, sql in _OWN.items()}
        tables.update(_fetch_proposals(db, group_id, which))
    finally:
        db.execute("COMMIT")
    tables["group"] = found
    return tables


def fetch_proposals(db: sqlite3.Connection, group_id: str, which: Which) -> Tables:
    """The rows of the proposals ``which`` names, by table (none for no such group)."""
    db.execute("BEGIN")
    try:
        return _fetch_proposals(db, group_id, which)
    finally:
        db.execute("COMMIT")


def _fetch_proposals(db: sqlite3.Connection, group_id: str, which: Which) -> Tables:
    return {
        name: db.execute(sql, params).fetchall() for name, sql, params in _reads(group_id, which)
    }


Read = tuple[str, str, tuple[object, ...]]  # (table, statement, parameters)


def reads(group_id: str, which: Which, *, whole: bool) -> list[Read]:
    """The reads of :func:`fetch` (``whole``: the group's own rows too) or of
    :func:`fetch_proposals`, by table: for a backend that runs them its own way
    (``storage.postgres``, all in one round trip). ``group`` is read first."""
    own: list[Read] = []
    if whole:
        own = [("group", _GROUP, (group_id,))]
        own += [(name, sql, (group_id,)) for name, sql in _OWN.items()]
    return own + _reads(group_id, which)


def _reads(group_id: str, which: Which) -> list[Read]:
    if isinstance(which, str):
        params: tuple[object, ...] = (group_id,)
        statements = _PROPOSAL_TABLES[which]
    else:
        params = (group_id, json.dumps(sorted(set(which))))
        statements = _PROPOSAL_TABLES["numbered"]
    return [(name, sql, params) for name, sql in statements.items()]


def build(group_id: str, tables: Tables) -> Group:
    """The group the rows of :func:`fetch` hold, exactly as it was committed."""
    _, name, settings, explained, numbered, explained_on, _version = tables["group"][0]
    chats = tuple(chat for (chat,) in tables["chats"])
    link_codes = {
        code: rows.moment(expires)
        for code, expires, kind, _, _ in tables["link_codes"]
        if kind == "chat"
    }
    account_codes = {
        code: AccountCode(member, platform, rows.moment(expires))
        for code, expires, kind, member, platform in tables["link_codes"]
        if kind == "account"
    }
    web_links = {
        digest: WebLink(made_by=by, made_at=rows.moment(made), expires_at=rows.moment(expires))
        for digest, by, made, expires in tables["web_links"]
    }
    identities = _by(tables["identities"], lambda r: r[0])
    members = {
        row[1]: rows.member_from(row, [identity for _, identity in identities.get(row[1], [])])
        for row in tables["members"]
    }

    proposals = build_proposals(tables)

    return Group(
        id=group_id,
        name=name,
        chats=chats,
        settings=rows.settings_from(settings),
        members=members,
        proposals=proposals,
        link_codes=link_codes,
        account_codes=account_codes,
        web_links=web_links,
        objection_explained=bool(explained),
        numbered=numbered,
        explained_on=explained_on,
    )


def build_proposals(tables: Tables) -> dict[int, Proposal]:
    """The proposals the rows of :func:`fetch` or :func:`fetch_proposals` hold."""
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

    return proposals


def version(tables: Tables) -> int:
    """The version the rows of :func:`fetch` are at."""
    return int(tables["group"][0][-1])


def _by(found: Iterable[Row], key: Callable[[Row], Hashable]) -> dict[Hashable, list[Row]]:
    """Rows grouped by ``key(row)``, keeping their order."""
    grouped: dict[Hashable, list[Row]] = defaultdict(list)
    for row in found:
        grouped[key(row)].append(row)
    return grouped
