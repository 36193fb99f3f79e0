"""The whole cycle on the console, Telegram and Matrix: a decision, what is done
about it, and its review, where everyone is asked to keep, change or stop it;
and a review nobody answers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.scenarios.surfaces import SURFACES, Surface, Telegram

every_surface = pytest.mark.parametrize("surface", SURFACES, indirect=True)


def said_somewhere(texts: list[str], words: str) -> bool:
    return any(words in text for text in texts)


async def answer_review(
    surface: Surface, person: str, number: int, word: str, why: str = ""
) -> None:
    """On Telegram, a button under the card (the check-in's reason is optional, so a
    press needs no reply); typed words everywhere else, and for a reason."""
    if isinstance(surface, Telegram) and not why:
        world = surface.world
        labels = {"keep": "Keep it", "change": "Change it", "stop": "Stop it"}
        await world.press(world.people[person.lower()], await world.card(number), labels[word])
        return
    await surface.say(person, f"review #{number} {word} {why}".strip())


@every_surface
async def test_a_decision_its_action_and_its_review(surface: Surface) -> None:
    await surface.say("Sam", "propose Buy a shower chair for Mum\nin 2 days\nreview in 30 days")
    await surface.respond("Sam", 1, "consent")
    await surface.respond("Alex", 1, "concern", "It must fit the small bathroom")
    await surface.respond("Jo", 1, "consent")
    assert "It is agreed" in await surface.card_text(1)

    await surface.say("Sam", "action #1 Alex buys the shower chair by Friday")
    assert said_somewhere(await surface.said_in_group(), "#1.1 Alex: buys the shower chair")
    await surface.say("Alex", "done #1.1")

    # A month on, everyone is asked, beside the concern recorded when it was agreed.
    await surface.wait(timedelta(days=30))
    card = await surface.card_text(1)
    assert "Is it still working for you? Please say keep, change or stop" in card
    assert "Concerns when we agreed it:" in card and "It must fit the small bathroom" in card

    await answer_review(surface, "Jo", 1, "keep")
    assert "Jo — Keep it" in await surface.card_text(1)
    await answer_review(surface, "Alex", 1, "change", "Get one with arms")
    await answer_review(surface, "Sam", 1, "keep")
    said = await surface.said_in_group()
    assert said_somewhere(said, "The review of #1 is over. People want to change it")
    card = await surface.card_text(2)
    assert "First, ask your questions" in card and "Get one with arms" in card

    await surface.say("Jo", "history #1")
    said = await surface.said_in_group()
    assert said_somewhere(said, "thing to do done (Alex): #1.1 buys the shower chair")
    assert said_somewhere(said, "Alex — Change it: Get one with arms")
    assert said_somewhere(said, "we looked at it again: change it, in #2")


@every_surface
async def test_a_review_nobody_answers(surface: Surface) -> None:
    await surface.say("Sam", "propose Tea rota in the office\nin 2 days")
    for person in ("Sam", "Alex", "Jo"):
        await surface.respond(person, 1, "consent")
    # Any member may ask for a review at any time, not only whoever proposed it.
    await surface.say("Alex", "review #1 now")
    assert "Time to review #1" in (await surface.said_in_group())[-1]

    await surface.wait(timedelta(days=4))
    said = await surface.said_in_group()
    assert said_somewhere(said, "Nobody answered the review of #1. That is all right")
    assert said_somewhere(said, "It stays as it is, and we will ask again on")
    await surface.say("Jo", "history #1")
    assert said_somewhere(await surface.said_in_group(), "we looked at it again: nobody answered")
