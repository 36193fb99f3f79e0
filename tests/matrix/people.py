"""Real matrix-nio clients that play the human members of a care team.

A :class:`Person` is a logged-in ``nio.AsyncClient`` plus the few things a person
does in Element: create a room, invite, join, write (also as a reply or in a
thread), react, redact, and wait to see something happen. The :func:`people`
fixture hands out persons and closes their clients after the test::

    async def test_hello(people):
        alice, bob = await people.new("alice"), await people.new("bob")
        room = await people.make_room(alice, bob)
        hello = await alice.say(room, "hello")
        seen = await bob.wait_for_message(room, "hello")
        assert seen.event_id == hello

Every helper raises :class:`MatrixRequestFailed` when the server refuses, so a
test reads as the story it tells, without checking nio response types.

Known matrix-nio 0.26 behaviour worth knowing when writing predicates:

* ``m.reaction`` arrives as ``nio.ReactionEvent`` (``reacts_to``, ``key``). Older
  nio releases, without that class, gave ``UnknownEvent`` (``type == "m.reaction"``);
  in 0.26 a reaction whose content does not fit nio's schema becomes ``BadEvent``,
  and one already redacted when it is first synced becomes ``RedactedEvent``.
  nio sends reactions unencrypted, even in encrypted rooms; Element encrypts
  them, and so does :meth:`Person.react` here.
* nio has no notion of threads or replies: ``m.relates_to`` (``rel_type:
  m.thread``, ``m.in_reply_to``) is only in ``event.source["content"]``; use
  :func:`relates_to`.
* A redaction arrives as ``nio.RedactionEvent`` (``redacts``); the redacted event
  stays as it was in :attr:`Person.timelines` (nio does not rewrite history).
* Encrypted messages that could be decrypted arrive as ordinary ``RoomMessageText``
  with ``decrypted=True``; otherwise as ``MegolmEvent`` (retried here when
  keys arrive later).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any

import nio
import pytest_asyncio

from .synapse_server import RegisteredUser, SynapseServer

#: How long a person waits for something to show up before the test fails.
DEFAULT_WAIT = 10.0

#: Per sync, return up to this many timeline events per room. Synapse's default (10)
#: would silently drop events from a burst between two syncs ("limited" timelines).
SYNC_FILTER: dict[str, Any] = {"room": {"timeline": {"limit": 500}}}

MEGOLM = "m.megolm.v1.aes-sha2"

EventPredicate = Callable[[nio.Event], bool]


class MatrixRequestFailed(AssertionError):
    """The homeserver refused something a person did.

    An ``AssertionError`` so that pytest shows it as a test failure, not an error
    in the test harness. ``errcode`` is Synapse's code, e.g. ``M_FORBIDDEN`` or
    ``M_DUPLICATE_ANNOTATION``.
    """

    def __init__(self, action: str, response: nio.ErrorResponse) -> None:
        self.errcode = response.status_code
        self.response = response
        super().__init__(f"{action} failed: {response.status_code}: {response.message}")


def _check(response: Any, action: str) -> Any:
    """Return ``response`` unless nio reports an error response for it."""
    if isinstance(response, nio.ErrorResponse):
        raise MatrixRequestFailed(action, response)
    return response


def relates_to(event: nio.Event) -> dict[str, Any]:
    """The event's ``m.relates_to`` content (empty if it has none).

    nio does not model relations, so they are read from the raw event.
    """
    relation = event.source.get("content", {}).get("m.relates_to")
    return relation if isinstance(relation, dict) else {}


def thread_root(event: nio.Event) -> str | None:
    """The id of the thread's first event if ``event`` was sent in a thread."""
    relation = relates_to(event)
    return relation.get("event_id") if relation.get("rel_type") == "m.thread" else None


def in_reply_to(event: nio.Event) -> str | None:
    """The id of the event that ``event`` replies to, if any (also inside threads)."""
    reply = relates_to(event).get("m.in_reply_to")
    return reply.get("event_id") if isinstance(reply, dict) else None


