"""``deciding-together run`` stops within 2 seconds of Ctrl-C or SIGTERM, whatever it is
doing, and exits 0 with its database closed.

Each test starts the real command in a process of its own, against a platform
that is not there (a closed port), that never answers a sync, or that is slow
to take a message, waits until the bot says it is in the state under test,
sends the signal and times the exit. A database closed cleanly has no
write-ahead log left beside it (a killed process leaves one).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web

from bot.cli import EXIT_REFUSED
from storage.sqlite import SqliteStorage
from tests.fakes.telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 2.0  # seconds from the signal to the end of the process


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Bot:
    """``deciding-together run`` in a process of its own; its log read as it comes."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.log: list[str] = []

    async def says(self, text: str, timeout: float = 30.0) -> str:
        """Wait for a log line containing ``text``."""
        assert self.process.stderr is not None
        async with asyncio.timeout(timeout):
            while True:
                raw = await self.process.stderr.readline()
                if not raw:
                    raise AssertionError(f"ended without saying {text!r}:\n" + "".join(self.log))
                line = raw.decode()
                self.log.append(line)
                if text in line:
                    return line

    async def stopped_by(self, sig: signal.Signals) -> int:
        """Send ``sig``; the exit code, which must come within LIMIT seconds."""
        self.process.send_signal(sig)
        try:
            return await asyncio.wait_for(self.process.wait(), LIMIT)
        except TimeoutError:
            raise AssertionError(f"still running {LIMIT} s after {sig.name}") from None

    async def rest_of_log(self) -> str:
        assert self.process.stderr is not None
        return "".join(self.log) + (await self.process.stderr.read()).decode()


@contextlib.asynccontextmanager
async def running(config: str, folder: Path, *, mode: int = 0o600) -> AsyncIterator[Bot]:
    path = folder / "config.toml"
    path.write_text(config + f'\n[storage]\npath = "{folder / "bot.db"}"\n', encoding="utf-8")
    path.chmod(mode)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--config",
        str(path),
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield Bot(process)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def closed_cleanly(db: Path) -> bool:
    """The database was closed, not abandoned: no write-ahead log is left, and it is whole."""
    if Path(f"{db}-wal").exists():
        return False
    with contextlib.closing(sqlite3.connect(db)) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


async def asked(tg: FakeTelegram, method: str) -> None:
    """Wait until the bot has called ``method`` (answered or not yet)."""
    await tg.wait_for(lambda: any(c.method == method for c in tg.calls), 30, method)


def telegram_at(base_url: str, token: str = "123456789:AAE-not-a-real-token") -> str:
    return f'[telegram]\ntoken = "{token}"\nbase_url = "{base_url}"\n'


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_stops_while_telegram_cannot_be_reached(tmp_path: Path, sig: signal.Signals) -> None:
    async with running(telegram_at(f"http://127.0.0.1:{closed_port()}/bot"), tmp_path) as bot:
        line = await bot.says("I can't reach Telegram.")
        assert "Is this computer online? Trying again in" in line
        assert await bot.stopped_by(sig) == 0
        assert "Traceback" not in await bot.rest_of_log()
    assert closed_cleanly(tmp_path / "bot.db")


MATRIX = """
[matrix]
homeserver = "{homeserver}"
user_id = "@carebot:localhost"
access_token = "syt_not_a_real_token"
allowed_inviters = [":localhost"]
encrypted_direct_rooms = false
store_path = "{store}"
"""


async def test_stops_while_the_matrix_homeserver_cannot_be_reached(tmp_path: Path) -> None:
    homeserver = f"http://127.0.0.1:{closed_port()}"
    config = MATRIX.format(homeserver=homeserver, store=tmp_path / "store")
    async with running(config, tmp_path) as bot:
        line = await bot.says("I can't reach the Matrix homeserver")
        assert homeserver in line
        assert await bot.stopped_by(signal.SIGTERM) == 0
        assert "Traceback" not in await bot.rest_of_log()
    assert closed_cleanly(tmp_path / "bot.db")


@contextlib.asynccontextmanager
async def homeserver_that_never_syncs() -> AsyncIterator[tuple[str, asyncio.Event]]:
    """A homeserver that knows the bot's token and then holds every sync for ever."""
    syncing = asyncio.Event()

    async def whoami(request: web.Request) -> web.Response:
        return web.json_response({"user_id": "@carebot:localhost", "device_id": "DECIDING"})

    async def sync(request: web.Request) -> web.Response:
        syncing.set()
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    async def anything(request: web.Request) -> web.Response:
        return web.json_response({})

    app = web.Application()
    app.router.add_get("/_matrix/client/v3/account/whoami", whoami)
    app.router.add_get("/_matrix/client/v3/sync", sync)
    app.router.add_route("*", "/{tail:.*}", anything)
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.1)
    await runner.setup()
    port = closed_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}", syncing
    finally:
        await runner.cleanup()


async def test_stops_while_syncing_with_matrix(tmp_path: Path) -> None:
    async with homeserver_that_never_syncs() as (homeserver, syncing):
        config = MATRIX.format(homeserver=homeserver, store=tmp_path / "store")
        async with running(config, tmp_path) as bot:
            await bot.says("matrix is running")
            await asyncio.wait_for(syncing.wait(), 30)
            assert await bot.stopped_by(signal.SIGTERM) == 0
    assert closed_cleanly(tmp_path / "bot.db")


