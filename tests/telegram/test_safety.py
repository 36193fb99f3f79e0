"""Nothing is taken on trust: buttons, other bots' commands, anonymous posts, repeated updates."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.telegram.menu import MENU
from adapters.telegram.updates import ALLOWED_UPDATES
from tests.fakes.telegram import FakeTelegram, FaultKind
from tests.telegram.conftest import World, joined, start_world

TEAM = "telegram:-100500"  # the team's group id: the chat it started in


async def audit_size(world: World, group_id: str = TEAM) -> int:
    return len(await world.running.storage.audit(group_id))


async def test_at_start_the_bot_sets_its_menu_and_asks_for_the_updates_it_reads(
    world: World,
) -> None:
    assert world.tg.my_commands() == [
        {"command": command, "description": description} for command, description in MENU
    ]
    assert world.tg.calls_to("deleteWebhook")  # a webhook from an earlier run would block polling
    await world.tg.wait_for(lambda: world.tg.calls_to("getUpdates"), what="polling")
    assert world.tg.allowed_updates == list(ALLOWED_UPDATES)


@pytest.fixture
async def private_world(tmp_path: Path) -> AsyncIterator[World]:
    """Privacy mode on, and the bot a plain member (not an admin) of the team's chat."""
    async with FakeTelegram(privacy_mode=True) as tg:
        async for world in start_world(tg, tmp_path / "dt.db"):
            world.team.bot_status = "member"
            yield world


async def test_with_privacy_mode_commands_and_replies_to_the_bot_are_enough(
    private_world: World,
) -> None:
    world = private_world
    await joined(world, "sam", "alex", "jo")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    chat = world.tg.send_text(world.team, world.alex, "I think the old one is fine")
    assert not chat.delivered  # Telegram never shows the bot ordinary chat
    card = await world.card(1)
    await world.say(world.alex, "consent", reply_to=card.message_id)
    await world.press(world.jo, card, "Object")
    prompt = world.tg.last_bot_message(world.team)
    assert prompt is not None
    await world.say(world.jo, "The old one still works", reply_to=prompt.message_id)
    text = (await world.card(1)).text or ""
    assert "✅ Consent 1" in text and "Jo — Object: The old one still works" in text


async def test_a_press_by_someone_who_left_is_refused_and_answered(world: World) -> None:
    await joined(world, "sam", "alex", "jo")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    world.tg.leave(world.team, world.jo)
    await world.settled()
    assert (
        world.said()[-1]
        == "Goodbye, Jo. You have left this group. Say join in the group's chat to come back."
    )
    card = await world.card(1)
    assert "Still to respond: Sam, Alex" in (card.text or "")

    before = world.last_id()
    popup = await world.press(world.jo, card, "Consent")
    assert popup.show_alert is True
    assert popup.text is not None and popup.text.startswith("You left this group.")
    assert "✅ Consent 0" in ((await world.card(1)).text or "")
    assert world.said(after=before) == []


async def test_a_forged_button_changes_nothing(world: World) -> None:
    await joined(world, "sam")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    card = await world.card(1)
    recorded = await audit_size(world)
    press = world.tg.press_button(
        world.team, world.sam, card.message_id, "AAAAAAAAAAAA", strict=False
    )
    assert press.callback_query_id is not None
    popup = await world.tg.wait_for_answer(press.callback_query_id)
    await world.settled()
    assert popup.text == "This button no longer works. Please type the command instead."
    assert await audit_size(world) == recorded
    assert await world.running.storage.seen_update(f"telegram:update:{press.update_id}") is False


async def test_a_button_from_another_groups_card_changes_nothing(world: World) -> None:
    other = world.tg.group(-100777, "Dad's care team", supergroup=True, members=[world.alex])
    await joined(world, "sam", "alex")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    await world.say(world.alex, "/propose Paint the hall\nin 3 days", chat=other)
    theirs = await world.card(1, other)
    consent_there = next(b["callback_data"] for b in theirs.buttons if "Consent" in b["text"])
    ours = await world.card(1)
    recorded = (await audit_size(world), await audit_size(world, "telegram:-100777"))

    press = world.tg.press_button(
        world.team, world.alex, ours.message_id, consent_there, strict=False
    )
    assert press.callback_query_id is not None
    popup = await world.tg.wait_for_answer(press.callback_query_id)
    await world.settled()
    assert popup.text == "This button is from another group, so I did nothing."
    assert recorded == (await audit_size(world), await audit_size(world, "telegram:-100777"))
    assert "✅ Consent 0" in ((await world.card(1, other)).text or "")


async def test_commands_for_another_bot_are_ignored(world: World) -> None:
    await joined(world, "sam")
    recorded = await audit_size(world)
    before = world.last_id()
    await world.say(world.sam, "/status@SomeOtherBot")
    await world.say(world.sam, "/propose@SomeOtherBot Buy a new kettle")
    assert world.said(after=before) == []
    assert await audit_size(world) == recorded
    await world.say(world.sam, "/status@DecidingTogetherBot")
    assert len(world.said(after=before)) == 1


async def test_ordinary_chat_is_left_alone(world: World) -> None:
    await joined(world, "sam")
    recorded = await audit_size(world)
    before = world.last_id()
    await world.say(world.sam, "propose we get pizza tonight, ok?")
    await world.say(world.sam, "status update: Mum slept well")
    assert world.said(after=before) == []
    assert await audit_size(world) == recorded


async def test_anonymous_posts_never_speak_for_anyone(world: World) -> None:
    await joined(world, "sam")
    before = world.last_id()
    world.tg.send_as_anonymous_admin(world.team, "/propose Sell the car")
    await world.settled()
    (answer,) = world.said(after=before)
    assert answer.startswith("I can't tell who you are when you post anonymously.")
    world.tg.send_as_anonymous_admin(world.team, "hello everyone")
    world.tg.automatic_forward(world.team, -100999, "/propose From the channel")
    await world.settled()
    assert len(world.said(after=before)) == 1
    group = await world.running.app.group(TEAM)
    assert group is not None and group.proposals == {}
    assert [m.name for m in group.members.values()] == ["Sam"]


async def test_an_update_sent_again_after_a_crash_changes_nothing(world: World) -> None:
    """Telegram sends again what was never confirmed; the inbox drops the repeat."""
    await joined(world, "sam")
    # The next two fetches fail: the one that would confirm the proposal, and the one
    # on the way out. So the proposal is handled but never confirmed, as in a crash.
    world.tg.fail_next("getUpdates", FaultKind.RETRY_AFTER, count=2, retry_after=30)
    sent = world.tg.send_text(world.team, world.sam, "/propose Buy a new kettle\nin 3 days")
    await world.tg.wait_for_call("getUpdates", lambda call: call.fault is not None)
    await world.running.settle()
    assert await world.running.storage.seen_update(f"telegram:update:{sent.update_id}")
    await world.adapter.stop()
    assert sent.update in world.tg.pending_updates  # Telegram still has it
    recorded, messages = await audit_size(world), world.said()

    await world.adapter.start(world.running.app)
    await world.settled()
    assert world.tg.pending_updates == []
    assert await audit_size(world) == recorded
    assert world.said() == messages
