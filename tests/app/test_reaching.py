"""A Matrix homeserver that is in trouble is waited out; one that says no ends the run.

The real command runs against a small homeserver of the test's own, which
answers the bot's first question ("whose token is this?") as the test says.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from bot.cli import EXIT_REFUSED
from bot.reaching import spell_pause
from tests.app.test_stopping import MATRIX, closed_cleanly, closed_port, running


@contextlib.asynccontextmanager
async def homeserver(status: int, answer: dict[str, str]) -> AsyncIterator[str]:
    """A homeserver whose every answer to ``whoami`` is ``answer``, with ``status``."""

    async def whoami(request: web.Request) -> web.Response:
        return web.json_response(answer, status=status)

    app = web.Application()
    app.router.add_get("/_matrix/client/v3/account/whoami", whoami)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    port = closed_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def test_a_refused_access_token_is_said_plainly_and_ends_the_run(tmp_path: Path) -> None:
    refusal = {"errcode": "M_UNKNOWN_TOKEN", "error": "Invalid access token passed."}
    async with homeserver(401, refusal) as address:
        config = MATRIX.format(homeserver=address, store=tmp_path / "store")
        async with running(config, tmp_path) as bot:
            code = await asyncio.wait_for(bot.process.wait(), 30)
            log = await bot.rest_of_log()
    assert code == EXIT_REFUSED
    assert "The homeserver refused the access token of @carebot:localhost" in log
    assert "Traceback" not in log
    assert closed_cleanly(tmp_path / "bot.db")


async def test_a_homeserver_in_trouble_is_waited_out(tmp_path: Path) -> None:
    async with homeserver(502, {"error": "Bad Gateway"}) as address:
        config = MATRIX.format(homeserver=address, store=tmp_path / "store")
        async with running(config, tmp_path) as bot:
            line = await bot.says("is not answering properly right now")
            assert f"The Matrix homeserver {address} is not answering" in line
            assert "Trying again in 2 s." in line
            assert await bot.stopped_by(signal.SIGTERM) == 0
            assert "Traceback" not in await bot.rest_of_log()


def test_pauses_are_spelt_as_people_read_them() -> None:
    assert [spell_pause(s) for s in (0.2, 2, 30, 60, 89, 120, 300)] == [
        "1 s",
        "2 s",
        "30 s",
        "60 s",
        "89 s",
        "2 min",
        "5 min",
    ]
