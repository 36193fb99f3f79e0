"""Tests of the Synapse fixture and the human-member helpers, against a real server.

They pin down what the Matrix adapter's tests rely on: the server is reachable
and local only, users register cleanly, and messages, thread replies, reactions
and redactions travel between two real matrix-nio clients with the relations
intact and without rate limiting.
"""

import asyncio
import urllib.parse

import nio
import pytest

from .people import MatrixRequestFailed, People, in_reply_to, relates_to, thread_root
from .synapse_server import SynapseError, SynapseServer


def test_server_answers_versions_on_loopback_only(synapse: SynapseServer) -> None:
    answer = synapse.request("GET", "/_matrix/client/versions")

    assert "v1.1" in answer["versions"]
    assert synapse.base_url.startswith("http://127.0.0.1:")
    assert synapse.start_seconds is not None
    # Only the client API is served: no federation listener on this server.
    with pytest.raises(SynapseError, match="HTTP 404"):
        synapse.request("GET", "/_matrix/federation/v1/version")


def test_registered_users_are_unique_and_logged_in(synapse: SynapseServer) -> None:
    first = synapse.register_user("alice")
    second = synapse.register_user("alice", admin=True)

    assert first.user_id != second.user_id
    assert first.user_id.endswith(":localhost")
    whoami = synapse.request(
        "GET", "/_matrix/client/v3/account/whoami", access_token=first.access_token
    )
    assert whoami["user_id"] == first.user_id
    assert whoami["device_id"] == first.device_id
    profile = synapse.request("GET", f"/_matrix/client/v3/profile/{first.user_id}")
    assert profile["displayname"] == "alice"
    # Only the second one is an admin, and may use the admin API.
    quoted = urllib.parse.quote(first.user_id)
    details = synapse.request(
        "GET", f"/_synapse/admin/v2/users/{quoted}", access_token=second.access_token
    )
    assert details["admin"] is False
    with pytest.raises(SynapseError, match="M_FORBIDDEN"):
        synapse.request(
            "GET", f"/_synapse/admin/v2/users/{quoted}", access_token=first.access_token
        )


async def test_password_login_uses_a_new_device(people: People, synapse: SynapseServer) -> None:
    carol = await people.new("carol", password_login=True)

    assert carol.client.device_id != carol.user.device_id
    whoami = await asyncio.to_thread(
        synapse.request,
        "GET",
        "/_matrix/client/v3/account/whoami",
        access_token=carol.client.access_token,
    )
    assert whoami == {
        "user_id": carol.user_id,
        "device_id": carol.client.device_id,
        "is_guest": False,
    }


async def test_invite_join_and_message(people: People) -> None:
    alice, bob = await people.new("alice"), await people.new("bob")

    room_id = await alice.create_room(name="Care team", invite=[bob])
    await bob.wait_for_invite(room_id)
    await bob.join(room_id)
    await alice.wait_for_members(room_id, [alice, bob])
    hello = await alice.say(room_id, "Hello Bob")

    seen = await bob.wait_for_message(room_id, "Hello", sender=alice)
    assert seen.event_id == hello
    assert seen.body == "Hello Bob"
    assert bob.client.rooms[room_id].display_name == "Care team"