def describe(event: nio.Event) -> str:
    """A one-line summary of an event, for failure messages."""
    content = event.source.get("content", {})
    parts = [type(event).__name__, event.source.get("type", "?"), f"from {event.sender}"]
    if isinstance(event, nio.MegolmEvent):
        parts.append("(not decrypted)")
    if "body" in content:
        parts.append(repr(content["body"])[:80])
    if relation := relates_to(event):
        parts.append(f"relates_to={relation}")
    if redacts := getattr(event, "redacts", None):
        parts.append(f"redacts={redacts}")
    return f"{event.event_id}: " + " ".join(parts)


class Person:
    """One human member: a registered user with a logged-in, syncing nio client.

    Create persons with :meth:`People.new` (or :func:`log_in`). Everything the person
    has seen in a room's timeline is kept in :attr:`timelines`, so waiting never
    misses an event that arrived during an earlier sync.
    """

    def __init__(self, user: RegisteredUser, client: nio.AsyncClient) -> None:
        self.user = user
        self.client = client
        #: Every timeline event this person's client has received, per room id, in order.
        self.timelines: dict[str, list[nio.Event]] = defaultdict(list)
        #: Room ids this person is currently invited to.
        self.invited_to: set[str] = set()
        # Two waits running at once must not sync from the same token: that would
        # record the same events twice.
        self._sync_lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"<Person {self.user_id}>"

    @property
    def user_id(self) -> str:
        return self.user.user_id

    @property
    def name(self) -> str:
        """The display name other members see."""
        return self.user.displayname

    @property
    def encrypted(self) -> bool:
        """Whether this person's client does end-to-end encryption."""
        return self.client.olm is not None

    # -- syncing -------------------------------------------------------------------

    async def sync(self, timeout_ms: int = 0) -> nio.SyncResponse:
        """Sync once (long-polling up to ``timeout_ms``) and record what arrived.

        Also does the key housekeeping that ``sync_forever`` would do for an
        encrypting client: upload, query and claim keys, send to-device messages.
        """
        async with self._sync_lock:
            response = _check(
                await self.client.sync(timeout=timeout_ms, sync_filter=SYNC_FILTER), "sync"
            )
            for room_id, info in response.rooms.join.items():
                self.timelines[room_id].extend(info.timeline.events)
                self.invited_to.discard(room_id)
            self.invited_to.update(response.rooms.invite)
            self.invited_to.difference_update(response.rooms.leave)
            if self.encrypted:
                await self._share_keys()
            return response

    async def _share_keys(self) -> None:
        client = self.client
        if client.should_upload_keys:
            _check(await client.keys_upload(), "keys upload")
        if client.should_query_keys:
            _check(await client.keys_query(), "keys query")
        if client.should_claim_keys:
            _check(await client.keys_claim(client.get_users_for_key_claiming()), "keys claim")
        for answer in await client.send_to_device_messages():
            _check(answer, "to-device message")
        self._retry_decryption()

    def _retry_decryption(self) -> None:
        """Decrypt timeline events whose room key arrived after the event itself."""
        for events in self.timelines.values():
            for index, event in enumerate(events):
                # Still missing the key? Then try again after the next sync.
                if isinstance(event, nio.MegolmEvent):
                    with contextlib.suppress(nio.EncryptionError):
                        events[index] = self.client.decrypt_event(event)

    async def _sync_until(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + DEFAULT_WAIT
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.user_id} never saw {what}")
            await self.sync(timeout_ms=500)

    # -- rooms ---------------------------------------------------------------------

    async def create_room(
        self,
        *,
        name: str | None = None,
        topic: str | None = None,
        invite: Iterable[Person | str] = (),
        encrypted: bool = False,
    ) -> str:
        """Create a private room (as Element's "New room" does) and return its id.

        With ``encrypted``, the room is created with an ``m.room.encryption`` state
        event (Megolm). ``invite`` takes persons or user ids (e.g. the bot's).
        """
        initial_state = []
        if encrypted:
            initial_state.append(
                {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": MEGOLM}}
            )
        response = _check(
            await self.client.room_create(
                name=name,
                topic=topic,
                invite=[_user_id(who) for who in invite],
                initial_state=initial_state,
                preset=nio.RoomPreset.private_chat,
            ),
            "create room",
        )
        # nio only knows the room (and whether it is encrypted) after a sync.
        await self._sync_until(lambda: response.room_id in self.client.rooms, "the new room")
        return str(response.room_id)

    async def invite(self, room_id: str, who: Person | str) -> None:
        """Invite a person or a user id (e.g. the bot's) into the room."""
        _check(await self.client.room_invite(room_id, _user_id(who)), f"invite {who}")

    async def wait_for_invite(self, room_id: str) -> None:
        """Wait until this person's client has seen an invite to ``room_id``."""
        await self._sync_until(lambda: room_id in self.invited_to, f"an invite to {room_id}")

    async def join(self, room_id: str) -> None:
        """Join the room (after an invite, or a public room) and sync it in."""
        _check(await self.client.join(room_id), f"join {room_id}")
        await self._sync_until(lambda: room_id in self.client.rooms, f"the joined room {room_id}")

    def joined_members(self, room_id: str) -> set[str]:
        """User ids this person's client knows to be joined to the room (not just invited)."""
        room = self.client.rooms.get(room_id)
        users = room.users.items() if room else ()
        return {user_id for user_id, user in users if not user.invited}

    async def wait_for_members(self, room_id: str, members: Iterable[Person | str]) -> None:
        """Sync until this person has seen all ``members`` join the room."""
        wanted = {_user_id(member) for member in members}
        await self._sync_until(
            lambda: wanted <= self.joined_members(room_id),
            f"all of {sorted(wanted)} joined to {room_id}",
        )

    async def leave(self, room_id: str) -> None:
        """Leave the room."""
        _check(await self.client.room_leave(room_id), f"leave {room_id}")

    # -- messages ------------------------------------------------------------------

    async def send(self, room_id: str, event_type: str, content: dict[str, Any]) -> str:
        """Send any room event (encrypted if the room is) and return its event id."""
        response = _check(
            await self.client.room_send(
                room_id,
                event_type,
                content,
                # Nobody in a test verifies devices; Element users rarely do either.
                ignore_unverified_devices=True,
            ),
            f"send {event_type}",
        )
        return str(response.event_id)

    async def say(
        self,
        room_id: str,
        text: str,
        *,
        reply_to: str | None = None,
        thread: str | None = None,
    ) -> str:
        """Send a plain text message and return its event id.

        Args:
            reply_to: event id to reply to (``m.in_reply_to``).
            thread: event id of a thread's root to post in that thread
                (``rel_type: m.thread``). Without ``reply_to`` the message carries
                the reply fallback to the root (``is_falling_back``), as clients
                without thread support expect.
        """
        content: dict[str, Any] = {"msgtype": "m.text", "body": text}
        if thread is not None:
            content["m.relates_to"] = {
                "rel_type": "m.thread",
                "event_id": thread,
                "is_falling_back": reply_to is None,
                "m.in_reply_to": {"event_id": reply_to or thread},
            }
        elif reply_to is not None:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
        return await self.send(room_id, "m.room.message", content)

    async def react(self, room_id: str, event_id: str, key: str) -> str:
        """React to an event with ``key`` (usually an emoji); returns the reaction's id.

        In an encrypted room the reaction is encrypted, as Element does (nio would
        send it in the clear). Reacting twice with the same key is refused by
        Synapse with ``M_DUPLICATE_ANNOTATION`` (raised as :class:`MatrixRequestFailed`).
        """
        content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}
        room = self.client.rooms.get(room_id)
        if self.encrypted and room is not None and room.encrypted:
            return await self._send_encrypted(room_id, "m.reaction", content)
        return await self.send(room_id, "m.reaction", content)

    async def _send_encrypted(self, room_id: str, event_type: str, content: dict[str, Any]) -> str:
        """Encrypt and send an event that nio's ``room_send`` would leave in the clear."""
        client = self.client
        if not client.rooms[room_id].members_synced:  # as room_send does first
            _check(await client.joined_members(room_id), "list the members")
        if client.olm is not None and client.olm.should_share_group_session(room_id):
            _check(
                await client.share_group_session(room_id, ignore_unverified_devices=True),
                "share the room key",
            )
        encrypted_type, encrypted = client.encrypt(room_id, event_type, content)
        # Encrypted content keeps its m.relates_to in the clear, so the server can
        # aggregate (and refuse duplicate) reactions as it does for Element's.
        assert "m.relates_to" in encrypted and "ciphertext" in encrypted
        method, path, data = nio.Api.room_send(
            client.access_token, room_id, encrypted_type, encrypted, uuid.uuid4()
        )
        response = _check(
            await client._send(nio.RoomSendResponse, method, path, data, (room_id,)),
            f"send encrypted {event_type}",
        )
        return str(response.event_id)

    async def redact(self, room_id: str, event_id: str, reason: str | None = None) -> str:
        """Redact (delete) an event, e.g. take back a reaction; returns the redaction's id."""
        response = _check(await self.client.room_redact(room_id, event_id, reason=reason), "redact")
        return str(response.event_id)

    # -- waiting -------------------------------------------------------------------

    async def wait_for_event(
        self,
        room_id: str,
        predicate: EventPredicate,
        *,
        after: str | None = None,
        timeout: float = DEFAULT_WAIT,
        what: str = "a matching event",
    ) -> nio.Event:
        """Sync until an event in ``room_id`` matches ``predicate``; return the first match.

        Events already seen count, so nothing is missed between two waits. To wait
        for something *new*, pass ``after``: only events after that event id in this
        person's timeline are considered (typically the id of the message the
        person just sent and now waits for the bot to answer).

        Raises:
            TimeoutError: naming ``what`` and listing the events seen in the room.
        """
        deadline = time.monotonic() + timeout
        while True:
            if (found := self._find(room_id, predicate, after)) is not None:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            # Long-poll: Synapse answers as soon as anything arrives for this user.
            await self.sync(timeout_ms=int(min(remaining, 5.0) * 1000))
        seen = self.timelines.get(room_id, [])
        summary = "\n  ".join(describe(event) for event in seen[-30:]) or "(nothing)"
        after_note = f" after {after}" if after else ""
        raise TimeoutError(
            f"{self.user_id} waited {timeout:.0f} s for {what} in {room_id}{after_note}; "
            f"saw {len(seen)} events, the last ones:\n  {summary}"
        )

    def _find(self, room_id: str, predicate: EventPredicate, after: str | None) -> nio.Event | None:
        events = self.timelines.get(room_id, [])
        if after is not None:
            ids = [event.event_id for event in events]
            if after not in ids:
                return None  # everything after it is still to come
            events = events[ids.index(after) + 1 :]
        return next((event for event in events if predicate(event)), None)

    async def wait_for_message(
        self,
        room_id: str,
        containing: str = "",
        *,
        sender: Person | str | None = None,
        after: str | None = None,
        timeout: float = DEFAULT_WAIT,
    ) -> nio.RoomMessageText:
        """Wait for a text (or notice) message whose body contains ``containing``."""
        sender_id = None if sender is None else _user_id(sender)

        def matches(event: nio.Event) -> bool:
            return (
                isinstance(event, nio.RoomMessageText | nio.RoomMessageNotice)
                and containing in event.body
                and (sender_id is None or event.sender == sender_id)
            )

        what = f"a message containing {containing!r}" + (f" from {sender_id}" if sender_id else "")
        event = await self.wait_for_event(room_id, matches, after=after, timeout=timeout, what=what)
        assert isinstance(event, nio.RoomMessageText | nio.RoomMessageNotice)
        return event

    async def close(self) -> None:
        """Close the client's HTTP session (the device stays logged in)."""
        await self.client.close()


