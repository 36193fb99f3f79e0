"""The Matrix adapter end to end: a real Synapse, real nio clients as the people, the real bot.

Each test tells a care team's story as Element users would live it: ``!commands``
in the room, reactions on the proposal card, answers in the card's thread, a
nudge in a direct room, an upgrade of the room, a restart of the bot in the
middle of a round. The same in encrypted rooms is in ``test_encryption``.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from itertools import pairwise
from pathlib import Path
from urllib.parse import quote

import nio
import pytest

from adapters.matrix.rooms import NoDirectRoom
from bot import runtime
from bot.config import load_config
from bot.core.model import Stage
from tests import care_team

from .bot import Bots, BotUnderTest, bots, is_edit_of
from .people import People, Person, in_reply_to, relates_to, thread_root
from .synapse_server import SynapseServer

__all__ = ["bots"]  # the fixture, which the tests take by name

PROPOSAL = "!propose Move the morning visit to 10:00\nMum prefers a later start.\nin 3 days"


async def team(people: People, bots: Bots, *names: str) -> tuple[BotUnderTest, str, list[Person]]:
    """A room of people (the first one may invite the bot) with the bot in it; the shared
    care team (``tests/care_team.py``), shown by their names, when no names are given."""
    persons = (
        [await people.new(name) for name in names]
        if names
        else [await people.new(c.key, displayname=c.name) for c in care_team.TEAM]
    )
    bot = await bots.new(allowed_inviters=(persons[0].user_id,))
    room = await people.make_room(*persons, name=care_team.TEAM_TITLE)
    await bot.invite(persons[0], room)
    return bot, room, persons


async def propose(person: Person, bot: BotUnderTest, room: str, text: str = PROPOSAL) -> str:
    """Propose, and return the card's event id."""
    said = await person.say(room, text)
    card = await person.wait_for_message(room, "Proposal #", sender=bot.user_id, after=said)
    return card.event_id


async def test_consent_with_an_objection_by_reaction_an_amendment_and_a_pass(
    people: People, bots: Bots
) -> None:
    bot, room, (alice, bob, carol) = await team(people, bots, "alice", "bob", "carol")
    card = await propose(alice, bot, room)

    # Bob consents with a reaction: the card's tally is edited in place.
    started = time.monotonic()
    await bob.react(room, card, "✅")
    await bob.wait_for_event(room, is_edit_of(card, "✅ Consent 1"), what="the tally edit")
    latency = time.monotonic() - started

    # Carol objects with ✋: the bot asks her why, in the card's thread, mentioning her.
    objected = await carol.react(room, card, "✋")
    prompt = await carol.wait_for_event(
        room,
        lambda e: e.sender == bot.user_id and thread_root(e) == card,
        after=objected,
        what="the question why, in the card's thread",
    )
    assert prompt.source["content"]["m.mentions"] == {"user_ids": [carol.user_id]}
    assert prompt.source["content"]["body"].startswith("carol")
    # She answers in the thread, as Element's thread view does.
    await carol.say(room, "Tuesday is too early for Mum", thread=card)
    await carol.wait_for_event(room, is_edit_of(card, "✋ Object 1"), what="the objection")
    edit = await carol.wait_for_event(room, is_edit_of(card, "Tuesday is too early for Mum"))
    assert "Consent 1" in edit.source["content"]["m.new_content"]["body"]

    # Alice amends: a new card, and everyone is asked again.
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
    assert "Move the morning visit" in announcement.body

    proposal = (await bot.group(room)).proposals[1]
    assert proposal.stage is Stage.AGREED
    assert proposal.version.details == "Move it to 10:30 instead"
    first_round = proposal.rounds[0].current()
    assert [r.response for r in first_round.values()] == ["consent", "object"]
    assert first_round[max(first_round)].reason == "Tuesday is too early for Mum"
    print(f"\nreaction → tally edit seen by a member: {latency * 1000:.0f} ms")


