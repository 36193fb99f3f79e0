"""A command's whole transaction, planned on the event loop and written in one go.

Every call on the connection is a round trip to its own thread (tens to
hundreds of microseconds, more when the event loop is busy), and a commit used
to make a dozen of them. Here the commit is split in two:

* :func:`plan` (pure, on the event loop) turns the command's result into rows:
  the group's changes, the audit entry, the timers and the outbox messages,
  all encoded. A value that cannot be stored (a naive time) fails here, before
  anything is written.
* :func:`write` (synchronous, on the connection's worker thread) runs the
  whole transaction over the plain ``sqlite3`` connection: the inbox check,
  the writes, ``COMMIT``. One round trip per commit, however many rows.

Statements are constant strings, so the connection's statement cache prepares
each one once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime

from bot.app import Outgoing, Remember
from bot.core.commands import Command
from bot.core.effects import CancelTimer, EditCard, Forget, SetTimer
from bot.core.forgetting import private_chats
from bot.core.model import Group
from storage import changes, forgetting, outbox, rows, timers
from storage.rows import Row

INBOX_INSERT = "INSERT OR IGNORE INTO inbox (update_key, group_id, at) VALUES (?, ?, ?)"
AUDIT_INSERT = "INSERT INTO audit (group_id, at, command, summary) VALUES (?, ?, ?, ?)"
# An adapter's memory: the value replaced, the person it is about kept once given.
KV_UPSERT = (
    "INSERT INTO kv (key, value, about) VALUES (?, ?, ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
    "about = coalesce(excluded.about, kv.about)"
)


class AlreadySeen(Exception):
    """The update was stored before, or the timer fired is no longer due: roll
    back, change nothing."""


class StaleState(Exception):
    """The group is not at the version the commit started from, or an update that
    must find its row found none: ``before`` is not what is stored."""


@dataclass(frozen=True, slots=True)
class Message:
    """One outbox row and the chats it goes to."""

    row: Row  # (group_id, proposal, effect JSON, created_at)
    edit_card: int | None  # the card number, for an edit (older pending edits are superseded)
    targets: tuple[str, ...]
    # The answer to a forgetme in the person's private chat: gone once sent.
    erase_when_sent: bool = False
    # The update key of the gesture it answers, when held for it (see ``storage.outbox``).
    held_for: str | None = None


# What happens after the group's rows, in the order the core said it:
# a timer set or cancelled, a message for the outbox, or a person forgotten.
Step = tuple[str, Row] | Message | Forget


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything one commit writes, encoded and in order."""

    group_id: str
    at: str
    update_key: str | None
    fired_timer: Row | None  # parameters of timers.FIRE
    version: int | None  # the stored version ``before`` is at; None: not checked
    writes: changes.Writes
    audit: Row
    steps: tuple[Step, ...]
    remember: tuple[Row, ...] = ()  # the adapter's memory: (key, value, about)

    @property
    def forgets(self) -> bool:
        """Whether the commit erases a person (see ``storage.forgetting``)."""
        return any(isinstance(step, Forget) for step in self.steps)


def plan(
    *,
    group_before: Group | None,
    group_after: Group,
    command: Command,
    now: datetime,
    summary: str,
    outgoing: Sequence[Outgoing],
    update_key: str | None,
    fired_timer: str | None,
    version: int | None = None,
    remember: Sequence[Remember] = (),
) -> Plan:
    """Encode a command's result as rows (pure; raises before anything is written)."""
    gid = group_after.id
    at = rows.stamp(now)
    steps: list[Step] = []
    forgotten: frozenset[str] = frozenset()  # private chats of a person forgotten just now
    for item in outgoing:
        effect = item.effect
        if isinstance(effect, SetTimer):
            steps.append((timers.SET, timers.timer_row(gid, effect)))
        elif isinstance(effect, CancelTimer):
            steps.append((timers.CANCEL, (gid, effect.key)))
        elif isinstance(effect, Forget):
            steps.append(effect)
            forgotten = forgotten | private_chats(effect)
        else:
            edit_card = effect.number if isinstance(effect, EditCard) else None
            row = outbox.message_row(gid, at, effect)
            erase = not forgotten.isdisjoint(item.targets)
            held_for = update_key if item.held else None
            steps.append(Message(row, edit_card, item.targets, erase, held_for))
    return Plan(
        group_id=gid,
        at=at,
        update_key=update_key,
        fired_timer=None if fired_timer is None else (at, gid, fired_timer),
        version=version,
        writes=changes.group_writes(group_before, group_after),
        audit=(gid, at, rows.record_json(command), summary),
        steps=tuple(steps),
        remember=tuple((r.key, r.value, r.about) for r in remember),
    )


