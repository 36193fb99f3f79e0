"""Staying under Telegram's flood limits, and honouring its answer when it says "slow down"."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from adapters.telegram.pacing import TELEGRAM_LIMITS, Limits, Pacer, TooLong, Window
from bot.app import application
from bot.core import cards
from bot.core.document import Document
from bot.core.effects import EditCard
from bot.core.model import Group, Proposal
from tests.fakes.telegram import FakeTelegram, FaultKind
from tests.telegram.conftest import World, joined, start_world


class Stopwatch:
    """A clock for the pacer that moves only when it sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def pacer(limits: Limits = TELEGRAM_LIMITS) -> tuple[Pacer, Stopwatch]:
    watch = Stopwatch()
    return Pacer(limits, clock=watch, sleep=watch.sleep), watch


async def send(pace: Pacer, chat_id: int, *, patient: bool = False) -> None:
    """One message, answered the moment it is sent."""
    async with pace.turn(chat_id, patient=patient):
        pass


async def test_one_message_a_second_in_a_chat() -> None:
    pace, watch = pacer()
    times = []
    for _ in range(3):
        await send(pace, -100)
        times.append(round(watch.now, 3))
    assert times == [0.0, 1.0, 2.0]
    await send(pace, -200)  # another chat does not wait for this one
    assert round(watch.now, 3) == 2.0


async def test_twenty_a_minute_in_a_group() -> None:
    pace, watch = pacer(Limits(per_chat=Window(100, 1.0), longest_wait=120))
    for _ in range(20):
        await send(pace, -100)
    assert watch.now < 1.0
    await send(pace, -100)
    assert watch.now == pytest.approx(60.0)
    for user in range(20):  # private chats are not groups
        await send(pace, user + 1)
    assert watch.now < 62


async def test_thirty_a_second_overall() -> None:
    pace, watch = pacer()
    for user in range(30):
        await send(pace, user + 1)
    assert watch.now == 0.0
    await send(pace, 31)
    assert watch.now == pytest.approx(1.0)


async def test_a_far_turn_is_handed_back_unless_the_sender_can_wait() -> None:
    pace, watch = pacer()
    for _ in range(20):
        await send(pace, -100, patient=True)
    with pytest.raises(TooLong) as far:
        await send(pace, -100)
    assert far.value.wait > TELEGRAM_LIMITS.longest_wait
    await send(pace, -100, patient=True)
    assert watch.now >= 60


async def test_a_message_counts_until_its_answer_came() -> None:
    # Telegram counts a message somewhere between our request and its answer: the
    # next one in the chat waits a whole second after the answer, not after the turn.
    pace, watch = pacer()
    async with pace.turn(-100):
        watch.now += 0.4  # a slow answer
    await send(pace, -100)
    assert watch.now == pytest.approx(1.4)


async def test_a_message_in_flight_holds_its_place_until_answered() -> None:
    pace, watch = pacer(Limits(overall=Window(2, 1.0)))
    answer = asyncio.Event()
    turns: list[float] = []

    async def slow(chat_id: int) -> None:
        async with pace.turn(chat_id):
            turns.append(watch.now)
            await answer.wait()

    first = asyncio.create_task(slow(1))
    second = asyncio.create_task(slow(2))
    third = asyncio.create_task(send(pace, 3))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    # Both turns are taken and in flight: the third waits without end, for an answer.
    assert turns == [0.0, 0.0] and not third.done()
    watch.now = 5.0
    await asyncio.sleep(0)
    assert not third.done()  # time alone frees nothing while both are in flight
    answer.set()
    await asyncio.gather(first, second, third)
    assert watch.now == pytest.approx(6.0)  # a whole window after the first answer


async def test_a_429_keeps_every_sender_off_the_chat() -> None:
    pace, watch = pacer()
    pace.hold(-100, 7)
    assert pace.ready_in(-100) == pytest.approx(7)
    await send(pace, -200)  # other chats go on
    assert watch.now == 0.0
    await send(pace, -100)
    assert watch.now == pytest.approx(7)
    with pytest.raises(TooLong):
        pace.hold(-100, 30)
        await send(pace, -100)


@pytest.fixture
async def limited(tmp_path: Path) -> AsyncIterator[World]:
    """Telegram's real limits, enforced by the fake, and the adapter's real pacing."""
    async with FakeTelegram(enforce_limits=True) as tg:
        async for world in start_world(tg, tmp_path / "dt.db", limits=TELEGRAM_LIMITS):
            yield world


