"""Deleting closed proposals after the group's retention period, and pruning
what the bot no longer needs to remember.

**The retention purge.** A proposal counts as ended at its outcome's time; one
without an outcome (a draft withdrawn before it opened, say) at the last thing
logged on it, else when it was made. Its versions, rounds, responses,
questions and log go with it (the foreign keys cascade), and so do its card
locations, its timers and the outbox messages that name it (cards, card
edits, requests for a reason). Its words go from everywhere else too:

* **Messages.** Any message of the group, sent or still waiting, whose words
  quote the proposal (its titles, details, reasons, questions, answers, the
  outcome people recorded, the options of a poll: each of at least
  :data:`SHORTEST_QUOTE` characters, and not also a staying proposal's) goes,
  with its deliveries: replies, nudges, announcements, and the files
  (``my-data.json``, exports, printable pages, calendar files), read as their
  format writes them.
* **The audit log.** Entries about the proposal keep their place, their kind
  of command, who sent it and when; the words typed in them are replaced by
  :data:`PURGED` and ``purged_at`` says when (the database allows this once
  per entry, beside a ``forgetme``'s redaction). An entry is about the proposal
  when its command names it (``#7``), or made some of it (the proposal, a
  version, a response, a question, an answer, a log entry) at that very moment.

**Pruning** (:func:`prune`). A message whose every delivery is done (sent,
superseded, or given up on) goes once it is older than the pruning age, with
its deliveries: delivery keys never come back, as the outbox's ids are never
reused. An update key (the inbox, which makes a repeated update change
nothing) goes once it is older than the pruning age *and* a day older than the
newest update of the same platform: a platform repeats an update only until
the bot has confirmed it, which it does before it takes the next ones, so once
a newer update was stored the older one cannot come again.

Not deleted: words of a proposal in a command that neither names it nor
changed it (a refused ``object`` said in reply to its card), and summaries the
bot wrote (they name kinds of command and accounts, not words).
"""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.core import commands as c
from bot.core.effects import Message, SendFile
from bot.core.forgetting import texts_in
from bot.core.lifecycle import ACTIVE
from bot.core.model import Stage
from storage import rows
from storage.connection import Statements

ENDED = tuple(stage.value for stage in Stage if stage not in ACTIVE)

# What the words of a purged proposal become in the audit log's commands.
PURGED = "(deleted)"
# Words shorter than this are not looked for in messages: "OK" is in too many.
SHORTEST_QUOTE = 4
# An update key is kept at least this long after a newer one from its platform.
NEWER_BY = timedelta(days=1)

ENDED_BEFORE = f"""
    SELECT group_id, number FROM proposals AS p
    WHERE stage IN ({", ".join("?" * len(ENDED))})
      AND coalesce(
            outcome_at,
            (SELECT max(at) FROM proposal_log AS l
             WHERE l.group_id = p.group_id AND l.number = p.number),
            created_at
          ) < ?
      -- A decision with something still to do is kept: its actions are still to come.
      AND NOT EXISTS (
            SELECT 1 FROM json_each(p.actions) WHERE json_extract(value, '$.done_at') IS NULL
          )
"""
_DELETES = (
    "DELETE FROM proposals WHERE group_id = ? AND number = ?",
    "DELETE FROM cards WHERE group_id = ? AND number = ?",
    "DELETE FROM timers WHERE group_id = ? AND proposal = ?",
    "DELETE FROM outbox WHERE group_id = ? AND proposal = ?",
)
# What people wrote in a proposal, and the moments something of it was made.
_WORDS = (
    "SELECT title, at FROM versions WHERE group_id = ?1 AND number = ?2",
    "SELECT details, at FROM versions WHERE group_id = ?1 AND number = ?2",
    "SELECT reason, at FROM responses WHERE group_id = ?1 AND number = ?2",
    "SELECT text, at FROM questions WHERE group_id = ?1 AND number = ?2",
    "SELECT text, at FROM answers WHERE group_id = ?1 AND number = ?2",
    "SELECT '', at FROM proposal_log WHERE group_id = ?1 AND number = ?2",
    "SELECT coalesce(outcome_decision, ''), created_at FROM proposals "
    "WHERE group_id = ?1 AND number = ?2",
    "SELECT json_extract(value, '$.text'), created_at FROM proposals, json_each(actions) "
    "WHERE group_id = ?1 AND number = ?2",
)
_CHOICES = "SELECT process, options FROM proposals WHERE group_id = ? AND number = ?"
_MESSAGES = "SELECT id, effect FROM outbox WHERE group_id = ?"
_NUMBERS = "SELECT number FROM proposals WHERE group_id = ?"
_DELETE_MESSAGE = "DELETE FROM outbox WHERE id = ?"  # its deliveries go with it
# Entries that may be about a proposal: checked in Python after this.
_ENTRIES = """
    SELECT id, at, command FROM audit
    WHERE group_id = ? AND purged_at IS NULL
      AND (instr(command, ?) > 0 OR instr(command, ?) > 0 OR at IN (SELECT value FROM json_each(?)))
"""
_PURGE_ENTRY = "UPDATE audit SET command = ?, purged_at = ? WHERE id = ?"

