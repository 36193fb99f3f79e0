"""Who may act on Matrix: only someone the room's membership says is in it.

Matrix lets only joined users send events to a room, but the bot reads a room
after the fact: a reaction and a leave can reach it in one sync. What counts is
the membership when the bot decides, so someone who reacted and left (or was
kicked) before the bot caught up is not counted and becomes nobody's member.
"""

from __future__ import annotations

from .bot import Bots, bots, is_edit_of
from .people import People
from .test_adapter import propose, team

__all__ = ["bots"]  # the fixture, which the tests take by name


async def test_a_reaction_from_someone_no_longer_in_the_room_is_not_counted(
    people: People, bots: Bots
) -> None:
    bot, room, (alice, bob, gil) = await team(people, bots, "alice", "bob", "gil")
    card = await propose(alice, bot, room)
    await bot.stop()

    # While the bot is away, Gil (who never spoke) objects by reaction and leaves.
    await gil.react(room, card, "✋")
    await gil.leave(room)
    await bob.react(room, card, "✅")
    await bot.start()
    await alice.wait_for_event(room, is_edit_of(card, "✅ Consent 1"))

    group = await bot.group(room)
    # Gil was in the room as the group started, so a member; having left, no longer counted.
    gil_member = group.member_by_identity(f"matrix:{gil.user_id}")
    assert gil_member is not None and not gil_member.active
    proposal = group.proposals[1]
    assert proposal.round is not None
    assert [r.response for r in proposal.round.history] == ["consent"]
    audit = await bot.running.storage.audit(group.id)
    gil_did = [e.summary.split(" by ")[0] for e in audit if gil.user_id in e.summary]
    assert gil_did[0] == "Join" and gil_did[-1] == "Leave"  # counted in, then out
