"""Private messages: the deep link, nudges, and what happens when Telegram says no."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from tests.fakes.telegram import FakeUser
from tests.telegram.conftest import World, joined


def sends_to(world: World, person: FakeUser) -> int:
    """How many times the bot tried to write to ``person`` privately."""
    return len(
        [c for c in world.tg.calls_to("sendMessage") if c.params.get("chat_id") == person.id]
    )


async def test_the_deep_link_turns_reminders_on_and_the_nudge_comes_privately(world: World) -> None:
    await joined(world, "sam", "alex")
    await world.say(world.sam, "/propose Move the morning visit to 10:00\nin 3 days")
    tip = world.tg.last_bot_message(world.team)
    assert tip is not None and tip.text is not None and tip.text.startswith("Tip:")
    (button,) = tip.buttons
    assert button["text"] == "🔔 Get private reminders"
    link = urlsplit(button["url"])
    assert (link.netloc, link.path) == ("t.me", "/DecidingTogetherBot")
    (token,) = parse_qs(link.query)["start"]

    world.tg.start_private(world.alex, token)
    await world.settled()
    assert world.said(world.alex.id) == [
        "If you have not answered, I will send you a private message before the deadline."
    ]

    await world.say(world.sam, "/consent #1")
    await world.running.wait(timedelta(days=2))
    nudge = world.tg.last_bot_message(world.alex.id)
    assert nudge is not None and nudge.text is not None
    assert nudge.text.startswith("Hello Alex. We have not heard from you yet about:")
    assert [b["text"] for b in nudge.buttons] == ["✅ Consent", "🟡 Concern", "✋ Object"]
    assert sends_to(world, world.sam) == 0  # Sam responded: no nudge

    # The nudge's buttons work privately, for the group they came from; a reason asked
    # for privately is given privately.
    popup = await world.press(world.alex, nudge, "Concern", chat=world.tg.chat(world.alex.id))
    assert popup.text is not None and popup.text.startswith(
        "Alex, please tell us why you chose Concern"
    )
    prompt = world.tg.last_bot_message(world.alex.id)
    assert prompt is not None and prompt.reply_markup is not None
    assert prompt.reply_markup["force_reply"] is True
    await world.say(
        world.alex, "The bus is often late", chat=world.alex.id, reply_to=prompt.message_id
    )
    card = (await world.card(1)).text or ""
    assert "Alex — Concern: The bus is often late" in card
    assert "It is agreed" in card  # everyone has responded and nobody objected


async def test_start_without_a_link_gets_help(world: World) -> None:
    world.tg.start_private(world.jo)
    await world.settled()
    (help_text,) = world.said(world.jo.id)
    assert "propose" in help_text


async def test_a_refused_private_message_becomes_a_mention_in_the_group_and_is_remembered(
    world: World,
) -> None:
    await joined(world, "sam", "jo")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    await world.say(world.sam, "/consent #1")
    before = world.last_id()
    await world.running.wait(timedelta(days=2))
    assert sends_to(world, world.jo) == 1  # tried once: Telegram said 403
    (fallback,) = world.said(after=before)
    assert fallback.startswith("Jo — I can't send you private messages, so I'm writing here.")
    assert "We have not heard from you yet" in fallback
    message = world.tg.last_bot_message(world.team)
    assert message is not None
    mention = next(e for e in message.entities if e["type"] == "text_mention")
    assert mention["user"]["id"] == world.jo.id
    assert [b["text"] for b in message.buttons][-1] == "🔔 Get private reminders"

    # Remembered: the next nudge goes straight to the group, without trying again.
    await world.say(world.sam, "/propose Paint the kitchen\nin 3 days")
    await world.say(world.sam, "/consent #2")
    before = world.last_id()
    await world.running.wait(timedelta(days=2))
    assert sends_to(world, world.jo) == 1
    assert any("Paint the kitchen" in text for text in world.said(after=before))

    # Once Jo starts the bot, private messages are tried again.
    world.tg.start_private(world.jo)
    await world.settled()
    await world.say(world.sam, "/propose Change the bins day\nin 3 days")
    await world.say(world.sam, "/consent #3")
    await world.running.wait(timedelta(days=2))
    nudge = world.tg.last_bot_message(world.jo.id)
    assert nudge is not None and "Change the bins day" in (nudge.text or "")


async def test_blocking_the_bot_is_remembered(world: World) -> None:
    await joined(world, "sam", "alex")
    world.tg.start_private(world.alex)
    await world.settled()
    world.tg.block_bot(world.alex)
    await world.settled()
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    await world.say(world.sam, "/consent #1")
    before = world.last_id()
    await world.running.wait(timedelta(days=2))
    assert any(
        text.startswith("Alex — I can't send you private messages")
        for text in world.said(after=before)
    )
    private_sends = [
        c for c in world.tg.calls_to("sendMessage") if c.params.get("chat_id") == world.alex.id
    ]
    assert all(c.ok for c in private_sends)  # never tried while blocked
