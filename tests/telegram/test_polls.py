"""Polls and time polls voted with buttons, and the files the bot sends."""

from __future__ import annotations

from tests.telegram.conftest import World, joined


async def test_a_poll_voted_by_buttons(world: World) -> None:
    await joined(world, "sam", "alex", "jo")
    await world.say(
        world.sam, "/poll Which day suits the team meeting? | Monday | Wednesday\nin 3 days"
    )
    card = await world.card(1)
    assert card.text is not None and card.text.startswith("Poll #1: Which day suits")
    assert [b["text"] for b in card.buttons] == ["1. Monday", "2. Wednesday"]

    popup = await world.press(world.alex, card, "Wednesday")
    assert popup.text is not None and "recorded" in popup.text
    assert "2. Wednesday — votes: 1" in ((await world.card(1)).text or "")
    await world.press(world.jo, card, "Wednesday")
    await world.press(world.sam, card, "Monday")

    card = await world.card(1)
    assert "2. Wednesday — votes: 2 ⭐ chosen" in (card.text or "")
    assert card.buttons == []


async def test_a_time_poll_voted_by_buttons_offers_a_calendar_file(world: World) -> None:
    await joined(world, "sam", "alex")
    await world.say(
        world.sam,
        "/timepoll Review meeting | Monday 14 December 10:00 | Tuesday 15 December 14:00\n"
        "in 2 days",
    )
    card = await world.card(1)
    assert card.text is not None and card.text.startswith("Time poll #1: Review meeting")
    assert [b["text"] for b in card.buttons] == [
        "✅ Option 1 suits me",
        "🟡 Option 1 if need be",
        "✅ Option 2 suits me",
        "🟡 Option 2 if need be",
    ]
    # Long labels get a row each, so they can be read on a phone.
    assert card.inline_keyboard is not None and len(card.inline_keyboard) == 4

    await world.press(world.sam, card, "Option 2")
    await world.press(world.alex, card, "Option 2")

    card = await world.card(1)
    assert "⭐ chosen" in (card.text or "")
    files = [m for m in world.tg.bot_messages(world.team) if m.document is not None]
    assert files, "the chosen time comes as a calendar file"
    assert files[-1].document is not None and files[-1].document.filename.endswith(".ics")
    assert b"BEGIN:VCALENDAR" in files[-1].document.data


async def test_export_sends_the_record_as_files(world: World) -> None:
    await joined(world, "sam")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    before = world.last_id()
    await world.say(world.sam, "/export")
    files = [
        m.document
        for m in world.tg.bot_messages(world.team)
        if m.message_id > before and m.document is not None
    ]
    names = sorted(f.filename for f in files)
    assert names and any(name.endswith(".md") for name in names), names
    assert any("Buy a new kettle" in f.data.decode("utf-8") for f in files)
