"""7. Matrix: from a member's reaction to the edited tally, through a real Synapse.

A Synapse homeserver (the test suite's, on loopback), the bot with the
Matrix adapter, and real matrix-nio clients as people. A member reacts ✅ to
a proposal's card; the figure is the time until that member's client sees
the card edited (``m.replace``) with the new tally. Reactions are a second
and a half apart, as people's are, so the adapter's pacing of edits (about one
a second per room) does not queue them.

Baseline, in the same run on the same server: Synapse's own message round
trip between two plain nio clients (one says something, the other answers as
soon as its sync sees it, the first waits to see the answer): the reaction's
path is a round trip too (member → bot → member).

**Interleaved pairs** (``bench.pairs``): a reaction and a round trip take
turns, which goes first alternating, so each pair is measured in the same
few seconds of the shared machine; the figure is the median of the pairs'
ratios, with their range.
"""

from __future__ import annotations

import asyncio
import time

from bench.pairs import PAIRS
from bench.results import Report, paired
from bench.workload import scratch
from tests.matrix.bot import Bots, is_edit_of
from tests.matrix.people import People, Person
from tests.matrix.synapse_server import SynapseServer

TARGET_RATIO = 2.0
PAUSE = 1.5  # seconds between two reactions


async def run(
    report: Report,
    samples: int,
    *,
    server: SynapseServer | None = None,
    pause: float = PAUSE,
    least: int = PAIRS,
) -> None:
    """``server``: a Synapse already running (the test suite's), else one is started."""
    samples = max(samples, least)
    own = server is None
    server = server or SynapseServer()
    if own:
        await asyncio.to_thread(server.start)
    try:
        with scratch() as folder:
            people, bots = People(server, folder / "people"), Bots(server, folder / "bots")
            (folder / "bots").mkdir()
            try:
                bot_latency, round_trip = await _measure(people, bots, samples, pause)
            finally:
                await bots.close()
                await people.close()
    finally:
        if own:
            await asyncio.to_thread(server.stop)
    report.add(
        paired(
            "7 matrix", "reaction → edited tally seen",
            [x * 1000 for x in bot_latency], [x * 1000 for x in round_trip], "ms",
            target=TARGET_RATIO, higher_is_better=False, baseline_name="nio round trip",
            target_is_ratio=True,
            notes=f"{samples} interleaved pairs; worst {max(bot_latency) * 1000:.0f} ms",
        )
    )  # fmt: skip
    report.details["matrix"] = {
        "reaction_to_edit_ms": [round(x * 1000, 1) for x in bot_latency],
        "round_trip_ms": [round(x * 1000, 1) for x in round_trip],
        "synapse_start_s": server.start_seconds,
    }


async def _measure(
    people: People, bots: Bots, samples: int, pause: float
) -> tuple[list[float], list[float]]:
    alice, bob = await people.new("alice"), await people.new("bob")
    bot = await bots.new(allowed_inviters=(alice.user_id,))
    room = await people.make_room(alice, bob, name="Care team")
    await bot.invite(alice, room)
    cards = []
    for n in range(samples):
        said = await alice.say(room, f"!propose Proposal {n + 1}\nin 3 days")
        card = await alice.wait_for_message(room, "Proposal #", sender=bot.user_id, after=said)
        cards.append(card.event_id)
    plain = await people.make_room(alice, bob, name="Just us")
    await alice.sync()
    await bob.sync()
    latency: list[float] = []
    trips: list[float] = []
    for n, card in enumerate(cards):
        if n % 2 == 0:
            latency.append(await _reaction(bob, room, card, pause))
            trips.append(await _round_trip(alice, bob, plain, n, pause))
        else:
            trips.append(await _round_trip(alice, bob, plain, n, pause))
            latency.append(await _reaction(bob, room, card, pause))
    return latency, trips


async def _reaction(bob: Person, room: str, card: str, pause: float) -> float:
    """Bob reacts ✅ to a card; seconds until his client sees the tally's edit."""
    await asyncio.sleep(pause)
    started = time.perf_counter()
    await bob.react(room, card, "✅")
    await bob.wait_for_event(room, is_edit_of(card, "✅ Consent 1"), what="the tally edit")
    return time.perf_counter() - started


async def _round_trip(alice: Person, bob: Person, room: str, n: int, pause: float) -> float:
    """Alice says something; Bob answers when his sync sees it; Alice sees the answer."""
    await asyncio.sleep(pause)

    async def answer() -> None:
        await bob.wait_for_message(room, f"ping {n}", sender=alice)
        await bob.say(room, f"pong {n}")

    answering = asyncio.create_task(answer())
    await asyncio.sleep(0.2)  # Bob is waiting in his long poll, as the bot is in its sync
    started = time.perf_counter()
    await alice.say(room, f"ping {n}")
    await alice.wait_for_message(room, f"pong {n}", sender=bob)
    took = time.perf_counter() - started
    await answering
    return took
