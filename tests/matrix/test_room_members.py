"""Matrix knows who is in the room: when a group starts there, everyone already
in the room is a member, counted and reminded before they ever speak."""

from __future__ import annotations

from bot.core.outcomes import waiting_for

from .bot import Bots, bots
from .people import People
from .test_adapter import propose, team

__all__ = ["bots"]  # the fixture, which the tests take by name


async def test_people_in_the_room_before_the_bot_are_members_from_the_start(
    people: People, bots: Bots
) -> None:
    bot, room, (alice, bob) = await team(people, bots, "alice", "bob")
    await propose(alice, bot, room)

    async def bob_counted() -> bool:
        group = await bot.group(room)
        bob_member = group.member_by_identity(f"matrix:{bob.user_id}")
        return bob_member is not None and bob_member.active

    await bot.until(bob_counted, "counting Bob, who never spoke, in")
    group = await bot.group(room)
    bob_member = group.member_by_identity(f"matrix:{bob.user_id}")
    assert bob_member is not None
    assert bob_member.id in waiting_for(group.proposals[1], group)  # so he is reminded
