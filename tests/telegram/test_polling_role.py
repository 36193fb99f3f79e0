"""Only one getUpdates per bot: a worker polls Telegram only while it holds the polling role.

Telegram refuses a second ``getUpdates`` consumer of the same bot (409 Conflict),
so with several workers the polling is a role (``bot.app.roles``). The role is
handed out here by the test (``tests.app.test_worker.Switchboard``).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from adapters.telegram import TelegramAdapter
from bot.app.roles import telegram_polling
from bot.config import TelegramConfig
from tests.app.test_worker import Switchboard
from tests.fakes.telegram import FakeTelegram
from tests.harness import running_app
from tests.telegram.conftest import UNPACED


def polls(tg: FakeTelegram) -> int:
    return sum(1 for call in tg.calls if call.method.lower() == "getupdates")


async def test_a_worker_polls_only_while_it_holds_the_polling_role(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    async with running_app(tmp_path / "db") as running:
        roles = Switchboard()
        running.app.roles = roles
        adapter = TelegramAdapter(
            TelegramConfig(token=tg.token, base_url=tg.base_url), limits=UNPACED, poll_timeout=1
        )
        await adapter.start(running.app)
        try:
            role = telegram_polling(tg.token.partition(":")[0])
            assert list(roles.wanted) == [role]
            await asyncio.sleep(0.3)
            assert polls(tg) == 0, "polled without the role"

            await roles.give(role)
            await tg.wait_for(lambda: polls(tg) > 0, 5, "the first getUpdates")
            team = tg.group(-100900, "The team", members=[tg.user(901, "Sam")])
            tg.send_text(team, 901, "/join")
            await tg.wait_until_consumed(timeout=5)
            assert await running.storage.group_ids() == ["telegram:-100900"]

            await roles.take_back(role)
            before = polls(tg)
            await asyncio.sleep(1.5)  # longer than one long poll
            assert polls(tg) == before, "polled after the role was lost"
        finally:
            await adapter.stop()
