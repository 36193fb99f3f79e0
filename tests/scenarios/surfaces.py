"""One care team, three surfaces: the console, the Telegram fake and Synapse.

A :class:`Surface` is what a scenario needs of a chat, whatever the chat is:
people say things (:meth:`Surface.say`, in the words of the console, with the
"/" or "!" each chat puts before a command added here), answer a card by the
gesture that surface has (:meth:`Surface.respond`: a button on Telegram, a
reaction on Matrix, typed words on the console), and the test reads back a card
(:meth:`Surface.card_text`), the group's messages (:meth:`Surface.said_in_group`)
and a person's private ones (:meth:`Surface.said_to`), all as plain text, so
one check reads the same everywhere. Time moves only when the test says so
(:meth:`Surface.wait`).

Each surface is the real adapter on the real application (``tests/harness.py``):
the console adapter; the python-telegram-bot adapter against the fake Bot API
(``tests/telegram/conftest.py``); the Matrix adapter against the session's
Synapse with nio clients as the people (``tests/matrix/bot.py``,
``tests/matrix/people.py``). Everyone in :mod:`tests.care_team` is in the team's
chat before the scenario starts, Sam first.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import nio

from adapters.console import ConsoleAdapter, ConsoleSession
from adapters.console.adapter import GROUP_CHAT
from tests import care_team
from tests.fakes.telegram import FakeTelegram
from tests.harness import Running, running_app
from tests.matrix.bot import Bots, BotUnderTest
from tests.matrix.people import People, Person
from tests.matrix.synapse_server import SynapseServer
from tests.telegram.conftest import World, joined, start_world

#: The reaction that gives each response on a Matrix card.
REACTIONS = {
    "consent": "✅", "concern": "🟡", "object": "✋", "support": "👍", "can": "🙋", "cannot": "🙅",
}  # fmt: skip
#: The words on the Telegram button of each response, where they are not the word itself.
BUTTONS = {"can": "I can do it", "cannot": "I can't"}

#: How long a Matrix person waits for the bot to show that it has handled what they did.
MATRIX_WAIT = 10.0


class Surface(ABC):
    """A chat the care team talks in, as a scenario sees it."""

    name: str

    @abstractmethod
    async def say(self, person: str, text: str) -> None:
        """``person`` writes ``text`` in the team's chat (a command without "/" or "!")."""

    @abstractmethod
    async def respond(self, person: str, number: int, word: str, reason: str = "") -> None:
        """``person`` answers card ``number`` with ``word`` by this surface's gesture,
        giving ``reason`` when the bot asks for one."""

    @abstractmethod
    async def vote(self, person: str, number: int, option: int) -> None:
        """``person`` votes for option ``option`` of poll ``number``."""

    @abstractmethod
    async def press_together(self, people: tuple[str, ...], number: int, word: str) -> str:
        """``people`` answer card ``number`` with ``word`` by this surface's gesture at the
        same moment (each sent before the bot handles any); returns what the bot told
        them (pop-ups, posts, printed lines), one text."""

    @abstractmethod
    async def get_reminders(self, person: str) -> None:
        """``person`` does what this surface asks before the bot may write to them privately."""

    @abstractmethod
    async def card_text(self, number: int) -> str:
        """The card of proposal ``number`` as the team sees it now."""

    @abstractmethod
    async def said_in_group(self) -> list[str]:
        """Everything the bot wrote in the team's chat, oldest first."""

    @abstractmethod
    async def said_to(self, person: str) -> list[str]:
        """Everything the bot wrote to ``person`` privately, oldest first."""

    @abstractmethod
    async def wait(self, span: timedelta) -> None:
        """Move the clock on by ``span``: timers fire, and what they send is delivered."""


# -- the console ---------------------------------------------------------------------------


