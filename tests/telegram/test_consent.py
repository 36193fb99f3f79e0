"""Deciding by consent in a Telegram group, with typed words, buttons, replies and reactions."""

from __future__ import annotations

from datetime import timedelta

from tests.telegram.conftest import World, joined


async def test_consent_with_a_question_an_objection_an_amendment_and_a_pass(world: World) -> None:
    await joined(world, "sam", "alex", "jo")
    await world.say(
        world.sam,
        "/propose Alex covers the Tuesday visit while Jo is on holiday\n"
        "Jo is away from 14 to 28 December.\n"
        "questions 1 day\n"
        "in 3 days",
    )
    card = await world.card(1)
    assert card.text is not None and "First, ask your questions" in card.text
    assert [b["text"] for b in card.buttons] == ["❓ Question"]

    # A question by button: the bot asks for the words with a ForceReply prompt.
    popup = await world.press(world.alex, card, "Question")
    assert popup.text is not None and "what is your question about #1" in popup.text
    prompt = world.tg.last_bot_message(world.team)
    assert prompt is not None and prompt.reply_markup is not None
    assert prompt.reply_markup["force_reply"] is True
    assert prompt.reply_markup["selective"] is True
    assert prompt.reply_to is not None and prompt.reply_to.message_id == card.message_id
    mention = next(e for e in prompt.entities if e["type"] == "text_mention")
    assert mention["user"]["id"] == world.alex.id
    before = world.last_id()
    await world.say(world.alex, "What time is the Tuesday visit?", reply_to=prompt.message_id)
    (asked,) = world.said(after=before)
    assert "Alex asks: What time is the Tuesday visit?" in asked

    await world.say(world.sam, "/answer #1 It is at 10:00, for about an hour.")
    assert "Sam answers: It is at 10:00" in world.said()[-1]

    # The questions round ends by itself; the consent round opens with a new card.
    await world.running.wait(timedelta(days=1))
    card = await world.card(1)
    assert card.text is not None and "Can you live with this?" in card.text
    assert [b["text"] for b in card.buttons] == [
        "✅ Consent",
        "🟡 Concern",
        "✋ Object",
        "❓ Question",
    ]

    # An objection by button: asked for a reason, and not counted until it comes.
    popup = await world.press(world.jo, card, "Object")
    assert popup.text is not None and popup.text.startswith(
        "Jo, please tell us why you chose Object"
    )
    prompt = world.tg.last_bot_message(world.team)
    assert prompt is not None and prompt.text is not None
    assert prompt.text.startswith("Jo, please tell us why")
    card = await world.card(1)
    assert "Still to respond: Sam, Alex, Jo" in (card.text or "")
    await world.say(
        world.jo, "Alex has not used the hoist on her own yet", reply_to=prompt.message_id
    )
    card = await world.card(1)
    assert "✋ Object 1" in (card.text or "")
    assert "Jo — Object: Alex has not used the hoist on her own yet" in (card.text or "")
    assert "Still to respond: Sam, Alex" in (card.text or "")

    # The proposer amends: a new version, a new card, everyone is asked again.
    await world.say(
        world.sam, "/amend #1 Alex covers Tuesdays. Priya shows her the hoist on Monday first."
    )
    card = await world.card(1)
    assert "This is version 2." in (card.text or "")
    assert "Still to respond: Sam, Alex, Jo" in (card.text or "")

    await world.press(world.alex, card, "Consent")
    await world.press(world.jo, card, "Consent")
    # A reply to the card needs no number, and no "/" either.
    await world.say(world.sam, "consent", reply_to=card.message_id)

    card = await world.card(1)
    assert "It is agreed" in (card.text or "")
    assert card.buttons == []  # a closed proposal has nothing left to press
    assert any("It is agreed" in text for text in world.said(after=card.message_id))


async def test_button_thanks_go_to_the_popup_not_the_group(world: World) -> None:
    await joined(world, "sam", "alex")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    card = await world.card(1)
    before = world.last_id()
    popup = await world.press(world.alex, card, "Consent")
    assert popup.text == "Thank you, Alex. Your response to #1 is recorded: Consent."
    assert popup.show_alert is False
    assert world.said(after=before) == []  # only the card changed
    assert "✅ Consent 1" in ((await world.card(1)).text or "")


async def test_lazy_consensus_passes_at_the_deadline_without_objections(world: World) -> None:
    await joined(world, "sam", "alex", "jo")
    await world.say(
        world.sam, "/propose Try the new morning routine for a month\nprocess lazy\nin 3 days"
    )
    card = await world.card(1)
    assert [b["text"] for b in card.buttons] == ["👍 Support", "✋ Object", "❓ Question"]
    await world.press(world.alex, card, "Support")
    before = world.last_id()
    await world.running.wait(timedelta(days=3, hours=1))
    card = await world.card(1)
    assert "It is agreed" in (card.text or "")
    assert any("It is agreed" in text for text in world.said(after=before))


async def test_a_reaction_counts_and_taking_it_back_uncounts(world: World) -> None:
    await joined(world, "sam", "alex", "jo")
    await world.say(world.sam, "/propose Move the morning visit to 10:00\nin 3 days")
    card = await world.card(1)
    before = world.last_id()

    world.tg.react(world.team, world.alex, card.message_id, ["👍"])
    await world.settled()
    text = (await world.card(1)).text or ""
    assert "✅ Consent 1" in text and "Still to respond: Sam, Jo" in text

    world.tg.react(world.team, world.alex, card.message_id, [])
    await world.settled()
    text = (await world.card(1)).text or ""
    assert "✅ Consent 0" in text and "Still to respond: Sam, Alex, Jo" in text

    # An emoji that means nothing here is just an emoji; reactions are never answered
    # in the chat.
    world.tg.react(world.team, world.jo, card.message_id, ["🎉"])
    await world.settled()
    assert "✅ Consent 0" in ((await world.card(1)).text or "")
    assert world.said(after=before) == []


async def test_a_card_with_many_long_reasons_stays_one_message(world: World) -> None:
    await joined(world, "sam", "alex", "jo")
    details = "The details of the plan, written out at length. " * 50
    await world.say(world.sam, f"/propose Change the care plan\n{details}\nin 3 days")
    card = await world.card(1)
    for who in (world.alex, world.jo):
        await world.say(who, "/concern #1 " + "I worry about the evenings. " * 35)
    edited = await world.card(1)
    assert edited.message_id == card.message_id  # edited in place, never split
    text = edited.text or ""
    assert text.startswith("Proposal #1: Change the care plan")
    assert "🟡 Concern 2" in text and "Still to respond: Sam" in text
    assert text.endswith("This is shortened to fit. To see all of it, type: show #1")
    assert edited.buttons[0]["text"] == "✅ Consent"
