"""Messages the bot could not decrypt: counted, logged without content, answered once.

In an encrypted room a message reaches the bot as a ``MegolmEvent`` when the
sender's app did not give the bot's device the message's key: the bot joined a
moment earlier, or the app does not share keys with a device its owner has not
verified. The bot cannot know what was said, so it:

* counts it (:attr:`Unreadable.count`, which the adapter shows) and logs its
  ids, never its content;
* asks for the key (nio's ``request_room_key``, sent to the bot's own other
  sessions, as Element does): if one of them has it, the rest of that
  sender's messages in the same session can be read;
* tells the room in plain words, once per person and room until a message from
  them can be read again (or the bot restarts): "I couldn't read a message
  from Sam. Please send it again." The note goes through the application like
  a reply to the event (whose id is its update key), so it is stored,
  delivered from the outbox and never sent twice for one event.
"""

from __future__ import annotations

import logging

import nio

from adapters.matrix import ids
from adapters.matrix.memory import Memory
from adapters.matrix.send import NETWORK_ERRORS
from bot.app import Application
from bot.core.commands import Unclear
from bot.core.i18n import N_

log = logging.getLogger("deciding_together.matrix")

NOTE = N_("I couldn't read a message from {name}. Please send it again.")


class Unreadable:
    """What the bot does with the messages it cannot decrypt (see the module's docstring)."""

    def __init__(self, app: Application, client: nio.AsyncClient, memory: Memory) -> None:
        self.app = app
        self.client = client
        self.memory = memory
        self.count = 0  # undecryptable events seen since the start
        self._noted: set[tuple[str, str]] = set()  # (room, sender) told, not yet read again

    async def event(self, room_id: str, event: nio.MegolmEvent) -> None:
        """Count, log, note (once) and ask for the key of one undecryptable event."""
        update_key = f"matrix:{event.event_id}"
        if await self.app.already_seen(update_key):
            return  # seen and answered before a restart
        self.count += 1
        log.warning(
            "could not decrypt %s from %s in %s (session %s): its key was not shared with the "
            "bot's device",
            event.event_id,
            event.sender,
            room_id,
            event.session_id,
        )
        if (room_id, event.sender) not in self._noted:
            await self._note(room_id, event, update_key)
            self._noted.add((room_id, event.sender))
        await self._request_key(event)

    def readable(self, room_id: str, sender: str) -> None:
        """A message from ``sender`` could be read: a new problem gets a new note."""
        self._noted.discard((room_id, sender))

    async def _note(self, room_id: str, event: nio.MegolmEvent, update_key: str) -> None:
        actor = ids.actor(self.client, room_id, event.sender)
        # The core answers an Unclear with its words, as it does words it cannot read.
        note = Unclear(NOTE, (("name", actor.name),))
        if await self.memory.direct_user(room_id) is not None:
            chat, private, title = ids.private_chat_of(event.sender), True, ""
        else:
            room = self.client.rooms.get(room_id)
            chat, private = ids.chat_of(room_id), False
            title = room.display_name if room is not None else ""
        await self.app.submit(
            chat=chat,
            actor=actor,
            action=note,
            private=private,
            present=not private,
            update_key=update_key,
            chat_title=title,
        )

    async def _request_key(self, event: nio.MegolmEvent) -> None:
        if self.client.olm is None or event.session_id in self.client.outgoing_key_requests:
            return
        try:
            await self.client.request_room_key(event)
        except nio.LocalProtocolError:
            pass  # asked already
        except NETWORK_ERRORS as problem:  # only a request: the note is what matters
            log.info("could not ask for the key of %s: %r", event.event_id, problem)
