"""The outbox: a delivery per target, card edits coalesced, retries kept."""

from __future__ import annotations

from pathlib import Path

from bot.app import Outgoing
from bot.core.commands import DeadlineDue
from bot.core.document import doc
from bot.core.effects import DirectMessage, EditCard, Post, SetTimer
from storage import SqliteStorage

from .examples import NOW, at, commit, rich_group

CHATS = ("telegram:-100g1", "matrix:!g1:example.org")


def edit(text: str, number: int = 2, targets: tuple[str, ...] = CHATS) -> Outgoing:
    return Outgoing(EditCard(number, doc(text)), targets)


async def test_each_target_gets_its_own_delivery(storage: SqliteStorage) -> None:
    group = rich_group()
    card = Post(doc("Proposal #2"), card=2)
    nudge = DirectMessage(3, "Priya", ("telegram:103",), doc("Please respond to #2"))
    await commit(storage, None, group, outgoing=(
        Outgoing(card, CHATS), Outgoing(nudge, ("dm:telegram:103",)),
        Outgoing(SetTimer("deadline:2", at(2), DeadlineDue(2, 0))),
    ))  # fmt: skip
    pending = await storage.pending_deliveries(NOW)
    assert [(d.target, d.effect) for d in pending] == [
        (CHATS[0], card), (CHATS[1], card), ("dm:telegram:103", nudge),
    ]  # fmt: skip
    assert all(d.group_id == "g1" and d.attempts == 0 and d.created_at == NOW for d in pending)
    keys = [d.key for d in pending]
    assert len(set(keys)) == 3 and all(k.startswith("dt-") and len(k) < 40 for k in keys)
    assert await storage.next_delivery_due() == NOW


async def test_only_the_latest_card_edit_is_delivered(storage: SqliteStorage) -> None:
    group = rich_group()
    await commit(storage, None, group, outgoing=(edit("1 response"),))
    await commit(storage, group, group, outgoing=(edit("2 responses"),))
    await commit(storage, group, group, outgoing=(edit("other card", number=1),))
    await commit(storage, group, group, outgoing=(edit("3 responses", targets=CHATS[:1]),))
    pending = [(d.target, d.effect) for d in await storage.pending_deliveries(at(1))]
    assert pending == [
        (CHATS[1], EditCard(2, doc("2 responses"))),
        (CHATS[0], EditCard(1, doc("other card"))),
        (CHATS[1], EditCard(1, doc("other card"))),
        (CHATS[0], EditCard(2, doc("3 responses"))),
    ]


async def test_an_edit_does_not_supersede_the_card_post(storage: SqliteStorage) -> None:
    group = rich_group()
    await commit(storage, None, group, outgoing=(Outgoing(Post(doc("#2"), card=2), CHATS),))
    await commit(storage, group, group, outgoing=(edit("tally"),))
    assert len(await storage.pending_deliveries(at(1))) == 4


async def test_delivered_and_failed_and_retried(storage: SqliteStorage) -> None:
    group = rich_group()
    await commit(storage, None, group, outgoing=(Outgoing(Post(doc("Hello")), CHATS),))
    first, second = await storage.pending_deliveries(NOW)
    await storage.delivered(first.id, platform_ref="message:55")
    await storage.delivery_failed(second.id, "429: retry after 30", at(0.01))

    assert await storage.pending_deliveries(NOW) == []
    assert await storage.next_delivery_due() == at(0.01)
    (retry,) = await storage.pending_deliveries(at(0.01))
    assert retry.id == second.id and retry.attempts == 1 and retry.key == second.key
    assert retry.next_attempt_at == at(0.01)

    await storage.delivered(retry.id)
    assert await storage.pending_deliveries(at(1)) == []
    assert await storage.next_delivery_due() is None


async def test_a_message_without_targets_is_kept_but_goes_nowhere(
    storage: SqliteStorage,
) -> None:
    await commit(storage, None, rich_group(), outgoing=(Outgoing(Post(doc("Hello"))),))
    assert await storage.pending_deliveries(at(1)) == []


async def test_two_database_files_never_make_the_same_key(tmp_path: Path) -> None:
    keys = []
    for name in ("one.db", "two.db"):
        storage = await SqliteStorage.open(tmp_path / name)
        await commit(storage, None, rich_group(), outgoing=(Outgoing(Post(doc("Hi")), CHATS),))
        keys.append((await storage.pending_deliveries(NOW))[0].key)
        await storage.close()
    assert keys[0] != keys[1]
