"""When Telegram fails a fifth of the time, or the disk will not take a write.

Telegram's faults (429 with ``retry_after``, 500, 502, a dropped connection, a
request that never gets an answer) are the fake server's, on a seeded fifth of
all calls. The bot must ride them out: stay up, say in its log what it waits
for, and in the end have delivered everything.

A database that cannot be written (read-only, or full) is the bot's own
trouble: it must say so in words a person can act on, and must not confirm the
update it could not store, so that Telegram sends it again once the disk is
fixed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.telegram import TelegramAdapter
from bot import runtime
from bot.config import load_config
from tests.fakes.telegram import FakeTelegram, FaultKind, StoredMessage
from tests.reliability import database
from tests.reliability.process import until
from tests.reliability.runner import UNPACED
from tests.telegram.conftest import World, joined

TEAM_ID = -100500
GROUP = f"telegram:{TEAM_ID}"
FAULTS = (FaultKind.RETRY_AFTER, FaultKind.SERVER_ERROR, FaultKind.BAD_GATEWAY, FaultKind.DROP)


@contextlib.asynccontextmanager
async def running_bot(tg: FakeTelegram, tmp_path: Path) -> AsyncIterator[Path]:
    """``deciding-together run`` in this process, on the fake; yields the database's path."""
    db = tmp_path / "deciding-together.db"
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[telegram]\ntoken = "{tg.token}"\nbase_url = "{tg.base_url}"\n'
        f'\n[storage]\npath = "{db}"\n',
        encoding="utf-8",
    )
    config = load_config(config_file, env={})
    assert config.telegram is not None
    # Pacing is off here: it is not what this test is about (see tests/telegram/test_pacing.py).
    adapter = TelegramAdapter(config.telegram, limits=UNPACED, poll_timeout=2)
    stop = asyncio.Event()
    task = asyncio.create_task(runtime.run(config, stop=stop, adapters=[adapter]))
    try:
        yield db
        assert not task.done(), "the bot stopped by itself"
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):  # run() installed these for itself
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)


def reason_prompt(tg: FakeTelegram, user_id: int) -> StoredMessage | None:
    """The bot's message that asks someone for their reason (Telegram's ForceReply)."""
    return next(
        (
            m
            for m in tg.bot_messages(TEAM_ID)
            if m.reply_markup is not None
            and "force_reply" in m.reply_markup
            and any(e.get("user", {}).get("id") == user_id for e in m.entities)
        ),
        None,
    )


def card_of(tg: FakeTelegram, number: int) -> StoredMessage | None:
    return next(
        (
            m
            for m in tg.bot_messages(TEAM_ID)
            if (m.text or "").startswith(f"Proposal #{number}:") and m.buttons
        ),
        None,
    )


async def test_a_fifth_of_telegram_calls_failing_delays_but_loses_nothing(
    tg: FakeTelegram, tmp_path: Path, caplog: pytest.LogCaptureFixture, figures: list[str]
) -> None:
    caplog.set_level(logging.INFO)
    sam, alex, jo, kim = (
        tg.user(1001 + n, name) for n, name in enumerate(("Sam", "Alex", "Jo", "Kim"))
    )
    team = tg.group(TEAM_ID, "Mum's care team", supergroup=True, members=[sam, alex, jo, kim])
    # Faults from the very start: the bot waits them out while it starts, too.
    tg.faults(rate=0.2, kinds=FAULTS, seed=5)

    async with running_bot(tg, tmp_path) as db:
        # And one request that is never answered at all: a private file, so that the
        # group's chat carries on while the bot waits for Telegram to time out.
        tg.fail_next("sendDocument", FaultKind.TIMEOUT)
        # Each kind at least once, whatever the dice say: polling told to wait and then
        # failed, a card's edit told to wait, a message and a pop-up lost on the way.
        tg.fail_next("getUpdates", FaultKind.RETRY_AFTER)
        tg.fail_next("getUpdates", FaultKind.SERVER_ERROR)
        tg.fail_next("editMessageText", FaultKind.RETRY_AFTER)
        tg.fail_next("sendMessage", FaultKind.BAD_GATEWAY)
        tg.fail_next("answerCallbackQuery", FaultKind.DROP)
        for person in (sam, alex, jo, kim):
            tg.send_text(team, person, "/join")
        tg.start_private(sam)
        tg.send_text(team, sam, "/mydata")  # first: its file's long wait overlaps the rest
        tg.send_text(team, sam, "/propose Buy a new kettle\nThe old one leaks.\nin 3 days")
        card = await tg.wait_for(lambda: card_of(tg, 1), timeout=60, what="the card")
        consent, objection = (
            next(b["callback_data"] for b in card.buttons if word in b["text"])
            for word in ("Consent", "Object")
        )
        presses = [
            (person, tg.press_button(team, person, card.message_id, data))
            for person, data in ((alex, consent), (jo, consent), (kim, objection))
        ]
        prompt = await tg.wait_for(
            lambda: reason_prompt(tg, kim.id), timeout=60, what="Kim asked why"
        )
        tg.send_text(team, kim, "It is too loud for Mum", reply_to=prompt.message_id)

        def everything_done() -> bool:
            card_text = (card_of(tg, 1) or card).text or ""
            return (
                not tg.pending_updates
                and "✅ Consent 2" in card_text
                and "✋ Object 1" in card_text
                and bool(tg.calls_to("sendDocument"))
                and any(c.ok for c in tg.calls_to("sendDocument"))
                and database.pending(db) == 0
            )

        await until(everything_done, "every update handled and every delivery made", timeout=90)

    # Every press was answered, in its pop-up or, when the answer was lost, in the chat.
    said = [m.text or "" for m in tg.bot_messages(team)]
    for person, press in presses:
        assert press.callback_query_id is not None
        popup = tg.answer_for(press.callback_query_id)
        in_chat = reason_prompt(tg, person.id) is not None or any(
            text.startswith(f"Thank you, {person.first_name}") for text in said
        )
        assert popup is not None or in_chat, f"{person.first_name}'s press was never answered"
    # The private file came privately, once, and nothing of it in the group.
    (document,) = [m for m in tg.bot_messages(sam.id) if m.document is not None]
    assert document.document is not None and document.document.filename == "my-data.json"
    assert not [m for m in tg.bot_messages(team) if m.document is not None]
    # Nothing was given up on.
    sent = database.deliveries(db)
    assert [s for s in sent if (s.platform_ref or "").startswith("undeliverable")] == []

    # Every kind of fault happened, and the log says what the bot waited for.
    inflicted = Counter(call.fault for call in tg.calls if call.fault is not None)
    assert set(inflicted) == {*FAULTS, FaultKind.TIMEOUT}, inflicted
    waits = [r.getMessage() for r in caplog.records if r.name == "deciding_together.delivery"]
    assert any("Telegram asked to slow down" in w and w.startswith("waiting") for w in waits), waits
    assert any("Telegram could not be reached" in w and w.startswith("waiting") for w in waits), (
        waits
    )
    assert "Telegram asked to wait 1 s before fetching updates again" in caplog.text
    assert "Telegram is not answering properly right now (Internal Server Error)" in caplog.text
    line = (
        f"Telegram faults test: {sum(inflicted.values())} of {len(tg.calls)} calls failed "
        f"({', '.join(f'{n} × {k.value}' for k, n in sorted(inflicted.items()))}); "
        "everything delivered"
    )
    print(line)
    figures.append(line)


