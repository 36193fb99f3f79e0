"""One worker among several: its jobs run only while it holds their roles.

The roles here are handed out by the test (:class:`Switchboard`), as the
database hands them out among workers (``tests/storage/test_roles.py``
proves that part): the test gives a role and takes it back, and watches what
the worker does meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import Application
from bot.app.roles import OUTBOX_CHANGED, TIMERS, TIMERS_CHANGED, Lost, Taken
from bot.core.commands import Actor
from bot.core.document import plain_text
from bot.core.effects import EditCard
from bot.worker import Worker
from tests.app.test_application import Recorder
from tests.harness import Running, running_app

GROUP_CHAT = "console:group"
TEAM_CHAT = "telegram:-100"
SAM = Actor("console:sam", "Sam")
ALEX = Actor("telegram:7", "Alex")
SENDING = "telegram sending 1"


class Switchboard:
    """Roles the test gives and takes back by hand; what the worker tells, recorded."""

    alone = False  # it stands for several workers on one database

    def __init__(self) -> None:
        self.wanted: dict[str, tuple[Taken, Lost]] = {}
        self.held: set[str] = set()
        self.told: list[str] = []
        self.listeners: dict[str, list[Callable[[], None]]] = {}

    async def hold(self, role: str, taken: Taken, lost: Lost) -> None:
        self.wanted[role] = (taken, lost)

    def holds(self, role: str) -> bool:
        return role in self.held

    def tell(self, change: str) -> None:
        self.told.append(change)

    def listen(self, change: str, heard: Callable[[], None]) -> None:
        self.listeners.setdefault(change, []).append(heard)

    async def close(self) -> None:
        for role in list(self.held):
            await self.take_back(role)

    async def give(self, role: str) -> None:
        await self.wanted[role][0]()
        self.held.add(role)

    async def take_back(self, role: str) -> None:
        self.held.discard(role)
        await self.wanted[role][1]()

    def another_worker_says(self, change: str) -> None:
        for heard in self.listeners.get(change, []):
            heard()


@pytest.fixture
async def run(tmp_path: Path) -> AsyncIterator[Running]:
    async with running_app(tmp_path / "db") as running:
        yield running


async def until(condition: Callable[[], object], what: str, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError(f"waited {timeout} s for {what}")
        await asyncio.sleep(0.01)


async def test_a_worker_sends_to_a_platform_only_while_it_holds_its_sending_role(
    run: Running,
) -> None:
    roles = Switchboard()
    worker = Worker(run.app, roles)
    console, telegram = Recorder("console"), Recorder("telegram")
    run.app.adapters.update(console=console, telegram=telegram)
    await worker.send_for("telegram", SENDING)
    delivering = asyncio.create_task(worker.delivery.run_forever())
    try:
        await run.app.submit(chat=TEAM_CHAT, actor=ALEX, text="propose Buy a kettle")
        await run.app.submit(chat=GROUP_CHAT, actor=SAM, text="propose Buy a kettle")
        await until(lambda: console.sent, "the console's card")
        await asyncio.sleep(0.2)
        assert telegram.tries == 0, "sent to Telegram without the role"
        assert await run.storage.pending_deliveries(run.clock.now(), 10)

        await roles.give(SENDING)
        await until(lambda: telegram.sent, "Telegram's card, once the role is given")
        assert {d.target for d in telegram.sent} == {TEAM_CHAT}

        await roles.take_back(SENDING)
        before = telegram.tries
        await run.app.submit(chat=TEAM_CHAT, actor=ALEX, text="propose Paint the hall")
        await asyncio.sleep(0.3)
        assert telegram.tries == before, "sent to Telegram after the role was lost"
    finally:
        worker.delivery.stop()
        await delivering


async def test_timers_fire_only_while_the_worker_holds_their_role(run: Running) -> None:
    roles = Switchboard()
    worker = Worker(run.app, roles)
    run.app.adapters["console"] = Recorder("console")
    await worker.fire_timers()
    await run.app.submit(chat=GROUP_CHAT, actor=SAM, text="propose Buy a kettle\nin 2 hours")
    assert worker.scheduler is None
    run.clock.advance(timedelta(hours=3))
    await asyncio.sleep(0.1)
    assert await run.storage.due_timers(run.clock.now()), "fired without the role"

    await roles.give(TIMERS)  # the deadline that passed meanwhile fires as the role is taken
    assert worker.scheduler is not None
    assert await run.storage.due_timers(run.clock.now()) == []

    await roles.take_back(TIMERS)
    assert worker.scheduler is None


async def test_what_one_worker_stores_it_tells_the_others_and_hears_from_them(
    run: Running,
) -> None:
    roles = Switchboard()
    worker = Worker(run.app, roles)
    console = Recorder("console")
    run.app.adapters["console"] = console
    await run.app.submit(chat=GROUP_CHAT, actor=SAM, text="propose Buy a kettle\nin 2 hours")
    assert OUTBOX_CHANGED in roles.told and TIMERS_CHANGED in roles.told

    # Another worker stored a message: this one, the sender, wakes for it at once
    # (its loop would otherwise look again only after half a minute).
    delivering = asyncio.create_task(worker.delivery.run_forever())
    try:
        await until(lambda: console.sent, "the first card")
        sent = len(console.sent)
        other = Application(storage=run.storage, clock=run.clock)  # nothing wakes this one
        await other.submit(chat=GROUP_CHAT, actor=SAM, text="propose Paint the hall")
        roles.another_worker_says(OUTBOX_CHANGED)
        await until(lambda: len(console.sent) > sent, "the other worker's message", timeout=2.0)
    finally:
        worker.delivery.stop()
        await delivering


async def test_a_card_is_drawn_from_what_another_worker_stored(run: Running) -> None:
    """The worker that sends draws the card's edit from the database, not from its
    memory, which another worker's commit left behind."""
    Worker(run.app, Switchboard())
    await run.app.submit(chat=GROUP_CHAT, actor=SAM, text="join")
    await run.app.submit(chat=GROUP_CHAT, actor=SAM, text="propose Buy a kettle")
    assert await run.app.group(GROUP_CHAT) is not None  # in this worker's memory
    other = Application(storage=run.storage, clock=run.clock)
    jo = Actor("console:jo", "Jo")
    await other.submit(chat=GROUP_CHAT, actor=jo, text="join")
    await other.submit(chat=GROUP_CHAT, actor=jo, text="consent #1")
    edits = [
        d
        for d in await run.storage.pending_deliveries(run.clock.now(), 100)
        if isinstance(d.effect, EditCard)
    ]
    drawn = await run.app.draw_card(edits[-1])
    assert drawn is not None and isinstance(drawn.effect, EditCard)
    assert drawn.effect.document is not None
    assert "Consent 1" in plain_text(drawn.effect.document)


async def test_a_worker_asked_for_a_group_sees_what_another_worker_stored(run: Running) -> None:
    """A reaction on a card, a press: an adapter asks for the group, and a proposal
    another worker stored is there (not the copy this worker read before)."""
    Worker(run.app, Switchboard())
    await run.app.submit(chat=GROUP_CHAT, actor=SAM, text="propose Buy a kettle")
    before = await run.app.group(GROUP_CHAT)
    assert before is not None and set(before.proposals) == {1}
    other = Application(storage=run.storage, clock=run.clock)
    await other.submit(chat=GROUP_CHAT, actor=SAM, text="propose Paint the hall")
    now = await run.app.group(GROUP_CHAT)
    assert now is not None and set(now.proposals) == {1, 2}
    # And this worker's next command is decided on that, at once.
    done = await run.app.submit(chat=GROUP_CHAT, actor=SAM, text="consent #2")
    assert done.decision is not None and not done.decision.refused, done.decision.summary