class Console(Surface):
    """The console adapter: every gesture is typed, every message is a printed line."""

    name = "console"

    def __init__(self, running: Running) -> None:
        self.running = running
        self.lines: list[str] = []
        self.adapter = ConsoleAdapter(self.lines.append)
        running.app.adapters["console"] = self.adapter
        self.session = ConsoleSession(
            running.app, self.adapter, running.clock, self.lines.append, speaker="Sam"
        )

    async def start(self) -> None:
        await self.adapter.start(self.running.app)
        for person in care_team.names():
            await self.say(person, "join")

    async def say(self, person: str, text: str) -> None:
        await self.session.say(person, text)

    async def respond(self, person: str, number: int, word: str, reason: str = "") -> None:
        await self.say(person, f"{word} #{number} {reason}".strip())

    async def vote(self, person: str, number: int, option: int) -> None:
        await self.say(person, f"vote #{number} {option}")

    async def press_together(self, people: tuple[str, ...], number: int, word: str) -> str:
        # One person types at a time on the console: the nearest it comes to "at once".
        before = len(self.lines)
        for person in people:
            await self.respond(person, number, word)
        return "\n".join(self.lines[before:])

    async def get_reminders(self, person: str) -> None:
        return None  # a console member is written to privately without asking

    async def card_text(self, number: int) -> str:
        group = await self.running.app.group_of_chat(GROUP_CHAT)
        assert group is not None, "the console chat has no group"
        # The adapter keeps each card's lines as last shown, to print only what changed.
        lines = self.adapter._cards.get(f"{group.id}#{number}")
        assert lines is not None, f"no card #{number} was shown"
        return "\n".join(lines)

    def _messages(self) -> list[tuple[str, str]]:
        """(who it was for, text) of every message the bot printed: "group" or a name."""
        messages: list[tuple[str, list[str]]] = []
        for line in self.lines:
            head, sep, rest = line.partition(": ")
            if sep and head == "bot":
                messages.append(("group", [rest]))
            elif sep and head.startswith("bot → ") and head.endswith(" (private)"):
                messages.append((head.removeprefix("bot → ").removesuffix(" (private)"), [rest]))
            elif line.startswith(" ") and messages:
                messages[-1][1].append(line.strip())
        return [(to, "\n".join(text)) for to, text in messages]

    async def said_in_group(self) -> list[str]:
        return [text for to, text in self._messages() if to == "group"]

    async def said_to(self, person: str) -> list[str]:
        return [text for to, text in self._messages() if to == person]

    async def wait(self, span: timedelta) -> None:
        await self.session.wait(span)


# -- Telegram ------------------------------------------------------------------------------


class Telegram(Surface):
    """The python-telegram-bot adapter on the fake Bot API: buttons, replies, private chats."""

    name = "telegram"

    def __init__(self, world: World) -> None:
        self.world = world

    async def start(self) -> None:
        await joined(self.world)

    def _user(self, person: str) -> int:
        return self.world.people[person.lower()].id

    async def say(self, person: str, text: str) -> None:
        await self.world.say(self.world.people[person.lower()], "/" + text)

    async def respond(self, person: str, number: int, word: str, reason: str = "") -> None:
        who = self.world.people[person.lower()]
        await self.world.press(who, await self.world.card(number), BUTTONS.get(word, word.title()))
        if reason:
            # The bot asks why in the group, as a reply that needs an answer.
            prompt = self.world.tg.last_bot_message(self.world.team)
            assert prompt is not None and prompt.reply_markup is not None
            assert prompt.reply_markup.get("force_reply") is True, prompt.text
            await self.world.say(who, reason, reply_to=prompt.message_id)

    async def vote(self, person: str, number: int, option: int) -> None:
        who = self.world.people[person.lower()]
        await self.world.press(who, await self.world.card(number), f"{option}. ")

    async def press_together(self, people: tuple[str, ...], number: int, word: str) -> str:
        card = await self.world.card(number)
        label = BUTTONS.get(word, word.title())
        (button,) = [b for b in card.buttons if label in b["text"]]
        presses = [
            self.world.tg.press_button(
                card.chat, self.world.people[p.lower()], card.message_id, button["callback_data"]
            )
            for p in people
        ]
        answers = []
        for press in presses:
            assert press.callback_query_id is not None
            answers.append(await self.world.tg.wait_for_answer(press.callback_query_id))
        await self.world.settled()
        return "\n".join(answer.text or "" for answer in answers)  # the pop-ups

    async def get_reminders(self, person: str) -> None:
        # A bot may not write first on Telegram: the person opens the tip's deep link.
        tips = [
            m
            for m in self.world.tg.bot_messages(self.world.team)
            if any("private reminders" in b["text"] for b in m.buttons)
        ]
        assert tips, "the bot offered no private reminders"
        link = urlsplit(tips[-1].buttons[0]["url"])
        (token,) = parse_qs(link.query)["start"]
        self.world.tg.start_private(self.world.people[person.lower()], token)
        await self.world.settled()

    async def card_text(self, number: int) -> str:
        card = await self.world.card(number)
        return card.text or ""

    async def said_in_group(self) -> list[str]:
        return self.world.said()

    async def said_to(self, person: str) -> list[str]:
        return self.world.said(self._user(person))

    async def wait(self, span: timedelta) -> None:
        await self.world.running.wait(span)


