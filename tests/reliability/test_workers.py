"""Two workers on one PostgreSQL database, one of them SIGKILLed again and again mid-burst.

Each worker runs as ``deciding-together run`` does, in a process of its own
(:mod:`tests.reliability.runner`), in webhook mode: the fake Telegram server
posts each update to a small reverse proxy (:class:`Balancer`), which hands it
to either worker at random, as a co-op's proxy would. A worker answers 200
only once the update is committed; an update whose worker died, or that went to
a dead worker, is refused and Telegram posts it again, to either worker.

The worker that holds the roles (``bot.app.roles``: firing timers, sending to
Telegram) is the one killed, each time: the other takes them over within
seconds, and the killed one comes back as a worker without roles. On Matrix,
the same with the real Synapse: the worker running the bot's one device is
killed, and the other logs in as that device, from the same encryption store.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import psycopg
import pytest
from aiohttp import web

from bot.app.roles import TIMERS
from bot.core.commands import DeadlineDue
from bot.core.decide import decide
from bot.core.model import Group, GroupSettings, Stage
from bot.core.resident import with_proposals
from storage.postgres import PostgresStorage
from tests.fakes.telegram import FakeTelegram, FakeUser, StoredMessage
from tests.matrix.people import People
from tests.matrix.synapse_server import SynapseServer
from tests.postgres import Cluster
from tests.reliability.conftest import WEBHOOK_SECRET, free_port
from tests.reliability.process import BotProcess, until
from tests.reliability.test_crash_matrix import relates_to_event, room_events
from tests.reliability.webhook import SECRET_HEADER

TEAM_ID = -100700
GROUP = f"telegram:{TEAM_ID}"
MEMBERS = 16
SILENT = 3  # never press: the card names them as still to respond
TWICE = 5  # press Consent a second time
KILLS = 4
TRIALS = (2, 3)  # proposals whose two hours pass while the workers are down
WORK = frozenset({"sendmessage", "editmessagetext", "answercallbackquery"})


class Balancer:
    """A reverse proxy before the workers: each update goes to one of them at random.

    A worker that is down answers nothing; the proxy says 502, as nginx would, and
    Telegram posts the update again later."""

    def __init__(self, ports: list[int], rng: random.Random) -> None:
        self.ports = ports
        self.rng = rng
        self.port = free_port()
        self.sent_to: Counter[int] = Counter()  # worker port → updates it answered 200
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Balancer:
        self._http = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_post("/telegram", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._runner is not None and self._http is not None
        await self._runner.cleanup()
        await self._http.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._http is not None
        port = self.rng.choice(self.ports)
        headers = {
            "Content-Type": "application/json",
            SECRET_HEADER: request.headers.get(SECRET_HEADER, ""),
        }
        try:
            async with self._http.post(
                f"http://127.0.0.1:{port}/telegram", data=await request.read(), headers=headers
            ) as answer:
                if answer.status == 200:
                    self.sent_to[port] += 1
                return web.Response(status=answer.status, body=await answer.read())
        except aiohttp.ClientError:
            return web.Response(status=502, text="the worker is down")


def storage_section(url: str) -> str:
    return f'\n[storage]\nbackend = "postgresql"\nurl = "{url}"\n'


def write_config(path: Path, tg: FakeTelegram, url: str, proxy: int, listen: int) -> Path:
    path.write_text(
        f'[telegram]\ntoken = "{tg.token}"\nbase_url = "{tg.base_url}"\nmode = "webhook"\n'
        f'webhook_url = "http://127.0.0.1:{proxy}/telegram"\nlisten = "127.0.0.1:{listen}"\n'
        f'secret_token = "{WEBHOOK_SECRET}"\n{storage_section(url)}'
        '\n[logging]\nlevel = "DEBUG"\n',
        encoding="utf-8",
    )
    path.chmod(0o600)  # it holds secrets
    return path


@pytest.fixture
def url(postgres: Cluster) -> Iterator[str]:
    with postgres.database() as made:
        yield made


@dataclass(frozen=True)
class Press:
    person: FakeUser
    query: str  # the callback query, to find the bot's answer
    update_id: int


def pressing_order(people: list[FakeUser], rng: random.Random) -> list[FakeUser]:
    """Everyone but the silent few presses Consent, some of them twice, shuffled."""
    pressing = people[: MEMBERS - SILENT]
    order = [*pressing, *rng.sample(pressing, TWICE)]
    rng.shuffle(order)
    return order


def press(tg: FakeTelegram, card: StoredMessage, people: list[FakeUser]) -> list[Press]:
    consent = next(b["callback_data"] for b in card.buttons if "Consent" in b["text"])
    presses = []
    for person in people:
        action = tg.press_button(TEAM_ID, person, card.message_id, consent)
        assert action.callback_query_id is not None
        presses.append(Press(person, action.callback_query_id, action.update_id))
    return presses


def card_of(tg: FakeTelegram, title: str) -> StoredMessage | None:
    return next(
        (m for m in tg.bot_messages(TEAM_ID) if (m.text or "").startswith(title) and m.buttons),
        None,
    )


def work_done(tg: FakeTelegram) -> int:
    return sum(1 for call in tg.calls if call.method.lower() in WORK)


def pending(url: str) -> int:
    """How many deliveries still wait to be sent."""
    with psycopg.connect(url) as connection:
        row = connection.execute(
            "SELECT count(*) FROM deliveries WHERE status = 'pending'"
        ).fetchone()
    return int(row[0]) if row else 0


def stages(url: str, group: str = GROUP) -> dict[int, str]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT number, stage FROM proposals WHERE group_id = %s", (group,)
        ).fetchall()
    return {number: stage for number, stage in rows}


def took_role(worker: BotProcess, role: str, run: int) -> bool:
    """Whether ``worker``'s run number ``run`` (from 1) logged taking ``role``."""
    log = worker.logs / f"run-{run:02d}.log"
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return f"now holds the role: {role}" in text


