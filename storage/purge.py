"""Deleting closed proposals after the group's retention period.

A proposal counts as ended at its outcome's time; one without an outcome (a
draft withdrawn before it opened, say) at the last thing logged on it, else
when it was made. Its versions, rounds, responses, questions and log go with
it (the foreign keys cascade), and so do its card locations, its timers and
the outbox messages that name it (cards, card edits, requests for a reason).

Not deleted: the audit log (append-only, enforced by the database), and
messages that do not name a proposal in a field (replies, private nudges).
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.core.lifecycle import ACTIVE
from bot.core.model import Stage
from storage import rows

ENDED = tuple(stage.value for stage in Stage if stage not in ACTIVE)

_ENDED_BEFORE = f"""
    SELECT group_id, number FROM proposals AS p
    WHERE stage IN ({", ".join("?" * len(ENDED))})
      AND coalesce(
            outcome_at,
            (SELECT max(at) FROM proposal_log AS l
             WHERE l.group_id = p.group_id AND l.number = p.number),
            created_at
          ) < ?
"""
_DELETES = (
    "DELETE FROM proposals WHERE group_id = ? AND number = ?",
    "DELETE FROM cards WHERE group_id = ? AND number = ?",
    "DELETE FROM timers WHERE group_id = ? AND proposal = ?",
    "DELETE FROM outbox WHERE group_id = ? AND proposal = ?",
)


async def purge_closed(db: aiosqlite.Connection, before: datetime) -> int:
    """Delete proposals that ended before ``before``; returns how many.

    Runs inside the caller's transaction."""
    found = [
        tuple(r) for r in await db.execute_fetchall(_ENDED_BEFORE, (*ENDED, rows.stamp(before)))
    ]
    if found:
        for statement in _DELETES:
            await db.executemany(statement, found)
    return len(found)
