"""The bot in end-to-end encrypted rooms, as Element makes private rooms and DMs.

The people are nio clients with encryption, sending reactions encrypted as
Element does. The bot's cross-signing is checked from a person's point of
view, with :mod:`.signatures` (its own canonical JSON, vodozemac), never with
the bot's code.
"""

from __future__ import annotations

import re
import stat
from datetime import timedelta

import nio
import pytest

from adapters.matrix.crosssigning import SEED_FILE, DeviceSigning
from bot.core.commands import Actor
from bot.core.document import plain_text
from bot.core.model import Stage

from .bot import Bots, BotUnderTest, bots, is_edit_of
from .people import People, Person, relates_to, thread_root
from .signatures import cross_signed_device
from .synapse_server import SynapseServer
from .test_adapter import PROPOSAL, wait_for_any_invite

__all__ = ["bots"]  # the fixture, which the tests take by name

pytestmark = pytest.mark.matrix_e2e
if not nio.crypto.ENCRYPTION_ENABLED:
    pytest.skip("end-to-end encryption needs matrix-nio[e2e]", allow_module_level=True)

DEVICE = "DECIDINGTOGETHER"


async def encrypted_team(
    people: People, bots: Bots, *names: str
) -> tuple[BotUnderTest, str, list[Person]]:
    """An encrypted room of people with encryption (the first may invite the bot), and the bot."""
    persons = [await people.new(name, encryption=True) for name in names]
    bot = await bots.new(allowed_inviters=(persons[0].user_id,), encrypted=True)
    room = await people.make_room(*persons, encrypted=True)
    await bot.invite(persons[0], room)
    for person in persons[1:]:
        await person.wait_for_members(room, [bot.user_id])
    return bot, room, persons


def client(bot: BotUnderTest) -> nio.AsyncClient:
    assert bot.adapter is not None and bot.adapter.client is not None
    return bot.adapter.client


async def test_a_consent_round_in_an_encrypted_room_survives_a_restart(
    people: People, bots: Bots
) -> None:
    bot, room, (alice, bob, carol) = await encrypted_team(people, bots, "alice", "bob", "carol")
    said = await alice.say(room, PROPOSAL)
    card = await alice.wait_for_message(room, "Proposal #1", sender=bot.user_id, after=said)
    assert card.decrypted

    # Bob consents with an encrypted reaction; the bot's tally edit is encrypted too.
    await bob.react(room, card.event_id, "✅")
    edit = await bob.wait_for_event(room, is_edit_of(card.event_id, "✅ Consent 1"))
    assert isinstance(edit, nio.RoomMessageText) and edit.decrypted

    # Alice, who proposed, has not responded yet: her nudge comes in an encrypted direct room.
    await bot.wait(timedelta(days=2, hours=1))
    direct = await wait_for_any_invite(alice)
    await alice.join(direct)
    nudge = await alice.wait_for_message(direct, "Move the morning visit", sender=bot.user_id)
    assert nudge.decrypted and alice.client.rooms[direct].encrypted

    # The bot restarts in the middle of the round: same device, same keys, same store.
    identity = client(bot).olm.account.identity_keys  # type: ignore[union-attr]
    await bot.stop()
    await bot.start()
    assert client(bot).device_id == DEVICE
    assert client(bot).olm.account.identity_keys == identity  # type: ignore[union-attr]

    # Carol objects with an encrypted reaction and gives her reason in the card's thread:
    # after the restart the bot still reads both.
    objected = await carol.react(room, card.event_id, "✋")
    await carol.wait_for_event(
        room,
        lambda e: e.sender == bot.user_id and thread_root(e) == card.event_id,
        after=objected,
        what="the question why, in the card's thread",
    )
    await carol.say(room, "Tuesday is too early for Mum", thread=card.event_id)
    await carol.wait_for_event(room, is_edit_of(card.event_id, "Tuesday is too early for Mum"))

    # Alice amends; everyone consents to the new version; the outcome is announced.
    # Alice's and Bob's room keys were given to the bot before the restart: it kept them.
    amended = await alice.say(room, "!amend #1 Move it to 10:30 instead")
    new_card = await alice.wait_for_message(
        room, "Move it to 10:30 instead", sender=bot.user_id, after=amended
    )
    for person in (alice, bob, carol):
        await person.react(room, new_card.event_id, "✅")
    announcement = await alice.wait_for_event(
        room,
        lambda e: (
            e.sender == bot.user_id
            and "agreed" in getattr(e, "body", "").casefold()
            and relates_to(e).get("rel_type") != "m.replace"
        ),
        after=new_card.event_id,
        what="the outcome announced",
    )
    assert isinstance(announcement, nio.RoomMessageText) and announcement.decrypted

    proposal = (await bot.group(room)).proposals[1]
    assert proposal.stage is Stage.AGREED
    first_round = proposal.rounds[0].current()
    assert sorted(r.response for r in first_round.values()) == ["consent", "object"]
    assert bot.adapter is not None and bot.adapter.undecryptable == 0


