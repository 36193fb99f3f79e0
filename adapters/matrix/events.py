"""Matrix events in, application submissions out.

Each relevant event becomes one :meth:`Application.submit` with
``update_key="matrix:<event id>"``, so an event seen twice (a sync repeated
after a crash) changes nothing the second time.

* A message that starts with "!" is a command, wherever it is said. In a
  proposal card's thread, or as a reply to the card, it needs no "#7".
* The bot's answer to words said in a thread goes into that thread.
* Plain words count only as an answer to a card (in its thread, or a reply to
  it) — and then only when the chat language can read them, so ordinary
  conversation in a thread is left alone — or as the reason someone was just
  asked for.
* In a direct room with the bot, everything is for the bot.
* A reaction on a card is a response (on a poll, a keycap number 2️⃣ picks
  option 2); taking the reaction back (a redaction)
  takes the response back. The card's tally answers it: the core's "thank
  you" is stored held and confirmed, never posted (a hold in the outbox, as
  for a Telegram button's pop-up).
* Someone joining a group's room joins the group; someone leaving leaves it.
* A message the bot cannot decrypt is counted and answered with a short note
  (see ``unreadable``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import nio

from adapters.matrix import ids, render
from adapters.matrix.memory import Memory, ReactionRecord
from adapters.matrix.rooms import Rooms
from adapters.matrix.threads import Answering, ThreadedReplies
from adapters.matrix.unreadable import Unreadable
from adapters.quiet import NotedFirst
from bot.app import Application, Remember
from bot.core.commands import Join, Leave, Respond, Unrespond
from bot.core.document import Document
from bot.core.effects import Effect, Reply
from bot.core.processes import PROCESSES, Rule

log = logging.getLogger("deciding_together.matrix")

COMMAND_PREFIX = "!"
# Variation selectors and skin tones: "✋🏽" and "✋️" mean what "✋" means.
_EMOJI_VARIANTS = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")
# Words that take back a request for a reason instead of answering it.
_CANCEL = frozenset({"cancel", "stop"})
# The word a poll's keycap reaction stands for: "2️⃣" is "vote #7 2".
POLL_WORD = "vote"


def normalise_emoji(key: str) -> str:
    return _EMOJI_VARIANTS.sub("", key).strip()


def _reaction_response(process: str, number: int, key: str) -> Respond | None:
    """The response a reaction on a card gives: a response's emoji ("✅"), or in a
    poll a keycap number ("2️⃣": option 2, which a second reaction adds to in a
    multi-choice or time poll); None for an emoji that means nothing here."""
    rule = PROCESSES[process].rule
    if rule in (Rule.CHOICE, Rule.TIME):
        option = render.keycap_option(key)
        return None if option is None else Respond(number, word=POLL_WORD, choices=(option,))
    return Respond(number, word=key) if PROCESSES[process].response(key) is not None else None


def _replies(effects: Iterable[Effect]) -> list[Reply]:
    return [effect for effect in effects if isinstance(effect, Reply)]


def strip_reply_fallback(body: str) -> str:
    """A reply's body without the quoted lines older clients put in front of it."""
    lines = body.split("\n")
    quoted = 0
    while quoted < len(lines) and lines[quoted].startswith(">"):
        quoted += 1
    if quoted and quoted < len(lines) and lines[quoted] == "":
        quoted += 1
    return "\n".join(lines[quoted:]) if quoted else body


