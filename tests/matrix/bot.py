"""The bot under test: the real application with the Matrix adapter, on the test Synapse.

:class:`BotUnderTest` runs the whole house — storage on a temporary SQLite
file, the core, the outbox with its delivery loop, and the
:class:`~adapters.matrix.MatrixAdapter` syncing with the session's Synapse as
its own registered account — with a clock the test moves by hand
(:meth:`BotUnderTest.wait`), so deadlines and nudges come when the test says.

The :func:`bots` fixture makes bots and stops them after the test::

    async def test_hello(people, bots):
        alice = await people.new("alice")
        bot = await bots.new(allowed_inviters=(alice.user_id,))
        room = await alice.create_room()
        await bot.invite(alice, room)
        await alice.say(room, "!status")
        await alice.wait_for_message(room, "Nothing is open", sender=bot.user_id)
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import nio
import pytest_asyncio

from adapters.matrix import MatrixAdapter
from bot.app import DeliveryLoop
from bot.config import MatrixConfig
from bot.core.model import Group
from tests.harness import Running, running_app

from .people import Person, relates_to
from .synapse_server import RegisteredUser, SynapseServer

#: A short long-poll: the bot notices a stop at once anyway; this only bounds idle syncs.
LONG_POLL_MS = 5_000


def is_edit_of(card_event: str, containing: str = "") -> Callable[[nio.Event], bool]:
    """A predicate: an edit (``m.replace``) of ``card_event`` whose new text has ``containing``."""

    def matches(event: nio.Event) -> bool:
        relation = relates_to(event)
        if relation.get("rel_type") != "m.replace" or relation.get("event_id") != card_event:
            return False
        new = event.source.get("content", {}).get("m.new_content", {})
        return containing in str(new.get("body", ""))

    return matches


class BotUnderTest:
    def __init__(
        self,
        server: SynapseServer,
        user: RegisteredUser,
        running: Running,
        store: Path,
        allowed_inviters: tuple[str, ...],
        *,
        encrypted: bool = False,
        facilitators_from_power_levels: bool = False,
    ) -> None:
        self.server = server
        self.facilitators_from_power_levels = facilitators_from_power_levels
        self.user = user
        self.running = running
        self.store = store
        self.allowed_inviters = allowed_inviters
        self.encrypted = encrypted
        self.adapter: MatrixAdapter | None = None
        self.delivery = DeliveryLoop(running.app)
        self._delivering: asyncio.Task[None] | None = None

    @property
    def user_id(self) -> str:
        return self.user.user_id

    @property
    def settings(self) -> MatrixConfig:
        return MatrixConfig(
            homeserver=self.server.base_url,
            user_id=self.user.user_id,
            allowed_inviters=self.allowed_inviters,
            password=self.user.password,
            device_id="DECIDINGTOGETHER",
            store_path=self.store,
            encrypted_direct_rooms=self.encrypted,
            facilitators_from_power_levels=self.facilitators_from_power_levels,
        )

    # -- running ------------------------------------------------------------------------

    async def start(self) -> MatrixAdapter:
        """Start a new adapter instance (same store, same database) and the delivery loop."""
        app = self.running.app
        adapter = MatrixAdapter(self.settings, long_poll_ms=LONG_POLL_MS)
        app.adapters[adapter.platform] = adapter
        await adapter.start(app)
        self.adapter = adapter
        self.delivery = DeliveryLoop(app)  # a fresh loop per start, as a new process has
        app.on_outbox_changed = self.delivery.wake
        self._delivering = asyncio.create_task(self.delivery.run_forever())
        return adapter

    async def stop(self) -> None:
        """Stop the adapter and the delivery loop, as a shutdown would."""
        if self._delivering is not None:
            self.delivery.stop()
            await asyncio.wait_for(self._delivering, 10)
            self._delivering = None
        if self.adapter is not None:
            await self.adapter.stop()
            self.running.app.adapters.pop("matrix", None)
            self.adapter = None

    async def wait(self, span: timedelta) -> None:
        """Move the hand clock on, firing each timer at its own time, then deliver."""
        clock, storage, app = self.running.clock, self.running.storage, self.running.app
        end = clock.now() + span
        while (due := await storage.next_timer_due()) is not None and due <= end:
            if due > clock.now():
                clock.advance(due - clock.now())
            await app.run_due_timers()
        if end > clock.now():
            clock.advance(end - clock.now())
        await app.run_due_timers()
        self.delivery.wake()

    # -- looking at it ------------------------------------------------------------------

    async def invite(self, person: Person, room_id: str) -> None:
        """``person`` invites the bot, and waits until it has joined."""
        await person.invite(room_id, self.user_id)
        await person.wait_for_members(room_id, [self.user_id])

    async def group(self, room_id: str) -> Group:
        group = await self.running.app.group_of_chat(f"matrix:{room_id}")
        assert group is not None, f"no group for {room_id}"
        # The whole record, closed proposals too: the tests read what was decided.
        whole = await self.running.app.whole_group(group.id)
        assert whole is not None
        return whole

    async def until(self, condition: Callable[[], Any], what: str, timeout: float = 10) -> None:
        """Wait until an (async) condition about the application holds."""
        deadline = time.monotonic() + timeout
        while True:
            result = condition()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the bot never got to: {what}")
            await asyncio.sleep(0.05)


class Bots:
    """Makes bots for one test and stops them afterwards."""

    def __init__(self, server: SynapseServer, root: Path) -> None:
        self.server = server
        self.root = root
        self._stack = contextlib.AsyncExitStack()
        self._bots: list[BotUnderTest] = []

    async def new(
        self,
        *,
        allowed_inviters: tuple[str, ...],
        encrypted: bool = False,
        start: bool = True,
        facilitators_from_power_levels: bool = False,
    ) -> BotUnderTest:
        """Register a bot account and (unless ``start`` is False) start the bot."""
        user = await self.server.aregister_user("bot", displayname="Deciding Together")
        number = len(self._bots) + 1
        running = await self._stack.enter_async_context(running_app(self.root / f"bot-{number}.db"))
        bot = BotUnderTest(
            self.server,
            user,
            running,
            self.root / f"bot-{number}-store",
            allowed_inviters,
            encrypted=encrypted,
            facilitators_from_power_levels=facilitators_from_power_levels,
        )
        self._bots.append(bot)
        if start:
            await bot.start()
        return bot

    async def close(self) -> None:
        for bot in self._bots:
            await bot.stop()
        await self._stack.aclose()


@pytest_asyncio.fixture
async def bots(synapse: SynapseServer, tmp_path: Path) -> AsyncIterator[Bots]:
    """Bots on the session's Synapse, each with its own database and store."""
    made = Bots(synapse, tmp_path / "bots")
    made.root.mkdir()
    try:
        yield made
    finally:
        await made.close()
