"""The adapter's own small state, kept in the application's memory for adapters.

Matrix tells the bot little on its own: a redaction names only the event it
removes, a thread answer names only the thread, and a new sync needs the token
of the last one. So the adapter remembers, under keys that start with
"matrix:":

* the sync token, saved only after every event it covers was committed;
* each reaction on a card (which card, which emoji, whose), so that taking the
  reaction back can take the response back;
* who was asked for a reason and where, so that their answer becomes the
  response it completes;
* each person's direct room with the bot, in both directions;
* room upgrades waiting for the bot to get into the new room.

An answer that closes a prompt is stored with the answer's command (a
:class:`Remember` handed to ``Application.submit``). The store has no delete:
a forgotten entry is written as an empty string.
What is about a person (reactions, prompts, direct rooms) is stored as about
their identity, so that forgetting them deletes it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from adapters.matrix import ids
from bot.app import Application, Remember

PREFIX = "matrix:"


@dataclass(frozen=True, slots=True)
class ReactionRecord:
    """A reaction on a card that gave a response."""

    chat: str  # "matrix:!room"
    card_event: str  # the card's event id when the reaction was given
    group_id: str
    number: int
    key: str  # the emoji, as the process knows it
    sender: str  # the Matrix user id


@dataclass(frozen=True, slots=True)
class ReasonPrompt:
    """Someone was asked why (a concern, an objection); their answer completes it."""

    number: int
    word: str  # "object", or "for Mum object" for a proxy response
    prompt_event: str  # the bot's question: a reply to it is the answer


class Memory:
    def __init__(self, app: Application, user_id: str) -> None:
        self.app = app
        self.user_id = user_id
        # Cards just sent, by (chat, event id): the application saves where a card is
        # only once the send returns, and a quick reaction can arrive before that.
        self._new_cards: dict[tuple[str, str], tuple[str, int]] = {}

    # -- cards ----------------------------------------------------------------------------

    def card_sent(self, chat: str, event_id: str, group_id: str, number: int) -> None:
        """Note a card as soon as it is sent; it replaces any older card of the proposal."""
        self._new_cards = {
            key: card
            for key, card in self._new_cards.items()
            if key[0] != chat or card != (group_id, number)
        }
        self._new_cards[(chat, event_id)] = (group_id, number)

    async def card(self, chat: str, event_id: str) -> tuple[str, int] | None:
        """(group id, number) of the card ``event_id`` is, or None for any other event."""
        found = await self.app.card_at(chat, event_id)
        if found is not None:
            self._new_cards.pop((chat, event_id), None)
            return found
        return self._new_cards.get((chat, event_id))

    async def _get(self, key: str) -> Any:
        raw = await self.app.recall(PREFIX + key)
        return json.loads(raw) if raw else None

    async def _set(self, key: str, value: Any, about: str | None = None) -> None:
        await self.app.remember(_entry(key, value, about))

    # -- the sync token: per account, so a renamed bot starts afresh ------------------

    async def since(self) -> str | None:
        token = await self._get(f"since:{self.user_id}")
        return str(token) if token else None

    async def set_since(self, token: str) -> None:
        await self._set(f"since:{self.user_id}", token)

    # -- reactions ----------------------------------------------------------------------

    async def remember_reaction(self, event_id: str, record: ReactionRecord) -> None:
        await self._set(f"reaction:{event_id}", asdict(record), record.sender)

    async def reaction(self, event_id: str) -> ReactionRecord | None:
        found = await self._get(f"reaction:{event_id}")
        return ReactionRecord(**found) if found else None

    # -- reason prompts -----------------------------------------------------------------

    async def remember_prompt(self, room_id: str, user_id: str, prompt: ReasonPrompt) -> None:
        await self._set(f"prompt:{room_id}:{user_id}", asdict(prompt), user_id)

    async def prompt(self, room_id: str, user_id: str) -> ReasonPrompt | None:
        found = await self._get(f"prompt:{room_id}:{user_id}")
        return ReasonPrompt(**found) if found else None

    async def forget_prompt(self, room_id: str, user_id: str) -> None:
        await self.app.remember(self.prompt_closed(room_id, user_id))

    @staticmethod
    def prompt_closed(room_id: str, user_id: str) -> Remember:
        """The prompt answered: stored with the answer's command."""
        return _entry(f"prompt:{room_id}:{user_id}", None, user_id)

    # -- direct rooms -------------------------------------------------------------------

    async def direct_room(self, user_id: str) -> str | None:
        room = await self._get(f"dm:{user_id}")
        return str(room) if room else None

    async def direct_user(self, room_id: str) -> str | None:
        """The person a direct room is with, or None for any other room."""
        user = await self._get(f"dm-room:{room_id}")
        return str(user) if user else None

    async def remember_direct_room(self, user_id: str, room_id: str) -> None:
        await self._set(f"dm-room:{room_id}", user_id, user_id)
        await self._set(f"dm:{user_id}", room_id, user_id)

    async def forget_direct_room(self, user_id: str, room_id: str) -> None:
        await self._set(f"dm-room:{room_id}", None, user_id)
        if await self.direct_room(user_id) == room_id:
            await self._set(f"dm:{user_id}", None, user_id)

    # -- room upgrades ------------------------------------------------------------------

    async def remember_move(self, old_room: str, new_room: str) -> None:
        await self._set(f"moved-to:{new_room}", old_room)

    async def moved_from(self, new_room: str) -> str | None:
        """The room that ``new_room`` replaces, while the move is still to be done."""
        old = await self._get(f"moved-to:{new_room}")
        return str(old) if old else None

    async def forget_move(self, new_room: str) -> None:
        await self._set(f"moved-to:{new_room}", None)


def _entry(key: str, value: Any, about: str | None = None) -> Remember:
    """``about``: the Matrix user the entry is about, if any."""
    return Remember(
        PREFIX + key,
        "" if value is None else json.dumps(value),
        None if about is None else ids.identity_of(about),
    )