# The words people type into each kind of command about a proposal.
_TYPED: dict[type, tuple[str, ...]] = {
    c.Propose: ("title", "details", "options"),
    c.Respond: ("reason",),
    c.Ask: ("question",),
    c.AnswerQuestion: ("text",),
    c.Amend: ("text",),
    c.RecordOutcome: ("text",),
    c.AddAction: ("text",),
}


@dataclasses.dataclass(frozen=True, slots=True)
class Ended:
    """A proposal about to be purged: what people wrote in it, and when."""

    group_id: str
    number: int
    words: frozenset[str]
    moments: frozenset[str]  # stamps


async def purge_closed(db: Statements, before: datetime) -> int:
    """Delete proposals that ended before ``before``, and their words; returns how many.

    Runs inside the caller's transaction."""
    found = [
        tuple(r) for r in await db.execute_fetchall(ENDED_BEFORE, (*ENDED, rows.stamp(before)))
    ]
    if not found:
        return 0
    ended = [await _ended(db, group_id, number) for group_id, number in found]
    await _forget_messages(db, ended)
    await _purge_audit(db, ended, rows.stamp(datetime.now(UTC)))
    for statement in _DELETES:
        await db.executemany(statement, found)
    return len(found)


async def prune(db: Statements, before: datetime) -> tuple[int, int, int]:
    """Delete messages done with and update keys no longer needed, made before
    ``before``, and timers fired before it; returns how many of each. Runs inside
    the caller's transaction."""
    cursor = await db.execute(
        "DELETE FROM outbox WHERE created_at < ? AND NOT EXISTS ("
        " SELECT 1 FROM deliveries AS d WHERE d.outbox_id = outbox.id AND d.status = 'pending')",
        (rows.stamp(before),),
    )
    messages = cursor.rowcount
    updates = 0
    newest = await db.execute_fetchall(
        "SELECT substr(update_key, 1, instr(update_key, ':')), max(at) FROM inbox GROUP BY 1"
    )
    for platform, latest in newest:
        if not platform:
            continue
        cut = min(before, rows.moment(latest) - NEWER_BY)
        # The key's own order: "telegram:" up to "telegram;" holds every key of Telegram.
        cursor = await db.execute(
            "DELETE FROM inbox WHERE update_key > ? AND update_key < ? AND at < ?",
            (platform, platform[:-1] + ";", rows.stamp(cut)),
        )
        updates += cursor.rowcount
    # A fired timer's row is what keeps it from firing again; deleted, it cannot fire
    # at all (only an unfired row fires), and setting its key again makes a new one.
    cursor = await db.execute(
        "DELETE FROM timers WHERE fired_at IS NOT NULL AND fired_at < ?", (rows.stamp(before),)
    )
    return messages, updates, cursor.rowcount


# -- what a proposal holds -----------------------------------------------------------------


