"""Core values as table rows, and back.

Each table's columns are named once here, in the order its row tuples use;
the statements in ``storage.changes`` and ``storage.load`` are built from the
same names, so a row and its statement cannot disagree. Every ``*_row``
function has a matching ``*_from`` function that rebuilds the exact value.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from bot.core.codec import decode, encode
from bot.core.model import (
    ActionItem,
    Answer,
    GroupSettings,
    LogEntry,
    Member,
    MemberStatus,
    Outcome,
    Proposal,
    ProposalOptions,
    Question,
    QuietHours,
    ResponseRecord,
    Role,
    Round,
    RoundKind,
    Stage,
    Version,
)
from bot.core.resident import stays_resident

Row = tuple[Any, ...]

# -- times and JSON --------------------------------------------------------------------------


def stamp(moment: datetime) -> str:
    """A time as fixed-width UTC text ("2025-03-01T09:30:00.000000+00:00").

    Fixed width makes text order the same as time order, so ``due <= ?``
    compares correctly in SQL. A naive time is refused: it would silently be
    read back as a different value."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"storage needs timezone-aware times, got {moment!r}")
    return _utc_text(moment)


@lru_cache(maxsize=1024)
def _utc_text(moment: datetime) -> str:
    # Remembered: a round's opening and deadline are written again with every
    # response to it. Equal times in other zones are the same instant, the same text.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def stamp_or_none(value: datetime | None) -> str | None:
    return None if value is None else stamp(value)


def moment_or_none(text: str | None) -> datetime | None:
    return None if text is None else moment(text)


# One encoder for every row: ``json.dumps`` with options builds a new one per call.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def to_json(value: Any) -> str:
    """JSON text of a core value, made by the core's codec."""
    return _JSON.encode(encode(value))


def record_json(value: Any) -> str:
    """``to_json`` without the fields left at an empty default (``encode``'s
    ``compact``), for what is stored many times over: the audit log's commands,
    the outbox's messages and the timers' events. About 40 % shorter for a
    response's command; read back by :func:`from_json` all the same. (State rows
    keep every field: a default that changes must not change a group.)"""
    return _JSON.encode(encode(value, compact=True))


def numbers_json(numbers: tuple[int, ...] | frozenset[int]) -> str:
    """``to_json`` of member ids or option numbers, the same text, without the codec.

    A response row holds two of these and its round two more, so every stored
    response makes four; most are empty, and the rest are a dozen numbers."""
    if not numbers:
        return "[]"
    ordered = sorted(numbers) if type(numbers) is frozenset else numbers
    return "[" + ",".join(map(str, ordered)) + "]"


def from_json(text: str, hint: Any = Any) -> Any:
    return decode(json.loads(text), hint)


def numbers_from(text: str) -> tuple[int, ...]:
    """A stored ``tuple[int, ...]`` (choices, winners). Most are empty, and a
    long history holds thousands: the shortcut keeps loading fast."""
    return () if text == "[]" else tuple(from_json(text, tuple[int, ...]))


def members_from(text: str) -> frozenset[int]:
    """A stored ``frozenset[int]`` (who may respond, who did): a JSON list of
    numbers, read directly; every round of every proposal holds two."""
    return frozenset(json.loads(text))


# -- columns, in row order -------------------------------------------------------------------

GROUP = ("id", "name", "settings", "objection_explained", "numbered", "explained_on")
MEMBER = (
    "group_id", "id", "name", "handle", "role", "status", "language", "timezone", "quiet",
    "reminders", "added_by", "joined_at", "reminders_on",
)  # fmt: skip
PROPOSAL = (
    "group_id", "number", "process", "proposer", "stage", "created_at", "options", "review_at",
    "follows", "outcome_stage", "outcome_summary", "outcome_at", "outcome_decision",
    "outcome_recorded_by", "outcome_winners", "planned_deadline", "resident", "actions",
)  # fmt: skip
VERSION = ("group_id", "number", "position", "version", "title", "details", "by_member", "at")
ROUND = (
    "group_id", "number", "position", "round_index", "kind", "version", "opened_at",
    "deadline", "eligible", "participants", "closed_at",
)  # fmt: skip
RESPONSE = (
    "group_id", "number", "round_position", "position", "seq", "member", "response", "reason",
    "at", "recorded_by", "choices", "maybe",
)  # fmt: skip
QUESTION = ("group_id", "number", "position", "question_id", "by_member", "text", "at")
ANSWER = ("group_id", "number", "question_position", "position", "by_member", "text", "at")
LOG = ("group_id", "number", "position", "at", "by_member", "what", "detail")

# -- group -----------------------------------------------------------------------------------


def group_row(
    group_id: str,
    name: str,
    settings: GroupSettings,
    explained: bool,
    numbered: int,
    explained_on: int | None = None,
) -> Row:
    return (group_id, name, to_json(settings), int(explained), numbered, explained_on)


def settings_from(text: str) -> GroupSettings:
    settings: GroupSettings = from_json(text, GroupSettings)
    return settings


# -- members ---------------------------------------------------------------------------------


def member_row(group_id: str, m: Member) -> Row:
    quiet = None if m.quiet is None else to_json(m.quiet)
    return (
        group_id, m.id, m.name, m.handle, m.role.value, m.status.value, m.language,
        m.timezone, quiet, int(m.reminders), m.added_by, stamp_or_none(m.joined_at),
        m.reminders_on,
    )  # fmt: skip


