"""6. Fan-out: the deadlines of many teams falling in the same minute, on Telegram.

Each team (a Telegram group on the fake Bot API server, with
``enforce_limits=True``, which answers 429 exactly as Telegram would) has one
open proposal whose card is already posted. The clock then moves past their
deadlines, which all fall within one minute: every team gets its outcome
announced and its card edited, through the delivery loop, the adapter's
pacing and python-telegram-bot. Two figures: how many 429s came back (must be
none) and messages per second from the first to the last, against Telegram's
ceiling of 30 a second.

**One busy group** (``one_group``): many proposals of one Telegram group
close at the same moment, each with its outcome posted and its card edited,
which pushes Telegram's limit of 20 messages a minute in one group (and one
a second in one chat). The figures: 429s (must be none) and the time until
everything went out. The full run keeps Telegram's own windows (a minute);
the quick run shrinks every window ten times, on the fake server and in our
pacing alike, so the same pressure passes in seconds (a harder test, if
anything: the time a request takes is ten times larger against the window).
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from adapters.telegram import TelegramAdapter
from adapters.telegram.pacing import TELEGRAM_LIMITS, Limits, Window
from bench.restart import is_deadline
from bench.results import Figure, Report
from bench.telegram import UNPACED, chat_id, stop_bot
from bench.workload import PEOPLE, make_team, scratch, store_team
from bot.app import Application, DeliveryLoop
from bot.config import TelegramConfig
from bot.core.effects import Post
from storage.sqlite import SqliteStorage
from tests.fakes.telegram import FakeTelegram, RateLimits, Rule

CEILING = 30.0  # Telegram's messages per second, overall
TARGET_SHARE = 0.9
MESSAGES = frozenset({"sendMessage", "editMessageText", "sendDocument"})


class ShiftedClock:
    """The real clock, moved on by ``offset`` (so three days can pass at once)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


async def run(report: Report, teams: int) -> None:
    async with FakeTelegram(enforce_limits=False) as tg:
        people = [tg.user(1000 + i, f"Person {i}") for i in range(PEOPLE)]
        for team in range(teams):
            tg.group(chat_id(team), f"Care team {team}", supergroup=True, members=people)
        with scratch() as folder:
            found = await _fan_out(tg, teams, str(folder / "fanout.db"))
    report.add(
        Figure("6 fan-out", "429 answers", found["rate_limited"], "", 0, higher_is_better=False)
    )
    report.add(
        Figure(
            "6 fan-out",
            f"messages sent, {teams:,} deadlines in one minute",
            found["per_second"],
            "/s",
            TARGET_SHARE * CEILING,
            baseline=CEILING,
            baseline_name="Telegram's ceiling",
            notes=f"{found['messages']} messages in {found['seconds']:.1f} s",
        )
    )
    report.details["fanout"] = {"teams": teams, **found}


async def _fan_out(tg: FakeTelegram, teams: int, path: str) -> dict[str, float]:
    clock = ShiftedClock()
    storage = await SqliteStorage.open(path)
    app = Application(storage=storage, clock=clock)
    delivery = DeliveryLoop(app)
    app.on_outbox_changed = delivery.wake
    adapter = TelegramAdapter(TelegramConfig(tg.token, tg.base_url), limits=UNPACED, poll_timeout=5)
    app.adapters["telegram"] = adapter
    delivering: asyncio.Task[None] | None = None
    try:
        now = clock.now()
        for team in range(teams):
            # The deadlines are spread over 50 seconds: all in the same minute.
            at = now + timedelta(seconds=50 * team / teams)
            made = make_team(f"telegram:{chat_id(team)}", proposals=1, at=at, platform="telegram")
            await store_team(
                storage,
                made.group,
                made.effects,
                at=now,
                keep=lambda e: is_deadline(e) or (isinstance(e, Post) and bool(e.card)),
            )
        await adapter.start(app)
        delivering = asyncio.create_task(delivery.run_forever())
        await _drained(storage, 300)  # every card is posted

        # From here on Telegram's limits hold, and our pacing keeps to them.
        tg.enforce_limits = True
        adapter.pacer.limits = TELEGRAM_LIMITS
        await asyncio.sleep(TELEGRAM_LIMITS.per_group.seconds / 20)  # let the setup's windows pass
        calls_before = len(tg.calls)
        clock.offset = timedelta(days=3, minutes=1)
        await app.run_due_timers()
        delivery.wake()
        await _drained(storage, 3600)
    finally:
        await stop_bot(delivery, delivering, adapter, storage)
    sent = [c for c in tg.calls[calls_before:] if c.method in MESSAGES and c.status == 200]
    first, last = min(c.at for c in sent), max(c.at for c in sent)
    return {
        "messages": len(sent),
        "seconds": last - first,
        "per_second": (len(sent) - 1) / (last - first),
        "rate_limited": tg.rate_limited_count,
    }


