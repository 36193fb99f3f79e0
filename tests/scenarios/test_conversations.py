"""The conversations of the design (section 9), each run on the console, Telegram and Matrix.

Every scenario is one plain function of a :class:`~tests.scenarios.surfaces.Surface`;
its checks are the same words on every surface, read as plain text. Only how a
person answers a card differs (a button, a reaction, typed words), and the
surface hides that.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.care_team import ADDED_BY_NAME
from tests.scenarios.surfaces import SURFACES, Surface

every_surface = pytest.mark.parametrize("surface", SURFACES, indirect=True)


def said_somewhere(texts: list[str], words: str) -> bool:
    return any(words in text for text in texts)


@every_surface
async def test_consent_with_a_question_an_objection_an_amendment_and_a_pass(
    surface: Surface,
) -> None:
    await surface.say(
        "Sam",
        "propose Alex covers the Tuesday visit while Jo is on holiday\n"
        "Jo is away from 14 to 28 December.\n"
        "questions 1 day\n"
        "in 3 days",
    )
    assert "First, ask your questions" in await surface.card_text(1)

    await surface.say("Alex", "ask #1 What time is the Tuesday visit?")
    assert said_somewhere(
        await surface.said_in_group(), "Alex asks: What time is the Tuesday visit?"
    )
    await surface.say("Sam", "answer #1 It is at 10:00, for about an hour.")
    assert said_somewhere(await surface.said_in_group(), "Sam answers: It is at 10:00")

    # The questions round ends by itself; then everyone is asked if they can live with it.
    await surface.wait(timedelta(days=1))
    assert "Can you live with this?" in await surface.card_text(1)

    await surface.respond("Jo", 1, "object", "Alex has not used the hoist on her own yet")
    card = await surface.card_text(1)
    assert "Object 1" in card
    assert "Alex has not used the hoist on her own yet" in card
    assert "Still to respond: Sam, Alex" in card

    await surface.say(
        "Sam", "amend #1 Alex covers Tuesdays. Priya shows her the hoist on Monday first."
    )
    card = await surface.card_text(1)
    assert "This is version 2." in card
    assert "Still to respond: Sam, Alex, Jo" in card

    for person in ("Alex", "Jo", "Sam"):
        await surface.respond(person, 1, "consent")
    assert "It is agreed" in await surface.card_text(1)
    assert said_somewhere(await surface.said_in_group(), "It is agreed")


@every_surface
async def test_a_deadline_with_too_few_answers_after_a_private_nudge(surface: Surface) -> None:
    await surface.say(
        "Sam",
        "propose Try the new morning routine for a month\nprocess lazy\nquorum 50%\nin 3 days",
    )
    await surface.get_reminders("Alex")
    await surface.respond("Sam", 1, "support")
    assert "Support 1" in await surface.card_text(1)

    # A day before the deadline, whoever has not answered hears about it privately.
    await surface.wait(timedelta(days=2, hours=1))
    nudges = await surface.said_to("Alex")
    assert said_somewhere(nudges, "We have not heard from you yet about:"), nudges
    assert said_somewhere(nudges, "Try the new morning routine for a month"), nudges
    assert not said_somewhere(await surface.said_to("Sam"), "We have not heard from you yet")

    await surface.wait(timedelta(days=1))
    assert "Too few people gave an answer" in await surface.card_text(1)
    assert said_somewhere(await surface.said_in_group(), "Too few people gave an answer")


@every_surface
async def test_a_poll_with_a_winner(surface: Surface) -> None:
    await surface.say(
        "Sam", "poll Which day suits the team meeting? | Monday | Wednesday\nin 3 days"
    )
    assert (await surface.card_text(1)).startswith("Poll #1: Which day suits")
    await surface.vote("Alex", 1, 2)
    assert "2. Wednesday — votes: 1" in await surface.card_text(1)
    await surface.vote("Jo", 1, 2)
    await surface.vote("Sam", 1, 1)
    assert "2. Wednesday — votes: 2 ⭐ chosen" in await surface.card_text(1)


@every_surface
async def test_the_person_added_by_name_is_answered_for(surface: Surface) -> None:
    await surface.say("Alex", f"add {ADDED_BY_NAME}")
    assert said_somewhere(await surface.said_in_group(), f"{ADDED_BY_NAME} is now in the group.")
    await surface.say("Sam", "propose Move the morning visit to 10:00\nin 3 days")
    assert f"Still to respond: Sam, Alex, Jo, {ADDED_BY_NAME}" in await surface.card_text(1)

    await surface.say("Jo", f"for {ADDED_BY_NAME} consent #1")
    card = await surface.card_text(1)
    assert "Consent 1" in card
    assert "Still to respond: Sam, Alex, Jo" in card
    assert f"Jo, {ADDED_BY_NAME}" not in card

    for person in ("Sam", "Alex", "Jo"):
        await surface.respond(person, 1, "consent")
    assert "It is agreed" in await surface.card_text(1)


@every_surface
async def test_a_code_to_link_accounts_is_asked_for_privately(surface: Surface) -> None:
    # In the group's chat, everyone would see the code: the bot gives none there.
    await surface.say("Jo", "me")
    assert said_somewhere(
        await surface.said_in_group(), "Please ask me for your code in a private message"
    )
    # A code said in the chat is refused, and Jo is told to send it privately.
    await surface.say("Jo", "me 0123abcd")
    assert said_somewhere(
        await surface.said_in_group(), "Please send me your code only in a private message"
    )
    # The chat the group started in stays in it.
    await surface.say("Sam", "unlink")
    assert said_somewhere(await surface.said_in_group(), "This chat is where the group started")