async def test_taking_a_reaction_back_withdraws_the_response(people: People, bots: Bots) -> None:
    bot, room, (alice, bob) = await team(people, bots, "alice", "bob")
    card = await propose(alice, bot, room)

    reaction = await bob.react(room, card, "✅")
    await bob.wait_for_event(room, is_edit_of(card, "✅ Consent 1"))
    await bob.redact(room, reaction)

    edit = await bob.wait_for_event(room, is_edit_of(card, "✅ Consent 0"), after=reaction)
    assert "Still to respond: alice, bob" in edit.source["content"]["m.new_content"]["body"]
    round_ = (await bot.group(room)).proposals[1].round
    assert round_ is not None
    bob_id = (await bot.group(room)).member_by_identity(f"matrix:{bob.user_id}").id  # type: ignore[union-attr]
    assert bob_id not in round_.current() and bob_id not in round_.participants
    assert [r.response for r in round_.history] == ["consent", "withdrawn"]


async def test_a_reminder_comes_in_a_direct_room(
    people: People, bots: Bots, synapse: SynapseServer
) -> None:
    bot, room, (alice, bob) = await team(people, bots, "alice", "bob")
    await propose(alice, bot, room)
    said = await bob.say(room, "!join")
    await bob.wait_for_message(room, "bob", sender=bot.user_id, after=said)  # welcomed

    # A day before the deadline (three days after the proposal), Bob is nudged privately.
    await bot.wait(timedelta(days=2, hours=1))
    direct = await wait_for_any_invite(bob)
    await bob.join(direct)
    nudge = await bob.wait_for_message(direct, "Move the morning visit", sender=bot.user_id)

    assert "!consent #1" in nudge.body
    invite = next(
        e
        for e in bob.timelines[direct]
        if isinstance(e, nio.RoomMemberEvent) and e.membership == "invite"
    )
    assert (invite.state_key, invite.content.get("is_direct")) == (bob.user_id, True)
    assert bot.adapter is not None
    direct_rooms = await asyncio.to_thread(
        synapse.request,
        "GET",
        f"/_matrix/client/v3/user/{quote(bot.user_id)}/account_data/m.direct",
        access_token=bot.adapter.client.access_token,  # type: ignore[union-attr]
    )
    assert direct_rooms[bob.user_id] == [direct]


async def wait_for_any_invite(person: Person, timeout: float = 10) -> str:
    """The first room ``person`` is invited to, once they see an invite."""
    deadline = time.monotonic() + timeout
    while not person.invited_to:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{person.user_id} was never invited anywhere")
        await person.sync(timeout_ms=1000)
    return next(iter(person.invited_to))


async def test_a_restart_in_the_middle_of_a_round_loses_and_repeats_nothing(
    people: People, bots: Bots
) -> None:
    bot, room, (alice, bob, carol, dan) = await team(people, bots, "alice", "bob", "carol", "dan")
    card = await propose(alice, bot, room)
    await bob.react(room, card, "✅")
    await bob.wait_for_event(room, is_edit_of(card, "✅ Consent 1"))
    assert bot.adapter is not None and bot.adapter.client is not None
    device, token = bot.adapter.client.device_id, bot.adapter.client.access_token
    since_key = f"matrix:since:{bot.user_id}"
    before_the_break = await bot.running.storage.get_value(since_key)
    await bot.stop()

    # While the bot is away, Carol consents by reaction and Dan raises a concern in words.
    await carol.react(room, card, "✅")
    said = await dan.say(room, "!concern #1 Mum may need longer to get ready")
    await bot.start()
    await alice.wait_for_event(room, is_edit_of(card, "🟡 Concern 1"), after=said)
    assert bot.adapter.client is not None
    assert (bot.adapter.client.device_id, bot.adapter.client.access_token) == (device, token)

    # A crash before the sync token was saved: the same events come again, and count once.
    await bot.stop()
    await bot.running.storage.set_value(since_key, before_the_break or "")
    await bot.start()
    asked = await alice.say(room, "!status")
    await alice.wait_for_message(room, "#1", sender=bot.user_id, after=asked)

    group = await bot.group(room)
    proposal = group.proposals[1]
    assert proposal.round is not None
    names = {m.id: m.name for m in group.members.values()}
    recorded = [(names[r.member], r.response) for r in proposal.round.history if r.member]
    assert recorded == [("bob", "consent"), ("carol", "consent"), ("dan", "concern")]
    audit = await bot.running.storage.audit(group.id)
    assert [e.summary.split(" by ")[0] for e in audit].count("Respond") == 3
    # Reactions are answered by the tally; Dan's typed concern by one "thank you".
    thanks = [
        e
        for e in alice.timelines[room]
        if e.sender == bot.user_id and "Thank you" in getattr(e, "body", "")
    ]
    assert len(thanks) == 1 and thanks[0].body.startswith("Thank you, dan.")