async def _ended(db: Statements, group_id: str, number: int) -> Ended:
    words: set[str] = set()
    moments: set[str] = set()
    for statement in _WORDS:
        for text, at in await db.execute_fetchall(statement, (group_id, number)):
            moments.add(at)
            words.add(text)
    for process, options in await db.execute_fetchall(_CHOICES, (group_id, number)):
        if process == "choice":  # a time poll's options are dates, not words
            words.update(json.loads(options).get("choices", ()))
    quotable = frozenset(w.strip() for w in words if len(w.strip()) >= SHORTEST_QUOTE)
    return Ended(group_id, number, quotable, frozenset(moments))


# -- messages ------------------------------------------------------------------------------


async def _forget_messages(db: Statements, ended: list[Ended]) -> None:
    by_group: dict[str, set[str]] = {}
    for proposal in ended:
        by_group.setdefault(proposal.group_id, set()).update(proposal.words)
    deleted: list[tuple[int]] = []
    for group_id, purged_words in by_group.items():
        # Words a proposal that stays holds too (one reopened as a new proposal
        # keeps its title) are that proposal's as well: they are not looked for.
        purged = {p.number for p in ended if p.group_id == group_id}
        staying = await db.execute_fetchall(_NUMBERS, (group_id,))
        for (number,) in staying:
            if number not in purged:
                purged_words -= (await _ended(db, group_id, number)).words
        words = purged_words
        if not words:
            continue
        for id_, text in await db.execute_fetchall(_MESSAGES, (group_id,)):
            effect = rows.from_json(text, Message)
            if any(word in said for said in _readable(effect) for word in words):
                deleted.append((id_,))
    await db.executemany(_DELETE_MESSAGE, deleted)


def _readable(effect: Message) -> Iterator[str]:
    """Every text in a message as a person would read it; a file's content read as
    its format wrote it (HTML entities, JSON escapes, CSV quoting, Markdown's and
    iCalendar's backslashes and folded lines undone)."""
    yield from texts_in(effect)
    if not isinstance(effect, SendFile):
        return
    content = effect.content
    yield html.unescape(content)
    yield re.sub(r"\\(.)", r"\1", content.replace("\r\n ", "").replace("\n ", ""))
    if effect.mime.endswith("json"):
        try:
            parsed = json.loads(content)
        except ValueError:
            parsed = None
        yield from _json_strings(parsed)
    if effect.mime.endswith("csv"):
        for row in csv.reader(io.StringIO(content)):
            yield from (cell.removeprefix("'") for cell in row)


def _json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


# -- the audit log -------------------------------------------------------------------------


async def _purge_audit(db: Statements, ended: list[Ended], at: str) -> None:
    purged: dict[int, tuple[str, str, int]] = {}
    for proposal in ended:
        names_it = (f'"number":{proposal.number},', f'"number":{proposal.number}}}')
        moments = json.dumps(sorted(proposal.moments))
        found = await db.execute_fetchall(_ENTRIES, (proposal.group_id, *names_it, moments))
        for id_, when, text in found:
            command = rows.from_json(text, c.Command)
            if id_ in purged or not _about(command, when, proposal):
                continue
            without = _without_words(command)
            if without is not command:
                purged[id_] = (rows.record_json(without), at, id_)
    await db.executemany(_PURGE_ENTRY, list(purged.values()))


def _about(command: c.Command, when: str, proposal: Ended) -> bool:
    """Whether an entry is about ``proposal``: its command names it, or, naming none,
    it made some of it at that moment."""
    if not isinstance(command, c.Request):
        return False  # timers: no words typed
    number = getattr(command.action, "number", None)
    if number is not None:
        return bool(number == proposal.number)
    return when in proposal.moments


def _without_words(command: c.Request) -> c.Command:
    """The command with the words typed into it replaced by :data:`PURGED` (the same
    object when it holds none)."""
    action: Any = command.action
    changed = {
        name: _purged(getattr(action, name))
        for name in _TYPED.get(type(action), ())
        if getattr(action, name)
    }
    if not changed:
        return command
    return dataclasses.replace(command, action=dataclasses.replace(action, **changed))


def _purged(value: str | tuple[str, ...]) -> str | tuple[str, ...]:
    if isinstance(value, str):
        return PURGED
    return tuple(f"{PURGED} {index}" for index, _ in enumerate(value, 1))
