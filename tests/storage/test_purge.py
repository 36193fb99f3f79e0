"""Purging closed proposals after the retention period."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.core.commands import ReviewDue
from bot.core.document import doc
from bot.core.effects import DirectMessage, EditCard, Post, SetTimer
from bot.core.model import LogEntry, Stage
from storage import SqliteStorage
from storage.interface import Outgoing

from .examples import at, commit, rich_group, row_counts

CHAT = ("telegram:-100g1",)


async def test_purge_deletes_ended_proposals_with_everything_in_them(
    storage: SqliteStorage, db_path: Path
) -> None:
    group = rich_group()
    await commit(storage, None, group, outgoing=(
        Outgoing(Post(doc("#1"), card=1), CHAT), Outgoing(EditCard(1, doc("#1 agreed")), CHAT),
        Outgoing(Post(doc("#2"), card=2), CHAT),
        Outgoing(DirectMessage(2, "Mum", (), doc("A note")), ("dm:telegram:9",)),
        Outgoing(SetTimer("review:1", at(25), ReviewDue(1))),
    ))  # fmt: skip
    await storage.save_card_message("g1", 1, CHAT[0], "41")
    await storage.save_card_message("g1", 2, CHAT[0], "42")

    # #1 ended at day -5 and #3 at day -1; #2 is open and #4 a draft.
    assert await storage.purge_closed(at(-2)) == 1
    remaining = dict(group.proposals)
    del remaining[1]
    assert await storage.load_group("g1") == replace(group, proposals=remaining)
    assert await storage.card_messages("g1", 1) == {}
    assert await storage.card_for_message(CHAT[0], "42") == ("g1", 2)
    assert await storage.due_timers(at(30)) == []
    assert [d.effect for d in await storage.pending_deliveries(at(0))] == [
        Post(doc("#2"), card=2), DirectMessage(2, "Mum", (), doc("A note")),
    ]  # fmt: skip
    counts = row_counts(db_path)
    assert counts["audit"] == 1  # the record of commands is kept
    assert counts["versions"] == 3 and counts["questions"] == 0 and counts["answers"] == 0

    assert await storage.purge_closed(at(0)) == 1
    assert sorted((await storage.load_group("g1") or group).proposals) == [2, 4]
    assert await storage.purge_closed(at(0)) == 0


async def test_without_an_outcome_a_proposal_ends_with_its_last_log_entry(
    storage: SqliteStorage,
) -> None:
    group = rich_group()
    draft = group.proposals[4]
    withdrawn = replace(draft, stage=Stage.WITHDRAWN, log=(LogEntry(at(3), 2, "withdrawn"),))
    await commit(storage, None, group.with_proposal(withdrawn))
    assert await storage.purge_closed(at(2)) == 2  # #1 and #3, not the withdrawn #4
    assert await storage.purge_closed(at(3.5)) == 1
