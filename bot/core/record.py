"""The group's record as files: Markdown to read, CSV for a spreadsheet, JSON
for other programs; a proposal's history; what is held about one person.

Anonymous responses appear without names; proxy responses always say who
recorded them (in the Markdown, the Easy Read page, the CSV's "recorded_by"
column and the JSON); forgotten members appear as "a former member".
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from typing import Any

from bot.core import cards, checkins, record_cycle, typed, visibility
from bot.core.codec import encode
from bot.core.i18n import N_, Translate, translator
from bot.core.model import ActionItem, Group, Proposal, Stage
from bot.core.processes import PROCESSES
from bot.core.when import spell_out


def _who(group: Group, member_id: int | None, _: Translate) -> str:
    if member_id is None:
        return _("anonymous")
    return cards.member_name(group, member_id, _)


def _response_rows(group: Group, proposal: Proposal, _: Translate) -> list[dict[str, Any]]:
    """The responses anyone may see, one row each (none while results are hidden)."""
    named = visibility.sight(proposal).names
    rows = []
    for round_ in proposal.rounds:
        for record in visibility.records(proposal, round_):
            rows.append(
                {
                    "proposal": proposal.number,
                    "round": round_.index,
                    "version": round_.version,
                    "at": record.at.isoformat(),
                    "member": _who(group, record.member if named else None, _),
                    "response": record.response,
                    "reason": record.reason,
                    "choices": " ".join(map(str, record.choices)),
                    "maybe": " ".join(map(str, record.maybe)),
                    "recorded_by": (
                        _who(group, record.recorded_by, _)
                        if named and record.recorded_by is not None
                        else ""
                    ),
                }
            )
    return rows


# What each entry of a proposal's log says happened, in words for people.
LOG_WORDS = {
    "proposed": N_("proposed"),
    "amended": N_("changed"),
    "extended": N_("more time, until"),
    "closed_early": N_("closed early"),
    "questions_closed": N_("questions closed"),
    "reopened": N_("opened again"),
    "reopened_as": N_("opened again as"),
    "outcome": N_("outcome written down"),
    "review_set": N_("review date set"),
    "review_due": N_("time to look at it again"),
    "resolving": N_("working through objections"),
    "advice_closed": N_("advice is in"),
    "objection_withdrawn": N_("took back an objection"),
    "agreed": N_("agreed"),
    "not_agreed": N_("not agreed"),
    "withdrawn": N_("withdrawn"),
    "closed": N_("closed"),
    # Things to do after a decision (``doing``); the detail is the action's "#7.1".
    "action_added": N_("thing to do added"),
    "action_done": N_("thing to do done"),
    "action_moved": N_("thing to do has a new date"),
    "action_taken": N_("thing to do taken on"),
    "action_freed": N_("thing to do needs someone new"),
}

# How each stage is called in the record.
STAGE_NAMES = {
    Stage.DRAFT: N_("draft"),
    Stage.QUESTIONS: N_("taking questions"),
    Stage.OPEN: N_("open"),
    Stage.RESOLVING: N_("working through objections"),
    Stage.AGREED: N_("agreed"),
    Stage.NOT_AGREED: N_("not agreed"),
    Stage.WITHDRAWN: N_("withdrawn"),
    Stage.CLOSED: N_("closed"),
    Stage.REVIEW_DUE: N_("time to look at it again"),
}

_VERSION_DETAIL = re.compile(r"version (\d+)")
_FOLLOWS_DETAIL = re.compile(r"follows (#\d+)")


def _log_detail(detail: str, timezone: str, language: str, _: Translate) -> str:
    """A log entry's detail in words: moments spelt out, stored phrases translated."""
    if match := _VERSION_DETAIL.fullmatch(detail):
        return _("version {n}").format(n=match[1])
    if match := _FOLLOWS_DETAIL.fullmatch(detail):
        return _("after {number}").format(number=match[1])
    return _spell_if_moment(detail, timezone, language)


# The log entries that end a proposal (``rounds.conclude``): named after its stage.
OUTCOME_EVENTS = frozenset(stage.value for stage in (Stage.AGREED, Stage.NOT_AGREED, Stage.CLOSED))


