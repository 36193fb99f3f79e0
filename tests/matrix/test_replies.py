"""Answers on Matrix say what they answer, and speak of no buttons (Matrix has none).

Each answer to typed words is a Matrix reply to them (``m.in_reply_to``), so
Element and FluffyChat show the words above the answer: read back from Synapse
itself. In a card's thread, the answer stays in the thread and replies to the
words said there. Nothing the bot posts in a room tells anyone to press a button.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import nio

from .bot import Bots, BotUnderTest, bots
from .people import People, Person, in_reply_to, relates_to, thread_root
from .synapse_server import SynapseServer
from .test_adapter import propose, team

__all__ = ["bots"]  # the fixture, which the tests take by name


async def as_stored(synapse: SynapseServer, person: Person, room: str, event_id: str) -> Any:
    """The event as Synapse holds it, fetched by ``person`` (not as their client parsed it)."""
    path = f"/_matrix/client/v3/rooms/{quote(room)}/event/{quote(event_id)}"
    return await asyncio.to_thread(
        synapse.request, "GET", path, access_token=person.client.access_token
    )


async def test_an_answer_to_typed_words_is_a_reply_to_them(
    people: People, bots: Bots, synapse: SynapseServer
) -> None:
    bot, room, (alice, bob) = await team(people, bots, "alice", "bob")
    asked = await alice.say(room, "!status")
    answer = await alice.wait_for_message(room, "", sender=bot.user_id, after=asked)

    stored = await as_stored(synapse, alice, room, answer.event_id)
    assert stored["content"]["m.relates_to"] == {"m.in_reply_to": {"event_id": asked}}

    # In the card's thread, the answer stays in the thread and replies to the words.
    card = await propose(alice, bot, room)
    said = await bob.say(room, "!consent", thread=card)
    thanks = await bob.wait_for_message(room, "Thank you, bob", sender=bot.user_id, after=said)
    relation = (await as_stored(synapse, bob, room, thanks.event_id))["content"]["m.relates_to"]
    assert relation["rel_type"] == "m.thread" and relation["event_id"] == card
    assert relation["m.in_reply_to"] == {"event_id": said}
    assert relation["is_falling_back"] is False  # a real reply, not the thread's fallback


async def test_an_answer_in_a_direct_room_is_a_reply_to_the_words(
    people: People, bots: Bots
) -> None:
    alice = await people.new("alice")
    bot = await bots.new(allowed_inviters=(alice.user_id,))
    created = await alice.client.room_create(
        invite=[bot.user_id], is_direct=True, preset=nio.RoomPreset.trusted_private_chat
    )
    assert isinstance(created, nio.RoomCreateResponse)
    direct = created.room_id
    await alice.wait_for_members(direct, [bot.user_id])
    asked = await alice.say(direct, "help")
    answer = await alice.wait_for_message(direct, "", sender=bot.user_id, after=asked)
    assert in_reply_to(answer) == asked and thread_root(answer) is None


async def test_what_the_bot_posts_on_matrix_speaks_of_no_buttons(
    people: People, bots: Bots
) -> None:
    bot, room, (alice,) = await team(people, bots, "alice")
    # The first proposal brings the tip about private reminders; help lists the words.
    card = await propose(alice, bot, room)
    await alice.wait_for_message(room, "private reminder", sender=bot.user_id, after=card)
    asked = await alice.say(room, "!help")
    help_ = await alice.wait_for_message(room, "How to use me", sender=bot.user_id, after=asked)
    assert "react" in help_.body

    said = await everything_said(bot, alice, room)
    assert len(said) >= 3
    for body in said:
        assert "button" not in body.casefold() and "press" not in body.casefold(), body


async def everything_said(bot: BotUnderTest, person: Person, room: str) -> list[str]:
    """Every text the bot posted in the room, edits' new text included."""
    bodies = []
    for event in person.timelines.get(room, []):
        if event.sender != bot.user_id or not isinstance(event, nio.RoomMessageText):
            continue
        if relates_to(event).get("rel_type") == "m.replace":
            bodies.append(str(event.source["content"]["m.new_content"]["body"]))
        else:
            bodies.append(event.body)
    return bodies


async def test_a_members_private_words_are_answered_as_a_reply_in_the_direct_room(
    people: People, bots: Bots
) -> None:
    """A member of one group asks privately: the answer comes through the outbox,
    in the direct room, as a reply to the words."""
    bot, room, (alice,) = await team(people, bots, "alice")
    joined = await alice.say(room, "!join")
    await alice.wait_for_message(room, "alice", sender=bot.user_id, after=joined)
    created = await alice.client.room_create(
        invite=[bot.user_id], is_direct=True, preset=nio.RoomPreset.trusted_private_chat
    )
    assert isinstance(created, nio.RoomCreateResponse)
    direct = created.room_id
    await alice.wait_for_members(direct, [bot.user_id])
    asked = await alice.say(direct, "status")
    answer = await alice.wait_for_message(direct, "", sender=bot.user_id, after=asked)
    assert in_reply_to(answer) == asked
