"""The same update again, and updates out of order: nothing changes beyond the first.

Telegram sends an update again until it hears the bot took it (a webhook answered
late, a poll not confirmed before a crash), and nothing in the protocol stops two
updates from being handled in another order than people made them. Each update is
keyed by its id in the inbox, so a repeat is dropped whole; the core only ever
learns, never forgets, from who it sees, so order does not change who is a member.

The messages the bot sends are a different matter: a Matrix send carries an
idempotency key, a Telegram send has none. The last two tests show the difference.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import nio

from bot.app import Delivery
from bot.core.document import doc
from bot.core.effects import Post
from tests.fakes.telegram import FaultKind
from tests.matrix.bot import Bots
from tests.matrix.people import People
from tests.reliability.conftest import WEBHOOK_SECRET
from tests.reliability.webhook import post
from tests.telegram.conftest import World, joined

TEAM = "telegram:-100500"


async def audit_size(world: World) -> int:
    return len(await world.running.storage.audit(TEAM))


async def accepted(world: World, update_id: int) -> None:
    """Wait until Telegram's own post of ``update_id`` to the webhook was accepted."""
    await world.tg.wait_for(
        lambda: any(a.update_id == update_id and a.accepted for a in world.tg.webhook_attempts),
        what=f"update {update_id} taken by the webhook",
    )
    await world.running.settle()


async def test_a_message_a_press_and_a_join_each_three_times_count_once(hooked: World) -> None:
    world = hooked
    await joined(world, "sam", "alex")
    proposal = world.tg.send_text(world.team, world.sam, "/propose Buy a new kettle\nin 3 days")
    await accepted(world, proposal.update_id)
    for _ in range(2):  # Telegram sends it again, twice
        assert await post(world, proposal.update, WEBHOOK_SECRET) == 200
    await world.running.settle()
    recorded = await audit_size(world)
    cards = [t for t in world.said() if t.startswith("Proposal #")]
    assert cards == [cards[0]] and cards[0].startswith("Proposal #1: Buy a new kettle")

    card = await world.card(1)
    consent = next(b["callback_data"] for b in card.buttons if "Consent" in b["text"])
    press = world.tg.press_button(world.team, world.alex, card.message_id, consent)
    assert press.callback_query_id is not None
    answer = await world.tg.wait_for_answer(press.callback_query_id)
    await accepted(world, press.update_id)
    for _ in range(2):
        assert await post(world, press.update, WEBHOOK_SECRET) == 200
    await world.running.settle()
    assert (answer.text or "").startswith("Thank you, Alex. Your response to #1 is recorded")
    assert await audit_size(world) == recorded + 1
    assert "✅ Consent 1 ·" in ((await world.card(1)).text or "")

    kim = world.tg.user(1004, "Kim")
    joining = world.tg.join(world.team, kim)
    for update in joining.updates:
        await accepted(world, update["update_id"])
    for _ in range(2):
        for update in joining.updates:
            assert await post(world, update, WEBHOOK_SECRET) == 200
    await world.running.settle()
    group = await world.running.app.group(TEAM)
    assert group is not None
    assert [m.name for m in group.members.values()] == ["Sam", "Alex", "Kim"]
    assert world.said().count("Welcome, Kim. You are now a member of this group.") == 1
    assert await audit_size(world) == recorded + 2


async def test_a_press_before_the_join_that_taught_the_roster_counts_once(world: World) -> None:
    await joined(world, "sam", "alex")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    kim = world.tg.user(1004, "Kim")
    # Kim has joined, but her press is handled before the update saying so: Telegram
    # vouches that she is in the chat, so pressing there makes her a member.
    world.tg.set_member_status(world.team, kim, "member")
    popup = await world.press(kim, await world.card(1), "Consent")
    assert (popup.text or "").startswith("Thank you, Kim. Your response to #1 is recorded")
    before = world.last_id()
    world.tg.join(world.team, kim)  # the join, late: it has nothing left to teach
    await world.settled()
    assert world.said(after=before) == []
    group = await world.running.app.group(TEAM)
    assert group is not None
    assert [(m.name, m.active) for m in group.members.values()] == [
        ("Sam", True),
        ("Alex", True),
        ("Kim", True),
    ]
    round_ = group.proposals[1].round
    assert round_ is not None and len(round_.history) == 1
    assert "✅ Consent 1 ·" in ((await world.card(1)).text or "")


