"""The group's record as files: Markdown to read, CSV for a spreadsheet, JSON
for other programs; a proposal's history; what is held about one person.

Anonymous responses appear without names; proxy responses always say who
recorded them; forgotten members appear as "a former member".
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.core import cards
from bot.core.codec import encode
from bot.core.i18n import Translate, translator
from bot.core.model import Group, Proposal
from bot.core.processes import PROCESSES
from bot.core.when import zone_name


def _who(group: Group, member_id: int | None, _: Translate) -> str:
    if member_id is None:
        return _("anonymous")
    return cards.member_name(group, member_id, _)


def _response_rows(group: Group, proposal: Proposal, _: Translate) -> list[dict[str, Any]]:
    rows = []
    for round_ in proposal.rounds:
        for record in round_.history:
            rows.append(
                {
                    "proposal": proposal.number,
                    "round": round_.index,
                    "version": round_.version,
                    "at": record.at.isoformat(),
                    "member": _who(group, record.member, _),
                    "response": record.response,
                    "reason": record.reason,
                    "choices": " ".join(map(str, record.choices)),
                    "maybe": " ".join(map(str, record.maybe)),
                    "recorded_by": (
                        _who(group, record.recorded_by, _) if record.recorded_by is not None else ""
                    ),
                }
            )
    return rows


def history_lines(group: Group, proposal: Proposal, _: Translate, *, language: str) -> list[str]:
    """Everything that happened to a proposal, oldest first, one line each."""
    from bot.core.when import spell_out

    tz = group.settings.timezone
    events: list[tuple[datetime, int, str]] = []
    # At the same moment: the proposal first, then responses, then what they led to.
    for entry in proposal.log:
        who = _who(group, entry.by, _) if entry.by is not None else _("the bot")
        text = f"{entry.what.replace('_', ' ')} ({who})"
        if entry.detail:
            text += f": {_spell_if_moment(entry.detail, tz, language)}"
        events.append((entry.at, 0 if entry.what == "proposed" else 3, text))
    for version in proposal.versions:
        events.append(
            (version.at, 1, _("version {n}: {title}").format(n=version.number, title=version.title))
        )
    for row_round in proposal.rounds:
        for record in row_round.history:
            text = f"{_who(group, record.member, _)}: {record.response}"
            if record.reason:
                text += f" — {record.reason}"
            if record.recorded_by is not None:
                text += " " + _("(recorded by {name})").format(
                    name=_who(group, record.recorded_by, _)
                )
            events.append((record.at, 2, text))
    events.sort(key=lambda e: (e[0], e[1]))
    return [
        f"{spell_out(at, timezone=tz, language=language)} — {text}" for at, _order, text in events
    ]


def _spell_if_moment(detail: str, timezone: str, language: str) -> str:
    """Log details that are moments (a new deadline, a review date) are stored as ISO
    text and shown in words."""
    from bot.core.when import spell_out

    try:
        moment = datetime.fromisoformat(detail)
    except ValueError:
        return detail
    if moment.tzinfo is None:
        return detail
    return spell_out(moment, timezone=timezone, language=language)


def _local(iso: str, group: Group) -> str:
    """A stored UTC moment as local date and time in the group's zone."""
    moment = datetime.fromisoformat(iso).astimezone(ZoneInfo(group.settings.timezone))
    return moment.strftime("%Y-%m-%d %H:%M")


def export_files(group: Group, now: datetime) -> list[tuple[str, str, str]]:
    """(filename, mime type, content) for the Markdown, CSV and JSON records."""
    _ = translator(group.settings.language)
    proposals = sorted(group.proposals.values(), key=lambda p: p.number)
    return [
        ("decisions.md", "text/markdown", _markdown(group, proposals, _)),
        ("responses.csv", "text/csv", _csv(group, proposals, _)),
        ("record.json", "application/json", _json(group, proposals, _, now)),
    ]


