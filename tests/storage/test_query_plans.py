"""A command's cost must not grow with the number of other groups: every
statement a command, a load or an adapter's lookup runs finds its rows
through an index, never by scanning a whole table.

One read spans the groups by design: the delivery loop asks for every pending
delivery, in order. It walks the index of the pending deliveries, which holds
them and nothing else (delivered and superseded ones leave it)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.app import Outgoing
from bot.core.commands import DeadlineDue
from bot.core.document import doc
from bot.core.effects import EditCard, SetTimer
from bot.core.model import ResponseRecord
from storage import SqliteStorage

from .examples import at, commit, rich_group, with_response

pytestmark = pytest.mark.sqlite_only("SQLite's query planner and its indexes")


async def test_commands_loads_and_lookups_never_scan_a_table(
    storage: SqliteStorage, db_path: Path
) -> None:
    one, two = rich_group("g1"), rich_group("g2")
    await commit(
        storage, None, one, outgoing=(Outgoing(SetTimer("d:2", at(2), DeadlineDue(2, 0))),)
    )
    await commit(storage, None, two)

    executed: list[str] = []
    # The storage's own connection: the trace shows each statement with its values bound.
    await storage._db.run(sqlite3.Connection.set_trace_callback, executed.append)
    after = with_response(one, 2, ResponseRecord(3, None, "vote", "", at(0.1), choices=(2,)))
    edit = Outgoing(EditCard(2, doc("tally")), ("telegram:-100g1",))
    assert await commit(
        storage, one, after, outgoing=(edit, edit), update_key="u:1", fired_timer="d:2", now=at(2)
    )
    await storage.load_group("g1")
    await storage.read_group("g1")
    await storage.read_proposals("g1", [3])
    await storage.read_proposals("g1")
    await storage.seen_update("u:1")
    await storage.group_for_chat("telegram:-100g1")
    await storage.groups_for_identity("telegram:101")
    await storage.group_with_link_code("K3Y-42")
    await storage.due_timers(at(9))
    await storage.next_timer_due()
    (delivery,) = await storage.pending_deliveries(at(2))
    assert await storage.pending_deliveries_elsewhere(at(2), 10, {delivery.target}) == []
    await storage.next_delivery_due()
    await storage.delivery_failed(delivery.id, "timeout", at(2))
    await storage.delivered(delivery.id, "m1")
    await storage.save_card_message("g1", 2, "telegram:-100g1", "m1")
    await storage.card_messages("g1", 2)
    await storage.card_for_message("telegram:-100g1", "m1")
    await storage.action_for_token(await storage.action_token("g1", "consent #2"))
    await storage.set_value("k", "v")
    await storage.get_value("k")
    await storage.audit("g1")

    statements = [s for s in executed if not s.startswith(("BEGIN", "COMMIT", "PRAGMA"))]
    assert len(statements) > 30
    with closing(sqlite3.connect(db_path)) as db:
        plans = {
            statement: [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + statement)]
            for statement in statements
        }
        (pending_index,) = db.execute(
            "SELECT sql FROM sqlite_schema WHERE name = 'deliveries_pending'"
        ).fetchone()
    assert pending_index.endswith("WHERE status = 'pending'")  # only the pending ones
    scans = {
        statement: plan
        for statement, plan in plans.items()
        if any(step.startswith("SCAN") and not _walks_what_it_asked_for(step) for step in plan)
    }
    assert scans == {}
    assert any(_PENDING_ONLY in plan for plan in plans.values())


_PENDING_ONLY = "SCAN d USING INDEX deliveries_pending"


def _walks_what_it_asked_for(step: str) -> bool:
    """The pending deliveries' own index, or the list of chats given as a parameter."""
    return step == _PENDING_ONLY or step.startswith("SCAN json_each VIRTUAL TABLE")