async def _drained(storage: SqliteStorage, timeout: float) -> None:
    """Wait until nothing is left to deliver."""
    deadline = time.monotonic() + timeout
    while await storage.next_delivery_due() is not None:
        if time.monotonic() > deadline:
            raise TimeoutError("the outbox did not drain")
        await asyncio.sleep(0.2)


async def one_group(report: Report, proposals: int, shrink: float = 1.0) -> None:
    """``proposals`` proposals of one group closing at once; windows ``shrink`` times shorter."""
    telegram = TELEGRAM_LIMITS
    ours = Limits(
        Window(telegram.per_chat.count, telegram.per_chat.seconds / shrink),
        Window(telegram.per_group.count, telegram.per_group.seconds / shrink),
        Window(telegram.overall.count, telegram.overall.seconds / shrink),
        longest_wait=telegram.longest_wait / shrink,
    )
    theirs = RateLimits(
        per_chat=Rule(telegram.per_chat.count, telegram.per_chat.seconds / shrink),
        per_group=Rule(telegram.per_group.count, telegram.per_group.seconds / shrink),
        overall=Rule(telegram.overall.count, telegram.overall.seconds / shrink),
    )
    async with FakeTelegram(enforce_limits=False, limits=theirs) as tg:
        people = [tg.user(1000 + i, f"Person {i}") for i in range(PEOPLE)]
        tg.group(chat_id(0), "Care team", supergroup=True, members=people)
        with scratch() as folder:
            found = await _one_group(tg, proposals, str(folder / "one-group.db"), ours)
    window = telegram.per_group.seconds / shrink
    report.add(
        Figure(
            "6 fan-out", f"429 answers, {proposals} proposals closing in one group",
            found["rate_limited"], "", 0, higher_is_better=False,
            notes=(
                f"{found['messages']} messages in {found['seconds']:.1f} s; "
                f"Telegram's windows {'as they are' if shrink == 1 else f'{shrink:g}× shorter'}"
            ),
        )
    )  # fmt: skip
    report.add(
        Figure(
            "6 fan-out", "one group: most messages in any window of the group's limit",
            found["busiest_window"], "", telegram.per_group.count, higher_is_better=False,
            notes=f"the window: {window:g} s",
        )
    )  # fmt: skip
    report.details["fanout_one_group"] = {"proposals": proposals, "shrink": shrink, **found}


async def _one_group(
    tg: FakeTelegram, proposals: int, path: str, limits: Limits
) -> dict[str, float]:
    clock = ShiftedClock()
    storage = await SqliteStorage.open(path)
    app = Application(storage=storage, clock=clock)
    delivery = DeliveryLoop(app)
    app.on_outbox_changed = delivery.wake
    adapter = TelegramAdapter(TelegramConfig(tg.token, tg.base_url), limits=UNPACED, poll_timeout=5)
    app.adapters["telegram"] = adapter
    delivering: asyncio.Task[None] | None = None
    try:
        now = clock.now()
        made = make_team(f"telegram:{chat_id(0)}", proposals=proposals, at=now, platform="telegram")
        await store_team(
            storage, made.group, made.effects, at=now,
            keep=lambda e: is_deadline(e) or (isinstance(e, Post) and bool(e.card)),
        )  # fmt: skip
        await adapter.start(app)
        delivering = asyncio.create_task(delivery.run_forever())
        await _drained(storage, 300)  # every card is posted
        tg.enforce_limits = True
        adapter.pacer.limits = limits
        await asyncio.sleep(limits.per_group.seconds)  # the setup's messages leave the window
        calls_before = len(tg.calls)
        clock.offset = timedelta(days=3, minutes=1)
        await app.run_due_timers()
        delivery.wake()
        await _drained(storage, 3600)
    finally:
        await stop_bot(delivery, delivering, adapter, storage)
    sent = [c for c in tg.calls[calls_before:] if c.method in MESSAGES and c.status == 200]
    times = sorted(c.at for c in sent)
    window = limits.per_group.seconds
    busiest = max(
        (sum(1 for t in times[i:] if t < start + window) for i, start in enumerate(times)),
        default=0,
    )
    return {
        "messages": len(sent),
        "seconds": times[-1] - times[0] if times else 0.0,
        "busiest_window": busiest,
        "rate_limited": tg.rate_limited_count,
    }
