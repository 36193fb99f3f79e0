"""Polls take reactions on Matrix: keycap numbers (1️⃣ 2️⃣ 3️⃣) pick options, as ✅ ✋
answer a consent card; taking a reaction back takes that pick back. Against a
real Synapse, with real matrix-nio clients."""

from __future__ import annotations

from bot.core.model import Stage

from .bot import Bots, bots, is_edit_of
from .people import People
from .test_adapter import team

__all__ = ["bots"]  # the fixture, which the tests take by name

ONE, TWO, THREE = "1\ufe0f\u20e3", "2\ufe0f\u20e3", "3\ufe0f\u20e3"


async def test_keycap_reactions_pick_options_and_taking_one_back_removes_that_pick(
    people: People, bots: Bots
) -> None:
    bot, room, (alice, bob) = await team(people, bots, "alice", "bob")
    said = await alice.say(room, "!poll Which treats for the party? | Cake | Fruit | Crisps\nmulti")
    card_event = await alice.wait_for_message(room, "Poll #1", sender=bot.user_id, after=said)
    card = card_event.event_id
    # The card says which reactions it takes.
    assert f"React to this message with {ONE} {TWO} {THREE}" in card_event.body

    first = await bob.react(room, card, ONE)
    await bob.wait_for_event(room, is_edit_of(card, "1. Cake — votes: 1"), after=first)
    third = await bob.react(room, card, THREE)
    await bob.wait_for_event(room, is_edit_of(card, "3. Crisps — votes: 1"), after=third)

    await bob.redact(room, first)
    edit = await bob.wait_for_event(room, is_edit_of(card, "1. Cake — votes: 0"), after=third)
    assert "3. Crisps — votes: 1" in edit.source["content"]["m.new_content"]["body"]

    group = await bot.group(room)
    proposal = group.proposals[1]
    assert proposal.stage is Stage.OPEN
    bob_member = group.member_by_identity(f"matrix:{bob.user_id}")
    assert bob_member is not None and proposal.round is not None
    answer = proposal.round.response_of(bob_member.id)
    assert answer is not None and answer.choices == (3,)


async def test_a_keycap_on_a_consent_card_is_not_a_response(people: People, bots: Bots) -> None:
    bot, room, (alice, bob) = await team(people, bots, "alice", "bob")
    said = await alice.say(room, "!propose Tea rota\nin 3 days")
    card = (
        await alice.wait_for_message(room, "Proposal #1", sender=bot.user_id, after=said)
    ).event_id
    await bob.react(room, card, ONE)
    consent = await bob.react(room, card, "✅")
    edit = await bob.wait_for_event(room, is_edit_of(card, "✅ Consent 1"), after=consent)
    assert "Object 0" in edit.source["content"]["m.new_content"]["body"]
    proposal = (await bot.group(room)).proposals[1]
    assert proposal.round is not None
    assert [r.response for r in proposal.round.history] == ["consent"]