def write(db: sqlite3.Connection, plans: Sequence[Plan]) -> None:
    """Run planned commands on ``db`` (in autocommit mode), in order, as one
    transaction: all of it, or nothing.

    Usually one command; a batch of button presses is several, each planned
    on the state the one before it leaves. Raises :class:`AlreadySeen` when an
    update was stored before (then nothing is stored: each plan builds on the
    one before it, so one cannot be left out), :class:`StaleState` when a
    ``before`` was not what is stored, ``sqlite3.Error`` on a database
    failure; in each case the transaction is rolled back. IMMEDIATE takes the
    write lock at the start, so it never fails half-way because another
    process started writing first."""
    # One cursor for every statement: ``Connection.execute`` makes a new one each time.
    cursor = db.cursor()
    cursor.execute("BEGIN IMMEDIATE")
    try:
        for plan in plans:
            _write(cursor, plan)
        cursor.execute("COMMIT")
    except BaseException:
        # Some errors (a full disk, an I/O error) make SQLite roll back by itself.
        if db.in_transaction:
            with suppress(sqlite3.Error):  # the original error is the one worth reporting
                db.execute("ROLLBACK")
        raise


def _write(db: sqlite3.Cursor, plan: Plan) -> None:
    inbox = (plan.update_key, plan.group_id, plan.at)
    if plan.update_key is not None and db.execute(INBOX_INSERT, inbox).rowcount == 0:
        raise AlreadySeen
    # Before the effects: firing may set the same key again (a weekly digest). A timer
    # fired, cancelled or moved since it was found due is not fired.
    if plan.fired_timer is not None and db.execute(timers.FIRE, plan.fired_timer).rowcount == 0:
        raise AlreadySeen
    # Before any write: another writer's commit since ``before`` was read means the
    # command was decided on an old state. The usual case, a stored group, is one
    # statement: the version moves on only from the one the command was decided on.
    group = (plan.group_id,)
    if plan.version:
        if db.execute(changes.GROUP_VERSION_NEXT, (*group, plan.version)).rowcount == 0:
            raise StaleState
    elif plan.version == 0 and db.execute(changes.GROUP_STORED, group).fetchone() is not None:
        raise StaleState  # not stored yet when read, stored since
    for statement, batch in plan.writes:
        if len(batch) == 1:
            found = db.execute(statement, batch[0]).rowcount
        else:
            found = db.executemany(statement, batch).rowcount
        if statement in changes.MUST_FIND and found != len(batch):
            raise StaleState
    if not plan.version:  # a new group (its row made at 0 just now), or not checked
        db.execute(changes.GROUP_VERSION_MOVE_ON, group)
    db.execute(AUDIT_INSERT, plan.audit)
    # Before the steps: a person forgotten by this very command is forgotten in it too.
    if plan.remember:
        db.executemany(KV_UPSERT, plan.remember)
    for step in plan.steps:
        if isinstance(step, Message):
            _store_message(db, plan.group_id, plan.at, step)
        elif isinstance(step, Forget):
            # After the audit entry: the forgetme's own entry is redacted too.
            forgetting.erase(db, plan.group_id, plan.at, step)
        else:
            db.execute(*step)


def _store_message(db: sqlite3.Cursor, gid: str, at: str, message: Message) -> None:
    """One outbox row and a delivery per target, due now."""
    outbox_id = db.execute(outbox.OUTBOX_INSERT, message.row).lastrowid
    targets, card = message.targets, message.edit_card
    if message.held_for is not None:
        # A reply to a gesture (never an edit: nothing to supersede).
        held = (int(message.erase_when_sent), message.held_for)
        db.executemany(
            outbox.DELIVERY_INSERT_HELD,
            [(outbox_id, gid, card, t, at, *held) for t in targets],
        )
        return
    insert = outbox.DELIVERY_INSERT_ERASED if message.erase_when_sent else outbox.DELIVERY_INSERT
    if len(targets) == 1:
        # The usual case (one chat): no executemany and no list to build.
        if card is not None:
            db.execute(outbox.SUPERSEDE, (gid, card, targets[0]))
        db.execute(insert, (outbox_id, gid, card, targets[0], at))
        return
    if card is not None:
        db.executemany(outbox.SUPERSEDE, [(gid, card, target) for target in targets])
    db.executemany(insert, [(outbox_id, gid, card, t, at) for t in targets])
