"""Posting to the bot's webhook as Telegram would, or as anyone else could."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.telegram.conftest import World

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def post(
    world: World,
    body: Any,
    secret: str | None,
    *,
    method: str = "POST",
    path: str | None = None,
    raw: bool = False,
) -> int:
    """Send ``body`` (JSON, or bytes as they are with ``raw``) to the webhook; the HTTP status."""
    url = world.settings.webhook_url
    assert url is not None
    if path is not None:
        url = url.rsplit("/", 1)[0] + path
    headers = {} if secret is None else {SECRET_HEADER: secret}
    async with aiohttp.ClientSession() as http:
        sending = {"data": body} if raw else {"json": body}
        async with http.request(method, url, headers=headers, **sending) as response:
            return response.status
