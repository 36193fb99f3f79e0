"""A Matrix conversation logged at DEBUG leaves no names, user ids or words in the log."""

from __future__ import annotations

import re

import pytest

from bot.logs import setup_logging

from .bot import Bots, bots
from .people import People

__all__ = ["bots"]  # the fixture, which the test takes by name

WORDS = ("morning visit", "hip hurts", "district nurse")


async def test_a_matrix_conversation_at_debug_leaves_no_names_or_words_in_the_log(
    people: People, bots: Bots, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging("DEBUG")
    alice, bob = await people.new("alice"), await people.new("bob")
    bot = await bots.new(allowed_inviters=(alice.user_id,))
    room = await people.make_room(alice, bob, name="Care team")
    await bot.invite(alice, room)
    said = await alice.say(
        room, "!propose Move the morning visit to ten\nHer hip hurts before breakfast\nin 3 days"
    )
    await alice.wait_for_message(room, "Proposal #", sender=bot.user_id, after=said)
    said = await bob.say(room, "!object #1 The district nurse cannot come then")
    await bob.wait_for_message(room, "", sender=bot.user_id, after=said)
    said = await bob.say(room, "!history #1")
    await bob.wait_for_message(room, "district nurse", sender=bot.user_id, after=said)
    log = capsys.readouterr().err
    assert "level=debug logger=deciding_together" in log  # it did log at DEBUG
    assert re.findall(r"\b(alice|bob)\b", log) == []
    assert [words for words in WORDS if words in log] == []
