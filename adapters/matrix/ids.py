"""How Matrix people and rooms are named to the application.

A person is "matrix:" + their user id, a room is "matrix:" + its room id, and a
private delivery target is "dm:matrix:" + a user id. Room ids are opaque (newer
room versions have no server part): they are only ever prefixed and stripped,
never parsed.
"""

from __future__ import annotations

import nio

from bot.core.commands import Actor

PLATFORM = "matrix"
PREFIX = PLATFORM + ":"
PRIVATE_PREFIX = "dm:" + PREFIX


def chat_of(room_id: str) -> str:
    return PREFIX + room_id


def room_of(chat: str) -> str:
    """The room id in a chat: "matrix:!abc" → "!abc"."""
    return chat.removeprefix(PREFIX)


def identity_of(user_id: str) -> str:
    return PREFIX + user_id


def private_chat_of(user_id: str) -> str:
    """Where private answers to ``user_id`` go: their direct room with the bot."""
    return PRIVATE_PREFIX + user_id


def private_user_of(target: str) -> str | None:
    """The person a private target names ("dm:matrix:@sam:x" → "@sam:x"), or None."""
    return target[len(PRIVATE_PREFIX) :] if target.startswith(PRIVATE_PREFIX) else None


def localpart(user_id: str) -> str:
    """The name part of a user id: "@sam:example.org" → "sam"."""
    return user_id.removeprefix("@").split(":", 1)[0]


def actor(client: nio.AsyncClient, room_id: str, user_id: str, name: str | None = None) -> Actor:
    """The person behind ``user_id``, named as the room shows them."""
    if not name:
        room = client.rooms.get(room_id)
        user = room.users.get(user_id) if room is not None else None
        name = user.display_name if user is not None else None
    if not name or name == user_id:
        name = localpart(user_id)
    return Actor(identity=identity_of(user_id), name=name, handle=localpart(user_id))
