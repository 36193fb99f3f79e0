"""Tokens and passwords never reach the log, even at DEBUG, even when things go wrong.

The bot is run as people run it, ``python -m bot --log-level DEBUG run``, in a
process of its own, and made to do some work: on Telegram by polling and by
webhook (whose secret token is a secret too), with failures that make
libraries log requests; on Matrix with a password, whose login makes an access
token that no configuration names. Every line it logged is then searched.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fakes.telegram import FakeTelegram, FaultKind
from tests.matrix.people import People
from tests.matrix.synapse_server import SynapseServer
from tests.reliability.conftest import WEBHOOK_SECRET, free_port
from tests.reliability.process import BotProcess

TOKEN_SECRET = ["123456789", "TEST-FAKE-TOKEN-deciding-together"][1]


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_the_telegram_token_and_webhook_secret_never_reach_the_log(
    tg: FakeTelegram, tmp_path: Path, mode: str
) -> None:
    assert TOKEN_SECRET in tg.token
    port = free_port()
    webhook = (
        f'webhook_url = "http://127.0.0.1:{port}/telegram"\nlisten = "127.0.0.1:{port}"\n'
        f'secret_token = "{WEBHOOK_SECRET}"\n'
        if mode == "webhook"
        else ""
    )
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\ntoken = "{tg.token}"\nbase_url = "{tg.base_url}"\nmode = "{mode}"\n'
        f'{webhook}\n[storage]\npath = "{tmp_path / "bot.db"}"\n',
        encoding="utf-8",
    )
    sam = tg.user(1001, "Sam")
    team = tg.group(-100500, "Mum's care team", supergroup=True, members=[sam])
    bot = BotProcess(config, tmp_path / "logs", cli=True)
    # Failures make python-telegram-bot log the requests (and their URLs) it could not make.
    tg.fail_next("sendMessage", FaultKind.BAD_GATEWAY)
    tg.fail_next("sendMessage", FaultKind.DROP)
    try:
        await bot.start()
        await bot.until_running()
        tg.send_text(team, sam, "/propose Buy a new kettle\nin 3 days")
        await tg.wait_for_bot_message(
            team, lambda m: (m.text or "").startswith("Proposal #1"), timeout=30
        )
        await bot.stop()
    finally:
        await bot.close()
    log = bot.log_text()
    assert "level=debug" in log  # it did log at DEBUG
    assert TOKEN_SECRET not in log
    assert WEBHOOK_SECRET not in log
    if mode == "webhook":
        assert tg.calls_to("setWebhook")[0].params["secret_token"] == WEBHOOK_SECRET


async def test_the_matrix_password_and_access_token_never_reach_the_log(
    synapse: SynapseServer, people: People, tmp_path: Path
) -> None:
    alice = await people.new("alice")
    account = await synapse.aregister_user("bot", displayname="Deciding Together")
    store = tmp_path / "matrix-store"
    config = tmp_path / "config.toml"
    config.write_text(
        f'[matrix]\nhomeserver = "{synapse.base_url}"\nuser_id = "{account.user_id}"\n'
        f'password = "{account.password}"\nstore_path = "{store}"\n'
        f'allowed_inviters = ["{alice.user_id}"]\nencrypted_direct_rooms = false\n'
        f'\n[storage]\npath = "{tmp_path / "bot.db"}"\n',
        encoding="utf-8",
    )
    bot = BotProcess(config, tmp_path / "logs", cli=True)
    try:
        await bot.start()
        await bot.until_running()
        room = await alice.create_room(name="Care team", invite=[account.user_id])
        await alice.wait_for_members(room, [alice, account.user_id])
        said = await alice.say(room, "!status")
        await alice.wait_for_message(room, "", sender=account.user_id, after=said)
        await bot.stop()
    finally:
        await bot.close()
    access_token = json.loads((store / "credentials.json").read_text())["access_token"]
    log = bot.log_text()
    assert "level=debug" in log
    assert account.password not in log
    assert access_token not in log
