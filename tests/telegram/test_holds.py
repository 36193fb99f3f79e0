"""The thank-you for a button press or a reaction is held in the outbox.

The pop-up (or the card's tally, for a reaction) shows it, so it is never
posted in the chat; when the bot stopped before it could settle the hold, the
next start posts it, so nobody goes unanswered."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from pathlib import Path

import pytest

from tests.fakes.telegram import FakeTelegram
from tests.telegram.conftest import World, joined, start_world


@asynccontextmanager
async def bot_running(tg: FakeTelegram, db: Path) -> AsyncIterator[World]:
    """The bot on ``db`` until the block ends (then stopped, the database let go)."""
    async for world in start_world(tg, db):
        yield world


def held_replies(db: Path) -> list[tuple[str, str | None]]:
    """(status, held_for) of every stored delivery of a reply."""
    with closing(sqlite3.connect(db)) as found:
        return found.execute(
            "SELECT d.status, d.held_for FROM deliveries AS d JOIN outbox AS o "
            "ON o.id = d.outbox_id WHERE o.effect LIKE '%\"Reply\"%' AND d.held_for IS NOT NULL"
        ).fetchall()


async def consent_button(world: World) -> tuple[int, str]:
    await joined(world, "sam", "alex", "jo")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    card = await world.card(1)
    return card.message_id, next(b["callback_data"] for b in card.buttons if "Consent" in b["text"])


async def test_a_reactions_reply_is_confirmed_and_never_posted(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    db = tmp_path / "deciding-together.db"
    async with bot_running(tg, db) as world:
        message_id, _ = await consent_button(world)
        before = world.last_id()
        world.tg.react(world.team, world.alex, message_id, ["👍"])
        await world.settled()
        assert "✅ Consent 1" in ((await world.card(1)).text or "")
        assert world.said(after=before) == []
        assert await world.running.storage.pending_deliveries(world.running.clock.now()) == []
        assert held_replies(db) == []
    # Confirmed, so counted as delivered: a restart does not post it either.
    async with bot_running(tg, db) as world:
        await world.settled()
        assert world.said() == []  # the chat as the restarted bot sees it, from its start


async def test_a_press_the_bot_stopped_before_settling_is_thanked_after_a_restart(
    tg: FakeTelegram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "deciding-together.db"
    async with bot_running(tg, db) as world:
        message_id, consent = await consent_button(world)
        before = world.last_id()

        async def stopped(*held: str) -> None:
            return None  # as if the bot stopped between the commit and the pop-up

        monkeypatch.setattr(world.running.app, "confirm_held", stopped)
        press = world.tg.press_button(world.team, world.alex, message_id, consent)
        assert press.callback_query_id is not None
        await world.tg.wait_for_answer(press.callback_query_id)
        await world.settled()
        assert world.said(after=before) == []  # still held: never sent while held
        assert [status for status, _ in held_replies(db)] == ["pending"]
    monkeypatch.undo()
    async with bot_running(tg, db) as world:
        await world.settled()
        (thanks,) = world.said()  # the chat as the restarted bot sees it, from its start
        assert thanks.startswith("Thank you, Alex. Your response to #1 is recorded")
        assert held_replies(db) == []
