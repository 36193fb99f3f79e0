"""Chats change under the bot: a group becomes a supergroup, the bot is removed, the bot is down."""

from __future__ import annotations

from datetime import timedelta

import telegram

from tests.fakes.telegram import FakeChat
from tests.telegram.conftest import World, joined

FAMILY = -4001  # a basic group: it may become a supergroup


async def family(world: World) -> FakeChat:
    chat = world.tg.group(FAMILY, "Family", members=[world.sam, world.alex])
    await world.say(world.sam, "/join", chat=chat)
    await world.say(world.alex, "/join", chat=chat)
    await world.say(world.sam, "/propose Move the morning visit to 10:00\nin 3 days", chat=chat)
    return chat


async def test_a_group_that_becomes_a_supergroup_keeps_everything(world: World) -> None:
    old = await family(world)
    group_id = await world.running.storage.group_for_chat(f"telegram:{FAMILY}")
    world.tg.migrate_to_supergroup(old)
    await world.settled()
    new = world.tg.chat(old.migrated_to or 0)
    assert await world.running.storage.group_for_chat(f"telegram:{new.id}") == group_id
    assert await world.running.storage.group_for_chat(f"telegram:{FAMILY}") is None

    # The proposal carries on in the new chat, where its card is shown again.
    await world.say(world.alex, "/consent #1", chat=new)
    card = await world.card(1, new)
    assert "✅ Consent 1" in (card.text or "") and "Still to respond: Sam" in (card.text or "")
    popup = await world.press(world.sam, card, "Consent")
    assert popup.text == "Thank you, Sam. Your response to #1 is recorded: Consent."
    assert "It is agreed" in ((await world.card(1, new)).text or "")


async def test_a_send_to_a_chat_that_moved_follows_it(world: World) -> None:
    """If the migration message was never seen, Telegram's answer to a send tells."""
    old = await family(world)
    await world.adapter.stop()
    world.tg.migrate_to_supergroup(old)
    async with telegram.Bot(world.tg.token, base_url=world.tg.base_url) as bot:
        # Confirm (lose) the migration's updates, as if they had never come.
        last = world.tg.pending_updates[-1]["update_id"]
        await bot.get_updates(offset=last + 1, timeout=0)
    await world.adapter.start(world.running.app)

    await world.running.wait(timedelta(days=3, hours=1))
    moved = [c for c in world.tg.calls if c.status == 400 and c.params.get("chat_id") == FAMILY]
    assert moved, "the first send to the old chat was answered with the new chat's id"
    new = world.tg.chat(old.migrated_to or 0)
    assert await world.running.storage.group_for_chat(f"telegram:{new.id}") is not None
    assert any("Move the morning visit" in text for text in world.said(new))
    assert await world.running.storage.next_delivery_due() is None  # nothing stuck


async def test_a_removed_bot_stops_posting_there(world: World) -> None:
    await joined(world, "sam", "alex")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")

    # Removed without the bot hearing of it yet: sends are refused, and given up at once.
    world.team.bot_status = "kicked"
    await world.say(world.alex, "/consent #1", chat=world.tg.private_chat(world.alex))
    await world.running.wait(timedelta(days=3, hours=1))
    refused = [c for c in world.tg.calls if c.status == 403]
    assert refused and await world.running.storage.next_delivery_due() is None

    # Then the news comes: the chat leaves the group, and nothing more is sent there.
    world.team.bot_status = "administrator"
    world.tg.bot_removed(world.team, world.sam, status="kicked")
    await world.settled()
    group = await world.running.app.group("telegram:-100500")
    assert group is not None and group.chats == ()
    calls = len(world.tg.calls)
    await world.say(world.sam, "/status", chat=world.tg.private_chat(world.sam))
    assert [
        c.method for c in world.tg.calls[calls:] if c.params.get("chat_id") == world.team.id
    ] == []


async def test_a_deadline_that_passed_while_the_bot_was_stopped_fires_once_at_start(
    world: World,
) -> None:
    await joined(world, "sam", "alex")
    await world.say(world.sam, "/propose Try the new morning routine\nprocess lazy\nin 3 days")
    await world.adapter.stop()
    world.running.clock.advance(timedelta(days=4))
    await world.adapter.start(world.running.app)
    before = world.last_id()
    await world.settled()
    outcomes = [text for text in world.said(after=before) if "It is agreed" in text]
    assert len(outcomes) == 1
    await world.settled()
    assert [text for text in world.said(after=before) if "It is agreed" in text] == outcomes
    assert "It is agreed" in ((await world.card(1)).text or "")


async def test_joining_and_leaving_the_chat_is_heard_once(world: World) -> None:
    """Telegram tells twice (a service message and a member update): the group hears once."""
    await joined(world, "sam")
    priya = world.tg.user(1004, "Priya")
    before = world.last_id()
    world.tg.join(world.team, priya, by=world.sam)
    await world.settled()
    assert world.said(after=before) == ["Welcome, Priya. You are now a member of this group."]
    before = world.last_id()
    world.tg.leave(world.team, priya)
    await world.settled()
    assert world.said(after=before) == [
        "Goodbye, Priya. You have left this group. Say join in the group's chat to come back."
    ]
    # Someone who never took part leaves without a word from the bot.
    world.tg.leave(world.team, world.jo)
    await world.settled()
    assert len(world.said(after=before)) == 1


async def test_people_joining_a_chat_with_no_group_yet_start_nothing(world: World) -> None:
    quiet = world.tg.group(-100888, "Quiet chat", supergroup=True)
    world.tg.join(quiet, world.sam)
    await world.settled()
    assert await world.running.storage.group_ids() == []
    assert world.said(quiet) == []


async def test_adding_the_bot_again_brings_the_chat_back_to_its_group(world: World) -> None:
    await joined(world, "sam", "alex")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    world.tg.bot_removed(world.team, world.sam, status="kicked")
    await world.settled()
    world.tg.bot_added(world.team, world.sam, status="administrator")
    await world.settled()
    await world.say(world.alex, "/consent #1")
    group = await world.running.app.group("telegram:-100500")
    assert group is not None and group.chats == ("telegram:-100500",)
    assert [m.name for m in group.members.values()] == ["Sam", "Alex"]
    assert "✅ Consent 1" in ((await world.card(1)).text or "")
