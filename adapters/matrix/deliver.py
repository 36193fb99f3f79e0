"""Deliveries out: one small sender per kind of effect.

A delivery's target is a room ("matrix:!room") or a person ("dm:matrix:@sam:x",
delivered in their direct room with the bot). Every send uses the delivery's
key as its transaction id, so a delivery sent twice shows once.

* ``Post``: the document in the room; a card's event id is returned so the
  application can find the card again.
* ``EditCard``: an ``m.replace`` edit of the card's event in that room, at most
  about once a second per room, skipped when a newer edit of the same card is
  already waiting (so a busy tally becomes few edits).
* ``Reply``: in the room (in the thread it answers, as a reply to the words it
  answers), or in the person's direct room; not the answer to a reaction, which
  the card's tally gives.
* ``DirectMessage``: in the person's direct room; if there can be none, a
  message in the group's rooms that mentions them (when ``fallback`` is set).
* ``AskReason``: in the card's thread, mentioning the person, remembered so
  their answer in the thread (or a reply to the question) completes it.
* ``SendFile``: uploaded, then shown as an ``m.file`` message.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from adapters.matrix import ids, render
from adapters.matrix.memory import Memory, ReasonPrompt
from adapters.matrix.rooms import NoDirectRoom, Rooms, TryAgain
from adapters.matrix.send import RoomForbidden, Sender
from adapters.matrix.threads import ThreadedReplies
from adapters.quiet import NotedFirst
from bot.app import Application, Delivery, DeliveryFailed, Undeliverable
from bot.core import visibility
from bot.core.commands import Actor, ChatGone
from bot.core.document import Document
from bot.core.effects import AskReason, DirectMessage, EditCard, Post, Reply, SendFile
from bot.core.i18n import Translate, translator

log = logging.getLogger("deciding_together.matrix")


def matrix_user(identities: tuple[str, ...]) -> str | None:
    """The first Matrix user id among a member's identities."""
    return next((u for u in map(render.user_of, identities) if u is not None), None)