@contextlib.asynccontextmanager
async def workers(configs: list[Path], logs: Path) -> AsyncIterator[list[BotProcess]]:
    started = [BotProcess(config, logs / f"worker-{n}") for n, config in enumerate(configs)]
    try:
        yield started
    finally:
        for worker in started:
            await worker.close()


def holder(workers: list[BotProcess]) -> tuple[BotProcess, BotProcess]:
    """(the worker that holds the timers now, the other one)."""
    first, second = workers
    return (first, second) if took_role(first, TIMERS, first.starts) else (second, first)


async def kill_mid_burst(workers: list[BotProcess], tg: FakeTelegram, rng: random.Random) -> str:
    """SIGKILL the worker holding the roles after a few pieces of the workers' work,
    then wait for the other to take over every role it held; how long that took."""
    target = work_done(tg) + rng.randint(3, 12)
    with contextlib.suppress(TimeoutError):
        await tg.wait_for(lambda: work_done(tg) >= target, 5, "the workers' work")
    victim, survivor = holder(workers)
    held = [r for r in (TIMERS, "telegram sending") if took_role(victim, r, victim.starts)]
    assert held, "the holder holds no role"
    await victim.kill()
    loop = asyncio.get_running_loop()
    killed = loop.time()
    for role in held:
        await until(
            lambda role=role: took_role(survivor, role, survivor.starts),  # type: ignore[misc]
            f"the surviving worker to take {role}",
            timeout=10,
        )
    took = loop.time() - killed
    await victim.start()
    await victim.until_running()
    return f"{took:.1f} s"


