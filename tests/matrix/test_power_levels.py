"""With ``facilitators_from_power_levels``, the room's moderators and admins are the
group's facilitators: the homeserver vouches for the levels, nobody types them."""

from __future__ import annotations

from typing import Any

import nio

from bot.core.model import Role

from .bot import Bots, bots
from .people import People

__all__ = ["bots"]  # the fixture, which the tests take by name


async def test_the_rooms_moderators_and_admins_are_facilitators(people: People, bots: Bots) -> None:
    alice, bob, carol, dan = [await people.new(n) for n in ("alice", "bob", "carol", "dan")]
    room = await people.make_room(alice, bob, carol, dan, name="Mum's care team")
    # Alice made the room (its creator: an admin, above every level from room version
    # 12, as Synapse makes rooms now); she makes Bob a moderator (50).
    levels = await alice.client.room_get_state_event(room, "m.room.power_levels")
    assert isinstance(levels, nio.RoomGetStateEventResponse)
    content: dict[str, Any] = dict(levels.content)
    content["users"] = {**content.get("users", {}), bob.user_id: 50}
    await alice.client.room_put_state(room, "m.room.power_levels", content)
    bot = await bots.new(allowed_inviters=(alice.user_id,), facilitators_from_power_levels=True)
    await bot.invite(alice, room)

    asked = await carol.say(room, "!status")  # Carol starts the group: its first member
    await carol.wait_for_message(room, "", sender=bot.user_id, after=asked)

    async def roles() -> dict[str, Role]:
        group = await bot.group(room)
        found = {}
        for person in (alice, bob, carol, dan):
            member = group.member_by_identity(f"matrix:{person.user_id}")
            if member is not None:
                found[person.user_id] = member.role
        return found

    async def everyone_counted() -> bool:
        return len(await roles()) == 4

    await bot.until(everyone_counted, "counting everyone in the room in")
    found = await roles()
    assert found[alice.user_id] is Role.FACILITATOR  # an admin
    assert found[bob.user_id] is Role.FACILITATOR  # a moderator
    assert found[dan.user_id] is Role.MEMBER  # level 0, and never said a word


async def test_without_the_setting_power_levels_make_nobody_a_facilitator(
    people: People, bots: Bots
) -> None:
    alice, carol = [await people.new(n) for n in ("alice", "carol")]
    room = await people.make_room(alice, carol, name="Mum's care team")
    bot = await bots.new(allowed_inviters=(alice.user_id,))
    await bot.invite(alice, room)
    asked = await carol.say(room, "!status")
    await carol.wait_for_message(room, "", sender=bot.user_id, after=asked)

    async def alice_counted() -> bool:
        group = await bot.group(room)
        return group.member_by_identity(f"matrix:{alice.user_id}") is not None

    await bot.until(alice_counted, "counting Alice in")
    group = await bot.group(room)
    alice_member = group.member_by_identity(f"matrix:{alice.user_id}")
    assert alice_member is not None and alice_member.role is Role.MEMBER