class Events:
    """Turns one room's timeline events into submissions, one event at a time."""

    def __init__(
        self,
        app: Application,
        client: nio.AsyncClient,
        memory: Memory,
        rooms: Rooms,
        noting: NotedFirst,
        threads: ThreadedReplies,
    ) -> None:
        self.app = app
        self.client = client
        self.memory = memory
        self.rooms = rooms
        self.noting = noting
        self.threads = threads
        self.unreadable = Unreadable(app, client, memory)
        self._handlers: list[tuple[type, Callable[[str, Any], Awaitable[None]]]] = [
            (nio.RoomMessageText, self.message),
            (nio.RoomMessageEmote, self.message),
            (nio.ReactionEvent, self.reaction),
            (nio.RedactionEvent, self.redaction),
            (nio.RoomMemberEvent, self.membership),
            (nio.RoomUpgradeEvent, self.rooms.upgraded),
            (nio.MegolmEvent, self.unreadable.event),
        ]

    async def event(self, room_id: str, event: nio.Event) -> None:
        if event.sender == self.client.user_id:
            return  # the bot's own messages, coming back
        if event.decrypted:
            self.unreadable.readable(room_id, event.sender)
        for kind, handler in self._handlers:
            if isinstance(event, kind):
                await handler(room_id, event)
                return

    # -- messages -----------------------------------------------------------------------

    async def message(self, room_id: str, event: nio.RoomMessageText) -> None:
        content = event.source.get("content", {})
        relation = content.get("m.relates_to") or {}
        if relation.get("rel_type") == "m.replace":
            return  # an edit: the first version was already read
        thread_root = relation.get("event_id") if relation.get("rel_type") == "m.thread" else None
        reply = relation.get("m.in_reply_to")
        replied_to = reply.get("event_id") if isinstance(reply, dict) else None
        if thread_root and relation.get("is_falling_back"):
            replied_to = None  # only the fallback a threaded client adds, not a real reply
        text = strip_reply_fallback(event.body) if reply else event.body
        text = text.strip()
        if not text:
            return
        actor = ids.actor(self.client, room_id, event.sender)
        update_key = f"matrix:{event.event_id}"
        if await self.app.already_seen(update_key):
            return  # seen before a restart: it changes nothing, not even a question asked since
        asked = Answering(room_id, event.event_id, thread_root)
        if await self.memory.direct_user(room_id) is not None:
            answer = await self._reason_answer(room_id, event.sender, text, direct=True)
            private = ids.private_chat_of(event.sender)
            async with self.noting.noting(private):  # hold the answer until it is noted
                submitted = await self.app.submit(
                    chat=private,
                    actor=actor,
                    text=answer or text,
                    private=True,
                    present=False,
                    update_key=update_key,
                    remember=self._closing(room_id, event.sender, answer),
                )
                if submitted.decision is not None:
                    self.threads.answered(asked, _replies(submitted.decision.effects))
            await self._answer_directly(room_id, event.event_id, submitted.direct)
            return
        chat = ids.chat_of(room_id)
        card = await self._card_number(chat, thread_root) or await self._card_number(
            chat, replied_to
        )
        answer = await self._reason_answer(
            room_id, event.sender, text, card=card, replied_to=replied_to
        )
        if answer is None and not text.startswith(COMMAND_PREFIX) and card is None:
            return  # conversation, not for the bot
        room = self.client.rooms.get(room_id)
        present = await self._in_room(room_id, event.sender)
        async with self.noting.noting(chat):  # hold the answer until it is noted
            submitted = await self.app.submit(
                chat=chat,
                actor=actor,
                text=answer or text,
                present=present,
                # Plain words on a card that cannot be read are chat, and are ignored.
                explicit=answer is not None or text.startswith(COMMAND_PREFIX),
                reply_to=card,
                update_key=update_key,
                chat_title=room.display_name if room is not None else "",
                remember=self._closing(room_id, event.sender, answer),
            )
            if submitted.decision is not None:
                self.threads.answered(asked, _replies(submitted.decision.effects))

    def _closing(self, room_id: str, sender: str, answer: str | None) -> tuple[Remember, ...]:
        """The prompt an answer closes, stored with the answer's command."""
        return () if answer is None else (self.memory.prompt_closed(room_id, sender),)

    async def _card_number(self, chat: str, event_id: str | None) -> int | None:
        if event_id is None:
            return None
        found = await self.memory.card(chat, event_id)
        return found[1] if found is not None else None

    async def _reason_answer(
        self,
        room_id: str,
        sender: str,
        text: str,
        *,
        direct: bool = False,
        card: int | None = None,
        replied_to: str | None = None,
    ) -> str | None:
        """The command that ``text`` completes, when it answers a request for a reason.

        An answer is a reply to the bot's question or a message in the card's
        thread (in a direct room: any message) from the person who was asked."""
        prompt = await self.memory.prompt(room_id, sender)
        if prompt is None or text.startswith(COMMAND_PREFIX):
            return None
        if not (direct or replied_to == prompt.prompt_event or card == prompt.number):
            return None
        if text.casefold() in _CANCEL:
            await self.memory.forget_prompt(room_id, sender)
            return None
        return f"{prompt.word} #{prompt.number} {text}"

    # -- reactions ----------------------------------------------------------------------

    async def reaction(self, room_id: str, event: nio.ReactionEvent) -> None:
        chat = ids.chat_of(room_id)
        found = await self.memory.card(chat, event.reacts_to)
        if found is None:
            return  # not on a card (or on a card's older version)
        group_id, number = found
        key = normalise_emoji(event.key)
        proposal = await self.app.proposal(group_id, number)
        if proposal is None:
            return
        action = _reaction_response(proposal.process, number, key)
        if action is None:
            return  # 🎉 and friends: a feeling, not a response
        # Remembered before the response is stored: if the bot stops in between,
        # the reaction comes again (and changes nothing), and its redaction is known.
        record = ReactionRecord(chat, event.reacts_to, group_id, number, key, event.sender)
        await self.memory.remember_reaction(event.event_id, record)
        update_key = f"matrix:{event.event_id}"
        if await self.app.already_seen(update_key):
            return
        await self._forget_question(room_id, event.sender, number)
        await self._gesture(chat, room_id, event.sender, action, update_key)

    async def redaction(self, room_id: str, event: nio.RedactionEvent) -> None:
        record = await self.memory.reaction(event.redacts)
        if record is None or record.sender != event.sender:
            return  # not a response, or a moderator tidying up: nobody changed their mind
        cards = await self.app.card_messages(record.group_id, record.number)
        if cards.get(record.chat) != record.card_event:
            return  # a reaction on an older version, which no longer counts anyway
        update_key = f"matrix:{event.event_id}"
        if await self.app.already_seen(update_key):
            return
        await self._forget_question(room_id, event.sender, record.number)
        option = render.keycap_option(record.key)
        action = (
            Unrespond(record.number, record.key)
            if option is None
            else Unrespond(record.number, POLL_WORD, choices=(option,))
        )
        await self._gesture(record.chat, room_id, event.sender, action, update_key)

    async def _gesture(
        self, chat: str, room_id: str, sender: str, action: Respond | Unrespond, update_key: str
    ) -> None:
        """Submit a reaction's response. The card's tally is its answer, so the core's
        "thank you" reply is stored held and confirmed, never posted (a question for
        a reason still is, and so is a refusal, which the tally does not show)."""
        present = await self._in_room(room_id, sender)
        submitted = await self.app.submit(
            chat=chat,
            actor=ids.actor(self.client, room_id, sender),
            action=action,
            present=present,
            update_key=update_key,
            gesture=True,
        )
        if submitted.held is None:
            return
        refused = submitted.decision is not None and submitted.decision.refused
        if refused and isinstance(action, Respond):
            # A reaction that gave no answer ("it has enough people now") is not in the
            # card's tally: the refusal is said. A taken-back one changes nothing to say.
            await self.app.release_held(submitted.held)
        else:
            await self.app.confirm_held(submitted.held)

    async def _in_room(self, room_id: str, sender: str) -> bool:
        """Whether the room's membership says ``sender`` is in it (``join``) now.

        Only a member's words or reactions count: someone who left (or reacted and left
        before the bot caught up) makes nobody a member. The room's member list as the
        last sync left it answers first; the homeserver is asked when the list does not
        know the sender (it may be loaded lazily)."""
        room = self.client.rooms.get(room_id)
        if room is not None and sender in room.users and sender not in room.invited_users:
            return True
        response = await self.client.room_get_state_event(room_id, "m.room.member", sender)
        if isinstance(response, nio.RoomGetStateEventResponse):
            return response.content.get("membership") == "join"
        return False

    async def _answer_directly(
        self, room_id: str, event_id: str, documents: tuple[Document, ...]
    ) -> None:
        """Answers the application did not store (the person is in no group yet, or in
        several) go out at once; the event id keeps a repeat from sending them twice."""
        for index, document in enumerate(documents):
            response = await self.client.room_send(
                room_id,
                "m.room.message",
                render.in_reply(render.render(document), event_id),
                tx_id=f"direct-{event_id}-{index}",
                ignore_unverified_devices=True,
            )
            if isinstance(response, nio.RoomSendError):
                log.warning("could not answer in %s: %s", room_id, response.message)

    async def _forget_question(self, room_id: str, sender: str, number: int) -> None:
        """A new reaction on the card changes the answer: an earlier "why?" is moot
        (a new one is asked if the new response needs a reason too), and the
        person's next words in the thread are conversation again."""
        prompt = await self.memory.prompt(room_id, sender)
        if prompt is not None and prompt.number == number:
            await self.memory.forget_prompt(room_id, sender)

    # -- membership ---------------------------------------------------------------------

    async def membership(self, room_id: str, event: nio.RoomMemberEvent) -> None:
        user = event.state_key
        if user == self.client.user_id:
            return
        partner = await self.memory.direct_user(room_id)
        if partner is not None:
            if user == partner and event.membership in ("leave", "ban"):
                await self.rooms.forget_direct_room(user, room_id)
            return
        chat = ids.chat_of(room_id)
        group = await self.app.group_of_chat(chat)
        if group is None:
            return  # a room where nobody has used the bot yet
        joined = event.membership == "join" and event.prev_membership != "join"
        left = event.membership in ("leave", "ban") and event.prev_membership == "join"
        if joined:
            name = event.content.get("displayname")
            await self.app.submit(
                chat=chat,
                actor=ids.actor(
                    self.client, room_id, user, name if isinstance(name, str) else None
                ),
                action=Join(runs_the_chat=await self.rooms.runs_the_room(room_id, user)),
                update_key=f"matrix:{event.event_id}",
            )
        elif left:
            member = group.member_by_identity(ids.identity_of(user))
            if member is not None and member.active:
                await self.app.submit(
                    chat=chat,
                    actor=ids.actor(self.client, room_id, user),
                    action=Leave(left_chat=True),
                    present=False,
                    update_key=f"matrix:{event.event_id}",
                )
