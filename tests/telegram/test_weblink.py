"""``/weblink`` on Telegram (the real python-telegram-bot against the fake Bot API):
the link reaches the facilitator's private chat and never the group."""

from __future__ import annotations

import re

from tests.telegram.conftest import World, joined

PUBLIC = "https://care.example.org/decisions"


async def test_the_link_comes_privately_and_the_group_sees_none(world: World) -> None:
    world.running.app.web_url = PUBLIC
    await joined(world, "sam", "alex")
    world.tg.start_private(world.sam)
    before = world.last_id()
    await world.say(world.sam, "/weblink")
    private = "\n".join(m.text or "" for m in world.tg.bot_messages(world.sam.id))
    found = re.search(re.escape(PUBLIC) + r"/(\S+)", private)
    assert found is not None, private
    in_group = [m.text or "" for m in world.tg.bot_messages(world.team) if m.message_id > before]
    assert in_group and not any(PUBLIC in text for text in in_group)
    assert "private message" in in_group[0]
    reading = await world.running.app.web_reader(found[1])
    assert reading is not None and f"telegram:{world.team.id}" in reading[0].chats


async def test_without_a_private_chat_the_link_is_never_posted(world: World) -> None:
    world.running.app.web_url = PUBLIC
    await joined(world, "sam", "alex")
    await world.say(world.sam, "/weblink")  # Sam never started a private chat
    in_group = "\n".join(m.text or "" for m in world.tg.bot_messages(world.team))
    assert PUBLIC not in in_group
    assert "open a private chat with me and say weblink there" in in_group