def _user_id(who: Person | str) -> str:
    return who.user_id if isinstance(who, Person) else who


async def log_in(
    server: SynapseServer,
    user: RegisteredUser,
    store_dir: Path,
    *,
    encryption: bool = False,
    password_login: bool = False,
) -> Person:
    """Start a real ``nio.AsyncClient`` for ``user`` and do its first sync.

    Args:
        store_dir: directory for this user's nio store (Olm keys when encrypting).
        encryption: enable end-to-end encryption (needs ``matrix-nio[e2e]``).
        password_login: log in with the password on a new device instead of
            restoring the device the registration created.
    """
    store_dir.mkdir(parents=True, exist_ok=True)
    config = nio.AsyncClientConfig(
        # A 429 must fail the test at once, not be slept through by nio.
        max_limit_exceeded=0,
        # Retry a broken connection twice, then raise instead of retrying forever.
        max_timeouts=2,
        request_timeout=20,
        # Every test starts from a fresh store; nothing to resume.
        store_sync_tokens=False,
        encryption_enabled=encryption,
    )
    client = nio.AsyncClient(
        server.base_url,
        user.user_id,
        device_id=user.device_id,
        store_path=str(store_dir),
        config=config,
    )
    try:
        if password_login:
            client.device_id = None  # a new device, as a second Element session would be
            _check(await client.login(user.password, device_name="test"), "login")
        else:
            client.restore_login(user.user_id, user.device_id, user.access_token)
        person = Person(user, client)
        await person.sync()  # the first sync: the rooms that exist, uploads device keys
    except BaseException:
        await client.close()
        raise
    return person