def member_from(row: Row, identities: Sequence[str]) -> Member:
    (_, id_, name, handle, role, status, language, timezone, quiet, reminders, added_by,
     joined_at, reminders_on) = row  # fmt: skip
    return Member(
        id=id_,
        name=name,
        identities=tuple(identities),
        handle=handle,
        role=Role(role),
        status=MemberStatus(status),
        language=language,
        timezone=timezone,
        quiet=None if quiet is None else from_json(quiet, QuietHours),
        reminders=bool(reminders),
        added_by=added_by,
        joined_at=moment_or_none(joined_at),
        reminders_on=reminders_on,
    )


# -- proposals -------------------------------------------------------------------------------


def proposal_row(group_id: str, p: Proposal) -> Row:
    o = p.outcome
    outcome: Row = (
        (None,) * 6
        if o is None
        else (o.stage.value, o.summary, stamp(o.at), o.decision, o.recorded_by,
              to_json(o.winners))
    )  # fmt: skip
    return (
        group_id, p.number, p.process, p.proposer, p.stage.value, stamp(p.created_at),
        to_json(p.options), stamp_or_none(p.review_at), p.follows, *outcome,
        stamp_or_none(p.planned_deadline), int(stays_resident(p)),
        "[]" if not p.actions else to_json(p.actions),
    )  # fmt: skip


def proposal_from(
    row: Row,
    versions: Sequence[Version],
    rounds: Sequence[Round],
    questions: Sequence[Question],
    log: Sequence[LogEntry],
) -> Proposal:
    (_, number, process, proposer, stage, created_at, options, review_at, follows,
     o_stage, o_summary, o_at, o_decision, o_recorded_by, o_winners,
     planned_deadline, _resident, actions) = row  # fmt: skip
    outcome = None
    if o_stage is not None:
        outcome = Outcome(
            stage=Stage(o_stage),
            summary=o_summary,
            at=moment(o_at),
            decision=o_decision,
            recorded_by=o_recorded_by,
            winners=numbers_from(o_winners),
        )
    return Proposal(
        number=number,
        process=process,
        proposer=proposer,
        stage=Stage(stage),
        created_at=moment(created_at),
        versions=tuple(versions),
        rounds=tuple(rounds),
        options=from_json(options, ProposalOptions),
        questions=tuple(questions),
        outcome=outcome,
        review_at=moment_or_none(review_at),
        follows=follows,
        log=tuple(log),
        planned_deadline=moment_or_none(planned_deadline),
        actions=() if actions == "[]" else from_json(actions, tuple[ActionItem, ...]),
    )


def version_row(group_id: str, number: int, position: int, v: Version) -> Row:
    return (group_id, number, position, v.number, v.title, v.details, v.by, stamp(v.at))


def version_from(row: Row) -> Version:
    _, _, _, number, title, details, by, at = row
    return Version(number=number, title=title, details=details, by=by, at=moment(at))


def round_row(group_id: str, number: int, position: int, r: Round) -> Row:
    return (
        group_id, number, position, r.index, r.kind.value, r.version, stamp(r.opened_at),
        stamp(r.deadline), numbers_json(r.eligible), numbers_json(r.participants),
        stamp_or_none(r.closed_at),
    )  # fmt: skip


def round_from(row: Row, history: Sequence[ResponseRecord]) -> Round:
    (_, _, _, index, kind, version, opened_at, deadline, eligible, participants,
     closed_at) = row  # fmt: skip
    return Round(
        index=index,
        kind=RoundKind(kind),
        version=version,
        opened_at=moment(opened_at),
        deadline=moment(deadline),
        eligible=members_from(eligible),
        history=tuple(history),
        participants=members_from(participants),
        closed_at=moment_or_none(closed_at),
    )


def response_row(
    group_id: str, number: int, round_position: int, position: int, r: ResponseRecord
) -> Row:
    return (
        group_id, number, round_position, position, r.seq, r.member, r.response, r.reason,
        stamp(r.at), r.recorded_by, numbers_json(r.choices), numbers_json(r.maybe),
    )  # fmt: skip


def response_from(row: Row) -> ResponseRecord:
    _, _, _, _, seq, member, response, reason, at, recorded_by, choices, maybe = row
    return ResponseRecord(
        seq=seq,
        member=member,
        response=response,
        reason=reason,
        at=moment(at),
        recorded_by=recorded_by,
        choices=numbers_from(choices),
        maybe=numbers_from(maybe),
    )


def question_row(group_id: str, number: int, position: int, q: Question) -> Row:
    return (group_id, number, position, q.id, q.by, q.text, stamp(q.at))


def question_from(row: Row, answers: Sequence[Answer]) -> Question:
    _, _, _, id_, by, text, at = row
    return Question(id=id_, by=by, text=text, at=moment(at), answers=tuple(answers))


def answer_row(group_id: str, number: int, question_position: int, position: int, a: Answer) -> Row:
    return (group_id, number, question_position, position, a.by, a.text, stamp(a.at))


def answer_from(row: Row) -> Answer:
    _, _, _, _, by, text, at = row
    return Answer(by=by, text=text, at=moment(at))


def log_row(group_id: str, number: int, position: int, e: LogEntry) -> Row:
    return (group_id, number, position, stamp(e.at), e.by, e.what, e.detail)


def log_from(row: Row) -> LogEntry:
    _, _, _, at, by, what, detail = row
    return LogEntry(at=moment(at), by=by, what=what, detail=detail)
