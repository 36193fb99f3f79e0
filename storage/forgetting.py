"""Carrying out ``Forget``: what storage holds about a person beyond the group's state.

It runs inside the ``forgetme``'s own transaction (``storage.transaction``),
after the group's new state and the command's audit entry are written, so the
whole of it is done or none of it is. The rules for rewriting a command, a
summary or a message are the core's (``bot.core.forgetting``); this module
finds the rows and applies them.

* **The audit log.** The group's entries that the person sent are redacted,
  once: the command keeps what they typed, with the pseudonym as its sender,
  and the summary the bot wrote names the pseudonym. ``redacted_at`` says when.
  The database refuses any other change, and every delete.
* **The outbox.** The group's messages that are for the person alone (a
  reminder, a question for them, their own file, an answer in their private
  chat) go, sent or not. Other messages that name them: those already sent go;
  those still waiting are sent with "a former member" in their place.
* **Adapters' memory.** Rows about any of the person's identities (``kv.about``)
  go, unless another group still holds that identity: memory about a person
  lasts while some group knows them.

Rows of other groups are left alone: ``forgetme`` is said in one group.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from bot.core import forgetting
from bot.core.commands import Command
from bot.core.effects import Forget, Message
from storage import rows

_MY_ENTRIES = """
    SELECT id, command, summary FROM audit
    WHERE group_id = ? AND redacted_at IS NULL AND instr(command, ?) > 0
"""
REDACT = "UPDATE audit SET command = ?, summary = ?, redacted_at = ? WHERE id = ?"
# Every message of the group with where it goes and how far it got; the words
# looked for are checked in SQL first, so only messages that may name the person
# are read.
_MESSAGES = """
    SELECT o.id, o.effect, group_concat(d.status || ' ' || d.target, char(10))
    FROM outbox AS o LEFT JOIN deliveries AS d ON d.outbox_id = o.id
    WHERE o.group_id = ? AND ({naming})
    GROUP BY o.id
"""
_NAMING = "instr(o.effect, ?) > 0"
DELETE_MESSAGE = "DELETE FROM outbox WHERE id = ?"  # its deliveries go with it
REWRITE_MESSAGE = "UPDATE outbox SET effect = ? WHERE id = ?"
FORGET_MEMORY = """
    DELETE FROM kv WHERE about = ?1
      AND NOT EXISTS (SELECT 1 FROM identities WHERE identity = ?1)
"""


def erase(db: sqlite3.Cursor, group_id: str, at: str, forget: Forget) -> None:
    """Carry out ``forget`` for ``group_id`` at ``at`` (a stamp), in the caller's transaction."""
    found = [db.execute(*query).fetchall() for query in audit_queries(group_id, forget)]
    db.executemany(REDACT, redactions(found, at, forget))
    query = messages_query(group_id, forget)
    if query is not None:
        deleted, rewritten = message_changes(db.execute(*query).fetchall(), forget)
        db.executemany(DELETE_MESSAGE, deleted)
        db.executemany(REWRITE_MESSAGE, rewritten)
    db.executemany(FORGET_MEMORY, memory_rows(forget))


# The steps of :func:`erase`, apart from running them: another backend runs the
# same statements (``storage.postgres``), and the same decisions are made on what
# they find.

Query = tuple[str, tuple[str, ...]]


def audit_queries(group_id: str, forget: Forget) -> list[Query]:
    """The reads of the audit entries that may be the person's: one per identity."""
    # As the identity is written in the JSON, quotes included: a whole value.
    return [(_MY_ENTRIES, (group_id, rows.to_json(identity))) for identity in forget.identities]


def redactions(
    found: Iterable[Iterable[tuple[int, str, str]]], at: str, forget: Forget
) -> list[tuple[str, str, str, int]]:
    """The rows of :data:`REDACT` for what :func:`audit_queries` found."""
    redacted: dict[int, tuple[str, str, str, int]] = {}
    for entries in found:
        for id_, text, summary in entries:
            command = forgetting.redact_command(rows.from_json(text, Command), forget)
            if command is not None and id_ not in redacted:
                summary = forgetting.redact_text(summary, forget)
                redacted[id_] = (rows.record_json(command), summary, at, id_)
    return list(redacted.values())


def messages_query(group_id: str, forget: Forget) -> Query | None:
    """The read of the group's messages that may name the person; None: no words to look for."""
    needles = _needles(forget)
    if not needles:
        return None
    return _MESSAGES.format(naming=" OR ".join([_NAMING] * len(needles))), (group_id, *needles)


def message_changes(
    found: Iterable[tuple[int, str, str | None]], forget: Forget
) -> tuple[list[tuple[int]], list[tuple[str, int]]]:
    """The messages :func:`messages_query` found that go (rows of :data:`DELETE_MESSAGE`)
    and those rewritten without the person (rows of :data:`REWRITE_MESSAGE`)."""
    private = forgetting.private_chats(forget)
    deleted: list[tuple[int]] = []
    rewritten: list[tuple[str, int]] = []
    for id_, text, deliveries in found:
        effect: Message = rows.from_json(text, Message)
        sent = [line.split(" ", 1) for line in (deliveries or "").splitlines()]
        if forgetting.addressed_to(effect, forget) or any(t in private for _, t in sent):
            deleted.append((id_,))
        elif not forgetting.names(effect, forget):
            continue  # the words matched inside others ("Jo" in "Join")
        elif any(status == "pending" for status, _ in sent):
            rewritten.append((rows.record_json(forgetting.scrub(effect, forget)), id_))
        else:
            deleted.append((id_,))
    return deleted, rewritten


def memory_rows(forget: Forget) -> list[tuple[str]]:
    """The rows of :data:`FORGET_MEMORY`: one per identity of the person."""
    return [(identity,) for identity in forget.identities]


def _needles(forget: Forget) -> list[str]:
    """The words to look for in a message's JSON, escaped as JSON escapes them."""
    words = [*forget.identities, *forget.names, *(f"@{h}" for h in forget.handles)]
    return [json.dumps(w, ensure_ascii=False)[1:-1] for w in dict.fromkeys(words) if w]
