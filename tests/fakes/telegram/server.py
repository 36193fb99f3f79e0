"""The fake Telegram server: one aiohttp app that routes ``/bot<token>/<method>`` to the part of
the fake that answers that method, records every call, and applies forced faults.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import socket
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import aiohttp
import pytest_asyncio
from aiohttp import web

from .callbacks import Callbacks
from .chats import Chats
from .commands import Commands
from .failing import Failing
from .faults import Fault, FaultKind, RateLimits
from .files import Files
from .looking import Looking
from .messages import Messages
from .objects import ApiError, JSONDict, Params, UploadedFile
from .people import ActingAsPeople
from .records import CallRecord
from .state import DEFAULT_TOKEN
from .updates import Polling
from .webhooks import Webhooks

_LOGGER = logging.getLogger(__name__)

_BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)


class FakeTelegram(
    ActingAsPeople,
    Looking,
    Failing,
    Polling,
    Webhooks,
    Messages,
    Callbacks,
    Chats,
    Files,
    Commands,
):
    """A Telegram Bot API server for one bot, on 127.0.0.1 and a free port.

    Use it as an async context manager (or call :meth:`start` and :meth:`stop`). Everything a
    test does as a person (:meth:`send_text`, :meth:`press_button`, ...) is synchronous, queues
    updates and returns an :class:`Action`; the ``wait_for_*`` coroutines wait for the bot.

    Args:
        token: The bot token; the bot's user id is the number before the colon.
        bot_username: The bot's @username, without the "@".
        privacy_mode: Emulate group privacy mode (off by default; see the module docstring).
        enforce_limits: Answer 429 when the bot exceeds :class:`RateLimits`.
        limits: The limits to enforce; Telegram's documented ones by default.
        allowed_updates: The server-side allowed_updates a previous run left behind.
        webhook_retry_delay: First pause before re-posting a refused update; doubles up to 1 s.
        webhook_timeout: Seconds a webhook receiver may take to answer.
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "DecidingTogetherBot",
        bot_name: str = "Deciding Together",
        privacy_mode: bool = False,
        enforce_limits: bool = False,
        limits: RateLimits | None = None,
        allowed_updates: Sequence[str] | None = None,
        webhook_retry_delay: float = 0.05,
        webhook_timeout: float = 5.0,
    ) -> None:
        super().__init__(
            token=token,
            bot_username=bot_username,
            bot_name=bot_name,
            privacy_mode=privacy_mode,
            enforce_limits=enforce_limits,
            limits=limits,
            allowed_updates=allowed_updates,
            webhook_retry_delay=webhook_retry_delay,
            webhook_timeout=webhook_timeout,
        )
        # Each Bot API method, by the name the client calls it, to the part of the server
        # that answers it.
        self._handlers: dict[str, Callable[[Params], Any]] = {
            name.lower(): handler
            for name, handler in {
                "getMe": self._api_get_me,
                "getUpdates": self._api_get_updates,
                "setWebhook": self._api_set_webhook,
                "deleteWebhook": self._api_delete_webhook,
                "getWebhookInfo": self._api_get_webhook_info,
                "sendMessage": self._api_send_message,
                "editMessageText": self._api_edit_message_text,
                "editMessageReplyMarkup": self._api_edit_message_reply_markup,
                "answerCallbackQuery": self._api_answer_callback_query,
                "deleteMessage": self._api_delete_message,
                "setMyCommands": self._api_set_my_commands,
                "getMyCommands": self._api_get_my_commands,
                "deleteMyCommands": self._api_delete_my_commands,
                "getChatMember": self._api_get_chat_member,
                "getChat": self._api_get_chat,
                "setMessageReaction": self._api_set_message_reaction,
                "sendDocument": self._api_send_document,
                "sendChatAction": self._api_send_chat_action,
                "close": self._api_true,
                "logOut": self._api_true,
            }.items()
        }

    # -- lifecycle ------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The value for PTB's ``base_url``: PTB appends the token and the method."""
        return f"{self.url}/bot"

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        return f"http://127.0.0.1:{self._port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        # handler_cancellation: when a client gives up (a long poll it abandons, a request
        # held by a TIMEOUT fault), stop working on it instead of answering nobody later.
        self._runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=0.5, access_log=None
        )
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        self._session = aiohttp.ClientSession()

    async def stop(self) -> None:
        """Answer pending long polls with no updates, end webhook delivery, close the server."""
        self._closing.set()
        self._pulse()
        for task in list(self._webhook_tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        # One turn of the loop lets released long polls write their (empty) answers.
        await asyncio.sleep(0)
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- HTTP plumbing --------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params = await _read_params(request)
        record = CallRecord(method, params.values, params.files, self._now())
        self.calls.append(record)
        self._pulse()
        if request.match_info["token"] != self.token:
            return self._answer(record, ApiError(401, "Unauthorized").to_json(), 401)
        handler = self._handlers.get(method.lower())
        if handler is None:
            return self._answer(record, ApiError(404, "Not Found").to_json(), 404)

        fault = self._fault_plan.pick(method)
        if fault is not None and not fault.after_processing:
            return await self._inflict(request, record, fault)
        slow = self._slow.get(method.lower())
        if slow:
            # A slow way in: the call is counted (and handled) only when it gets here.
            await asyncio.sleep(slow.popleft())
        try:
            self._check_limits(method, params)
            result = handler(params)
            if inspect.isawaitable(result):
                result = await result
            body, status = {"ok": True, "result": result}, 200
        except ApiError as error:
            body, status = error.to_json(), error.status
        except Exception as error:
            # A bug in the fake (or input it does not understand): answer, and say so loudly,
            # rather than leave the client and any wait_for_call() hanging.
            _LOGGER.exception("FakeTelegram failed on %s", method)
            body, status = (
                ApiError(500, f"Internal Server Error: fake failed: {error!r}").to_json(),
                500,
            )
        if fault is not None:
            return await self._inflict(request, record, fault)
        return self._answer(record, body, status)

    def _answer(self, record: CallRecord, body: JSONDict, status: int) -> web.Response:
        record.status, record.response = status, body
        self._pulse()
        return web.json_response(body, status=status)

    async def _inflict(
        self, request: web.Request, record: CallRecord, fault: Fault
    ) -> web.StreamResponse:
        record.fault = fault.kind
        self._pulse()
        if fault.kind is FaultKind.RETRY_AFTER:
            error = ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            )
            return self._answer(record, error.to_json(), 429)
        if fault.kind is FaultKind.SERVER_ERROR:
            return self._answer(record, ApiError(500, "Internal Server Error").to_json(), 500)
        if fault.kind is FaultKind.BAD_GATEWAY:
            record.status = 502
            return web.Response(status=502, text=_BAD_GATEWAY_HTML, content_type="text/html")
        if fault.kind is FaultKind.TIMEOUT:
            # Usually the client gives up first, and aiohttp cancels this handler.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), fault.hold)
        # DROP, or a TIMEOUT that outlived its hold: close the connection without an answer.
        # Ending the handler as cancelled is how aiohttp lets a handler write nothing at all.
        if request.transport is not None:
            request.transport.close()
        raise asyncio.CancelledError

    def _api_true(self, p: Params) -> bool:
        return True


async def _read_params(request: web.Request) -> Params:
    """Decode query string plus JSON, urlencoded or multipart body into :class:`Params`."""
    form: dict[str, str] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                body = None
            params = Params.from_form(form)
            if isinstance(body, dict):
                params.values.update(body)  # JSON values already carry their types
            return params
        posted = await request.post()  # urlencoded or multipart
        for name, value in posted.items():
            if isinstance(value, web.FileField):
                files[name] = UploadedFile(value.filename, value.content_type, value.file.read())
            else:
                form[name] = str(value)
    return Params.from_form(form, files)


@pytest_asyncio.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A started :class:`FakeTelegram`, stopped after the test.

    Import it into a conftest.py to use it: ``from tests.fakes.telegram import
    fake_telegram  # noqa: F401``.
    """
    async with FakeTelegram() as tg:
        yield tg