async def test_stops_while_polling_telegram(tmp_path: Path) -> None:
    async with FakeTelegram() as tg, running(telegram_at(tg.base_url, tg.token), tmp_path) as bot:
        await bot.says("telegram is running")
        await asked(tg, "getUpdates")
        assert await bot.stopped_by(signal.SIGTERM) == 0
    assert closed_cleanly(tmp_path / "bot.db")


async def test_stops_while_listening_for_telegram_webhooks(tmp_path: Path) -> None:
    port = closed_port()
    webhook = (
        f'mode = "webhook"\nwebhook_url = "http://127.0.0.1:{port}/telegram"\n'
        f'listen = "127.0.0.1:{port}"\nsecret_token = "our-care-team-secret_42"\n'
    )
    async with (
        FakeTelegram() as tg,
        running(telegram_at(tg.base_url, tg.token) + webhook, tmp_path) as bot,
    ):
        await bot.says("telegram is running")
        sam = tg.user(1001, "Sam")
        team = tg.group(-100500, "Mum's care team", supergroup=True, members=[sam])
        tg.send_text(team, sam, "/join")
        await tg.wait_for_bot_message(team, lambda m: True, timeout=30)
        assert await bot.stopped_by(signal.SIGTERM) == 0
    assert closed_cleanly(tmp_path / "bot.db")


async def test_a_webhook_port_in_use_is_said_plainly_and_waited_for(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        webhook = (
            f'mode = "webhook"\nwebhook_url = "http://127.0.0.1:{port}/telegram"\n'
            f'listen = "127.0.0.1:{port}"\nsecret_token = "our-care-team-secret_42"\n'
        )
        async with (
            FakeTelegram() as tg,
            running(telegram_at(tg.base_url, tg.token) + webhook, tmp_path) as bot,
        ):
            line = await bot.says(f"I can't listen for Telegram on 127.0.0.1:{port}")
            assert "Is another copy of the bot running?" in line
            assert await bot.stopped_by(signal.SIGTERM) == 0
            assert "Traceback" not in await bot.rest_of_log()


async def test_stops_while_a_message_is_being_sent_and_sends_it_next_time(
    tmp_path: Path,
) -> None:
    async with FakeTelegram() as tg, running(telegram_at(tg.base_url, tg.token), tmp_path) as bot:
        sam = tg.user(1001, "Sam")
        team = tg.group(-100500, "Mum's care team", supergroup=True, members=[sam])
        await bot.says("telegram is running")
        tg.slow_next("sendMessage", 60)  # the answer to Sam hangs on the way
        tg.send_text(team, sam, "/join")
        await asked(tg, "sendMessage")
        assert await bot.stopped_by(signal.SIGTERM) == 0
        assert "Traceback" not in await bot.rest_of_log()
    db = tmp_path / "bot.db"
    assert closed_cleanly(db)
    # The message cut short is still waiting in the outbox: the next start sends it.
    storage = await SqliteStorage.open(db)
    try:
        waiting = await storage.pending_deliveries(datetime.now(UTC) + timedelta(days=1))
    finally:
        await storage.close()
    assert [d.target for d in waiting] == ["telegram:-100500"]


async def test_a_refused_token_is_said_plainly_and_ends_the_run(tmp_path: Path) -> None:
    async with FakeTelegram() as tg:
        wrong = tg.token.split(":")[0] + ":not-the-right-token"
        async with running(telegram_at(tg.base_url, wrong), tmp_path) as bot:
            code = await asyncio.wait_for(bot.process.wait(), 30)
            log = await bot.rest_of_log()
    assert code == EXIT_REFUSED
    assert "Telegram does not accept the bot token." in log
    assert "Traceback" not in log
    assert closed_cleanly(tmp_path / "bot.db")


async def test_asked_twice_it_stops_at_once(tmp_path: Path) -> None:
    async with FakeTelegram() as tg, running(telegram_at(tg.base_url, tg.token), tmp_path) as bot:
        sam = tg.user(1001, "Sam")
        team = tg.group(-100500, "Mum's care team", supergroup=True, members=[sam])
        await bot.says("telegram is running")
        tg.slow_next("sendMessage", 60)  # the first stop waits a second for this send
        tg.send_text(team, sam, "/join")
        await asked(tg, "sendMessage")
        bot.process.send_signal(signal.SIGTERM)
        await bot.says("stopping")
        assert await bot.stopped_by(signal.SIGTERM) == 130
        assert "Asked again to stop: stopping at once." in await bot.rest_of_log()


async def test_run_warns_of_a_secret_others_may_read_and_runs(tmp_path: Path) -> None:
    config = telegram_at(f"http://127.0.0.1:{closed_port()}/bot")
    async with running(config, tmp_path, mode=0o644) as bot:
        line = await bot.says("Warning:")
        assert "holds the Telegram bot token, and other people on this computer may read it" in line
        assert "chmod 600" in line
        await bot.says("I can't reach Telegram.")
        assert await bot.stopped_by(signal.SIGTERM) == 0
