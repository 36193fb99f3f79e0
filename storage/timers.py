"""Timers: the core's wake-up calls, stored so that they survive restarts.

A timer is named by its key within its group; setting a key again moves the
timer. A fired timer keeps its row with ``fired_at`` set, which is what makes
it fire exactly once: it is marked in the same transaction as the result of
firing it. Only an unfired row fires, so pruning deletes a fired row a week on
(``storage.purge.prune``) without letting it fire again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.app import Timer
from bot.core.commands import TimerEvent
from bot.core.effects import SetTimer
from storage import rows
from storage.connection import Statements
from storage.rows import Row

SET = """
    INSERT INTO timers (group_id, key, proposal, due, event, fired_at)
    VALUES (?, ?, ?, ?, ?, NULL)
    ON CONFLICT (group_id, key) DO UPDATE SET
        proposal = excluded.proposal, due = excluded.due, event = excluded.event,
        fired_at = NULL
"""
# Only an unfired timer is cancelled: a fired one stays as a record.
CANCEL = "DELETE FROM timers WHERE group_id = ? AND key = ? AND fired_at IS NULL"
# Only a timer still set and due is fired: a command may have cancelled or moved
# it after it was found due (commands and timers of one group take turns, but
# the due timers are read before their turn).
FIRE = """
    UPDATE timers SET fired_at = ?1
    WHERE group_id = ?2 AND key = ?3 AND fired_at IS NULL AND due <= ?1
"""
_NEXT_DUE = "SELECT min(due) FROM timers WHERE fired_at IS NULL"
# A timer that failed is tried again later: moved, never deleted (it is still owed).
POSTPONE = "UPDATE timers SET due = ? WHERE group_id = ? AND key = ? AND fired_at IS NULL"
# How long a timer whose stored row cannot be read waits before it is read again.
UNREADABLE_RETRY = timedelta(hours=1)

log = logging.getLogger("deciding_together.storage")
_DUE = """
    SELECT group_id, key, due, event FROM timers
    WHERE fired_at IS NULL AND due <= ?
    ORDER BY due, rowid
    LIMIT ?
"""


def timer_row(group_id: str, effect: SetTimer) -> Row:
    """The parameters of :data:`SET` for a timer the core set."""
    proposal = getattr(effect.event, "number", None)  # a purge deletes the proposal's timers
    return (group_id, effect.key, proposal, rows.stamp(effect.due), rows.record_json(effect.event))


async def next_due(db: Statements) -> datetime | None:
    found = list(await db.execute_fetchall(_NEXT_DUE))
    return rows.moment_or_none(found[0][0]) if found else None


async def due_timers(db: Statements, now: datetime, limit: int) -> list[Timer]:
    """The due timers that can be read. A damaged row is logged and moved an hour on,
    so that it fails alone and every other group's timers still fire."""
    found = await db.execute_fetchall(_DUE, (rows.stamp(now), limit))
    due: list[Timer] = []
    unreadable: list[Row] = []
    for group_id, key, when, event in found:
        try:
            due.append(
                Timer(
                    key=key,
                    group_id=group_id,
                    due=rows.moment(when),
                    event=rows.from_json(event, TimerEvent),
                )
            )
        except (ValueError, TypeError, KeyError) as error:
            log.error("timer %s of group %s cannot be read (%s)", key, group_id, error)
            unreadable.append((rows.stamp(now + UNREADABLE_RETRY), group_id, key))
    if unreadable:
        # Not waited on to be durable: lost in a power cut, it is only moved again.
        await db.executemany(POSTPONE, unreadable)
    return due