async def test_only_allowed_inviters_bring_the_bot_in(people: People, bots: Bots) -> None:
    alice, mallory = await people.new("alice"), await people.new("mallory")
    bot = await bots.new(allowed_inviters=(alice.user_id,))

    strange = await mallory.create_room(name="Not a care team")
    await mallory.invite(strange, bot.user_id)
    await mallory.wait_for_event(
        strange,
        lambda e: (
            isinstance(e, nio.RoomMemberEvent)
            and e.state_key == bot.user_id
            and e.membership == "leave"
        ),
        what="the bot refusing the invite",
    )

    room = await alice.create_room(name="Care team")
    await alice.say(room, "!propose Something said before the bot was here")
    await bot.invite(alice, room)
    asked = await alice.say(room, "!status")
    # History from before the bot joined is not acted on.
    await alice.wait_for_event(room, lambda e: e.sender == bot.user_id, after=asked)
    assert (await bot.group(room)).proposals == {}
    assert await bot.running.app.group_of_chat(f"matrix:{strange}") is None


async def test_in_the_card_thread_and_in_a_reply_to_the_card_no_number_is_needed(
    people: People, bots: Bots
) -> None:
    bot, room, (alice, bob, carol) = await team(people, bots, "alice", "bob", "carol")
    card = await propose(alice, bot, room)

    chat = await bob.say(room, "I will ask Mum first", thread=card)
    said = await bob.say(room, "!consent", thread=card)
    await bob.wait_for_event(room, is_edit_of(card, "✅ Consent 1"), after=said)
    thanks = await bob.wait_for_message(room, "Thank you, bob", sender=bot.user_id, after=said)
    assert thread_root(thanks) == card  # the answer stays in the thread it was asked in
    assert in_reply_to(thanks) == said  # and replies to the words it answers
    said = await carol.say(room, "concern: she may need longer", reply_to=card)
    edit = await carol.wait_for_event(room, is_edit_of(card, "🟡 Concern 1"), after=said)

    reasons = edit.source["content"]["m.new_content"]["body"].casefold()
    assert "carol — concern: she may need longer" in reasons
    # Plain chat in the thread is conversation: not answered, not even recorded.
    assert not await bot.running.storage.seen_update(f"matrix:{chat}")
    reply = await carol.wait_for_message(room, "Thank you, carol", sender=bot.user_id, after=said)
    assert in_reply_to(reply) == said and thread_root(reply) is None

    # Alice objects by reaction and, as in FluffyChat, answers with a plain reply to the
    # bot's question, outside any thread.
    objected = await alice.react(room, card, "✋")
    prompt = await alice.wait_for_event(
        room, lambda e: e.sender == bot.user_id and thread_root(e) == card, after=objected
    )
    await alice.say(
        room, "> the question\n\nNot before Mum's new medication", reply_to=prompt.event_id
    )
    await alice.wait_for_event(room, is_edit_of(card, "Not before Mum's new medication"))


async def test_an_upgraded_room_keeps_its_group(
    people: People, bots: Bots, synapse: SynapseServer
) -> None:
    bot, room, (alice, _bob) = await team(people, bots, "alice", "bob")
    await propose(alice, bot, room)

    upgraded = await asyncio.to_thread(
        synapse.request,
        "POST",
        f"/_matrix/client/v3/rooms/{quote(room)}/upgrade",
        {"new_version": "12"},
        access_token=alice.user.access_token,
    )
    new_room = upgraded["replacement_room"]
    # As Element offers to when upgrading, Alice invites the room's members to the new room.
    await bot.invite(alice, new_room)

    await bot.until(lambda: bot.running.app.group_of_chat(f"matrix:{new_room}"), "moving the group")
    asked = await alice.say(new_room, "!status")
    await alice.wait_for_message(
        new_room, "Move the morning visit", sender=bot.user_id, after=asked
    )
    assert (await bot.group(new_room)).chats == (f"matrix:{new_room}",)


