"""Purging closed proposals after the retention period."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.app import Outgoing, Pruned
from bot.core.commands import Actor, Propose, Request, Respond, ReviewDue
from bot.core.document import doc
from bot.core.effects import DirectMessage, EditCard, Post, Reply, SetTimer
from bot.core.model import Group, LogEntry, Stage
from storage import SqliteStorage
from storage.purge import PURGED
from tests.backends import Database

from .examples import at, commit, rich_group, say

CHAT = ("telegram:-100g1",)


async def test_purge_deletes_ended_proposals_with_everything_in_them(
    storage: SqliteStorage, database: Database
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
    counts = database.row_counts()
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


async def test_a_decision_with_something_still_to_do_is_kept_until_it_is_done(
    storage: SqliteStorage,
) -> None:
    group = rich_group()  # #1 ended at day -5, #3 at day -1
    decision = group.proposals[1]
    first, second = decision.actions
    undone = group.with_proposal(replace(decision, actions=(first, replace(second, done_at=None))))
    await commit(storage, None, undone)
    assert await storage.purge_closed(at(0)) == 1  # #3 only: #1.2 is still to do
    stored = await storage.load_group("g1")
    assert stored is not None and sorted(stored.proposals) == [1, 2, 4]
    await commit(storage, stored, stored.with_proposal(decision))  # #1.2 is done
    assert await storage.purge_closed(at(0)) == 1
    stored = await storage.load_group("g1")
    assert stored is not None and sorted(stored.proposals) == [2, 4]


# -- pruning what is no longer needed -------------------------------------------------------


def _keys(database: Database) -> list[str]:
    return [key for (key,) in database.rows("SELECT update_key FROM inbox ORDER BY 1")]


async def test_sent_messages_go_a_week_on_and_waiting_ones_stay(
    storage: SqliteStorage, database: Database
) -> None:
    group = rich_group()
    sent, waiting = Post(doc("Sent long ago")), Post(doc("Still waiting"))
    superseded = EditCard(2, doc("#2, an old tally"))
    await commit(storage, None, group, outgoing=(
        Outgoing(sent, CHAT), Outgoing(waiting, CHAT), Outgoing(superseded, CHAT),
    ), now=at(-10))  # fmt: skip
    await commit(storage, group, group, outgoing=(Outgoing(EditCard(2, doc("#2 now")), CHAT),),
                 now=at(-1))  # fmt: skip
    for delivery in await storage.pending_deliveries(at(0)):
        if delivery.effect == sent:
            await storage.delivered(delivery.id, "41")
    assert await storage.prune(at(-7)) == Pruned(messages=2, updates=0)
    assert [d.effect for d in await storage.pending_deliveries(at(0))] == [
        waiting, EditCard(2, doc("#2 now")),
    ]  # fmt: skip
    assert database.row_counts()["outbox"] == 2 and database.row_counts()["deliveries"] == 2
    # A new message never takes an old one's delivery key.
    await commit(storage, group, group, outgoing=(Outgoing(Post(doc("New")), CHAT),))
    keys = [d.key for d in await storage.pending_deliveries(at(0))]
    assert len(set(keys)) == 3 and keys[-1].endswith("-5")


async def test_an_update_key_goes_only_once_its_platform_has_moved_a_day_past_it(
    storage: SqliteStorage, database: Database
) -> None:
    group = rich_group()
    await commit(storage, None, group, update_key="telegram:update:1", now=at(-30))
    await commit(storage, group, group, update_key="matrix:$old", now=at(-30))
    await commit(storage, group, group, update_key="telegram:update:2", now=at(-20))
    await commit(storage, group, group, update_key="telegram:update:3", now=at(-19.5))
    # Matrix has been quiet since: its last event may still come again (its sync
    # token is saved after the event is stored), so its key stays however old.
    assert await storage.prune(at(-7)) == Pruned(messages=0, updates=1)
    assert _keys(database) == ["matrix:$old", "telegram:update:2", "telegram:update:3"]
    assert not await storage.commit(
        group_before=group, group_after=group, command=say(), now=at(0),
        summary="again", outgoing=(), update_key="telegram:update:2",
    )  # fmt: skip
    await commit(storage, group, group, update_key="matrix:$new", now=at(-1))
    assert await storage.prune(at(-7)) == Pruned(messages=0, updates=1)
    assert _keys(database) == ["matrix:$new", "telegram:update:2", "telegram:update:3"]


# -- the audit log: one purge of words per entry --------------------------------------------


@pytest.mark.parametrize("first", ["redaction", "purge"])
async def test_an_entry_may_lose_its_words_once_and_its_person_once_in_either_order(
    storage: SqliteStorage, database: Database, first: str
) -> None:
    await commit(storage, None, rich_group())
    changes = {
        "redaction": "UPDATE audit SET summary = 'by a former member', redacted_at = 'then'",
        "purge": "UPDATE audit SET command = '{}', purged_at = 'then'",
    }
    second = "purge" if first == "redaction" else "redaction"
    with database.connection() as execute:
        execute(changes[first])
        with pytest.raises(database.refused, match="append-only"):
            execute(changes[first].replace("then", "later"))
        execute(changes[second])
        for again in changes.values():
            with pytest.raises(database.refused, match="append-only"):
                execute(again.replace("then", "later"))
        with pytest.raises(database.refused, match="append-only"):
            execute("UPDATE audit SET purged_at = NULL")
        with pytest.raises(database.refused, match="append-only"):
            execute("UPDATE audit SET at = 'earlier', purged_at = 'now'")


async def test_purging_takes_the_words_out_of_the_entries_about_the_proposal_only(
    storage: SqliteStorage,
) -> None:
    group = rich_group()  # #1 ended at day -5; its first version was made at day -10
    sam = Actor("telegram:101", "Sam")
    about_1 = [
        Request(sam, CHAT[0], Propose("Move the morning visit to 10:00", "From Monday.")),
        Request(sam, CHAT[0], Respond(1, "object", "Clashes with my school run.")),
        Request(sam, CHAT[0], Respond(None, "concern", "Mum prefers 9:30.")),  # made #1's at -8
    ]
    others = [
        Request(sam, CHAT[0], Respond(2, "concern", "Too early for me.")),
        Request(sam, CHAT[0], Respond(None, "concern", "Said in reply, to #2.")),
    ]
    when = [at(-10), at(-8.5), at(-8), at(-8.5), at(-3)]
    before: Group | None = None
    for command, moment in zip([*about_1, *others], when, strict=True):
        await storage.commit(group_before=before, group_after=group, command=command, now=moment,
                             summary="Respond by telegram:101", outgoing=())  # fmt: skip
        before = group
    assert await storage.purge_closed(at(-2)) == 1
    entries = await storage.audit("g1")
    assert [e.command for e in entries] == [
        Request(sam, CHAT[0], Propose(PURGED, PURGED)),
        Request(sam, CHAT[0], Respond(1, "object", PURGED)),
        Request(sam, CHAT[0], Respond(None, "concern", PURGED)),
        *others,
    ]
    assert [e.summary for e in entries] == ["Respond by telegram:101"] * 5


async def test_a_purge_leaves_the_messages_of_a_proposal_that_shares_its_words(
    storage: SqliteStorage,
) -> None:
    group = rich_group()  # #1 ended at day -5; #2, which stays, is reopened from it
    title = group.proposals[1].version.title
    reopened = replace(group.proposals[2], versions=(
        replace(group.proposals[2].versions[0], title=title),
    ))  # fmt: skip
    group = group.with_proposal(reopened)
    about_1 = Reply(CHAT[0], doc(f"History of #1: {group.proposals[1].version.details}"))
    about_2 = Post(doc(f"Reopened as #2: {title}"))
    await commit(storage, None, group, outgoing=(Outgoing(about_1, CHAT), Outgoing(about_2, CHAT)))
    assert await storage.purge_closed(at(-2)) == 1
    assert [d.effect for d in await storage.pending_deliveries(at(0))] == [about_2]