def history_lines(
    group: Group,
    proposal: Proposal,
    _: Translate,
    *,
    language: str,
    timezone: str | None = None,
) -> list[str]:
    """Everything that happened to a proposal, oldest first, one line each, with
    times in ``timezone`` (the group's unless given)."""
    from bot.core.when import spell_out

    tz = timezone or group.settings.timezone

    def in_words(moment: datetime) -> str:
        return spell_out(moment, timezone=tz, language=language)

    events: list[tuple[datetime, int, str]] = []
    # At the same moment: the proposal first, then responses, then what they led to.
    for entry in proposal.log:
        if not visibility.shows_log_entry(proposal, entry):
            continue
        who = _who(group, entry.by, _) if entry.by is not None else _("the bot")
        words = LOG_WORDS.get(entry.what) or record_cycle.LOG_WORDS.get(entry.what)
        what = _(words) if words else entry.what
        # An outcome nobody recorded is the group's: it names no one, not even the bot.
        group_s = entry.what in OUTCOME_EVENTS or entry.what in record_cycle.GROUP_EVENTS
        text = what if entry.by is None and group_s else f"{what} ({who})"
        if entry.detail:
            cycle = record_cycle.log_detail(proposal, entry, _, in_words)
            text += (
                f": {cycle if cycle is not None else _log_detail(entry.detail, tz, language, _)}"
            )
        events.append((entry.at, 0 if entry.what == "proposed" else 3, text))
    previous = None
    for version in proposal.versions:
        text = _("version {n}: {title}").format(n=version.number, title=version.title)
        # What a new version changed: its text, when the title alone would not tell.
        if previous is not None and version.details and version.details != previous.details:
            text += f" — {version.details}"
        events.append((version.at, 1, text))
        previous = version
    for row_round in proposal.rounds:
        for record in visibility.records(proposal, row_round):
            line = record_cycle.response_line(group, proposal, row_round, record, _)
            events.append((record.at, 2, line))
    events.sort(key=lambda e: (e[0], e[1]))
    lines = [
        f"{spell_out(at, timezone=tz, language=language)} — {text}" for at, _order, text in events
    ]
    note = visibility.hidden_note(proposal, _)
    return [*lines, note] if note is not None else lines


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


def export_files(group: Group, now: datetime) -> list[tuple[str, str, str]]:
    """(filename, mime type, content) for the record: Markdown to read, an Easy Read
    page to print, CSV for a spreadsheet and JSON for other programs."""
    from bot.core.printable import printable_record

    _ = translator(group.settings.language)
    proposals = sorted(group.proposals.values(), key=lambda p: p.number)
    return [
        ("decisions.md", "text/markdown", _markdown(group, proposals, _, now)),
        ("decisions.html", "text/html", printable_record(group, proposals, now)),
        ("responses.csv", "text/csv", _csv(group, proposals, _)),
        ("record.json", "application/json", _json(group, proposals, _, now)),
    ]


def _markdown(group: Group, proposals: list[Proposal], _: Translate, now: datetime) -> str:
    settings = group.settings

    def when(moment: datetime) -> str:
        return spell_out(moment, timezone=settings.timezone, language=settings.language, now=now)

    def item(label: str, value: str) -> str:
        return "- " + _(label).format(value=_md_line(value))

    out = [
        "# " + _("Decisions of {group}").format(group=_md_line(group.name or group.id)),
        "",
    ]
    for proposal in proposals:
        out.append(f"## {_md_line(cards.title_line(proposal, _))}")
        out.append("")
        out.append(item(N_("How we decide: {value}"), _(PROCESSES[proposal.process].title)))
        out.append(item(N_("Where it is now: {value}"), _(STAGE_NAMES[proposal.stage])))
        out.append(item(N_("Proposed by: {value}"), _who(group, proposal.proposer, _)))
        if proposal.outcome is not None:
            out.append(item(N_("Outcome: {value}"), proposal.outcome.summary))
            if proposal.outcome.decision:
                out.append(item(N_("Decision: {value}"), proposal.outcome.decision))
        if proposal.review_at is not None:
            out.append(item(N_("We look at it again on: {value}"), when(proposal.review_at)))
        out.append("")
        if proposal.version.details:
            out += [_md(proposal.version.details), ""]
        for round_ in proposal.rounds:
            for record in visibility.records(proposal, round_):
                line = record_cycle.response_line(group, proposal, round_, record, _)
                out.append(f"- {when(record.at)} — {_md_line(line)}")
        note = visibility.hidden_note(proposal, _)
        if note is not None:
            out.append(f"- {_md_line(note)}")
        out.append("")
        # After the decision: what is done about it, and how it went at its reviews.
        for heading, lines in (
            (N_("Things to do:"), record_cycle.action_lines(group, proposal, _, when)),
            (N_("Reviews:"), record_cycle.review_lines(proposal, _, when)),
        ):
            if lines:
                out += [_(heading), "", *(f"- {_md_line(line)}" for line in lines), ""]
    return "\n".join(out)


# What people typed is shown as typed, never as live markup, wherever the Markdown
# file is opened: HTML and link brackets become entities; emphasis, code, tables,
# strike-through marks are escaped wherever they are.
_MARKDOWN_LIVE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "&#91;", "]": "&#93;",
     "*": "\\*", "_": "\\_", "`": "\\`", "\\": "\\\\", "|": "\\|", "~": "\\~"}
)  # fmt: skip
# What gives a line its structure when it starts it: a heading ("## "), a list ("- ",
# "+ ", "1. ", "1) "), a setext underline or a rule ("===", "---"). Leading spaces go
# first: four of them would make a code block. Hashes at the end of a heading would
# be taken as its closing marks and dropped.
_LINE_STRUCTURE = re.compile(r"(?P<mark>[-+=#])|(?P<number>\d{1,9})(?P<dot>[.)])")
_CLOSING_HASHES = re.compile(r"#+(?=\s*$)")


