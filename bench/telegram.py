"""3. Telegram end to end: button presses answered per second, against a bare PTB bot.

Both bots run in this process against the fake Bot API server of the test
suite, over HTTP, through python-telegram-bot:

* **ours**: the Telegram adapter (long polling with its own offset), the
  application and SQLite storage (synchronous FULL), with the delivery loop
  running and Telegram's real pacing, so card edits go out as in production.
  Each press is looked up, decided, committed and answered in its pop-up.
* **echo**: a bare ``telegram.ext.Application`` whose only handler answers
  each callback query, polling the same server.

The same presses (Consent on every proposal by every member but the
proposer) are queued at once for each bot; the figure is presses answered
per second, from the first press to the last answer.

**Interleaved pairs** (``bench.pairs``): each pair has a fake server of its
own, the teams' cards posted by our bot before either bot is measured; then
our bot and the bare bot are pressed in turn, which goes first alternating
from pair to pair. The ratio is the median of the pairs' ratios, with their
range. (Between its two runs our bot is stopped and started again, as a
restart would: the bare bot must be the only one polling while it is
measured.)
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

from telegram import Update
from telegram.ext import Application as PtbApplication
from telegram.ext import CallbackQueryHandler, ContextTypes

from adapters.telegram import TelegramAdapter
from adapters.telegram.pacing import TELEGRAM_LIMITS, Limits, Window
from bench.pairs import PAIRS
from bench.results import Report, paired
from bench.workload import PEOPLE, PROPOSALS, copy_team, make_team, scratch, store_team
from bot.app import Application, DeliveryLoop, SystemClock
from bot.config import TelegramConfig
from bot.core.effects import Post, SetTimer
from storage.sqlite import SqliteStorage
from tests.fakes.telegram import CallbackQuery, FakeTelegram, FakeUser

TARGET_RATIO = 0.8
# For posting the cards before the measurement only.
UNPACED = Limits(Window(10_000, 1.0), Window(10_000, 1.0), Window(10_000, 1.0), margin=0.0)


def chat_id(team: int) -> int:
    return -1_000_000_000_000 - team


async def run(report: Report, teams: int, pairs: int = PAIRS) -> None:
    ours: list[float] = []
    echo: list[float] = []
    for n in range(pairs):
        mine, theirs = await _pair(teams, ours_first=n % 2 == 0)
        ours.append(mine)
        echo.append(theirs)
    report.add(
        paired(
            "3 telegram", "button presses answered (ours)", ours, echo, "/s",
            target=TARGET_RATIO, baseline_name="bare PTB bot", target_is_ratio=True,
            notes=f"fake Bot API over HTTP, {teams} teams, {pairs} interleaved pairs",
        )
    )  # fmt: skip
    report.details["telegram"] = {
        "teams": teams,
        "cards": teams * PROPOSALS,
        "presses": teams * PROPOSALS * (PEOPLE - 1),
        "ours": ours,
        "echo": echo,
        "pairs_ours_first": [n % 2 == 0 for n in range(pairs)],
    }


async def _pair(teams: int, *, ours_first: bool) -> tuple[float, float]:
    """Presses answered per second by our bot and by the bare bot, on one server."""
    async with FakeTelegram() as tg:
        people = [tg.user(1000 + i, f"Person {i}") for i in range(PEOPLE)]
        for team in range(teams):
            tg.group(chat_id(team), f"Care team {team}", supergroup=True, members=people)
        with scratch() as folder:
            path = folder / "telegram.db"
            cards = await _post_cards(tg, teams, path)
            shown = {(chat, ref): tg.message(chat, ref).to_json() for chat, ref, _ in cards}

            if ours_first:
                found = await _ours(tg, people, cards, shown, path)
                echo = await _echo(tg, people, cards, shown)
            else:
                echo = await _echo(tg, people, cards, shown)
                found = await _ours(tg, people, cards, shown, path)
    return found, echo


Card = tuple[int, int, str]  # chat id, message id, the Consent button's callback data
# Each card as it was when the presses began. Every update of a press carries its
# message, and python-telegram-bot reads all of it (each name on the card is a
# mention, with its person): both bots are pressed on the cards as they were at
# the start, else the baseline would read cards our bot had already edited
# down to "everyone has responded", and be measured on lighter updates.
Shown = dict[tuple[int, int], dict[str, object]]


Running = tuple[SqliteStorage, DeliveryLoop, asyncio.Task[None], TelegramAdapter]


async def _started(tg: FakeTelegram, path: Path, limits: Limits) -> Running:
    """Our bot, running: storage, application, adapter (polling) and delivery loop."""
    storage = await SqliteStorage.open(path)
    app = Application(storage=storage, clock=SystemClock())
    delivery = DeliveryLoop(app)
    app.on_outbox_changed = delivery.wake
    adapter = TelegramAdapter(TelegramConfig(tg.token, tg.base_url), limits=limits, poll_timeout=5)
    app.adapters["telegram"] = adapter
    try:
        await adapter.start(app)
    except BaseException:
        await storage.close()
        raise
    return storage, delivery, asyncio.create_task(delivery.run_forever()), adapter


async def _post_cards(tg: FakeTelegram, teams: int, path: Path) -> list[Card]:
    """The teams stored and every card posted (unpaced), then our bot stopped."""
    storage = await SqliteStorage.open(path)
    try:
        now = SystemClock().now()
        template = make_team("telegram:template", platform="telegram", at=now)
        for team in range(teams):
            await store_team(
                storage,
                copy_team(template, f"telegram:{chat_id(team)}"),
                template.effects,
                at=now,
                keep=lambda e: isinstance(e, SetTimer) or (isinstance(e, Post) and bool(e.card)),
            )
    finally:
        await storage.close()
    storage, delivery, delivering, adapter = await _started(tg, path, UNPACED)
    try:
        return await _cards(tg, storage, teams)
    finally:
        await stop_bot(delivery, delivering, adapter, storage)


async def _ours(
    tg: FakeTelegram, people: list[FakeUser], cards: list[Card], shown: Shown, path: Path
) -> float:
    """The presses, answered by our bot under Telegram's real pacing."""
    storage, delivery, delivering, adapter = await _started(tg, path, TELEGRAM_LIMITS)
    try:
        return await _press_all(tg, people, cards, shown)
    finally:
        await stop_bot(delivery, delivering, adapter, storage)


