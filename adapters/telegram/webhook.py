"""Webhook mode: Telegram posts each update to our own small web server.

Each request must carry the secret token set with ``setWebhook`` in the
``X-Telegram-Bot-Api-Secret-Token`` header; without it the answer is 401, with
a wrong one 403, and nothing is stored. An update is answered 200 only after
it was handled and committed; any other answer makes Telegram send it again.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from telegram import Bot, Update

log = logging.getLogger("deciding_together.telegram")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookServer:
    def __init__(
        self,
        bot: Bot,
        process: Callable[[Update], Awaitable[bool]],
        *,
        secret: str,
        path: str,
        host: str,
        port: int,
    ) -> None:
        self.bot = bot
        self.process = process
        self.secret = secret
        self.path = path or "/"
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post(self.path, self._receive)
        # On stop, an update being handled gets a second to finish (else Telegram
        # sends it again), not aiohttp's default minute.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        log.info("listening for Telegram on %s:%s%s", self.host, self.port, self.path)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            return web.Response(status=401, text="missing secret token")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning(
                "refused a webhook request with a wrong secret token from %s", request.remote
            )
            return web.Response(status=403, text="wrong secret token")
        try:
            data = await request.json()
            update = Update.de_json(data, self.bot)
        except (ValueError, TypeError, KeyError, AttributeError):  # not JSON, or not an update
            return web.Response(status=400, text="not a Telegram update")
        if update is None:
            return web.Response(status=400, text="not a Telegram update")
        if await self.process(update):
            return web.Response(text="ok")
        return web.Response(status=500, text="not handled yet; please send it again")