async def test_a_burst_causes_no_429s(limited: World) -> None:
    world = limited
    # Several messages to one group at once: a proposal (card and tip) and a response
    # (a reply and an edit of the card), all queued before the bot sends anything.
    world.tg.send_text(world.team, world.sam, "/propose Buy a new kettle\nin 3 days")
    world.tg.send_text(world.team, world.alex, "/consent #1")
    await world.settled()

    # Thirty-five people press a button at once, then all ask privately what is open.
    crowd = [world.tg.user(3000 + n, f"Helper {n}") for n in range(35)]
    card = await world.card(1)
    consent = next(b["callback_data"] for b in card.buttons if "Consent" in b["text"])
    presses = [world.tg.press_button(world.team, who, card.message_id, consent) for who in crowd]
    for press in presses:
        assert press.callback_query_id is not None
        await world.tg.wait_for_answer(press.callback_query_id)
    for who in crowd:
        world.tg.send_text(who.id, who, "/status")
    await world.settled()

    assert world.tg.rate_limited_count == 0
    sends = world.tg.calls_to("sendMessage") + world.tg.calls_to("editMessageText")
    assert sends and all(call.status == 200 for call in sends)
    assert all(world.said(who.id) for who in crowd)  # everyone got their answer
    in_team = sorted(c.at for c in sends if c.params.get("chat_id") == world.team.id)
    assert len(in_team) >= 4
    assert min(b - a for a, b in itertools.pairwise(in_team)) >= 1.0


async def test_telegrams_request_to_wait_is_honoured(world: World) -> None:
    await joined(world, "sam")
    world.tg.fail_next("sendMessage", FaultKind.RETRY_AFTER, retry_after=7)
    before = world.last_id()
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    assert world.said(after=before) == []
    now = world.running.clock.now()
    card, *_rest = await world.running.storage.pending_deliveries(now + timedelta(days=1))
    assert card.next_attempt_at == now + timedelta(seconds=7)
    await world.running.wait(timedelta(seconds=7))
    assert world.said(after=before)[0].startswith("Proposal #1: Buy a new kettle")


@pytest.mark.parametrize("fault", [FaultKind.BAD_GATEWAY, FaultKind.DROP, FaultKind.SERVER_ERROR])
async def test_a_network_failure_is_tried_again(world: World, fault: FaultKind) -> None:
    await joined(world, "sam")
    world.tg.fail_next("sendMessage", fault)
    before = world.last_id()
    await world.say(world.sam, "/status")
    assert world.said(after=before) == []
    await world.running.wait(timedelta(seconds=2))
    assert len(world.said(after=before)) == 1


async def test_a_late_arrival_is_no_reason_for_a_429(limited: World) -> None:
    world = limited
    await joined(world, "sam")
    before = len(world.tg.calls_to("sendMessage"))
    # The first answer reaches Telegram half a second late, where Telegram counts it;
    # the second must still arrive a whole second after it.
    world.tg.slow_next("sendMessage", 0.5)
    world.tg.send_text(world.team, world.sam, "/status")
    world.tg.send_text(world.team, world.sam, "/status")
    await world.settled()

    assert world.tg.rate_limited_count == 0
    sends = world.tg.calls_to("sendMessage")[before:]
    assert len(sends) == 2 and all(call.status == 200 for call in sends)


async def test_an_edit_waiting_for_its_turn_is_not_drawn_and_lets_replies_go_first(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    await joined(world, "sam", "alex", "jo")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    card = await world.card(1)
    consent = next(b["callback_data"] for b in card.buttons if "Consent" in b["text"])
    drawn: list[int] = []

    def drawing(group: Group, proposal: Proposal, now: datetime) -> Document:
        drawn.append(proposal.number)
        return cards.card(group, proposal, now)

    monkeypatch.setattr(application, "card", drawing)
    storage, loop = world.running.storage, world.running.delivery
    world.running.app.on_outbox_changed = loop.wake
    edits = len(world.tg.calls_to("editMessageText"))

    async def replies_delivered() -> None:
        """Until only card edits wait: the pop-ups' replies went before them."""
        for _ in range(500):
            waiting = await storage.pending_deliveries(world.running.clock.now(), 50)
            if all(isinstance(d.effect, EditCard) for d in waiting):
                return
            await asyncio.sleep(0.01)
        raise TimeoutError("the replies were not delivered")

    running = asyncio.create_task(loop.run_forever())
    try:
        world.adapter.pacer.hold(world.team.id, 2.0)  # the chat's next turn is 2 s away
        for who in (world.alex, world.jo):
            press = world.tg.press_button(world.team, who, card.message_id, consent)
            assert press.callback_query_id is not None
            await world.tg.wait_for_answer(press.callback_query_id)
            if who is world.alex:
                # Alex's reply went ahead of the edit that waits for the turn.
                await replies_delivered()
        # Alex's edit waited for the turn undrawn; Jo's superseded it meanwhile.
        assert drawn == [] and len(world.tg.calls_to("editMessageText")) == edits
        await world.tg.wait_for(
            lambda: len(world.tg.calls_to("editMessageText")) > edits, timeout=10
        )
        await replies_delivered()
    finally:
        loop.stop()
        await running
    assert drawn == [1]
    assert len(world.tg.calls_to("editMessageText")) == edits + 1
    assert "✅ Consent 2" in ((await world.card(1)).text or "")
