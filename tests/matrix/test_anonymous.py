"""An anonymous proposal on Matrix: reactions are public room events, so the card
does not ask for them, and the reason is asked for in a direct room, not in the
card's thread, which everyone in the room reads."""

from __future__ import annotations

from adapters.matrix import render
from bot.core.document import Action, Document, para

from .bot import Bots, bots, is_edit_of
from .people import People, thread_root
from .test_adapter import propose, team, wait_for_any_invite

__all__ = ["bots"]  # the fixture, which the tests take by name

CARD = Document(
    (para("Proposal #7: Move the morning visit"),),
    (Action("✅ Consent", "consent #7"), Action("✋ Object", "object #7")),
)


def test_a_card_that_does_not_invite_reactions_only_says_what_to_type() -> None:
    invited = render.render(CARD, card=True)
    anonymous = render.render(CARD, card=True, reactions=False)
    assert "React to this message with ✅ ✋" in invited["body"]
    assert "React" not in anonymous["body"] and "React" not in anonymous["formatted_body"]
    assert "Type: ✅ Consent: !consent #7 · ✋ Object: !object #7" in anonymous["body"]


async def test_an_anonymous_card_asks_for_no_reaction_and_the_reason_privately(
    people: People, bots: Bots
) -> None:
    bot, room, (alice, bob) = await team(people, bots, "alice", "bob")
    card = await propose(
        alice,
        bot,
        room,
        "!propose Move the morning visit to 10:00\nanonymous\nin 3 days",
    )
    (shown,) = [e for e in alice.timelines[room] if getattr(e, "event_id", None) == card]
    assert "This is anonymous." in shown.body
    assert "React" not in shown.body

    # Bob reacts anyway: the question why comes to his direct room, not the thread.
    reacted = await bob.react(room, card, "✋")
    direct = await wait_for_any_invite(bob)
    await bob.join(direct)
    prompt = await bob.wait_for_message(direct, "please tell us why", sender=bot.user_id)
    assert thread_root(prompt) is None
    await bob.say(direct, "Mum sleeps until ten")
    await alice.wait_for_event(room, is_edit_of(card, "Someone — Object: Mum sleeps until ten"))
    in_room = [
        e
        for e in alice.timelines[room]
        if getattr(e, "sender", None) == bot.user_id and e.event_id != card
    ]
    for event in in_room:
        assert "bob" not in str(event.source["content"]).lower(), event.source
    assert reacted
