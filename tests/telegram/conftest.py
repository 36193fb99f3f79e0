"""A care team on the fake Telegram, talking to the real application through the adapter.

The ``world`` fixture starts the fake Bot API server, the application on a
temporary database with a hand-moved clock, and the Telegram adapter in
long-polling mode, pointed at the fake through ``base_url``. Tests act as
people (``world.say``, ``world.press``, the fake's own ``react``, ``join`` …)
and then ``await world.settled()``, which waits until the adapter has handled
and confirmed every update (the fake's queue is empty only once the offset
moved past them) and then delivers the outbox. Nothing sleeps.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from adapters.telegram import TelegramAdapter
from adapters.telegram.pacing import Limits, Window
from bot.config import TelegramConfig
from tests import care_team
from tests.fakes.telegram import (
    Action,
    CallbackAnswer,
    FakeChat,
    FakeTelegram,
    FakeUser,
    StoredMessage,
)
from tests.harness import Running, running_app

# Pacing is measured in its own tests; elsewhere it would only make the suite slow.
UNPACED = Limits(
    per_chat=Window(10_000, 1.0),
    per_group=Window(10_000, 1.0),
    overall=Window(10_000, 1.0),
    margin=0.0,
)


@dataclass
class World:
    tg: FakeTelegram
    running: Running
    adapter: TelegramAdapter
    settings: TelegramConfig
    team: FakeChat
    people: dict[str, FakeUser] = field(default_factory=dict)

    def __getattr__(self, name: str) -> FakeUser:
        # world.sam, world.alex … are the people of the care team.
        people = self.__dict__.get("people", {})
        if name in people:
            return people[name]
        raise AttributeError(name)

    # -- acting ----------------------------------------------------------------------------

    async def settled(self) -> None:
        """Every update handled and confirmed, every due timer fired, the outbox delivered."""
        await self.tg.wait_until_consumed()
        await self.running.settle()

    async def say(
        self,
        who: FakeUser,
        text: str,
        *,
        chat: FakeChat | int | None = None,
        reply_to: int | None = None,
    ) -> Action:
        action = self.tg.send_text(chat if chat is not None else self.team, who, text, reply_to)
        await self.settled()
        return action

    async def press(
        self, who: FakeUser, message: StoredMessage, label: str, *, chat: FakeChat | None = None
    ) -> CallbackAnswer:
        """Press the button whose words contain ``label`` under ``message``."""
        matches = [b for b in message.buttons if label in b["text"]]
        assert matches, f"no button {label!r} under message {message.message_id}: " + ", ".join(
            b["text"] for b in message.buttons
        )
        room = chat if chat is not None else message.chat
        action = self.tg.press_button(room, who, message.message_id, matches[0]["callback_data"])
        assert action.callback_query_id is not None
        answer = await self.tg.wait_for_answer(action.callback_query_id)
        await self.settled()
        return answer

    # -- looking ---------------------------------------------------------------------------

    async def card(self, number: int, chat: FakeChat | None = None) -> StoredMessage:
        """The message that is proposal ``number``'s card in ``chat`` (the team's by default)."""
        room = chat if chat is not None else self.team
        group_id = await self.running.storage.group_for_chat(f"telegram:{room.id}")
        assert group_id is not None, f"chat {room.id} has no group"
        refs = await self.running.storage.card_messages(group_id, number)
        assert f"telegram:{room.id}" in refs, f"no card #{number} in chat {room.id}: {refs}"
        return self.tg.message(room, int(refs[f"telegram:{room.id}"]))

    def said(self, chat: FakeChat | int | None = None, *, after: int = 0) -> list[str]:
        """The texts the bot wrote in a chat, oldest first (after message id ``after``)."""
        room = chat if chat is not None else self.team
        return [
            m.text or m.caption or "" for m in self.tg.bot_messages(room) if m.message_id > after
        ]

    def last_id(self, chat: FakeChat | int | None = None) -> int:
        """The newest message id in a chat, to look only at what comes after it."""
        room = self.tg.chat(chat.id if isinstance(chat, FakeChat) else chat or self.team.id)
        return room.next_message_id - 1


async def start_world(
    tg: FakeTelegram, db: Path, *, limits: Limits = UNPACED, **settings: str
) -> AsyncGenerator[World, None]:
    config = TelegramConfig(token=tg.token, base_url=tg.base_url, **settings)
    async with running_app(db) as running:
        adapter = TelegramAdapter(config, limits=limits, poll_timeout=5)
        # The pacer's clock moves with the test's clock too, so a pause Telegram asked for
        # (a 429's retry_after) is over when the test has moved time past it.
        began = running.clock.now()
        adapter.pacer.clock = lambda: (
            time.monotonic() + (running.clock.now() - began).total_seconds()
        )
        running.app.adapters["telegram"] = adapter
        people = {
            carer.key: tg.user(carer.telegram_id, carer.name, username=carer.username)
            for carer in care_team.TEAM
        }
        team = tg.group(
            care_team.TELEGRAM_GROUP_ID,
            care_team.TEAM_TITLE,
            supergroup=True,
            members=people.values(),
        )
        await adapter.start(running.app)
        try:
            yield World(tg, running, adapter, config, team, people)
        finally:
            await adapter.stop()


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def world(tg: FakeTelegram, tmp_path: Path) -> AsyncIterator[World]:
    async for started in start_world(tg, tmp_path / "deciding-together.db"):
        yield started


async def joined(world: World, *names: str) -> None:
    """The named people (the whole care team if none are named) say join in the team chat,
    in order (the first is facilitator)."""
    for name in names or [carer.key for carer in care_team.TEAM]:
        await world.say(world.people[name], "/join")