class People:
    """Hands out :class:`Person` objects for one test and closes them afterwards."""

    def __init__(self, server: SynapseServer, store_root: Path) -> None:
        self.server = server
        self.store_root = store_root
        self.everyone: list[Person] = []

    async def new(
        self,
        name: str,
        *,
        encryption: bool = False,
        displayname: str | None = None,
        password_login: bool = False,
    ) -> Person:
        """Register a fresh user called ``name`` (plus a unique suffix) and log it in."""
        user = await self.server.aregister_user(name, displayname=displayname)
        person = await log_in(
            self.server,
            user,
            self.store_root / user.localpart,
            encryption=encryption,
            password_login=password_login,
        )
        self.everyone.append(person)
        return person

    async def make_room(
        self,
        owner: Person,
        *members: Person,
        encrypted: bool = False,
        name: str | None = None,
    ) -> str:
        """``owner`` creates a room and invites ``members``, who accept; returns its id.

        Returns once every member has joined and every person in the room has seen
        every other one join, so encrypted messages reach all of them.
        """
        room_id = await owner.create_room(name=name, invite=members, encrypted=encrypted)
        everyone = [owner, *members]
        for member in members:
            await member.wait_for_invite(room_id)
            await member.join(room_id)
        for person in everyone:
            await person.wait_for_members(room_id, everyone)
        return room_id

    async def close(self) -> None:
        """Close every person's client; done by the fixture after each test."""
        await asyncio.gather(*(person.close() for person in self.everyone))


@pytest_asyncio.fixture
async def people(synapse: SynapseServer, tmp_path: Path) -> AsyncIterator[People]:
    """Fresh human members on the session's Synapse, closed after the test."""
    crowd = People(synapse, tmp_path / "nio-stores")
    try:
        yield crowd
    finally:
        await crowd.close()