async def test_two_workers_one_killed_again_and_again_lose_no_acknowledged_vote(
    tg: FakeTelegram, url: str, tmp_path: Path, figures: list[str]
) -> None:
    rng = random.Random(20261207)
    ports = [free_port(), free_port()]
    people = [tg.user(7000 + n, f"Carer{n:02d}") for n in range(MEMBERS)]
    team = tg.group(TEAM_ID, "Dad's care team", supergroup=True, members=people)
    proposer = people[0]
    async with Balancer(ports, rng) as proxy:
        configs = [
            write_config(tmp_path / f"worker-{n}.toml", tg, url, proxy.port, port)
            for n, port in enumerate(ports)
        ]
        async with workers(configs, tmp_path / "logs") as (first, second):
            await first.start()
            await first.until_running()
            await second.start()
            await second.until_running()

            for person in people:
                tg.send_text(team, person, "/join")
            tg.send_text(team, proposer, "/propose Buy a new kettle\nThe old one leaks.\nin 3 days")
            for number in TRIALS:
                tg.send_text(team, proposer, f"/propose Trial week {number}\nin 2 hours")
            card = await tg.wait_for(
                lambda: card_of(tg, "Proposal #1: Buy a new kettle"), 30, "the kettle's card"
            )
            # The burst comes in while the worker holding the roles dies, and comes back.
            order, presses, moved = pressing_order(people, rng), [], []
            for kill in range(KILLS):
                presses += press(tg, card, order[kill::KILLS])
                moved.append(await kill_mid_burst([first, second], tg, rng))

            await tg.wait_for(
                lambda: all(tg.answer_for(each.query) for each in presses),
                timeout=60,
                what="every press answered",
            )
            await tg.wait_until_consumed(timeout=30)

            # Two hours pass while both are down; both start again, and the trials'
            # deadlines come due: one of them fires each, once.
            await second.stop()
            await first.stop()
            await first.start(hours_ahead=3.0)
            await second.start(hours_ahead=3.0)
            await first.until_running()
            await second.until_running()

            def finished() -> bool:
                first.check_alive()
                second.check_alive()
                now = stages(url)
                over = all(now.get(n) == Stage.NOT_AGREED for n in TRIALS)
                return over and pending(url) == 0

            await until(finished, "the deadlines and every delivery", timeout=60)
            await second.stop()
            await first.stop()

    storage = await PostgresStorage.open(url, only_reading=True)
    try:
        stored = await storage.read_group(GROUP)
        closed = await storage.read_proposals(GROUP)  # the group in memory holds open ones
        audit = await storage.audit(GROUP)
        seen = {
            n
            for n in {p.update_id for p in presses}
            if await storage.seen_update(f"telegram:update:{n}")
        }
    finally:
        await storage.close()
    assert stored is not None
    group = with_proposals(stored.group, closed)

    # Every acknowledged press is stored, once, in the order it was made.
    acknowledged = {a.update_id for a in tg.webhook_attempts if a.accepted}
    assert {p.update_id for p in presses} <= acknowledged
    assert seen == {p.update_id for p in presses}
    responded = [
        entry.summary.removeprefix("Respond by ")
        for entry in audit
        if entry.summary.startswith("Respond by ")
    ]
    assert responded == [f"telegram:{each.person.id}" for each in presses]
    kettle = group.proposals[1]
    assert kettle.stage is Stage.OPEN and kettle.round is not None
    assert {r.response for r in kettle.round.history} == {"consent"}

    # The group's state is its audit log replayed.
    # (The chat's title, which names the group, comes with its first command.)
    replayed = Group(id=GROUP, chats=(GROUP,), settings=GroupSettings(), name=group.name)
    for entry in audit:
        replayed = decide(replayed, entry.command, entry.at).group
    assert replayed == group

    # Every deadline that came due fired exactly once, whichever worker fired it.
    fired = Counter(e.command.number for e in audit if isinstance(e.command, DeadlineDue))
    assert fired == Counter(TRIALS)

    # The card's tally is what is stored, and nothing waits to be sent.
    pressed = {f"telegram:{p.person.id}" for p in presses}
    card_text = tg.message(team, card.message_id).text or ""
    assert f"✅ Consent {len(pressed)}" in card_text, card_text
    listed = re.search(r"Still to respond: (.*)", card_text)
    silent = sorted(p.first_name for p in people if f"telegram:{p.id}" not in pressed)
    assert listed is not None and sorted(listed.group(1).split(", ")) == silent
    assert pending(url) == 0

    # Both workers took updates; the roles moved each time their holder was killed.
    assert all(proxy.sent_to[port] for port in ports), proxy.sent_to
    line = (
        f"Two workers on PostgreSQL: {first.kills + second.kills} SIGKILLs of the one holding "
        f"the roles, {len(presses)} presses, "
        f"updates answered by each {sorted(proxy.sent_to.values())}, the roles moved in "
        f"{', '.join(moved)}"
    )
    print(line)
    figures.append(line)


# -- Matrix: the device moves ---------------------------------------------------------

MATRIX_ROLE = "matrix"


def write_matrix_config(
    path: Path, synapse: SynapseServer, bot: Any, inviter: str, url: str
) -> Path:
    """One configuration for both workers: the same account, device and ``store_path``."""
    path.write_text(
        "[matrix]\n"
        f'homeserver = "{synapse.base_url}"\n'
        f'user_id = "{bot.user_id}"\n'
        f'password = "{bot.password}"\n'
        f'store_path = "{path.parent / "matrix-store"}"\n'
        f'allowed_inviters = ["{inviter}"]\n'
        "encrypted_direct_rooms = false\n"
        f'{storage_section(url)}\n[logging]\nlevel = "DEBUG"\n',
        encoding="utf-8",
    )
    path.chmod(0o600)  # it holds secrets
    return path


async def move_the_device(workers: list[BotProcess]) -> float:
    """SIGKILL the worker running Matrix; how long until the other one runs it."""
    victim, survivor = (
        workers if took_role(workers[0], MATRIX_ROLE, workers[0].starts) else workers[::-1]
    )
    await victim.kill()
    loop = asyncio.get_running_loop()
    killed = loop.time()
    await until(
        lambda: took_role(survivor, MATRIX_ROLE, survivor.starts),
        "the surviving worker to run Matrix",
        timeout=10,
    )
    took = loop.time() - killed
    await victim.start()
    await victim.until_running()
    return took


