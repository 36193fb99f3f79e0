"""Webhook mode: Telegram posts updates to the bot, with a secret only it knows."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from adapters.telegram.updates import ALLOWED_UPDATES
from tests.fakes.telegram import FakeTelegram
from tests.telegram.conftest import World, joined, start_world

SECRET = "our-care-team-secret_42"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def hooked(tg: FakeTelegram, tmp_path: Path) -> AsyncIterator[World]:
    port = free_port()
    async for started in start_world(
        tg,
        tmp_path / "deciding-together.db",
        mode="webhook",
        webhook_url=f"http://127.0.0.1:{port}/telegram",
        listen=f"127.0.0.1:{port}",
        secret_token=SECRET,
    ):
        yield started


async def post(world: World, update: dict[str, object], secret: str | None) -> int:
    url = world.settings.webhook_url
    assert url is not None
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, json=update, headers=headers) as response,
    ):
        return response.status


async def test_the_webhook_is_set_with_the_secret_and_works(hooked: World) -> None:
    world = hooked
    assert world.tg.webhook_url == world.settings.webhook_url
    (call,) = world.tg.calls_to("setWebhook")
    assert call.params["secret_token"] == SECRET
    assert world.tg.allowed_updates == list(ALLOWED_UPDATES)

    await joined(world, "sam", "alex")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    popup = await world.press(world.alex, await world.card(1), "Consent")
    assert popup.text == "Thank you, Alex. Your response to #1 is recorded: Consent."
    assert "✅ Consent 1" in ((await world.card(1)).text or "")
    assert all(attempt.accepted for attempt in world.tg.webhook_attempts)


async def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_stored(hooked: World) -> None:
    world = hooked
    forged = {
        "update_id": 999_001,
        "message": {
            "message_id": 77,
            "date": 1_800_000_000,
            "chat": {"id": world.team.id, "type": "supergroup", "title": "Mum's care team"},
            "from": {"id": world.sam.id, "is_bot": False, "first_name": "Sam"},
            "text": "/propose Sell the house",
            "entities": [{"type": "bot_command", "offset": 0, "length": 8}],
        },
    }
    assert await post(world, forged, None) == 401
    assert await post(world, forged, "guessed-secret") == 403
    storage = world.running.storage
    assert await storage.seen_update("telegram:update:999001") is False
    assert await storage.group_ids() == []
    assert world.said() == []

    # With the right secret the same update is taken, once, however often it comes.
    assert await post(world, forged, SECRET) == 200
    assert await post(world, forged, SECRET) == 200
    await world.running.settle()
    assert await storage.seen_update("telegram:update:999001")
    cards = [text for text in world.said() if text.startswith("Proposal #1: Sell the house")]
    assert len(cards) == 1