class Deliveries:
    def __init__(
        self,
        app: Application,
        sender: Sender,
        rooms: Rooms,
        memory: Memory,
        noting: NotedFirst,
        threads: ThreadedReplies,
    ) -> None:
        self.app = app
        self.sender = sender
        self.rooms = rooms
        self.memory = memory
        self.noting = noting
        self.threads = threads
        self._senders: dict[type, Callable[[Delivery, Any], Awaitable[str | None]]] = {
            Post: self.post,
            EditCard: self.edit_card,
            Reply: self.reply,
            DirectMessage: self.direct_message,
            AskReason: self.ask_reason,
            SendFile: self.send_file,
        }

    async def deliver(self, delivery: Delivery) -> str | None:
        send = self._senders.get(type(delivery.effect))
        if send is None:
            log.error("no Matrix sender for %s; skipped", type(delivery.effect).__name__)
            return None
        try:
            return await send(delivery, delivery.effect)
        except TryAgain as problem:
            raise DeliveryFailed(str(problem)) from problem
        except RoomForbidden as refused:
            if refused.not_in_room and ids.private_user_of(delivery.target) is None:
                await self._chat_gone(delivery.target, delivery.key)
            raise

    async def _chat_gone(self, chat: str, key: str) -> None:
        """Tell the application the bot is no longer in a group's room."""
        me = str(self.rooms.client.user_id)
        await self.app.submit(
            chat=chat,
            actor=Actor(identity=ids.identity_of(me), name=ids.localpart(me)),
            action=ChatGone(chat),
            present=False,
            update_key=f"matrix:gone:{key}",
        )
        log.warning("the bot is no longer in %s; it is no longer one of its group's chats", chat)

    # -- where a target is --------------------------------------------------------------

    async def _room(self, target: str) -> str:
        """The room a target means: the room itself, or the person's direct room."""
        user = ids.private_user_of(target)
        if user is None:
            return ids.room_of(target)
        try:
            return await self.rooms.direct_room(user)
        except NoDirectRoom as problem:
            raise Undeliverable(str(problem)) from problem

    async def _send(self, target: str, content: render.Content, key: str) -> tuple[str, str]:
        """Send to a room or a person's direct room: (room id, event id).

        A direct room the bot was shut out of is forgotten and made anew."""
        room_id = await self._room(target)
        try:
            return room_id, await self.sender.send(room_id, content, key)
        except RoomForbidden:
            user = ids.private_user_of(target)
            if user is None:
                raise
            await self.memory.forget_direct_room(user, room_id)
            room_id = await self._room(target)
            return room_id, await self.sender.send(room_id, content, key)

    # -- one sender per effect ----------------------------------------------------------

    async def post(self, delivery: Delivery, effect: Post) -> str | None:
        content = render.render(
            effect.document,
            card=effect.card is not None,
            reactions=effect.card is not None
            and await self._invites_reactions(delivery, effect.card),
            _=await self._group_translator(delivery),
        )
        event_id = (await self._send(delivery.target, content, delivery.key))[1]
        if effect.card is not None:
            self.memory.card_sent(delivery.target, event_id, delivery.group_id, effect.card)
        return event_id

    async def _group_translator(self, delivery: Delivery) -> Translate:
        """Posts to a room are in its group's language."""
        group = await self.app.group(delivery.group_id)
        return translator(group.settings.language if group is not None else None)

    async def _invites_reactions(self, delivery: Delivery, number: int) -> bool:
        """Whether proposal ``number``'s card asks for reactions (``bot.core.visibility``)."""
        proposal = await self.app.proposal(delivery.group_id, number)
        return proposal is None or visibility.invites_reactions(proposal)

    async def edit_card(self, delivery: Delivery, effect: EditCard) -> str | None:
        cards = await self.app.card_messages(delivery.group_id, effect.number)
        card_event = cards.get(delivery.target)
        if card_event is None:
            log.info("no card #%s in %s to edit", effect.number, delivery.target)
            return None
        room_id = ids.room_of(delivery.target)
        await self.sender.wait_to_edit(room_id)
        if await self.app.newer_edit_waiting(delivery):
            return None  # that one will show the latest tally; this one is out of date
        drawn = render.render(
            effect.drawn,
            card=True,
            reactions=await self._invites_reactions(delivery, effect.number),
            _=await self._group_translator(delivery),
        )
        content = render.edit(card_event, drawn)
        event_id = await self.sender.send(room_id, content, delivery.key)
        self.sender.edited(room_id)
        return event_id

    async def reply(self, delivery: Delivery, effect: Reply) -> str | None:
        await self.noting.noted(delivery.target)  # which message it answers
        content = render.render(effect.document)
        answering = self.threads.answering(effect)
        # Only a message in the room the answer goes to can be pointed at: words said
        # in the group may be answered privately.
        if answering is not None and await self._room(delivery.target) == answering.room_id:
            if answering.thread_root is not None:
                content = render.in_thread(content, answering.thread_root, answering.event_id)
            else:
                content = render.in_reply(content, answering.event_id)
        return (await self._send(delivery.target, content, delivery.key))[1]

    async def direct_message(self, delivery: Delivery, effect: DirectMessage) -> str | None:
        content = render.render(effect.document)
        try:
            return (await self._send(delivery.target, content, delivery.key))[1]
        except Undeliverable as impossible:
            if not effect.fallback:
                raise
            log.info(  # the member's number: names stay out of the log
                "no direct room for member %s (%s): mentioning them in the group",
                effect.member,
                impossible,
            )
        user = ids.private_user_of(delivery.target) or matrix_user(effect.identities)
        document = render.with_mention(
            effect.document, effect.name, ids.identity_of(user) if user else None
        )
        return await self._post_in_group(delivery, document)

    async def _post_in_group(self, delivery: Delivery, document: Document) -> str | None:
        """Post in each of the group's Matrix rooms; the last event id, if any."""
        group = await self.app.group(delivery.group_id)
        chats = [c for c in (group.chats if group else ()) if c.startswith(ids.PREFIX)]
        if not chats:
            raise Undeliverable("no direct room, and the group has no Matrix room either")
        event_id = None
        for index, chat in enumerate(chats):
            content = render.render(document)
            event_id = await self.sender.send(
                ids.room_of(chat), content, f"{delivery.key}-fallback-{index}"
            )
        return event_id

    async def ask_reason(self, delivery: Delivery, effect: AskReason) -> str | None:
        user = matrix_user(effect.identities)
        document = render.with_mention(
            effect.document, effect.name, ids.identity_of(user) if user else None
        )
        content = render.render(document)
        private = ids.private_user_of(delivery.target) is not None
        card_event = None
        if not private:
            cards = await self.app.card_messages(delivery.group_id, effect.number)
            card_event = cards.get(delivery.target)
        if card_event is not None:
            content = render.in_thread(content, card_event)
        room_id, event_id = await self._send(delivery.target, content, delivery.key)
        if user is not None:
            prompt = ReasonPrompt(effect.number, effect.word, event_id)
            await self.memory.remember_prompt(room_id, user, prompt)
        return event_id

    async def send_file(self, delivery: Delivery, effect: SendFile) -> str | None:
        room_id = await self._room(delivery.target)
        if effect.caption is not None:
            caption = render.render(effect.caption)
            await self.sender.send(room_id, caption, f"{delivery.key}-caption")
        content = await self.sender.upload(
            room_id, effect.filename, effect.mime, effect.content.encode("utf-8")
        )
        return await self.sender.send(room_id, content, delivery.key)