def _markdown(group: Group, proposals: list[Proposal], _: Translate) -> str:
    out = [
        f"# {_('Decisions of')} {group.name or group.id}",
        "",
        _("All times are {zone}.").format(
            zone=zone_name(group.settings.timezone, group.settings.language)
        ),
        "",
    ]
    for proposal in proposals:
        out.append(f"## {cards.title_line(proposal, _)}")
        out.append("")
        out.append(f"- {_('Process')}: {PROCESSES[proposal.process].title}")
        out.append(f"- {_('Stage')}: {proposal.stage.value.replace('_', ' ')}")
        out.append(f"- {_('Proposed by')}: {_who(group, proposal.proposer, _)}")
        if proposal.outcome is not None:
            out.append(f"- {_('Outcome')}: {proposal.outcome.summary}")
            if proposal.outcome.decision:
                out.append(f"- {_('Decision')}: {proposal.outcome.decision}")
        if proposal.review_at is not None:
            out.append(f"- {_('Review')}: {proposal.review_at.date().isoformat()}")
        out.append("")
        if proposal.version.details:
            out += [proposal.version.details, ""]
        for row in _response_rows(group, proposal, _):
            line = f"- {_local(row['at'], group)} {row['member']}: {row['response']}"
            if row["reason"]:
                line += f" — {row['reason']}"
            if row["recorded_by"]:
                line += f" ({_('recorded by')} {row['recorded_by']})"
            out.append(line)
        out.append("")
    return "\n".join(out)


def _csv(group: Group, proposals: list[Proposal], _: Translate) -> str:
    buffer = io.StringIO()
    fields = [
        "proposal",
        "round",
        "version",
        "at",
        "member",
        "response",
        "reason",
        "choices",
        "maybe",
        "recorded_by",
    ]
    writer = csv.DictWriter(buffer, fieldnames=fields)
    writer.writeheader()
    for proposal in proposals:
        for row in _response_rows(group, proposal, _):
            writer.writerow({k: _safe_cell(v) for k, v in row.items()})
    return buffer.getvalue()


# A cell starting with one of these runs as a formula in a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _json(group: Group, proposals: list[Proposal], _: Translate, now: datetime) -> str:
    data = {
        "group": group.id,
        "exported_at": now.isoformat(),
        "proposals": [
            {
                "number": p.number,
                "title": p.title,
                "process": p.process,
                "stage": p.stage.value,
                "proposer": _who(group, p.proposer, _),
                "versions": [
                    {
                        "number": v.number,
                        "title": v.title,
                        "details": v.details,
                        "at": v.at.isoformat(),
                    }
                    for v in p.versions
                ],
                "responses": _response_rows(group, p, _),
                "questions": [
                    {
                        "question": q.text,
                        "by": _who(group, q.by, _),
                        "answers": [a.text for a in q.answers],
                    }
                    for q in p.questions
                ],
                "outcome": None
                if p.outcome is None
                else {
                    "summary": p.outcome.summary,
                    "decision": p.outcome.decision,
                    "at": p.outcome.at.isoformat(),
                },
                "review_at": p.review_at.isoformat() if p.review_at else None,
                "follows": p.follows,
            }
            for p in proposals
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def member_data(group: Group, member_id: int) -> str:
    """Everything this group holds about one member, as JSON."""
    member = group.members[member_id]
    responses = []
    questions = []
    for proposal in group.proposals.values():
        for round_ in proposal.rounds:
            for record in round_.history:
                if member_id in (record.member, record.recorded_by):
                    responses.append(
                        {"proposal": proposal.number, "round": round_.index, **encode(record)}
                    )
        for question in proposal.questions:
            if question.by == member_id:
                questions.append({"proposal": proposal.number, "question": question.text})
            for answer in question.answers:
                if answer.by == member_id:
                    questions.append({"proposal": proposal.number, "answer": answer.text})
    data = {
        "group": group.id,
        "member": encode(member),
        "proposed": [p.number for p in group.proposals.values() if p.proposer == member_id],
        "responses": responses,
        "questions_and_answers": questions,
    }
    return json.dumps(data, ensure_ascii=False, indent=2)
