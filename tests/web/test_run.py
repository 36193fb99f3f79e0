"""``run`` with a [web] section: the page is served while the bot runs, and stops
with it."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import socket
from pathlib import Path

import aiohttp

from bot import runtime
from bot.app import Application, Delivery
from bot.config import parse_config_text
from bot.core.commands import Actor
from bot.core.document import plain_text

SAM = Actor("console:sam", "Sam")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Console:
    """An adapter that only hands the test the application and keeps what is sent."""

    platform = "console"

    def __init__(self) -> None:
        self.app: Application | None = None
        self.sent: list[Delivery] = []
        self.started = asyncio.Event()

    async def start(self, app: Application) -> None:
        self.app = app
        self.started.set()

    async def stop(self) -> None:
        return None

    def ready_in(self, target: str) -> float:
        return 0.0

    async def deliver(self, delivery: Delivery) -> str | None:
        self.sent.append(delivery)
        return str(len(self.sent))


async def test_run_serves_the_page_and_stops_it(tmp_path: Path) -> None:
    port = free_port()
    config = parse_config_text(
        f"""
[telegram]
token = "123:abc"
[storage]
path = "{tmp_path / "deciding-together.db"}"
[web]
public_url = "https://care.example.org/decisions/"
listen = "127.0.0.1:{port}"
link_lifetime = "30 days"
""",
        {},
    )
    console = Console()
    stop = asyncio.Event()
    running = asyncio.create_task(runtime.run(config, stop=stop, adapters=[console]))
    try:
        await asyncio.wait_for(console.started.wait(), 10)
        app = console.app
        assert app is not None
        for text in ("join", "propose Buy a new kettle", "weblink"):
            await app.submit(chat="console:group", actor=SAM, text=text, chat_title="Home")
        said = ""
        for _ in range(100):
            said = "\n".join(
                plain_text(d.effect.document)
                for d in console.sent
                if hasattr(d.effect, "document") and d.effect.document
            )
            if "care.example.org" in said:
                break
            await asyncio.sleep(0.05)
        found = re.search(r"https://care\.example\.org/decisions/(\S+)", said)
        assert found is not None, said
        assert "It works until" in said
        url = f"http://127.0.0.1:{port}/{found[1]}"
        async with aiohttp.ClientSession() as http, http.get(url) as response:
            assert response.status == 200
            assert "Buy a new kettle" in await response.text()
    finally:
        stop.set()
        await asyncio.wait_for(running, 15)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):  # run() installed these for itself
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
    with socket.socket() as sock:  # the port is free again: the page stopped with the bot
        sock.bind(("127.0.0.1", port))