def _md(text: str) -> str:
    """Text people typed, for a paragraph of the Markdown file: each line stays a line,
    and none of them can start a heading, a list, a quote, a table or a code block."""
    return "\n".join(_md_line(line) for line in typed.clean(text).split("\n"))


def _md_line(text: str) -> str:
    """Text people typed, for one line of the Markdown file (a heading, a list item):
    its line breaks become spaces, so nothing in it starts a line of its own."""
    line = typed.clean(text).replace("\n", " ").lstrip().translate(_MARKDOWN_LIVE)
    line = _CLOSING_HASHES.sub(lambda hashes: "\\#" * len(hashes[0]), line)
    start = _LINE_STRUCTURE.match(line)
    if start is None:
        return line
    if start["mark"]:
        return "\\" + line
    return f"{start['number']}\\{line[start.end('number') :]}"


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
    if not isinstance(value, str):
        return value
    value = typed.clean(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


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
                "results_hidden_until_close": not visibility.sight(p).answers,
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
                "actions": [_action_json(group, item, _) for item in p.actions],
                "reviews": [
                    {
                        "opened_at": review.round.opened_at.isoformat(),
                        "until": review.round.deadline.isoformat(),
                        "closed_at": (
                            review.round.closed_at.isoformat() if review.round.closed_at else None
                        ),
                        "answers": checkins.counts(review.round),
                        "result": review.result,
                    }
                    for review in record_cycle.reviews(p)
                ],
            }
            for p in proposals
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def _action_json(group: Group, item: ActionItem, _: Translate) -> dict[str, Any]:
    return {
        "id": item.id,
        "text": item.text,
        "who": _who(group, item.who, _) if item.who is not None else None,
        "due": item.due.isoformat() if item.due else None,
        "done": item.done,
        "done_at": item.done_at.isoformat() if item.done_at else None,
        "done_by": _who(group, item.done_by, _) if item.done_by is not None else None,
    }


def member_record(group: Group, member_id: int) -> dict[str, Any]:
    """Everything this group holds about one member: who they are, what they
    proposed (with its words), their own responses (hidden results included:
    they are theirs), the anonymous proposals they answered (their answer there is
    kept without their name, so it cannot be given back), their questions and
    answers, and what they did to proposals."""
    member = group.members[member_id]
    responses = []
    anonymous = []
    questions = []
    actions = []
    things_to_do = []
    proposed = []
    for proposal in sorted(group.proposals.values(), key=lambda p: p.number):
        if proposal.proposer == member_id:
            proposed.append(
                {
                    "number": proposal.number,
                    "versions": [
                        {"version": v.number, "title": v.title, "details": v.details,
                         "at": v.at.isoformat()}
                        for v in proposal.versions
                    ],
                }
            )  # fmt: skip
        for round_ in proposal.rounds:
            for record in visibility.records(proposal, round_, reader=member_id):
                if member_id in (record.member, record.recorded_by):
                    responses.append(
                        {"proposal": proposal.number, "round": round_.index, **encode(record)}
                    )
        if proposal.options.anonymous and any(member_id in r.participants for r in proposal.rounds):
            anonymous.append(proposal.number)
        for question in proposal.questions:
            if question.by == member_id:
                questions.append({"proposal": proposal.number, "question": question.text})
            for answer in question.answers:
                if answer.by == member_id:
                    questions.append({"proposal": proposal.number, "answer": answer.text})
        for item in proposal.actions:  # things to do that they do, added or finished
            if member_id in (item.who, item.by, item.done_by):
                things_to_do.append({"proposal": proposal.number, **encode(item)})
        for entry in proposal.log:
            if entry.by == member_id and entry.what != "proposed":
                actions.append(
                    {"proposal": proposal.number, "what": entry.what, "detail": entry.detail,
                     "at": entry.at.isoformat()}
                )  # fmt: skip
    return {
        "group": group.id,
        "member": encode(member),
        "proposed": proposed,
        "responses": responses,
        "answered_anonymously": anonymous,
        "questions_and_answers": questions,
        "actions": actions,
        "things_to_do": things_to_do,
    }


def member_file(
    groups: list[dict[str, Any]], typed: list[dict[str, Any]], memory: dict[str, str]
) -> str:
    """One file of everything kept about a person: each group's part
    (:func:`member_record`), the record of what they typed (the audit log), and
    what the chat adapters remember about them."""
    data = {"groups": groups, "typed": typed, "chat_app_memory": memory}
    return json.dumps(data, ensure_ascii=False, indent=2)


def member_data(group: Group, member_id: int) -> str:
    """What this group holds about one member, as the file ``mydata`` sends. The
    core sees one group: the application adds the person's other groups, what
    they typed and the adapters' memory before it is sent."""
    return member_file([member_record(group, member_id)], [], {})
