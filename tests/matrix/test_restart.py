"""A restart during a quiet spell: the bot still speaks when a deadline comes.

After a restart, the first sync's answer is what tells the bot which rooms it
is in and whether each is encrypted. When nothing new happened while it was
away, that answer carries the very sync token the bot saved; the bot must use
it all the same, or every message to an existing room waits ("not synced yet")
until somebody speaks there.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import nio
import pytest

from .bot import Bots, BotUnderTest, bots
from .people import People, relates_to

__all__ = ["bots"]  # the fixture, which the tests take by name

#: Far more than a delivery takes (well under a second); far less than "until someone speaks".
ON_TIME = 8.0


async def until_quiet(bot: BotUnderTest) -> None:
    """Wait until a whole sync of the bot brought nothing new: its saved token is the latest."""
    assert bot.adapter is not None and bot.adapter.sync is not None
    since_key = f"matrix:since:{bot.user_id}"
    for _ in range(10):
        before = await bot.running.storage.get_value(since_key)
        await asyncio.wait_for(bot.adapter.sync.synced(), timeout=30)
        if await bot.running.storage.get_value(since_key) == before:
            return
    raise TimeoutError("the room never went quiet")


async def quiet_restart(bot: BotUnderTest, tries: int = 5) -> None:
    """Restart the bot with nothing new for it: its first sync answer after the restart
    carries the very token it saved before. (The bot's own start may move the token
    on, e.g. by uploading keys; then the restart was not a quiet one: try again.)"""
    since_key = f"matrix:since:{bot.user_id}"
    for _ in range(tries):
        await until_quiet(bot)
        saved = await bot.running.storage.get_value(since_key)
        await bot.stop()
        await bot.start()
        assert bot.adapter is not None and bot.adapter.sync is not None
        await asyncio.wait_for(bot.adapter.sync.synced(), timeout=30)
        if await bot.running.storage.get_value(since_key) == saved:
            return
    raise AssertionError(f"no quiet restart in {tries} tries: something new came every time")


@pytest.mark.parametrize(
    "encrypted_room",
    [
        False,
        pytest.param(
            True,
            marks=pytest.mark.skipif(
                not nio.crypto.ENCRYPTION_ENABLED, reason="needs matrix-nio[e2e]"
            ),
        ),
    ],
    ids=["plain room", "encrypted room"],
)
async def test_after_a_quiet_restart_a_deadline_is_announced_on_time(
    people: People, bots: Bots, encrypted_room: bool
) -> None:
    alice = await people.new("alice", encryption=encrypted_room)
    bob = await people.new("bob", encryption=encrypted_room)
    # The bot does end-to-end encryption, as it does by default, in either kind of room.
    bot = await bots.new(allowed_inviters=(alice.user_id,), encrypted=True)
    room = await people.make_room(alice, bob, encrypted=encrypted_room)
    await bot.invite(alice, room)
    await bob.wait_for_members(room, [bot.user_id])

    said = await alice.say(room, "!propose Try the new bath rota\nin 3 days")
    card = await alice.wait_for_message(room, "Proposal #1", sender=bot.user_id, after=said)
    agreed = await bob.say(room, "!consent #1")
    thanks = await bob.wait_for_message(room, "Thank you", sender=bot.user_id, after=agreed)

    await quiet_restart(bot)

    # The deadline falls due: the outcome is announced at once, and the card edited.
    await bot.wait(timedelta(days=3, hours=1))
    started = time.monotonic()
    outcome = await alice.wait_for_event(
        room,
        lambda e: (
            e.sender == bot.user_id
            and isinstance(e, nio.RoomMessageText)
            and "#1" in e.body
            and relates_to(e).get("rel_type") != "m.replace"
        ),
        after=thanks.event_id,
        timeout=ON_TIME,
        what="the outcome of #1, announced after the restart",
    )
    assert time.monotonic() - started < ON_TIME
    await alice.wait_for_event(
        room,
        lambda e: (
            relates_to(e).get("rel_type") == "m.replace"
            and relates_to(e).get("event_id") == card.event_id
            and "#1" in e.source["content"]["m.new_content"]["body"]
        ),
        after=thanks.event_id,
        timeout=ON_TIME,
        what="the card's edit after the deadline",
    )
    if encrypted_room:
        assert outcome.decrypted
    assert bot.adapter is not None and bot.adapter.client is not None
    assert room in bot.adapter.client.rooms