async def test_a_private_response_before_the_join_is_refused_and_changes_nothing(
    world: World,
) -> None:
    await joined(world, "sam", "alex")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    kim = world.tg.user(1004, "Kim")
    recorded = await audit_size(world)
    await world.say(kim, "/consent #1", chat=kim.id)
    assert world.said(kim.id) == [
        "I don't know you yet. Please say join in your group's chat first."
    ]
    assert await audit_size(world) == recorded
    world.tg.join(world.team, kim)
    await world.settled()
    await world.say(kim, "/consent #1")
    assert "✅ Consent 1 ·" in ((await world.card(1)).text or "")


async def test_an_edit_of_a_card_never_overtakes_the_post_of_the_card(world: World) -> None:
    await joined(world, "sam", "alex")
    world.tg.fail_next("sendMessage", FaultKind.SERVER_ERROR)  # the card's post fails
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    await world.say(world.alex, "/consent #1")  # an edit of the card, waiting behind its post
    assert world.tg.calls_to("editMessageText") == []
    assert not [t for t in world.said() if t.startswith("Proposal #1")]

    await world.running.wait(timedelta(seconds=2))  # the post's turn again
    cards = [
        m for m in world.tg.bot_messages(world.team) if (m.text or "").startswith("Proposal #1")
    ]
    assert len(cards) == 1
    assert "✅ Consent 1 ·" in (cards[0].text or "")
    sends = [c for c in world.tg.calls if c.method in ("sendMessage", "editMessageText") and c.ok]
    first_card = next(
        i for i, c in enumerate(sends) if c.result["message_id"] == cards[0].message_id
    )
    assert all(c.method == "sendMessage" for c in sends[:first_card])


async def test_a_telegram_send_whose_answer_was_lost_shows_twice(world: World) -> None:
    """Telegram has no idempotency key: a message posted whose answer never came back
    is posted again. At least once, never lost — and now and then, twice."""
    await joined(world, "sam")
    world.tg.fail_next("sendMessage", FaultKind.DROP, after_processing=True)
    before = world.last_id()
    await world.say(world.sam, "/status")
    await world.running.wait(timedelta(seconds=2))
    said = world.said(after=before)
    assert len(said) == 2 and said[0] == said[1]


async def test_a_matrix_send_repeated_with_its_key_shows_once(people: People, bots: Bots) -> None:
    """The delivery's key is the Matrix transaction id: sending again after a crash or a
    lost answer gives back the event the homeserver already made."""
    alice = await people.new("alice")
    bot = await bots.new(allowed_inviters=(alice.user_id,))
    room = await alice.create_room(name="Care team")
    await bot.invite(alice, room)
    assert bot.adapter is not None
    now = datetime.now(UTC)
    delivery = Delivery(
        id=1,
        group_id=f"matrix:{room}",
        target=f"matrix:{room}",
        effect=Post(doc("Only once, however often it is sent.")),
        attempts=0,
        created_at=now,
        next_attempt_at=now,
        key="dt-reliability-1",
    )
    first = await bot.adapter.deliver(delivery)
    again = await bot.adapter.deliver(delivery)
    assert first is not None and again == first
    await alice.wait_for_message(room, "Only once", sender=bot.user_id)
    await alice.sync()
    copies = [
        e
        for e in alice.timelines[room]
        if isinstance(e, nio.RoomMessageText) and e.body.startswith("Only once")
    ]
    assert [e.event_id for e in copies] == [first]