async def test_the_bot_is_a_cross_signed_device_of_its_own_account(
    people: People, bots: Bots, synapse: SynapseServer
) -> None:
    alice = await people.new("alice", encryption=True)
    bot = await bots.new(allowed_inviters=(alice.user_id,), encrypted=True)
    assert bot.adapter is not None and bot.adapter.cross_signing is DeviceSigning.SIGNED

    # What Alice's app sees: the bot's master key signed its self-signing key, which
    # signed the very device the bot encrypts with.
    chain = await cross_signed_device(synapse, alice.user.access_token, bot.user_id, DEVICE)
    identity = client(bot).olm.account.identity_keys  # type: ignore[union-attr]
    assert chain.device["keys"][f"ed25519:{DEVICE}"] == identity["ed25519"]
    assert stat.S_IMODE((bot.store / SEED_FILE).stat().st_mode) == 0o600

    # The next start finds everything in place: no new keys, the same identity.
    await bot.stop()
    await bot.start()
    assert bot.adapter.cross_signing is DeviceSigning.ALREADY
    again = await cross_signed_device(synapse, alice.user.access_token, bot.user_id, DEVICE)
    assert (again.master, again.self_signing) == (chain.master, chain.self_signing)


async def test_a_message_the_bot_cannot_read_gets_one_plain_note(
    people: People, bots: Bots
) -> None:
    bot, room, (alice, bob) = await encrypted_team(people, bots, "alice", "bob")
    # Bob's app does not give the bot's device the room key (as Element may not, for a
    # device it does not trust).
    await bob.sync()
    bot_device = bob.client.device_store[bot.user_id][DEVICE]
    bob.client.blacklist_device(bot_device)

    first = await bob.say(room, "!status")
    note = await alice.wait_for_message(
        room, "I couldn't read a message from bob", sender=bot.user_id, after=first
    )
    assert note.body == "I couldn't read a message from bob. Please send it again."
    assert note.decrypted
    again = await bob.say(room, "!propose Something nobody can read")
    asked = await alice.say(room, "!status")
    await alice.wait_for_event(room, lambda e: e.sender == bot.user_id, after=asked)

    notes = [e for e in alice.timelines[room] if "couldn't read" in getattr(e, "body", "")]
    assert notes == [note]  # once per person and room, not per message
    assert bot.adapter is not None and bot.adapter.undecryptable == 2
    assert await bot.running.storage.seen_update(f"matrix:{first}")  # stored, like a reply
    assert not await bot.running.storage.seen_update(f"matrix:{again}")
    assert client(bot).outgoing_key_requests  # and the key was asked for
    assert (await bot.group(room)).proposals == {}


async def test_an_encrypted_room_is_linked_to_a_telegram_group_only_after_a_warning(
    people: People, bots: Bots
) -> None:
    bot, room, (alice,) = await encrypted_team(people, bots, "alice")
    app, sam = bot.running.app, Actor("telegram:1", "Sam")
    await app.submit(chat="telegram:-100", actor=sam, text="join")
    made = await app.submit(chat="telegram:-100", actor=sam, text="link")
    (code,) = re.findall(r"^link (\S+)$", plain_text(made.replies()[0]), re.MULTILINE)
    adapter = bot.adapter
    assert adapter is not None
    # The bot learns that the room is encrypted from its sync, which may lag the room's making.
    await bot.until(lambda: adapter.end_to_end_encrypted(f"matrix:{room}"), "the room's encryption")

    said = await alice.say(room, f"!link {code}")
    warning = await alice.wait_for_message(
        room, "end-to-end encrypted", sender=bot.user_id, after=said
    )
    assert f"link {code} confirm" in warning.body and warning.decrypted
    group = await app.group_of_chat("telegram:-100")
    assert group is not None and group.chats == ("telegram:-100",)

    said = await alice.say(room, f"!link {code} confirm")
    await alice.wait_for_message(room, "added another chat", sender=bot.user_id, after=said)
    group = await app.group_of_chat(f"matrix:{room}")
    assert group is not None and group.chats == ("telegram:-100", f"matrix:{room}")
