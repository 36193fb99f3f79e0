"""The web page's server: aiohttp, read-only, in the bot's own process.

One kind of address, ``/<secret>``, the secret of a link a facilitator asked for
with ``weblink``. Each request asks the application for the group afresh
(``Application.web_reader``), so an answer, a ``weblink off`` or a ``forgetme``
shows on the very next load; nothing is cached, here or in the browser.

A link that is forged, stopped or out of date gets the same short page with
status 404, so nothing is learnt by trying. Only GET and HEAD are taken (405
for anything else). Every response carries a strict Content-Security-Policy (no
scripts; the one inline style, by its hash), ``Referrer-Policy: no-referrer``
(the secret never leaves in a Referer header), ``X-Robots-Tag: noindex`` and
``Cache-Control: no-store``. There is no access log: a logged path would hold
the secret.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.app import Application
from bot.core.i18n import N_, translator
from bot.core.printable import escape
from bot.web.page import STYLE, STYLE_HASH, decisions_page, page_language

log = logging.getLogger("deciding_together.web")

HEADERS = {
    "Content-Security-Policy": (
        f"default-src 'none'; style-src '{STYLE_HASH}'; img-src 'none'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Server": "deciding-together",  # not the library and its version
}

NO_LONGER = N_("This link no longer works.")
ASK_AGAIN = N_("Please ask a facilitator of your group for a new one.")


def gone_page(language: str = "en") -> str:
    """What a link that does not work shows: the same for every reason."""
    _ = translator(language)
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        f"<title>{escape(_(NO_LONGER))}</title><style>{STYLE}</style></head>\n"
        f"<body><main><h1>{escape(_(NO_LONGER))}</h1><p>{escape(_(ASK_AGAIN))}</p></main>"
        "</body></html>\n"
    )


def web_app(app: Application) -> web.Application:
    """The aiohttp application serving the page of ``app``'s groups."""
    served = web.Application(middlewares=[_headers_on_errors])
    served.on_response_prepare.append(_security_headers)

    async def page(request: web.Request) -> web.Response:
        secret = request.match_info.get("secret", "")
        reading = await app.web_reader(secret)
        if reading is None:
            return _html(gone_page(), status=404)
        group, now = reading
        language = page_language(group, request.query.get("lang"))
        return _html(decisions_page(group, now, language))

    async def nowhere(request: web.Request) -> web.Response:
        return _html(gone_page(), status=404)

    # GET and HEAD only: aiohttp answers any other method with 405.
    served.router.add_get("/{secret}", page)
    served.router.add_get("/", nowhere)
    return served


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _headers_on_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Any other address, or a deeper path, gets the same page as a dead link."""
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return _html(gone_page(), status=404)


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.update(HEADERS)


class ListenFailed(Exception):
    """The page's address cannot be listened on; the message says what to change."""


class WebServer:
    """The page's server, started and stopped by ``run``."""

    def __init__(self, app: Application, host: str, port: int) -> None:
        self.app, self.host, self.port = app, host, port
        # No access log: the path of every request is a secret.
        self._runner = web.AppRunner(web_app(app), access_log=None, handle_signals=False)
        self._site: web.TCPSite | None = None

    async def start(self) -> None:
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await self._site.start()
        except OSError as problem:
            await self._runner.cleanup()
            raise ListenFailed(
                f"The web page cannot listen on {self.host}:{self.port} ({problem.strerror}). "
                "Another program may use that port: choose another in [web] listen."
            ) from problem
        log.info("the web page is listening on %s:%d", self.host, self.port)

    @property
    def address(self) -> tuple[str, int]:
        """Where it listens (the port the system chose when it was asked for 0)."""
        addresses = self._runner.addresses
        if addresses:
            host, port = addresses[0][:2]
            return str(host), int(port)
        return self.host, self.port

    async def stop(self) -> None:
        await self._runner.cleanup()
