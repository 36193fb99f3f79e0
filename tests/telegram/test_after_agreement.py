"""After an agreement, the proposer records the outcome and a review date with one tap."""

from __future__ import annotations

from tests.telegram.conftest import World, joined


async def test_the_proposer_taps_to_record_the_outcome_and_a_review_date(world: World) -> None:
    await joined(world, "sam", "alex")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    card = await world.card(1)
    await world.press(world.sam, card, "Consent")
    await world.press(world.alex, card, "Consent")
    await world.settled()
    ask = world.tg.last_bot_message(world.team)
    assert ask is not None and "Sam, what did we decide?" in (ask.text or "")
    assert [b["text"] for b in ask.buttons] == [
        "✅ As proposed",
        "📅 Review in 1 month",
        "📅 Review in 3 months",
    ]
    await world.press(world.sam, ask, "As proposed")
    popup = await world.press(world.sam, ask, "Review in 3 months")
    await world.settled()
    assert any("We wrote down what was decided: Buy a new kettle" in t for t in world.said())
    assert popup.text is not None and popup.text.startswith("We will review #1 on")
