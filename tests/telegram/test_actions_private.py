"""An action's person is asked privately, with buttons that work in the private chat."""

from __future__ import annotations

from datetime import timedelta

from tests.telegram.conftest import World, joined


async def test_done_is_pressed_in_the_private_chat_and_the_group_hears_it(world: World) -> None:
    await joined(world, "sam", "alex", "jo")
    await world.say(world.sam, "/propose Buy a shower chair for Mum\nin 3 days")
    world.tg.start_private(world.alex)
    for person in (world.sam, world.alex, world.jo):
        await world.say(person, "/consent #1")
    await world.say(world.sam, "/action #1 Alex buys the shower chair by Friday")

    told = world.tg.last_bot_message(world.alex.id)
    assert told is not None and told.text is not None
    assert "Sam asked you to do this, for #1:" in told.text
    assert [b["text"] for b in told.buttons] == ["✅ Done", "📅 In a week"]

    await world.running.wait(timedelta(days=5))  # Friday has gone by
    asked = world.tg.last_bot_message(world.alex.id)
    assert asked is not None and asked.text is not None
    assert asked.text.startswith("Hello Alex. Is this done?")

    popup = await world.press(world.alex, asked, "Done", chat=world.tg.chat(world.alex.id))
    assert popup.text == "Thank you! #1.1 is done. I have told the group."
    assert any(text.startswith("Done: #1.1 Alex: buys the shower chair") for text in world.said())


async def test_a_week_more_is_one_press_away(world: World) -> None:
    await joined(world, "sam", "alex", "jo")
    await world.say(world.sam, "/propose Buy a shower chair for Mum\nin 3 days")
    world.tg.start_private(world.alex)
    for person in (world.sam, world.alex, world.jo):
        await world.say(person, "/consent #1")
    await world.say(world.sam, "/action #1 Alex buys the shower chair by Friday")
    told = world.tg.last_bot_message(world.alex.id)
    assert told is not None
    popup = await world.press(world.alex, told, "In a week", chat=world.tg.chat(world.alex.id))
    assert popup.text is not None and popup.text.startswith("Thank you. #1.1 now has a new date")
    assert any(text.startswith("New date: #1.1 Alex") for text in world.said())
