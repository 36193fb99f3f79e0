"""Rooms: who may bring the bot in, upgraded rooms, and direct rooms.

* **Invites** are accepted only from ``allowed_inviters`` (a person, or
  everyone on a server); any other invite is rejected, so a stranger cannot
  pull the bot into their room. The replacement of a room the bot is in is
  always joined: its tombstone in the old room vouches for it.
* **Upgrades** (``m.room.tombstone``): the bot joins the new room and tells
  the application ``ChatMoved``, so the group keeps its proposals and history
  under the new room. If the new room needs an invite first, the move waits
  for it.
* **Direct rooms**: a private message to someone goes to their direct room
  with the bot, made on first use (``is_direct``, the person invited) and
  recorded in the bot's ``m.direct`` account data, as Element does, and in
  the application's memory for adapters. When the person leaves it, the bot leaves too and
  makes a new one next time.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable
from urllib.parse import quote

import nio

from adapters.matrix import ids
from adapters.matrix.memory import Memory
from adapters.matrix.send import NETWORK_ERRORS
from adapters.matrix.settings import MatrixSettings, inviter_allowed
from bot.app import Application
from bot.core.commands import Actor, ChatMoved

log = logging.getLogger("deciding_together.matrix")

MEGOLM = "m.megolm.v1.aes-sha2"


class NoDirectRoom(Exception):
    """The bot cannot have a direct room with this person."""


class TryAgain(Exception):
    """A temporary problem (the network): handle the same events again later."""


# The power level Element calls "Moderator"; an admin has 100.
MODERATOR = 50


def _creators_outrank_levels(version: str | None) -> bool:
    """Room versions 12 and later: the creators are above every power level."""
    return version is not None and version.isdigit() and int(version) >= 12


class Rooms:
    def __init__(
        self,
        client: nio.AsyncClient,
        memory: Memory,
        app: Application,
        settings: MatrixSettings,
        *,
        encrypted: bool,
    ) -> None:
        self.client = client
        self.memory = memory
        self.app = app
        self.settings = settings
        self.encrypted = encrypted
        # m.direct is rewritten whole: two direct rooms made side by side must not
        # each write a list without the other's room.
        self._direct_lock = asyncio.Lock()
        self._room_creators: dict[str, frozenset[str]] = {}

    @property
    def me(self) -> str:
        return str(self.client.user_id)

    async def runs_the_room(self, room_id: str, user_id: str) -> bool:
        """Whether ``user_id`` is one of the room's moderators or admins, when the bot
        takes a group's facilitators from the room's power levels
        (``facilitators_from_power_levels``); the homeserver vouches for the levels.

        From room version 12 the room's creators outrank every level and are listed
        in no power levels, so they are asked of the room's creation event."""
        if not self.settings.facilitators_from_power_levels:
            return False
        room = self.client.rooms.get(room_id)
        if room is None:
            return False
        if _creators_outrank_levels(room.room_version) and user_id in await self._creators(room_id):
            return True
        levels = room.power_levels
        return levels.users.get(user_id, levels.defaults.users_default) >= MODERATOR

    async def _creators(self, room_id: str) -> frozenset[str]:
        known = self._room_creators.get(room_id)
        if known is not None:
            return known
        state = await self.client.room_get_state(room_id)
        creators: frozenset[str] = frozenset()
        if isinstance(state, nio.RoomGetStateResponse):
            for event in state.events:
                if event.get("type") == "m.room.create":
                    more = event.get("content", {}).get("additional_creators", [])
                    creators = frozenset({event.get("sender", ""), *more})
            self._room_creators[room_id] = creators
        return creators

    # -- invites ------------------------------------------------------------------------

    async def invited(self, room_id: str, info: nio.InviteInfo) -> None:
        """Join if the inviter may bring the bot in; reject the invite otherwise."""
        invite = next(
            (
                event
                for event in info.invite_state
                if isinstance(event, nio.InviteMemberEvent)
                and event.state_key == self.me
                and event.membership == "invite"
            ),
            None,
        )
        inviter = invite.sender if invite is not None else ""
        replaces = await self.memory.moved_from(room_id)
        if replaces is None and not inviter_allowed(self.settings.allowed_inviters, inviter):
            log.info("refusing an invite to %s from %s (not in allowed_inviters)", room_id, inviter)
            await self._call(self.client.room_leave(room_id), f"rejecting the invite to {room_id}")
            return
        if not await self._call(self.client.join(room_id), f"joining {room_id}"):
            return
        log.info("joined %s, invited by %s", room_id, inviter)
        if invite is not None and invite.content.get("is_direct"):
            await self.memory.remember_direct_room(inviter, room_id)
        if replaces is not None:
            await self._moved(replaces, room_id, inviter)

    async def _call(self, request: Awaitable[nio.Response], doing: str) -> bool:
        """Make a membership request; False when the server refused it for good."""
        try:
            response = await request
        except NETWORK_ERRORS as problem:
            raise TryAgain(f"{doing}: {problem!r}") from problem
        if isinstance(response, nio.ErrorResponse):
            log.warning("%s failed: %s", doing, response)
            return False
        return True

    # -- upgrades -----------------------------------------------------------------------

    async def upgraded(self, room_id: str, event: nio.RoomUpgradeEvent) -> None:
        """The room was replaced: follow it to the new room, with the group."""
        new_room = event.replacement_room
        if not new_room:
            return
        await self.memory.remember_move(room_id, new_room)
        # Joining a room the bot is already in (invited there first) changes nothing.
        joined = await self._call(self.client.join(new_room), f"joining {new_room}")
        if joined:
            await self._moved(room_id, new_room, event.sender)
        else:
            log.info("%s was replaced by %s; waiting for an invite to it", room_id, new_room)

    async def _moved(self, old_room: str, new_room: str, by: str) -> None:
        await self.memory.forget_move(new_room)
        old_chat, new_chat = ids.chat_of(old_room), ids.chat_of(new_room)
        if await self.app.group_of_chat(old_chat) is None:
            return  # the old room had no group: nothing to carry over
        await self.app.submit(
            chat=old_chat,
            actor=Actor(identity=ids.identity_of(by), name=ids.localpart(by)),
            action=ChatMoved(old_chat, new_chat),
            present=False,
            update_key=f"matrix:moved:{old_room}:{new_room}",
        )
        log.info("the group of %s moved to %s", old_room, new_room)

    # -- direct rooms -------------------------------------------------------------------

    async def direct_room(self, user_id: str) -> str:
        """The bot's direct room with ``user_id``, made if there is none yet."""
        known = await self.memory.direct_room(user_id)
        if known:
            return known
        try:
            response = await self.client.room_create(
                is_direct=True,
                invite=[user_id],
                preset=nio.RoomPreset.trusted_private_chat,
                initial_state=[
                    {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": MEGOLM}}
                ]
                if self.encrypted
                else [],
            )
        except NETWORK_ERRORS as problem:
            raise TryAgain(f"making a direct room with {user_id}: {problem!r}") from problem
        if not isinstance(response, nio.RoomCreateResponse):
            raise NoDirectRoom(f"cannot make a direct room with {user_id}: {response}")
        room_id = str(response.room_id)
        await self.memory.remember_direct_room(user_id, room_id)
        await self._mark_direct(user_id, room_id)
        log.info("made a direct room with %s", user_id)
        return room_id

    async def forget_direct_room(self, user_id: str, room_id: str) -> None:
        """The person left their direct room: leave it too, and make a new one next time."""
        await self.memory.forget_direct_room(user_id, room_id)
        await self._call(self.client.room_leave(room_id), f"leaving the direct room {room_id}")

    async def _mark_direct(self, user_id: str, room_id: str) -> None:
        """Add the room to the bot's ``m.direct`` account data, as Matrix clients do.

        nio can read ``m.direct`` but not write it, hence the plain request."""
        path = f"/_matrix/client/v3/user/{quote(self.me, safe='')}/account_data/m.direct"
        try:
            async with self._direct_lock:
                listed = await self.client.list_direct_rooms()
                rooms = dict(listed.rooms) if isinstance(listed, nio.DirectRoomsResponse) else {}
                rooms[user_id] = [*rooms.get(user_id, []), room_id]
                answer = await self.client.send(
                    "PUT",
                    path,
                    json.dumps(rooms),
                    headers={
                        "Authorization": f"Bearer {self.client.access_token}",
                        "Content-Type": "application/json",
                    },
                )
                if answer.status >= 300:
                    log.warning("could not record %s in m.direct: HTTP %s", room_id, answer.status)
                answer.release()
        except NETWORK_ERRORS as problem:
            # The room works without it; only other clients of the bot's account care.
            log.warning("could not record %s in m.direct: %r", room_id, problem)