async def test_deciding_together_run_with_a_matrix_section(
    people: People, synapse: SynapseServer, tmp_path: Path
) -> None:
    alice = await people.new("alice")
    account = await synapse.aregister_user("bot")
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        "[matrix]\n"
        f'homeserver = "{synapse.base_url}"\n'
        f'user_id = "{account.user_id}"\n'
        f'password = "{account.password}"\n'
        f'store_path = "{tmp_path / "matrix-store"}"\n'
        f'allowed_inviters = ["{alice.user_id}"]\n'
        "\n[storage]\n"
        f'path = "{tmp_path / "bot.db"}"\n',
        encoding="utf-8",
    )
    config = load_config(config_file, env={})
    stop = asyncio.Event()
    running = asyncio.create_task(runtime.run(config, stop=stop))
    try:
        room = await alice.create_room(name="Care team", invite=[account.user_id])
        await alice.wait_for_members(room, [alice, account.user_id])
        said = await alice.say(room, PROPOSAL)
        card = await alice.wait_for_message(room, "Proposal #1", sender=account.user_id, after=said)
        assert "React to this message with ✅ 🟡 ✋" in card.body
    finally:
        stop.set()
        await asyncio.wait_for(running, 20)
    assert (tmp_path / "matrix-store" / "credentials.json").stat().st_mode & 0o077 == 0