async def stop_bot(
    delivery: DeliveryLoop,
    delivering: asyncio.Task[None] | None,
    adapter: TelegramAdapter,
    storage: SqliteStorage,
) -> None:
    """Stop the bot a benchmark started: delivery loop, adapter, database."""
    delivery.stop()
    if delivering is not None:
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(delivering, 10)
    await adapter.stop()
    await storage.close()


async def _cards(tg: FakeTelegram, storage: SqliteStorage, teams: int) -> list[Card]:
    """Every card's Consent button, once the cards are posted."""
    deadline = time.monotonic() + 120
    while True:
        found: list[Card] = []
        for team in range(teams):
            chat = f"telegram:{chat_id(team)}"
            for number in range(1, PROPOSALS + 1):
                ref = (await storage.card_messages(chat, number)).get(chat)
                if ref is None:
                    continue
                message = tg.message(chat_id(team), int(ref))
                data = next(b["callback_data"] for b in message.buttons if "Consent" in b["text"])
                found.append((chat_id(team), int(ref), data))
        if len(found) == teams * PROPOSALS:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {len(found)} cards were posted")
        await asyncio.sleep(0.1)


async def _press_all(
    tg: FakeTelegram, people: list[FakeUser], cards: list[Card], shown: Shown
) -> float:
    """Everyone but the proposer presses Consent on every card; presses answered per second."""
    queries: list[CallbackQuery] = []
    for person in people[1:]:
        for chat, message, data in cards:
            action = tg.press_button(
                chat, person, message, data, strict=False, shown=shown[(chat, message)]
            )
            assert action.callback_query_id is not None
            queries.append(tg.callback_queries[action.callback_query_id])
    deadline = time.monotonic() + 600
    while not all(q.answer is not None for q in queries):
        if time.monotonic() > deadline:
            raise TimeoutError("not every press was answered")
        await asyncio.sleep(0.05)
    first = min(q.at for q in queries)
    last = max(q.answer.at for q in queries if q.answer is not None)
    return len(queries) / (last - first)


async def _echo(tg: FakeTelegram, people: list[FakeUser], cards: list[Card], shown: Shown) -> float:
    """The same presses, answered by a bare python-telegram-bot application."""

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("Thank you")

    bot = PtbApplication.builder().token(tg.token).base_url(tg.base_url).build()
    bot.add_handler(CallbackQueryHandler(answer))
    await bot.initialize()
    await bot.start()
    assert bot.updater is not None
    await bot.updater.start_polling(poll_interval=0, timeout=5)
    try:
        return await _press_all(tg, people, cards, shown)
    finally:
        await bot.updater.stop()
        await bot.stop()
        await bot.shutdown()