# -- Matrix --------------------------------------------------------------------------------


class Matrix(Surface):
    """The Matrix adapter on Synapse: reactions on cards, reasons in the card's thread,
    private messages in direct rooms the bot opens."""

    name = "matrix"

    def __init__(self, people: People, bots: Bots) -> None:
        self.people = people
        self.bots = bots
        self.persons: dict[str, Person] = {}
        self.room = ""
        self._bot: BotUnderTest | None = None

    @property
    def bot(self) -> BotUnderTest:
        assert self._bot is not None, "the Matrix surface is not started"
        return self._bot

    async def start(self) -> None:
        for carer in care_team.TEAM:
            self.persons[carer.name] = await self.people.new(carer.key, displayname=carer.name)
        everyone = list(self.persons.values())
        self._bot = await self.bots.new(allowed_inviters=(everyone[0].user_id,))
        self.room = await self.people.make_room(*everyone, name=care_team.TEAM_TITLE)
        await self.bot.invite(everyone[0], self.room)
        for person in care_team.names():
            await self.say(person, "join")

    @property
    def observer(self) -> Person:
        """Sam's client, which reads the team's room for the test."""
        return self.persons[care_team.FACILITATOR.name]

    async def _handled(self, event_id: str | None) -> None:
        """Wait until the bot has answered ``event_id`` (if given) and sent all it had to."""
        if event_id is not None:
            await self.observer.wait_for_event(
                self.room,
                lambda e: e.sender == self.bot.user_id,
                after=event_id,
                timeout=MATRIX_WAIT,
                what=f"the bot to answer {event_id}",
            )
        running = self.bot.running
        deadline = time.monotonic() + MATRIX_WAIT
        while (due := await running.storage.next_delivery_due()) is not None:
            if due > running.clock.now():
                break  # a retry for later: nothing more is being sent now
            assert time.monotonic() < deadline, "the bot never finished delivering"
            await asyncio.sleep(0.05)
        await self.observer.sync()

    async def say(self, person: str, text: str, *, thread: str | None = None) -> None:
        said = await self.persons[person].say(self.room, "!" + text, thread=thread)
        await self._handled(said)

    async def _card_event(self, number: int) -> str:
        group = await self.bot.group(self.room)
        refs = await self.bot.running.storage.card_messages(group.id, number)
        ref = refs.get(f"matrix:{self.room}")
        assert ref is not None, f"no card #{number} in the room: {refs}"
        return ref

    async def respond(self, person: str, number: int, word: str, reason: str = "") -> None:
        card = await self._card_event(number)
        who = self.persons[person]
        reacted = await who.react(self.room, card, REACTIONS[word])
        await self._handled(reacted)
        if reason:
            # The bot asks why in the card's thread; the answer goes in that thread.
            await self.observer.wait_for_event(
                self.room,
                lambda e: (
                    e.sender == self.bot.user_id
                    and e.source.get("content", {}).get("m.relates_to", {}).get("rel_type")
                    == "m.thread"
                ),
                after=reacted,
                timeout=MATRIX_WAIT,
                what="the question why, in the card's thread",
            )
            said = await who.say(self.room, reason, thread=card)
            await self._handled(said)

    async def vote(self, person: str, number: int, option: int) -> None:
        await self.say(person, f"vote #{number} {option}")

    async def press_together(self, people: tuple[str, ...], number: int, word: str) -> str:
        before = len(await self.said_in_group())
        card = await self._card_event(number)
        reactions = [await self.persons[p].react(self.room, card, REACTIONS[word]) for p in people]
        deadline = time.monotonic() + MATRIX_WAIT
        for reaction in reactions:
            while not await self.bot.running.app.already_seen(f"matrix:{reaction}"):
                assert time.monotonic() < deadline, "the bot never took the reactions in"
                await asyncio.sleep(0.05)
        await self._handled(None)
        return "\n".join((await self.said_in_group())[before:])

    async def get_reminders(self, person: str) -> None:
        return None  # the bot opens a direct room when it has something to say

    async def card_text(self, number: int) -> str:
        card = await self._card_event(number)
        timeline = self.observer.timelines[self.room]
        text = ""
        for event in timeline:
            content = event.source.get("content", {})
            if event.event_id == card:
                text = content.get("body", "")
            elif content.get("m.relates_to", {}).get("rel_type") == "m.replace" and (
                content["m.relates_to"].get("event_id") == card
            ):
                text = content.get("m.new_content", {}).get("body", text)
        return text

    def _bot_messages(self, person: Person, room: str) -> list[str]:
        return [
            event.body
            for event in person.timelines[room]
            if isinstance(event, nio.RoomMessageText | nio.RoomMessageNotice)
            and event.sender == self.bot.user_id
            and event.source.get("content", {}).get("m.relates_to", {}).get("rel_type")
            != "m.replace"
        ]

    async def said_in_group(self) -> list[str]:
        await self.observer.sync()
        return self._bot_messages(self.observer, self.room)

    async def said_to(self, person: str) -> list[str]:
        who = self.persons[person]
        await who.sync()
        for invited in list(who.invited_to):
            await who.join(invited)
        await who.sync()
        return [
            text
            for room in who.timelines
            if room != self.room
            for text in self._bot_messages(who, room)
        ]

    async def wait(self, span: timedelta) -> None:
        await self.bot.wait(span)
        await self._handled(None)


# -- making them ---------------------------------------------------------------------------

SURFACES = ("console", "telegram", "matrix")


@contextlib.asynccontextmanager
async def surface_on(
    name: str, folder: Path, synapse: SynapseServer | None = None
) -> AsyncIterator[Surface]:
    """The care team in its chat on surface ``name``, with everything stopped afterwards."""
    if name == "console":
        async with running_app(folder / "deciding-together.db") as running:
            console = Console(running)
            await console.start()
            yield console
    elif name == "telegram":
        async with FakeTelegram() as tg:
            worlds = start_world(tg, folder / "deciding-together.db")
            try:
                telegram = Telegram(await anext(worlds))
                await telegram.start()
                yield telegram
            finally:
                await worlds.aclose()  # stops the adapter
    elif name == "matrix":
        assert synapse is not None, "Matrix needs the session's Synapse"
        (folder / "bots").mkdir()
        people, bots = People(synapse, folder / "nio-stores"), Bots(synapse, folder / "bots")
        try:
            matrix = Matrix(people, bots)
            await matrix.start()
            yield matrix
        finally:
            await bots.close()
            await people.close()
    else:
        raise ValueError(f"no surface {name!r}; there are {SURFACES}")
