"""An anonymous proposal on Telegram: the group's chat never says who answered what.

A pressed ✋ is answered in the button's pop-up (only the presser sees it) and
the reason is asked for in the presser's private chat; where Telegram will not
let the bot write there first, the group is told how to open one, with no name.
"""

from __future__ import annotations

from tests.telegram.conftest import World, joined

REASON = "Alex has not used the hoist on her own yet"


async def anonymous_card(world: World) -> None:
    await joined(world, "sam", "alex", "jo")
    await world.say(world.sam, "/propose Alex covers the Tuesday visit\nanonymous\nin 3 days")


async def test_a_pressed_objection_is_asked_about_privately_and_named_nowhere(
    world: World,
) -> None:
    await anonymous_card(world)
    card = await world.card(1)
    assert "This is anonymous. Answers are kept without names." in (card.text or "")
    world.tg.start_private(world.jo)  # Jo has a private chat with the bot
    await world.settled()
    before = world.last_id()

    popup = await world.press(world.jo, card, "Object")
    assert popup.text is not None
    assert popup.text.startswith("I have asked you for your reason in a private message.")
    assert world.said(after=before) == []  # nothing in the group: not Jo's name, not a prompt
    prompt = world.tg.last_bot_message(world.jo.id)
    assert prompt is not None and prompt.text is not None
    assert prompt.text.startswith("Jo, please tell us why you chose Object for #1.")
    assert prompt.reply_markup is not None and prompt.reply_markup["force_reply"] is True

    await world.say(world.jo, REASON, chat=world.jo.id, reply_to=prompt.message_id)
    thanks = world.tg.last_bot_message(world.jo.id)
    assert thanks is not None
    assert thanks.text == "Thank you. Your answer to #1 is kept, without your name: Object."
    card = await world.card(1)
    assert f"Someone — Object: {REASON}" in (card.text or "")
    assert "✋ Object 1" in (card.text or "")
    for text in [card.text or "", *world.said(after=before)]:
        assert "Jo" not in text, text


async def test_without_a_private_chat_the_group_is_told_how_to_open_one_with_no_name(
    world: World,
) -> None:
    await anonymous_card(world)
    card = await world.card(1)
    before = world.last_id()

    await world.press(world.alex, card, "Object")
    assert world.tg.calls_to("sendMessage")  # tried privately first
    (told,) = [m for m in world.tg.bot_messages(world.team) if m.message_id > before]
    assert told.text is not None and told.text.startswith("#1 is anonymous, so I ask for reasons")
    assert "Alex" not in told.text and not told.entities
    (link,) = told.buttons
    assert link["url"] == f"https://t.me/{world.adapter.username}"

    # Alex opens the private chat, presses again, and is asked there.
    world.tg.start_private(world.alex)
    await world.settled()
    await world.press(world.alex, await world.card(1), "Object")
    prompt = world.tg.last_bot_message(world.alex.id)
    assert prompt is not None and (prompt.text or "").startswith("Alex, please tell us why")
    assert "Alex" not in " ".join(world.said(after=told.message_id))
