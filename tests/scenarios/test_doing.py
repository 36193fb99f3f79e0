"""Planning and doing together, on the console, Telegram and Matrix: sign-ups with a
target, and actions after a decision (told privately, asked about, moved, taken on)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.scenarios.surfaces import SURFACES, Surface

every_surface = pytest.mark.parametrize("surface", SURFACES, indirect=True)

VISIT = "signup We need 1 person for the Tuesday visit on 15 December"


def said_somewhere(texts: list[str], words: str) -> bool:
    return any(words in text for text in texts)


async def agreed(surface: Surface) -> None:
    """The team agrees #1 and Sam asks Alex to buy the chair (#1.1)."""
    await surface.say("Sam", "propose Buy a shower chair for Mum\nin 3 days")
    await surface.get_reminders("Alex")  # Telegram: the first card offers it
    for person in ("Sam", "Alex", "Jo"):
        await surface.respond(person, 1, "consent")
    assert said_somewhere(await surface.said_in_group(), "Say: action #1, who does what")
    await surface.say("Sam", "action #1 Alex buys the shower chair by Friday")


@every_surface
async def test_a_sign_up_fills_and_a_press_after_it_is_thanked_and_kept_out(
    surface: Surface,
) -> None:
    await surface.say("Sam", VISIT)
    card = await surface.card_text(1)
    assert card.startswith("Sign-up #1: We need 1 person for the Tuesday visit")
    assert "We need 1 person. Can you do it?" in card

    # Alex and Jo press at the same moment: the first in fills it, the other is thanked.
    told = await surface.press_together(("Alex", "Jo"), 1, "can")
    card = await surface.card_text(1)
    assert "We have enough people. Signed up: Alex." in card
    assert "Thank you, Jo! #1 has enough people now, so nothing more is needed from you." in told

    # The sign-up becomes a thing to do, on its day.
    await surface.say("Sam", "action #1")
    assert said_somewhere(
        await surface.said_in_group(),
        "#1.1 Alex: the Tuesday visit on 15 December (by Tuesday 15",
    )


@every_surface
async def test_a_sign_up_nobody_answers_tells_the_group_what_to_do_next(surface: Surface) -> None:
    await surface.say("Sam", VISIT)
    await surface.wait(timedelta(days=8))
    assert "Nobody could sign up this time, and that is OK." in await surface.card_text(1)
    assert said_somewhere(await surface.said_in_group(), "ask again with a new date: reopen #1")


@every_surface
async def test_an_action_is_told_asked_about_and_done(surface: Surface) -> None:
    await agreed(surface)
    assert said_somewhere(await surface.said_to("Alex"), "Sam asked you to do this, for #1:")
    assert said_somewhere(
        await surface.said_in_group(), "#1.1 Alex: buys the shower chair (by Friday 11 December"
    )

    # Friday has come and gone (Monday 09:00 + 5 days): kindly said, and Alex is asked.
    await surface.wait(timedelta(days=5))
    assert said_somewhere(await surface.said_in_group(), "Not done yet, and that is OK: #1.1 Alex")
    assert said_somewhere(await surface.said_to("Alex"), "Is this done?")

    await surface.say("Alex", "action #1.1 by Monday 14 December")
    assert said_somewhere(await surface.said_in_group(), "New date: #1.1 Alex")
    await surface.say("Sam", "status")
    assert said_somewhere(await surface.said_in_group(), "Things to do:")
    await surface.say("Alex", "done #1.1")
    assert said_somewhere(await surface.said_in_group(), "Done: #1.1 Alex: buys the shower chair")


@every_surface
async def test_an_action_whose_person_leaves_is_taken_on_by_someone_else(
    surface: Surface,
) -> None:
    await agreed(surface)
    await surface.say("Alex", "leave")
    assert said_somewhere(await surface.said_in_group(), "These things to do need someone new:")
    await surface.say("Jo", "I'll do it #1.1")
    assert said_somewhere(await surface.said_in_group(), "Jo will do it: #1.1 Jo: buys the shower")


@every_surface
async def test_an_action_whose_person_is_forgotten_keeps_its_words(surface: Surface) -> None:
    await agreed(surface)
    await surface.say("Alex", "forgetme")
    texts = await surface.said_in_group()
    assert said_somewhere(texts, "#1.1 someone: buys the shower chair")
    await surface.say("Jo", "I'll do it #1.1")
    await surface.say("Jo", "done #1.1")
    assert said_somewhere(await surface.said_in_group(), "Done: #1.1 Jo: buys the shower chair")