async def test_without_a_direct_room_a_reminder_mentions_the_person_in_the_group(
    people: People, bots: Bots, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot, room, (alice, bob) = await team(people, bots, "alice", "bob")
    await propose(alice, bot, room)
    said = await bob.say(room, "!join")
    await bob.wait_for_message(room, "bob", sender=bot.user_id, after=said)  # welcomed

    async def refused(user_id: str) -> str:
        raise NoDirectRoom(f"{user_id}'s server refuses invites from the bot")

    assert bot.adapter is not None and bot.adapter._deliveries is not None
    monkeypatch.setattr(bot.adapter._deliveries.rooms, "direct_room", refused)
    await bot.wait(timedelta(days=2, hours=1))

    nudge = await bob.wait_for_event(
        room,
        lambda e: (
            e.sender == bot.user_id
            and e.source["content"].get("m.mentions") == {"user_ids": [bob.user_id]}
        ),
        after=said,
        what="a reminder that mentions Bob",
    )
    assert isinstance(nudge, nio.RoomMessageText) and "Move the morning visit" in nudge.body
    assert f'href="https://matrix.to/#/{bob.user_id}"' in nudge.source["content"]["formatted_body"]


async def test_a_bot_removed_from_the_room_stops_posting_there(people: People, bots: Bots) -> None:
    bot, room, (alice, _bob) = await team(people, bots, "alice", "bob")
    await propose(alice, bot, room)
    group_id = (await bot.group(room)).id

    await alice.client.room_kick(room, bot.user_id, reason="trying something else")

    async def room_dropped() -> bool:
        group = await bot.running.app.group(group_id)
        return group is not None and group.chats == ()

    await bot.until(room_dropped, "dropping the room from its group")


async def test_on_its_very_first_start_the_bot_does_not_replay_old_commands(
    people: People, bots: Bots, synapse: SynapseServer
) -> None:
    alice = await people.new("alice")
    bot = await bots.new(allowed_inviters=(alice.user_id,), start=False)
    room = await alice.create_room(name="Care team", invite=[bot.user_id])
    # The bot's account joined (another client of it, say) before the bot first ran.
    await asyncio.to_thread(
        synapse.request,
        "POST",
        f"/_matrix/client/v3/join/{quote(room)}",
        {},
        access_token=bot.user.access_token,
    )
    await alice.say(room, "!propose An old idea from before the bot ran")

    await bot.start()
    asked = await alice.say(room, "!status")
    await alice.wait_for_event(room, lambda e: e.sender == bot.user_id, after=asked)
    assert (await bot.group(room)).proposals == {}


async def test_a_burst_of_reactions_edits_the_card_about_once_a_second(
    people: People, bots: Bots
) -> None:
    bot, room, (alice, *others) = await team(people, bots, "alice", "bob", "carol", "dan", "eve")
    card = await propose(alice, bot, room)

    await asyncio.gather(*(person.react(room, card, "✅") for person in others))
    await alice.wait_for_event(room, is_edit_of(card, "✅ Consent 4"), timeout=15)

    edits = [e for e in alice.timelines[room] if is_edit_of(card)(e)]
    stamps = [e.server_timestamp for e in edits]
    assert all(later - earlier >= 900 for earlier, later in pairwise(stamps))
    assert len(edits) <= len(others)
    print(f"\n{len(others)} reactions at once → {len(edits)} card edits")


async def test_files_come_as_attachments_in_the_room_and_privately(
    people: People, bots: Bots
) -> None:
    bot, room, (alice,) = await team(people, bots, "alice")
    await propose(alice, bot, room)

    asked = await alice.say(room, "!export")
    attachment = await alice.wait_for_event(
        room,
        lambda e: isinstance(e, nio.RoomMessageFile) and e.body.endswith(".md"),
        after=asked,
        what="the Markdown record",
    )
    download = await alice.client.download(attachment.url)
    assert isinstance(download, nio.DownloadResponse)
    assert "Move the morning visit to 10:00" in download.body.decode("utf-8")
    content = attachment.source["content"]
    assert content["info"]["mimetype"].startswith("text/markdown")
    assert content["filename"] == content["body"]

    # Personal data goes privately, in the direct room.
    await alice.say(room, "!mydata")
    direct = await wait_for_any_invite(alice)
    await alice.join(direct)
    mine = await alice.wait_for_event(
        direct, lambda e: isinstance(e, nio.RoomMessageFile), what="the personal data file"
    )
    assert mine.body == "my-data.json"


async def test_a_dropped_login_is_renewed_with_the_password(
    people: People, bots: Bots, synapse: SynapseServer
) -> None:
    bot, room, (alice,) = await team(people, bots, "alice")
    assert bot.adapter is not None and bot.adapter.client is not None
    client = bot.adapter.client
    old_token = client.access_token

    # Someone ends the bot's session (Element: Settings → Sessions → Sign out).
    await asyncio.to_thread(
        synapse.request, "POST", "/_matrix/client/v3/logout", {}, access_token=old_token
    )
    await bot.until(lambda: client.access_token != old_token, "logging in again", timeout=15)

    asked = await alice.say(room, "!status")
    await alice.wait_for_event(room, lambda e: e.sender == bot.user_id, after=asked)
    assert client.device_id == "DECIDINGTOGETHER"


async def test_joining_and_leaving_the_room_joins_and_leaves_the_group(
    people: People, bots: Bots
) -> None:
    bot, room, (alice,) = await team(people, bots, "alice")
    await propose(alice, bot, room)
    bob = await people.new("bob")

    await alice.invite(room, bob)
    await bob.wait_for_invite(room)
    await bob.join(room)
    await alice.wait_for_message(room, "bob", sender=bot.user_id)  # welcomed
    bob_member = (await bot.group(room)).member_by_identity(f"matrix:{bob.user_id}")
    assert bob_member is not None and bob_member.active

    await bob.leave(room)

    async def bob_left() -> bool:
        member = (await bot.group(room)).members[bob_member.id]
        return not member.active

    await bot.until(bob_left, "counting Bob out")


async def test_a_stranger_writing_privately_is_answered_in_the_direct_room(
    people: People, bots: Bots
) -> None:
    """Someone in no group yet messages the bot directly: the answer (stored nowhere,
    as there is no group to store it in) still comes, in that room."""
    alice = await people.new("alice")
    bot = await bots.new(allowed_inviters=(alice.user_id,))
    created = await alice.client.room_create(
        invite=[bot.user_id], is_direct=True, preset=nio.RoomPreset.trusted_private_chat
    )
    assert isinstance(created, nio.RoomCreateResponse)
    room = created.room_id
    await alice.wait_for_members(room, [bot.user_id])
    asked = await alice.say(room, "status")
    answer = await alice.wait_for_message(room, "join", sender=bot.user_id, after=asked)
    assert "group" in answer.body
