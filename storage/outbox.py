"""The outbox: messages waiting to reach their chats, at least once.

A message effect is stored once (``outbox``) with one delivery per target
(``deliveries``), so each chat is retried on its own. A delivery's key
("dt-<file>-<id>") never changes across retries: platforms that remember
idempotency keys (Matrix transaction ids) drop a repeat instead of showing
it twice. The file part keeps two database files from ever making the same key.

Only the latest edit of a card matters: storing an ``EditCard`` marks older
edits of the same card to the same chat that are still waiting as
``superseded``, so a busy tally becomes one edit, not a queue of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from bot.app import Delivery
from bot.core.effects import AskReason, EditCard, Message, Post
from storage import rows
from storage.connection import Statements
from storage.rows import Row

OUTBOX_INSERT = """
    INSERT INTO outbox (group_id, proposal, effect, created_at) VALUES (?, ?, ?, ?)
"""
DELIVERY_INSERT = """
    INSERT INTO deliveries (outbox_id, group_id, edit_card, target, status, next_attempt_at)
    VALUES (?, ?, ?, ?, 'pending', ?)
"""
# A reply to a gesture, held for the gesture's update key until the adapter
# confirms or releases it (schema 8): never sent while held.
DELIVERY_INSERT_HELD = """
    INSERT INTO deliveries
        (outbox_id, group_id, edit_card, target, status, next_attempt_at, erase_when_sent,
         held_for)
    VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)
"""
# Erased, with its message, once sent (a trigger of schema 3 does it): nothing
# that names a forgotten person stays after the last word to them.
DELIVERY_INSERT_ERASED = """
    INSERT INTO deliveries
        (outbox_id, group_id, edit_card, target, status, next_attempt_at, erase_when_sent)
    VALUES (?, ?, ?, ?, 'pending', ?, 1)
"""
SUPERSEDE = """
    UPDATE deliveries SET status = 'superseded'
    WHERE status = 'pending' AND group_id = ? AND edit_card = ? AND target = ?
"""
# INDEXED BY: without it SQLite may walk every delivery ever made in id order
# (to skip sorting) instead of the few that are pending. That index (partial,
# schema 5) holds only the pending deliveries, so walking it reads nothing else.
_PENDING = """
    SELECT d.id, d.group_id, d.target, o.effect, d.attempts, o.created_at, d.next_attempt_at
    FROM deliveries AS d INDEXED BY deliveries_pending JOIN outbox AS o ON o.id = d.outbox_id
    WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND d.held_for IS NULL
    ORDER BY d.id
    LIMIT ?
"""
# The same, leaving out chats that are being sent to already (a JSON array of targets).
_PENDING_ELSEWHERE = """
    SELECT d.id, d.group_id, d.target, o.effect, d.attempts, o.created_at, d.next_attempt_at
    FROM deliveries AS d INDEXED BY deliveries_pending JOIN outbox AS o ON o.id = d.outbox_id
    WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND d.held_for IS NULL
      AND d.target NOT IN (SELECT value FROM json_each(?))
    ORDER BY d.id
    LIMIT ?
"""
_NEXT_DUE = """
    SELECT min(next_attempt_at) FROM deliveries WHERE status = 'pending' AND held_for IS NULL
"""
# Shown another way (a pop-up; a reaction's tally): counts as delivered, never posted.
_CONFIRM_HELD = """
    UPDATE deliveries SET status = 'delivered', held_for = NULL
    WHERE held_for = ? AND status = 'pending'
"""
# Not shown another way: sent as any other delivery.
_RELEASE_HELD = "UPDATE deliveries SET held_for = NULL WHERE held_for = ?"
# At start: a hold the bot stopped before settling (a crash between the commit
# and the pop-up) is released, so the reply is posted as usual.
RELEASE_EVERY_HOLD = "UPDATE deliveries SET held_for = NULL WHERE held_for IS NOT NULL"
# A late report of success wins over "superseded": the message did go out.
_DELIVERED = """
    UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, platform_ref = ?
    WHERE id = ?
"""
_FAILED = """
    UPDATE deliveries SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?
    WHERE id = ?
"""


def delivery_key(instance: str, delivery_id: int) -> str:
    return f"dt-{instance}-{delivery_id}"


def _proposal_of(effect: Message) -> int | None:
    """The proposal a message is about, where the effect says so (for purges)."""
    if isinstance(effect, Post):
        return effect.card
    if isinstance(effect, EditCard | AskReason):
        return effect.number
    return None


def message_row(group_id: str, at: str, effect: Message) -> Row:
    """The parameters of :data:`OUTBOX_INSERT` for a message made at ``at`` (a stamp)."""
    return (group_id, _proposal_of(effect), rows.record_json(effect), at)


async def pending(db: Statements, instance: str, now: datetime, limit: int) -> list[Delivery]:
    found = await db.execute_fetchall(_PENDING, (rows.stamp(now), limit))
    return _deliveries(found, instance)


async def pending_elsewhere(
    db: Statements, instance: str, now: datetime, limit: int, busy: str
) -> list[Delivery]:
    """:func:`pending` without the targets in ``busy`` (a JSON array): they are never
    read, so never decoded, however many wait there."""
    found = await db.execute_fetchall(_PENDING_ELSEWHERE, (rows.stamp(now), busy, limit))
    return _deliveries(found, instance)


def _deliveries(found: Iterable[Any], instance: str) -> list[Delivery]:
    return [
        Delivery(
            id=id_,
            group_id=group_id,
            target=target,
            effect=rows.from_json(effect, Message),
            attempts=attempts,
            created_at=rows.moment(created_at),
            next_attempt_at=rows.moment(next_attempt_at),
            key=delivery_key(instance, id_),
        )
        for id_, group_id, target, effect, attempts, created_at, next_attempt_at in found
    ]


async def next_due(db: Statements) -> datetime | None:
    found = list(await db.execute_fetchall(_NEXT_DUE))
    return rows.moment_or_none(found[0][0]) if found else None


async def delivered(db: Statements, delivery_id: int, platform_ref: str | None) -> None:
    await db.execute(_DELIVERED, (platform_ref, delivery_id))


async def delivered_many(db: Statements, done: Sequence[tuple[int, str | None]]) -> None:
    await db.executemany(
        _DELIVERED, [(platform_ref, delivery_id) for delivery_id, platform_ref in done]
    )


async def confirm_held(db: Statements, held: Iterable[str]) -> None:
    await db.executemany(_CONFIRM_HELD, [(key,) for key in held])


async def release_held(db: Statements, held: Iterable[str]) -> None:
    await db.executemany(_RELEASE_HELD, [(key,) for key in held])


async def failed(db: Statements, delivery_id: int, error: str, retry_at: datetime) -> None:
    await db.execute(_FAILED, (error, rows.stamp(retry_at), delivery_id))
