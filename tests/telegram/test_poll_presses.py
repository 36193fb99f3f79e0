"""Pressing poll buttons through the real python-telegram-bot application and the
fake Bot API: in a multi-choice or time poll each press adds a pick, and a
second press on the same option takes it away."""

from __future__ import annotations

from tests.telegram.conftest import World, joined


async def test_multi_poll_presses_add_and_a_second_press_takes_away(world: World) -> None:
    await joined(world, "sam", "alex", "jo")
    await world.say(world.sam, "/poll Which treats? | Cake | Fruit | Crisps\nmulti\nin 3 days")
    card = await world.card(1)
    assert "like best" not in (card.text or "")
    assert "Press an option again to take it back." in (card.text or "")

    await world.press(world.alex, card, "Cake")
    await world.press(world.alex, card, "Crisps")
    text = (await world.card(1)).text or ""
    assert "1. Cake — votes: 1" in text and "3. Crisps — votes: 1" in text

    await world.press(world.alex, card, "Cake")
    text = (await world.card(1)).text or ""
    assert "1. Cake — votes: 0" in text and "3. Crisps — votes: 1" in text


async def test_a_time_poll_takes_if_need_be_by_button(world: World) -> None:
    await joined(world, "sam", "alex", "jo")
    await world.say(
        world.sam,
        "/timepoll Review meeting | Monday 14 December 10:00 | Tuesday 15 December 14:00\n"
        "in 2 days",
    )
    card = await world.card(1)
    await world.press(world.alex, card, "Option 1 suits me")
    await world.press(world.alex, card, "Option 2 if need be")
    text = (await world.card(1)).text or ""
    assert "yes: 1, if need be: 0" in text and "yes: 0, if need be: 1" in text
