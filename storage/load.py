"""Reading a group back, exactly as it was committed.

One query per table, each an index range scan over the group's rows in
order, so loading costs the same dozen queries however many proposals the
group holds, and never reads another group's rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable

import aiosqlite

from bot.core.model import Group
from storage import rows
from storage.rows import Row


def _select(table: str, columns: tuple[str, ...], order: str) -> str:
    return f"SELECT {', '.join(columns)} FROM {table} WHERE group_id = ? ORDER BY {order}"


_GROUP = f"SELECT {', '.join(rows.GROUP)} FROM groups WHERE id = ?"
_CHATS = "SELECT chat FROM chats WHERE group_id = ? ORDER BY position"
_LINK_CODES = "SELECT code, expires_at FROM link_codes WHERE group_id = ? ORDER BY code"
_IDENTITIES = _select("identities", ("member_id", "identity"), "member_id, position")
_MEMBERS = _select("members", rows.MEMBER, "id")
_PROPOSALS = _select("proposals", rows.PROPOSAL, "number")
_VERSIONS = _select("versions", rows.VERSION, "number, position")
_ROUNDS = _select("rounds", rows.ROUND, "number, position")
_RESPONSES = _select("responses", rows.RESPONSE, "number, round_position, position")
_QUESTIONS = _select("questions", rows.QUESTION, "number, position")
_ANSWERS = _select("answers", rows.ANSWER, "number, question_position, position")
_LOG = _select("proposal_log", rows.LOG, "number, position")


async def load_group(db: aiosqlite.Connection, group_id: str) -> Group | None:
    """The group as stored, or None if there is none with this id."""
    found = list(await db.execute_fetchall(_GROUP, (group_id,)))
    if not found:
        return None
    _, name, settings, explained = found[0]

    async def fetch(statement: str) -> list[Row]:
        return [tuple(r) for r in await db.execute_fetchall(statement, (group_id,))]

    chats = tuple(chat for (chat,) in await fetch(_CHATS))
    link_codes = {code: rows.moment(expires) for code, expires in await fetch(_LINK_CODES)}
    identities = _by(await fetch(_IDENTITIES), lambda r: r[0])
    members = {
        row[1]: rows.member_from(row, [identity for _, identity in identities.get(row[1], [])])
        for row in await fetch(_MEMBERS)
    }

    versions = _by(await fetch(_VERSIONS), lambda r: r[1])
    responses = _by(await fetch(_RESPONSES), lambda r: (r[1], r[2]))
    rounds = _by(await fetch(_ROUNDS), lambda r: r[1])
    answers = _by(await fetch(_ANSWERS), lambda r: (r[1], r[2]))
    questions = _by(await fetch(_QUESTIONS), lambda r: r[1])
    log = _by(await fetch(_LOG), lambda r: r[1])
    proposals = {}
    for row in await fetch(_PROPOSALS):
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
        objection_explained=bool(explained),
    )


def _by(found: Iterable[Row], key: Callable[[Row], Hashable]) -> dict[Hashable, list[Row]]:
    """Rows grouped by ``key(row)``, keeping their order."""
    grouped: dict[Hashable, list[Row]] = defaultdict(list)
    for row in found:
        grouped[key(row)].append(row)
    return grouped