async def test_two_workers_on_matrix_one_device_moves_between_them_and_nothing_is_lost(
    synapse: SynapseServer, people: People, url: str, tmp_path: Path, figures: list[str]
) -> None:
    names = ("alice", "bob", "carol", "dan", "erin", "fay")
    alice, bob, carol, dan, erin, fay = [await people.new(name) for name in names]
    account = await synapse.aregister_user("bot", displayname="Deciding Together")
    config = write_matrix_config(tmp_path / "config.toml", synapse, account, alice.user_id, url)
    async with workers([config, config], tmp_path / "logs") as (first, second):
        await first.start()
        await first.until_running()
        await second.start()
        await second.until_running()
        room = await people.make_room(alice, bob, carol, dan, erin, fay, name="Care team")
        group = f"matrix:{room}"
        await alice.invite(room, account.user_id)
        await alice.wait_for_members(room, [account.user_id])
        said = await alice.say(room, "!propose Buy a new kettle\nThe old one leaks.\nin 3 days")
        card = (
            await alice.wait_for_message(room, "Proposal #1", sender=account.user_id, after=said)
        ).event_id
        events = [said]
        for number in TRIALS:
            events.append(await alice.say(room, f"!propose Trial week {number}\nin 2 hours"))
        # Responses come in while the worker running Matrix dies, and between deaths.
        moved = []
        for person in (bob, carol, dan, erin):
            events.append(await person.react(room, card, "✅"))
            moved.append(await move_the_device([first, second]))
        events.append(await fay.say(room, "!consent #1"))
        await until(lambda: all(n in stages(url, group) for n in TRIALS), "the trials", 60)

        # Two hours pass while both are down; whichever fires the timers fires each once.
        await second.stop()
        await first.stop()
        await first.start(hours_ahead=3.0)
        await second.start(hours_ahead=3.0)
        await first.until_running()
        await second.until_running()
        keys = {f"matrix:{event}" for event in events}

        def finished() -> bool:
            first.check_alive()
            second.check_alive()
            over = all(stages(url, group).get(n) == Stage.NOT_AGREED for n in TRIALS)
            return over and pending(url) == 0 and seen(url, keys) == keys

        await until(finished, "every event handled and every delivery made", 90)
        await second.stop()
        await first.stop()

    storage = await PostgresStorage.open(url, only_reading=True)
    try:
        stored = await storage.read_group(group)
        closed = await storage.read_proposals(group)
        audit = await storage.audit(group)
        cards = {n: (await storage.card_messages(group, n))[group] for n in (1, *TRIALS)}
    finally:
        await storage.close()
    assert stored is not None
    whole = with_proposals(stored.group, closed)
    replayed = Group(id=group, chats=(group,), settings=GroupSettings(), name=whole.name)
    for entry in audit:
        replayed = decide(replayed, entry.command, entry.at).group
    assert replayed == whole
    said_by = Counter(
        e.summary.removeprefix("Respond by matrix:")
        for e in audit
        if e.summary.startswith("Respond by ")
    )
    assert said_by == Counter(p.user_id for p in (bob, carol, dan, erin, fay))
    fired = Counter(e.command.number for e in audit if isinstance(e.command, DeadlineDue))
    assert fired == Counter(TRIALS)
    # One device, whichever worker sent: no message of the bot is in the room twice.
    timeline = await room_events(synapse, alice, room)
    from_bot = [
        e for e in timeline if e["sender"] == account.user_id and e["type"] == "m.room.message"
    ]
    bodies = Counter(e["content"].get("body") for e in from_bot if relates_to_event(e) is None)
    assert [body for body, n in bodies.items() if n > 1] == []
    edits = [e for e in from_bot if relates_to_event(e) == cards[1]]
    assert edits and "✅ Consent 5" in edits[-1]["content"]["m.new_content"]["body"]
    line = (
        f"Two workers on Matrix: {first.kills + second.kills} SIGKILLs of the one running the "
        f"device, which moved in {', '.join(f'{t:.1f} s' for t in moved)}; "
        f"{len(from_bot)} bot events in the room, none twice"
    )
    print(line)
    figures.append(line)


def seen(url: str, keys: set[str]) -> set[str]:
    """Which of ``keys`` the inbox holds: events acted on."""
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT update_key FROM inbox WHERE update_key = ANY(%s)", (list(keys),)
        ).fetchall()
    return {row[0] for row in rows}
