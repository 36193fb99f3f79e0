"""The Telegram adapter: python-telegram-bot's ``Bot`` in, the application's outbox out.

It starts in long-polling or webhook mode, as the configuration says, and
translates in both directions without deciding anything: updates become
:meth:`Application.submit` calls (:mod:`updates`), deliveries become Bot API
calls (:mod:`deliver`). Everything it needs to remember lives in the
application (its memory for adapters), so a restart loses nothing.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from telegram import Bot
from telegram.error import (
    BadRequest,
    TelegramError,
)
from telegram.request import HTTPXRequest

from adapters.telegram import ids
from adapters.telegram.deliver import Deliverer
from adapters.telegram.gestures import Gestures
from adapters.telegram.memory import Memory
from adapters.telegram.menu import bot_commands
from adapters.telegram.messages import Messages
from adapters.telegram.pacing import TELEGRAM_LIMITS, Limits, Pacer, TooLong
from adapters.telegram.polling import Poller
from adapters.telegram.reach import TelegramSetupError, reach
from adapters.telegram.roster import Roster
from adapters.telegram.send import Sender, failure
from adapters.telegram.settings import TelegramSettings
from adapters.telegram.updates import ALLOWED_UPDATES, Updates
from adapters.telegram.vouching import Vouching
from adapters.telegram.webhook import WebhookServer
from bot.app import Delivery, DeliveryFailed, roles
from bot.core.addresses import host_and_port
from bot.core.commands import Actor
from bot.core.i18n import installed_languages
from bot.reaching import NotReached, patiently

if TYPE_CHECKING:
    from bot.app import Application

log = logging.getLogger("deciding_together.telegram")

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_LISTEN = "127.0.0.1:8443"


def api_url(base_url: str | None) -> str:
    """The Bot API address as PTB wants it (ending in "/bot", the token follows)."""
    url = (base_url or DEFAULT_BASE_URL).strip()
    if "{token}" in url:
        return url
    url = url.rstrip("/")
    return url if url.endswith("/bot") else url + "/bot"


def listen_address(listen: str | None) -> tuple[str, int]:
    address = host_and_port(listen or DEFAULT_LISTEN)
    if address is None:
        raise TelegramSetupError(
            f'[telegram] listen = "{listen}" needs a port, like "{DEFAULT_LISTEN}".'
        )
    return address


class TelegramAdapter:
    platform = ids.PLATFORM

    def __init__(
        self,
        config: TelegramSettings,
        *,
        limits: Limits = TELEGRAM_LIMITS,
        poll_timeout: int = 30,
    ) -> None:
        self.config = config
        self.pacer = Pacer(limits)
        self.poll_timeout = poll_timeout
        self.bot: Bot | None = None
        self.username = ""
        self._deliverer: Deliverer | None = None
        self._poller: Poller | None = None
        self._answering: Bot | None = None  # answers button presses (see ``start``)
        self._webhook: WebhookServer | None = None
        self._requests: list[HTTPXRequest] = []

    # -- starting and stopping ----------------------------------------------------------

    async def start(self, app: Application) -> None:
        webhook = self.config.mode == "webhook"
        if webhook and not (self.config.webhook_url and self.config.secret_token):
            raise TelegramSetupError(
                "Webhook mode needs webhook_url and secret_token in [telegram]."
            )
        sending = HTTPXRequest(
            connection_pool_size=32, read_timeout=20.0, write_timeout=30.0, pool_timeout=10.0
        )
        polling = HTTPXRequest(connection_pool_size=2, read_timeout=10.0)
        pressing = HTTPXRequest(connection_pool_size=2, read_timeout=10.0, pool_timeout=10.0)
        self._requests = [sending, polling, pressing]
        bot = Bot(
            self.config.token,
            base_url=api_url(self.config.base_url),
            request=sending,
            get_updates_request=polling,
        )
        # Button presses are answered one after another, as soon as they are stored,
        # on connections of their own: httpx looks over every connection of its pool
        # at each request, and the card edits and messages going out to many chats
        # at once keep many open. Answering through that pool cost a third more.
        answering = Bot(self.config.token, base_url=api_url(self.config.base_url), request=pressing)
        # Kept at once, so that ``stop`` closes them even when the start is cut short.
        self.bot, self._answering = bot, answering
        # getMe: checks the token and learns the bot's name
        await reach(bot.initialize)
        await reach(answering.initialize)
        self.username = self.config.bot_username or bot.username
        memory, vouching = Memory(app), Vouching(app, bot)
        roster = Roster(app, memory, Actor(ids.identity(bot.id), bot.first_name), vouching)
        sender = Sender(bot, self.pacer, memory, roster.moved_while_sending)
        self._deliverer = Deliverer(app, sender, memory, self.username)
        updates = Updates(
            Messages(app, sender, memory, roster, vouching, self.username, bot.id),
            Gestures(app, answering, memory, vouching),
            roster,
        )
        await self._set_commands(bot)
        if webhook:
            await self._start_webhook(bot, updates)
        else:
            # Only one getUpdates may run per bot: with several workers, the one that
            # holds the polling role polls (with one process, this one, at once).
            poller = Poller(bot, updates.process_many, timeout=self.poll_timeout)
            await app.roles.hold(
                roles.telegram_polling(str(bot.id)),
                lambda: self._start_polling(bot, poller),
                self._stop_polling,
            )
        log.info(
            "Telegram: @%s is running (%s)", self.username, "webhook" if webhook else "long polling"
        )

    async def _start_polling(self, bot: Bot, poller: Poller) -> None:
        if self.bot is not bot:
            return  # the adapter stopped meanwhile
        # A webhook left from an earlier run would make getUpdates fail.
        await reach(lambda: bot.delete_webhook(drop_pending_updates=False))
        self._poller = poller
        poller.start()

    async def _stop_polling(self) -> None:
        if self._poller is not None:
            await self._poller.stop()
            self._poller = None

    async def _start_webhook(self, bot: Bot, updates: Updates) -> None:
        url, secret = self.config.webhook_url, self.config.secret_token
        assert url is not None and secret is not None
        host, port = listen_address(self.config.listen)
        server = WebhookServer(
            bot, updates.process, secret=secret, path=urlsplit(url).path, host=host, port=port
        )
        self._webhook = server

        async def listen() -> None:
            try:
                await server.start()
            except OSError as error:  # the port is taken, maybe by a copy still stopping
                await server.stop()
                raise NotReached(
                    f"I can't listen for Telegram on {host}:{port} "
                    f"({(error.strerror or str(error)).lower()}). Is another copy of the bot "
                    "running? Else choose another port in [telegram] listen."
                ) from error

        await patiently(listen)
        # One connection at a time keeps updates in the order people made them.
        try:
            await reach(
                lambda: bot.set_webhook(
                    url,
                    secret_token=secret,
                    allowed_updates=list(ALLOWED_UPDATES),
                    max_connections=1,
                )
            )
        except BadRequest as error:  # Telegram will not send to that address
            raise TelegramSetupError(
                f"Telegram refused the webhook address {url} ({error.message}). "
                "Check [telegram] webhook_url, then start the bot again."
            ) from error

    async def _set_commands(self, bot: Bot) -> None:
        """The "/" menu for everyone (English), then one per language the bot can
        write, which Telegram shows to people whose app uses that language."""
        languages = [None, *(code for code in installed_languages() if code != "en")]
        for language in languages:
            try:
                await bot.set_my_commands(bot_commands(language), language_code=language)
            except TelegramError as error:  # a missing menu is no reason not to run
                log.warning("could not set the bot's command menu (%s): %s", language, error)

    async def stop(self) -> None:
        await self._stop_polling()
        if self._webhook is not None:
            # The webhook stays set: Telegram keeps the updates until we are back.
            await self._webhook.stop()
            self._webhook = None
        self._deliverer = None
        if self.bot is not None:
            await self.bot.shutdown()
            self.bot = None
        if self._answering is not None:
            await self._answering.shutdown()
            self._answering = None
        # A start cut short leaves connections that no initialized bot closes.
        for request in self._requests:
            await request.shutdown()
        self._requests = []

    # -- delivering ---------------------------------------------------------------------

    def ready_in(self, target: str) -> float:
        """Seconds until the pacing lets a message go to ``target`` (the delivery loop
        waits that long before drawing a card edit, rather than draw it to wait)."""
        return self.pacer.ready_in(ids.chat_id_of(target))

    def end_to_end_encrypted(self, chat: str) -> bool:
        return False  # the bot reads Telegram groups, so they are never end-to-end encrypted

    async def deliver(self, delivery: Delivery) -> str | None:
        if self._deliverer is None:
            raise DeliveryFailed("Telegram is not running")
        try:
            return await self._deliverer.deliver(delivery)
        except (TelegramError, TooLong) as error:
            raise failure(error) from error