async def test_a_press_whose_popup_answer_fails_is_answered_in_the_chat(world: World) -> None:
    await joined(world, "sam", "alex")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    card = await world.card(1)
    consent = next(b["callback_data"] for b in card.buttons if "Consent" in b["text"])
    world.tg.fail_next("answerCallbackQuery", FaultKind.SERVER_ERROR)
    before = world.last_id()
    press = world.tg.press_button(world.team, world.alex, card.message_id, consent)
    await world.settled()
    assert press.callback_query_id is not None
    assert world.tg.answer_for(press.callback_query_id) is None  # the pop-up never came
    (thanks,) = world.said(after=before)
    assert thanks.startswith("Thank you, Alex. Your response to #1 is recorded")


@pytest.mark.parametrize(
    ("breaking", "says"),
    [
        (
            "PRAGMA query_only = ON",  # what a read-only file does to every write
            "cannot be written: the file, its folder or the disk is read-only. "
            "Check the file's permissions. Nothing was saved.",
        ),
        ("PRAGMA max_page_count = {pages}", "is full. Free some space. Nothing was saved."),
    ],
    ids=["read-only", "full"],
)
async def test_a_database_that_cannot_be_written_is_reported_and_the_update_comes_again(
    world: World, caplog: pytest.LogCaptureFixture, breaking: str, says: str
) -> None:
    await joined(world, "sam", "alex")
    db = world.running.storage._db  # the connection: no other way to break a disk as root
    pages = (await db.execute_fetchall("PRAGMA page_count"))[0][0]  # type: ignore[index]
    await db.execute(breaking.format(pages=pages))
    caplog.set_level(logging.INFO)
    details = "The old one leaks, and it is too loud for Mum in the mornings. " * 40
    sent = world.tg.send_text(
        world.team, world.sam, f"/propose Buy a new kettle\n{details}\nin 3 days"
    )

    # It is reported, in words that say what to do, and not confirmed to Telegram.
    await until(lambda: says in caplog.text, "the problem in the log", timeout=10)
    problem = next(r for r in caplog.records if says in r.getMessage())
    assert problem.levelno == logging.ERROR
    assert (
        f"could not store Telegram update {sent.update_id}, will try again" in problem.getMessage()
    )
    assert sent.update in world.tg.pending_updates
    assert not await world.running.storage.seen_update(f"telegram:update:{sent.update_id}")

    # Once the disk takes writes again, the update comes again and is stored once.
    await db.execute("PRAGMA query_only = OFF")
    await db.execute("PRAGMA max_page_count = 1073741823")
    await world.tg.wait_until_consumed(timeout=15)
    await world.running.settle()
    assert await world.running.storage.seen_update(f"telegram:update:{sent.update_id}")
    cards = [t for t in world.said() if t.startswith("Proposal #1: Buy a new kettle")]
    assert len(cards) == 1


async def test_telegram_failing_while_the_bot_starts_is_waited_out(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    tg.fail_next("getMe", FaultKind.SERVER_ERROR)
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[telegram]\ntoken = "{tg.token}"\nbase_url = "{tg.base_url}"\n'
        f'\n[storage]\npath = "{tmp_path / "bot.db"}"\n',
        encoding="utf-8",
    )
    stop = asyncio.Event()
    task = asyncio.create_task(runtime.run(load_config(config_file, env={}), stop=stop))
    try:
        await until(lambda: task.done() or tg.calls_to("getUpdates"), "polling", timeout=30)
        assert not task.done(), "the bot ended when Telegram failed once at start"
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 30)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
