"""Button presses fetched together are decided one after another and stored together.

One ``getUpdates`` answer may hold many presses. They are stored in one
transaction (one durable write), each with its own inbox entry, and answered
only after it; everything else in the batch keeps its place in the order.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot.app import Commit, StorageError, Submission
from bot.core.commands import Actor, Request
from tests.fakes.telegram import Action, CallbackQuery, FakeUser
from tests.telegram.conftest import World, joined

TEAM = "telegram:-100500"


async def consent_button(world: World) -> tuple[int, str]:
    await joined(world, "sam", "alex", "jo")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    card = await world.card(1)
    return card.message_id, next(b["callback_data"] for b in card.buttons if "Consent" in b["text"])


def queries(world: World, actions: Sequence[Action]) -> list[CallbackQuery]:
    found = []
    for action in actions:
        assert action.callback_query_id is not None
        found.append(world.tg.callback_queries[action.callback_query_id])
    return found


async def answers(world: World, pressed: list[CallbackQuery]) -> list[str]:
    return [(await world.tg.wait_for_answer(q.id)).text or "" for q in pressed]


def who_did_what(commits: Sequence[Commit]) -> list[str]:
    done = []
    for each in commits:
        command = each["command"]
        assert isinstance(command, Request)
        done.append(f"{command.actor.name}: {type(command.action).__name__}")
    return done


async def test_presses_fetched_together_are_stored_together_then_answered(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    message_id, consent = await consent_button(world)
    storage = world.running.storage
    batches: list[list[str]] = []
    commit_many = storage.commit_many

    async def recording(commits: Sequence[Commit], *, durable: bool = True) -> bool:
        # Nobody may have been told "recorded" before the commit.
        assert all(q.answer is None for q in pressed)
        batches.append(who_did_what(commits))
        return await commit_many(commits, durable=durable)

    monkeypatch.setattr(storage, "commit_many", recording)
    crowd = [world.sam, world.alex, world.jo]
    # Queued at once, so the bot fetches them in one batch.
    pressed = queries(
        world, [world.tg.press_button(world.team, who, message_id, consent) for who in crowd]
    )
    said = await answers(world, pressed)
    await world.settled()

    assert batches == [["Sam: Respond", "Alex: Respond", "Jo: Respond"]]
    assert [text.split(".")[0] for text in said] == [
        "Thank you, Sam",
        "Thank you, Alex",
        "Thank you, Jo",
    ]
    assert "✅ Consent 3" in ((await world.card(1)).text or "")


async def test_an_update_between_presses_keeps_its_place(world: World) -> None:
    message_id, consent = await consent_button(world)
    before = len(await world.running.storage.audit(TEAM))
    first = world.tg.press_button(world.team, world.alex, message_id, consent)
    world.tg.send_text(world.team, world.alex, "/object #1 Not this week")
    second = world.tg.press_button(world.team, world.alex, message_id, consent)
    third = world.tg.press_button(world.team, world.jo, message_id, consent)
    await answers(world, queries(world, [first, second, third]))
    await world.settled()

    audit = (await world.running.storage.audit(TEAM))[before:]
    done = [
        (a.command.actor.name, a.command.action) for a in audit if isinstance(a.command, Request)
    ]
    assert [(who, getattr(action, "word", "")) for who, action in done] == [
        ("Alex", "consent"),
        ("Alex", "object"),
        ("Alex", "consent"),
        ("Jo", "consent"),
    ]
    # Alex's objection came between his two presses, so his last word is consent.
    assert "✅ Consent 2" in ((await world.card(1)).text or "")


async def test_a_repeat_among_them_sends_them_one_by_one(world: World) -> None:
    await consent_button(world)
    await world.press(world.alex, await world.card(1), "Consent")
    seen = next(
        u["update_id"]
        for u in world.tg.updates
        if u.get("callback_query", {}).get("from", {}).get("id") == world.alex.id
    )
    storage = world.running.storage
    before = len(await storage.audit(TEAM))

    def submission(who: FakeUser, update_id: int) -> Submission:
        return Submission(
            chat=TEAM,
            actor=Actor(f"telegram:{who.id}", who.first_name),
            text="consent #1",
            group_id=TEAM,
            update_key=f"telegram:update:{update_id}",
        )

    # Telegram sends Alex's press again (say, after a restart), with Jo's new one.
    results = await world.running.app.submit_many(
        [submission(world.alex, seen), submission(world.jo, 999_999)]
    )
    assert [r.duplicate for r in results] == [True, False]
    assert len(await storage.audit(TEAM)) == before + 1
    await world.settled()
    assert "✅ Consent 2" in ((await world.card(1)).text or "")


async def test_a_batch_that_cannot_be_stored_is_not_answered_until_it_is(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    message_id, consent = await consent_button(world)
    storage = world.running.storage
    commit_many = storage.commit_many
    failed: list[bool] = []

    async def failing_once(commits: Sequence[Commit], *, durable: bool = True) -> bool:
        if not failed:
            failed.append(True)
            raise StorageError("the disk is full")
        return await commit_many(commits, durable=durable)

    monkeypatch.setattr(storage, "commit_many", failing_once)
    pressed = queries(
        world,
        [
            world.tg.press_button(world.team, who, message_id, consent)
            for who in (world.alex, world.jo)
        ],
    )
    await world.tg.wait_for(lambda: failed, what="the failed commit")
    assert all(q.answer is None for q in pressed)
    said = await answers(world, pressed)  # fetched again after a pause, then stored
    await world.settled()
    assert [text.split(".")[0] for text in said] == ["Thank you, Alex", "Thank you, Jo"]
    assert "✅ Consent 2" in ((await world.card(1)).text or "")


async def test_the_replies_their_pop_ups_showed_are_confirmed_in_one_write(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    message_id, consent = await consent_button(world)
    storage = world.running.storage
    writes: list[list[int]] = []
    confirmed: list[tuple[str, ...]] = []
    delivered, delivered_many = storage.delivered, storage.delivered_many
    confirm_held = storage.confirm_held

    async def one(delivery_id: int, platform_ref: str | None = None) -> None:
        writes.append([delivery_id])
        await delivered(delivery_id, platform_ref)

    async def several(done: Sequence[tuple[int, str | None]]) -> None:
        writes.append([delivery_id for delivery_id, _ref in done])
        await delivered_many(done)

    async def confirm(*held: str) -> None:
        confirmed.append(held)
        await confirm_held(*held)

    monkeypatch.setattr(storage, "delivered", one)
    monkeypatch.setattr(storage, "delivered_many", several)
    monkeypatch.setattr(storage, "confirm_held", confirm)
    crowd = [world.alex, world.jo]  # Sam, who proposed, does not: nothing passes early
    pressed = queries(
        world, [world.tg.press_button(world.team, who, message_id, consent) for who in crowd]
    )
    await answers(world, pressed)
    edits = len(world.tg.calls_to("editMessageText"))
    before = world.last_id()
    await world.settled()

    # Two thank-yous, held and shown in the pop-ups: confirmed together in one write,
    # never given to the delivery loop; the card's one edit (the one before it was
    # superseded) is the only delivery sent and marked.
    assert [len(held) for held in confirmed] == [2]
    assert len(world.tg.calls_to("editMessageText")) == edits + 1
    assert [len(ids) for ids in writes] == [1]
    assert world.said(after=before) == []
    assert await storage.pending_deliveries(world.running.clock.now()) == []
