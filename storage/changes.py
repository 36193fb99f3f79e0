"""What must be written to store a group: the change from one state to the next.

The core never changes a value in place, so anything it did not touch is the
very same object in the old and the new group. Comparing by identity finds
what changed without reading the database or comparing whole histories: a new
response in a group with years of records writes one response row and its
round, nothing else.

Planning is pure (no I/O): :func:`group_writes` returns statements with their
rows, in an order that puts parents before children, and ``storage.sqlite``
runs them inside the command's transaction.

The plan trusts that ``before`` is what is stored. If it is not (a group
cached across a failed commit or a purge), a changed proposal that is not
stored makes an update find nothing or the foreign keys fail, and the whole
commit is refused, rather than half a proposal being written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from bot.core.model import Group, Member, Proposal
from bot.core.resident import stays_resident
from storage import rows
from storage.rows import Row

T = TypeVar("T")

# -- statements --------------------------------------------------------------------------


def _insert(table: str, columns: Sequence[str]) -> str:
    marks = ", ".join("?" * len(columns))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"


def _upsert(table: str, columns: Sequence[str], key: Sequence[str]) -> str:
    # ON CONFLICT DO UPDATE, never INSERT OR REPLACE: a replace deletes the
    # row first, and the delete would cascade to the row's children.
    values = [c for c in columns if c not in key]
    updates = ", ".join(f"{c} = excluded.{c}" for c in values)
    return f"{_insert(table, columns)} ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"


def _update(table: str, columns: Sequence[str], key: Sequence[str]) -> str:
    # Numbered parameters let an UPDATE take the same row tuple as an INSERT.
    number = {c: i + 1 for i, c in enumerate(columns)}
    sets = ", ".join(f"{c} = ?{number[c]}" for c in columns if c not in key)
    where = " AND ".join(f"{c} = ?{number[c]}" for c in key)
    return f"UPDATE {table} SET {sets} WHERE {where}"


def _trim(table: str, parent: Sequence[str]) -> str:
    where = " AND ".join(f"{c} = ?" for c in parent)
    return f"DELETE FROM {table} WHERE {where} AND position >= ?"


_PROPOSAL_KEY = ("group_id", "number")

GROUP_UPSERT = _upsert("groups", rows.GROUP, ("id",))
# Every commit moves the group's version on by one (see ``Storage.commit``); a
# group row is made at version 0, and its first commit leaves it at 1.
GROUP_VERSION_NEXT = "UPDATE groups SET version = version + 1 WHERE id = ? AND version = ?"
GROUP_VERSION_MOVE_ON = "UPDATE groups SET version = version + 1 WHERE id = ?"
GROUP_STORED = "SELECT 1 FROM groups WHERE id = ?"
GROUP_UPDATE = _update("groups", rows.GROUP, ("id",))
CHATS_DELETE = "DELETE FROM chats WHERE group_id = ?"
# A chat belongs to one group: linking it to another moves it there.
CHAT_UPSERT = _upsert("chats", ("chat", "group_id", "position"), ("chat",))
LINK_CODES_DELETE = "DELETE FROM link_codes WHERE group_id = ?"
LINK_CODE_INSERT = _insert("link_codes", ("group_id", "code", "expires_at"))
WEB_LINKS_DELETE = "DELETE FROM web_links WHERE group_id = ?"
WEB_LINK_INSERT = _insert("web_links", ("group_id", "digest", "made_by", "made_at", "expires_at"))
ACCOUNT_CODE_INSERT = _insert(
    "link_codes", ("group_id", "code", "expires_at", "kind", "member_id", "platform")
)
MEMBERS_DELETE_ALL = "DELETE FROM members WHERE group_id = ?"
MEMBER_DELETE = "DELETE FROM members WHERE group_id = ? AND id = ?"
MEMBER_UPSERT = _upsert("members", rows.MEMBER, ("group_id", "id"))
IDENTITIES_DELETE = "DELETE FROM identities WHERE group_id = ? AND member_id = ?"
IDENTITY_INSERT = _insert("identities", ("group_id", "member_id", "position", "identity"))
PROPOSALS_DELETE_ALL = "DELETE FROM proposals WHERE group_id = ?"
PROPOSAL_DELETE = "DELETE FROM proposals WHERE group_id = ? AND number = ?"
PROPOSAL_INSERT = _insert("proposals", rows.PROPOSAL)
PROPOSAL_UPDATE = _update("proposals", rows.PROPOSAL, _PROPOSAL_KEY)
ROUNDS_TRIM = _trim("rounds", _PROPOSAL_KEY)
RESPONSES_TRIM = _trim("responses", (*_PROPOSAL_KEY, "round_position"))
QUESTIONS_TRIM = _trim("questions", _PROPOSAL_KEY)
ANSWERS_TRIM = _trim("answers", (*_PROPOSAL_KEY, "question_position"))
VERSIONS_TRIM = _trim("versions", _PROPOSAL_KEY)
LOG_TRIM = _trim("proposal_log", _PROPOSAL_KEY)
# The items of a proposal's tuples, by position: a position that ``before``
# holds is stored (updated in place), one past its end is new (inserted).
_VERSION_KEY = (*_PROPOSAL_KEY, "position")
_ROUND_KEY = (*_PROPOSAL_KEY, "position")
_RESPONSE_KEY = (*_PROPOSAL_KEY, "round_position", "position")
_QUESTION_KEY = (*_PROPOSAL_KEY, "position")
_ANSWER_KEY = (*_PROPOSAL_KEY, "question_position", "position")
_LOG_KEY = (*_PROPOSAL_KEY, "position")
VERSION_INSERT = _insert("versions", rows.VERSION)
VERSION_UPDATE = _update("versions", rows.VERSION, _VERSION_KEY)
ROUND_INSERT = _insert("rounds", rows.ROUND)
ROUND_UPDATE = _update("rounds", rows.ROUND, _ROUND_KEY)
RESPONSE_INSERT = _insert("responses", rows.RESPONSE)
RESPONSE_UPDATE = _update("responses", rows.RESPONSE, _RESPONSE_KEY)
QUESTION_INSERT = _insert("questions", rows.QUESTION)
QUESTION_UPDATE = _update("questions", rows.QUESTION, _QUESTION_KEY)
ANSWER_INSERT = _insert("answers", rows.ANSWER)
ANSWER_UPDATE = _update("answers", rows.ANSWER, _ANSWER_KEY)
LOG_INSERT = _insert("proposal_log", rows.LOG)
LOG_UPDATE = _update("proposal_log", rows.LOG, _LOG_KEY)

# Updates that must find their row: finding none means ``before`` was not
# what is stored, and the commit is refused.
MUST_FIND = frozenset(
    {
        GROUP_UPDATE, PROPOSAL_UPDATE, VERSION_UPDATE, ROUND_UPDATE, RESPONSE_UPDATE,
        QUESTION_UPDATE, ANSWER_UPDATE, LOG_UPDATE,
    }
)  # fmt: skip

# The order statements run in: deletes before inserts of the same rows, and
# parents before children (the foreign keys check each row as it is written).
ORDER = (
    GROUP_UPSERT, GROUP_UPDATE, CHATS_DELETE, CHAT_UPSERT, LINK_CODES_DELETE, LINK_CODE_INSERT,
    ACCOUNT_CODE_INSERT, WEB_LINKS_DELETE, WEB_LINK_INSERT,
    MEMBERS_DELETE_ALL, MEMBER_DELETE, MEMBER_UPSERT, IDENTITIES_DELETE, IDENTITY_INSERT,
    PROPOSALS_DELETE_ALL, PROPOSAL_DELETE, PROPOSAL_INSERT, PROPOSAL_UPDATE,
    ROUNDS_TRIM, RESPONSES_TRIM, QUESTIONS_TRIM, ANSWERS_TRIM, VERSIONS_TRIM, LOG_TRIM,
    VERSION_UPDATE, VERSION_INSERT, ROUND_UPDATE, ROUND_INSERT, RESPONSE_UPDATE, RESPONSE_INSERT,
    QUESTION_UPDATE, QUESTION_INSERT, ANSWER_UPDATE, ANSWER_INSERT, LOG_UPDATE, LOG_INSERT,
)  # fmt: skip


_RANK = {statement: rank for rank, statement in enumerate(ORDER)}


class Writes:
    """Rows to write, by statement; each statement runs once with all its rows."""

    def __init__(self) -> None:
        self._rows: dict[str, list[Row]] = {}

    def add(self, statement: str, row: Row) -> None:
        self._rows.setdefault(statement, []).append(row)

    def rows(self, statement: str) -> list[Row]:
        return self._rows.get(statement, [])

    def __iter__(self) -> Iterator[tuple[str, list[Row]]]:
        for statement in sorted(self._rows, key=_RANK.__getitem__):
            yield statement, self._rows[statement]

    def __len__(self) -> int:
        return sum(len(r) for r in self._rows.values())


# -- planning ------------------------------------------------------------------------------


def group_writes(before: Group | None, after: Group) -> Writes:
    """The writes that turn the stored ``before`` into ``after``.

    ``before=None`` means the group is not known: everything stored for its
    id is replaced, so the stored group is exactly ``after``."""
    w = Writes()
    gid = after.id
    if before is None:
        w.add(GROUP_UPSERT, _group_row(after))
        for statement in (
            CHATS_DELETE,
            LINK_CODES_DELETE,
            WEB_LINKS_DELETE,
            MEMBERS_DELETE_ALL,
            PROPOSALS_DELETE_ALL,
        ):
            w.add(statement, (gid,))
    elif (
        before.name,
        before.settings,
        before.objection_explained,
        before.numbered,
        before.explained_on,
    ) != (
        after.name,
        after.settings,
        after.objection_explained,
        after.numbered,
        after.explained_on,
    ):
        w.add(GROUP_UPDATE, _group_row(after))
    if before is None or before.chats != after.chats:
        if before is not None:
            w.add(CHATS_DELETE, (gid,))
        for position, chat in enumerate(after.chats):
            w.add(CHAT_UPSERT, (chat, gid, position))
    if (
        before is None
        or before.link_codes != after.link_codes
        or before.account_codes != after.account_codes
    ):
        if before is not None:
            w.add(LINK_CODES_DELETE, (gid,))
        for code, expires in after.link_codes.items():
            w.add(LINK_CODE_INSERT, (gid, code, rows.stamp(expires)))
        for code, given in after.account_codes.items():
            row = (gid, code, rows.stamp(given.expires), "account", given.member, given.platform)
            w.add(ACCOUNT_CODE_INSERT, row)
    if before is None or before.web_links != after.web_links:
        if before is not None:
            w.add(WEB_LINKS_DELETE, (gid,))
        for digest, link in after.web_links.items():
            made_at, until = rows.stamp(link.made_at), rows.stamp(link.expires_at)
            w.add(WEB_LINK_INSERT, (gid, digest, link.made_by, made_at, until))
    _members(w, gid, None if before is None else before.members, after.members)
    _proposals(w, gid, None if before is None else before.proposals, after.proposals)
    return w


def _group_row(group: Group) -> Row:
    # Made only when written: the settings' JSON is most of a response's planning otherwise.
    return rows.group_row(
        group.id,
        group.name,
        group.settings,
        group.objection_explained,
        group.numbered,
        group.explained_on,
    )


def _members(
    w: Writes, gid: str, before: Mapping[int, Member] | None, after: Mapping[int, Member]
) -> None:
    for mid, member in after.items():
        old = None if before is None else before.get(mid)
        if member is old:
            continue
        w.add(MEMBER_UPSERT, rows.member_row(gid, member))
        if old is None or old.identities != member.identities:
            if before is not None:
                w.add(IDENTITIES_DELETE, (gid, mid))
            for position, identity in enumerate(member.identities):
                w.add(IDENTITY_INSERT, (gid, mid, position, identity))
    if before is not None:
        for mid in before.keys() - after.keys():
            w.add(MEMBER_DELETE, (gid, mid))


def _proposals(
    w: Writes, gid: str, before: Mapping[int, Proposal] | None, after: Mapping[int, Proposal]
) -> None:
    for number, proposal in after.items():
        old = None if before is None else before.get(number)
        if proposal is old:
            continue
        if old is None:
            w.add(PROPOSAL_INSERT, rows.proposal_row(gid, proposal))
        elif not _same_own_fields(old, proposal):
            w.add(PROPOSAL_UPDATE, rows.proposal_row(gid, proposal))
        _proposal_parts(w, gid, old, proposal)
    if before is not None:
        for number in before.keys() - after.keys():
            w.add(PROPOSAL_DELETE, (gid, number))


# What the proposals row holds (the rest lives in child tables).
_OWN_FIELDS = (
    "process", "proposer", "stage", "created_at", "options", "review_at", "follows", "outcome",
    "planned_deadline", "actions",
)  # fmt: skip


def _same_own_fields(old: Proposal, new: Proposal) -> bool:
    """Whether the proposals row would be written unchanged.

    A copy made by the core keeps the very objects it did not change, so
    identity answers for nearly every field without comparing values. The
    row's ``resident`` mark is compared too: the rule may come to look beyond
    these fields."""
    for name in _OWN_FIELDS:
        was, now = getattr(old, name), getattr(new, name)
        if was is not now and was != now:
            return False
    return stays_resident(old) == stays_resident(new)


@dataclass(frozen=True, slots=True)
class _Part:
    """A tuple inside a proposal, stored one row per item."""

    insert: str
    update: str
    trim: str
    row: Callable[..., Row]  # (*parent key, position, item) -> row


_VERSIONS = _Part(VERSION_INSERT, VERSION_UPDATE, VERSIONS_TRIM, rows.version_row)
_ROUNDS = _Part(ROUND_INSERT, ROUND_UPDATE, ROUNDS_TRIM, rows.round_row)
_RESPONSES = _Part(RESPONSE_INSERT, RESPONSE_UPDATE, RESPONSES_TRIM, rows.response_row)
_QUESTIONS = _Part(QUESTION_INSERT, QUESTION_UPDATE, QUESTIONS_TRIM, rows.question_row)
_ANSWERS = _Part(ANSWER_INSERT, ANSWER_UPDATE, ANSWERS_TRIM, rows.answer_row)
_LOG = _Part(LOG_INSERT, LOG_UPDATE, LOG_TRIM, rows.log_row)


def _proposal_parts(w: Writes, gid: str, old: Proposal | None, new: Proposal) -> None:
    key = (gid, new.number)
    # A proposal new to storage is compared with an empty one: everything in it is written.
    was = old or replace(new, versions=(), rounds=(), questions=(), log=())
    _sequence(w, _VERSIONS, key, was.versions, new.versions)
    for i, round_, old_round in _sequence(w, _ROUNDS, key, was.rounds, new.rounds):
        _sequence(w, _RESPONSES, (*key, i), old_round.history if old_round else (), round_.history)
    for i, question, old_question in _sequence(w, _QUESTIONS, key, was.questions, new.questions):
        answers = old_question.answers if old_question else ()
        _sequence(w, _ANSWERS, (*key, i), answers, question.answers)
    _sequence(w, _LOG, key, was.log, new.log)


def _sequence(
    w: Writes, part: _Part, parent: Row, before: Sequence[T], after: Sequence[T]
) -> list[tuple[int, T, T | None]]:
    """Write the items of ``after`` that are not the very same object as
    before, at the same position; drop stored positions past its end.

    Returns (position, item, item before) for each item written, so the
    caller can do the same for what the item holds."""
    if after is before:
        return []  # untouched: the usual case for all but one tuple of one proposal
    written: list[tuple[int, T, T | None]] = []
    stored = len(before)
    for position, item in enumerate(after):
        if position < stored:
            old = before[position]
            if item is not old:
                w.add(part.update, part.row(*parent, position, item))
                written.append((position, item, old))
        else:
            w.add(part.insert, part.row(*parent, position, item))
            written.append((position, item, None))
    if len(after) < stored:
        w.add(part.trim, (*parent, len(after)))
    return written