async def test_thread_reply_reaction_and_redaction_round_trip(
    people: People, synapse: SynapseServer
) -> None:
    alice, bob = await people.new("alice"), await people.new("bob")
    room_id = await people.make_room(alice, bob)

    root = await alice.say(room_id, "Shall we move the team meeting to Tuesday?")
    await bob.wait_for_message(room_id, "Tuesday")

    # A reply in the thread, and a plain (quote) reply outside it.
    in_thread = await bob.say(room_id, "Fine by me", thread=root)
    quote = await bob.say(room_id, "Also fine", reply_to=root)
    seen = await alice.wait_for_event(room_id, lambda e: e.event_id == in_thread)
    assert thread_root(seen) == root
    assert relates_to(seen)["is_falling_back"] is True
    seen_quote = await alice.wait_for_event(room_id, lambda e: e.event_id == quote)
    assert in_reply_to(seen_quote) == root
    assert thread_root(seen_quote) is None
    # The server, too, files the reply under the thread.
    thread = await asyncio.to_thread(
        synapse.request,
        "GET",
        f"/_matrix/client/v1/rooms/{room_id}/relations/{root}/m.thread",
        access_token=alice.user.access_token,
    )
    assert [event["event_id"] for event in thread["chunk"]] == [in_thread]

    # A reaction: matrix-nio 0.26 parses m.reaction into ReactionEvent.
    reaction = await bob.react(room_id, root, "👍")
    seen_reaction = await alice.wait_for_event(room_id, lambda e: e.event_id == reaction)
    assert isinstance(seen_reaction, nio.ReactionEvent)
    assert (seen_reaction.reacts_to, seen_reaction.key) == (root, "👍")
    assert relates_to(seen_reaction)["rel_type"] == "m.annotation"

    # The same reaction twice is refused by the server.
    with pytest.raises(MatrixRequestFailed) as refused:
        await bob.react(room_id, root, "👍")
    assert refused.value.errcode == "M_DUPLICATE_ANNOTATION"

    # Taking the reaction back is a redaction of the reaction event...
    redaction = await bob.redact(room_id, reaction, reason="changed my mind")
    seen_redaction = await alice.wait_for_event(
        room_id, lambda e: isinstance(e, nio.RedactionEvent), after=reaction
    )
    assert seen_redaction.event_id == redaction
    assert seen_redaction.redacts == reaction
    # ...after which the same reaction may be given again.
    again = await bob.react(room_id, root, "👍")
    assert again != reaction


async def test_a_burst_of_fifty_messages_is_not_rate_limited(people: People) -> None:
    alice, bob = await people.new("alice"), await people.new("bob")
    room_id = await people.make_room(alice, bob)

    # All at once: nio is configured not to sleep through a 429, so any rate
    # limiting would surface here as MatrixRequestFailed(M_LIMIT_EXCEEDED).
    sent = await asyncio.gather(*(alice.say(room_id, f"burst {n}") for n in range(50)))

    last = sent[-1]
    await bob.wait_for_event(room_id, lambda e: e.event_id == last)
    received = {event.event_id for event in bob.timelines[room_id]}
    assert set(sent) <= received  # none lost, although they came between two syncs


async def test_waiting_in_vain_says_what_was_seen(people: People) -> None:
    alice = await people.new("alice")
    room_id = await alice.create_room()
    await alice.say(room_id, "anyone here?")

    with pytest.raises(TimeoutError) as timed_out:
        await alice.wait_for_message(room_id, "a reply that never comes", timeout=0.5)

    message = str(timed_out.value)
    assert "a reply that never comes" in message
    assert "'anyone here?'" in message


@pytest.mark.matrix_e2e
async def test_encrypted_room_messages_are_decrypted_by_the_other_member(
    people: People, synapse: SynapseServer
) -> None:
    if not nio.crypto.ENCRYPTION_ENABLED:
        pytest.skip("end-to-end encryption needs matrix-nio[e2e]")
    alice = await people.new("alice", encryption=True)
    bob = await people.new("bob", encryption=True)
    room_id = await people.make_room(alice, bob, encrypted=True)
    assert bob.client.rooms[room_id].encrypted

    secret = await alice.say(room_id, "Medication round moved to 9:00")
    seen = await bob.wait_for_message(room_id, "Medication round", sender=alice)
    assert seen.event_id == secret
    assert seen.decrypted
    # On the server, the message is ciphertext.
    raw = await asyncio.to_thread(
        synapse.request,
        "GET",
        f"/_matrix/client/v3/rooms/{room_id}/event/{secret}",
        access_token=bob.user.access_token,
    )
    assert raw["type"] == "m.room.encrypted"
    assert "Medication" not in str(raw["content"])

    # And back, in a thread: the relation stays readable (it is not encrypted).
    answer = await bob.say(room_id, "Noted", thread=secret)
    seen_answer = await alice.wait_for_message(room_id, "Noted", sender=bob)
    assert seen_answer.event_id == answer
    assert seen_answer.decrypted
    assert thread_root(seen_answer) == secret
