"""A fake Telegram Bot API server that the real python-telegram-bot talks to over HTTP.

Start it, point PTB's ``base_url`` at it, and act as the people in the chats::

    async with FakeTelegram() as tg:
        alice = tg.user(1001, "Alice", username="alice")
        team = tg.group(-100200, "Care team")
        bot = telegram.Bot(tg.token, base_url=tg.base_url)
        async with bot:
            tg.send_text(team, alice, "/propose Buy a new kettle")
            (update,) = await bot.get_updates(timeout=1)
            sent = await bot.send_message(team.id, "Proposal recorded")
        assert tg.message(team, sent.message_id).text == "Proposal recorded"

What it models, and how closely:

* Routes ``/bot<token>/<method>`` for GET and POST with JSON, urlencoded or multipart bodies.
  A wrong token answers 401, an unknown method 404, as Telegram does.
* Updates wait in one queue until confirmed, exactly like Telegram: ``getUpdates`` returns
  updates without removing them; a later ``offset`` confirms (drops) those with a smaller id.
  ``timeout`` long-polls. A newer ``getUpdates`` ends a pending one with 409 Conflict.
* ``allowed_updates`` is one server-side setting, changed by ``getUpdates``/``setWebhook`` when
  given and kept otherwise. It filters updates *when they are created*, as Telegram does, so an
  update created while it was excluded is never delivered (see :attr:`FakeTelegram.dropped`).
  By default ``chat_member``, ``message_reaction`` and ``message_reaction_count`` are excluded.
* A webhook receives the same queue by POST, one update at a time, with the secret header, and
  each update is retried until the receiver answers 2xx.
* The bot only sees what Telegram would show it: nothing from groups it is not a member of,
  ``chat_member`` and group ``message_reaction`` updates only while it is an administrator, and
  with ``privacy_mode=True`` only commands, replies to it, mentions and service messages from
  groups where it is not an administrator.
* Messages live per chat with increasing ids; edits, deletions and reactions are kept.
* ``parse_mode="HTML"`` is parsed strictly (see :func:`parse_html`); Markdown modes are stored
  verbatim without entities. Editing a message's text without ``reply_markup`` removes its
  inline keyboard, as on Telegram.

Not modelled: inline mode, payments, media other than documents, file downloads (``getFile``),
forum topics, webhook replies (a method call in the webhook's answer), HTTPS-only webhooks.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import socket
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest_asyncio
import telegram
from aiohttp import web
from telegram.constants import ReactionEmoji

from tests.fakes.telegram_faults import (
    Fault,
    FaultKind,
    FaultPlan,
    RateLimiter,
    RateLimits,
)
from tests.fakes.telegram_objects import (
    ANONYMOUS_ADMIN_ID,
    TELEGRAM_SERVICE_ID,
    ApiError,
    Edit,
    EntityParseError,
    FakeChat,
    FakeUser,
    JSONDict,
    Params,
    StoredFile,
    StoredMessage,
    UploadedFile,
    bad_request,
    chat_member_json,
    detect_entities,
    emoji_reactions,
    parse_html,
    utf16_len,
)

__all__ = [
    "DEFAULT_TOKEN",
    "Action",
    "CallRecord",
    "CallbackAnswer",
    "CallbackQuery",
    "FakeChat",
    "FakeTelegram",
    "FakeUser",
    "FaultKind",
    "RateLimits",
    "StoredMessage",
    "WebhookAttempt",
    "fake_telegram",
]

_LOGGER = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456789:TEST-FAKE-TOKEN-deciding-together"

#: Update types Telegram leaves out unless ``allowed_updates`` names them.
OFF_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024

ChatRef = FakeChat | int
UserRef = FakeUser | int

_BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)


# ---------------------------------------------------------------------------------------------
# Records the tests can inspect
# ---------------------------------------------------------------------------------------------


@dataclass
class CallRecord:
    """One Bot API request the bot made."""

    #: The method as the client spelt it, e.g. "sendMessage".
    method: str
    #: The parameters, decoded (numbers and nested objects are Python values).
    params: JSONDict
    files: dict[str, UploadedFile]
    #: Wall-clock time the request arrived.
    at: float
    #: HTTP status answered; None while pending or when no answer was given (timeout, drop).
    status: int | None = None
    response: JSONDict | None = None
    #: The forced fault inflicted on this call, if any.
    fault: FaultKind | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        return (self.response or {}).get("result")


@dataclass
class CallbackAnswer:
    """What the bot answered to a button press with answerCallbackQuery."""

    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int
    at: float


@dataclass(eq=False)
class CallbackQuery:
    """A button press by a person, and the bot's answer once it came."""

    id: str
    chat: FakeChat
    message_id: int
    user: FakeUser
    data: str | None
    at: float
    answer: CallbackAnswer | None = None


@dataclass
class WebhookConfig:
    url: str
    secret_token: str | None
    max_connections: int
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class WebhookAttempt:
    """One POST of an update to the webhook."""

    update_id: int
    url: str
    at: float
    #: The receiver's HTTP status, or None if the request failed.
    status: int | None = None
    error: str | None = None

    @property
    def accepted(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class Action:
    """What a simulated person did: the updates it created and the messages it stored."""

    #: Every update created, in order, including those the bot will never get.
    updates: list[JSONDict]
    messages: list[StoredMessage] = field(default_factory=list)
    #: Ids of updates that were not queued for the bot (filtered by allowed_updates, privacy
    #: mode, or because the bot cannot see that chat).
    dropped: list[int] = field(default_factory=list)
    #: For a button press, the id to look the bot's answer up with.
    callback_query_id: str | None = None

    @property
    def update(self) -> JSONDict:
        return self.updates[0]

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def message(self) -> StoredMessage | None:
        return self.messages[0] if self.messages else None

    @property
    def delivered(self) -> bool:
        """True if every update of the action is (or was) queued for the bot."""
        return not self.dropped

    def ptb_updates(self, bot: telegram.Bot | None = None) -> list[telegram.Update]:
        """The updates as PTB objects, e.g. to feed a handler directly without HTTP."""
        return [telegram.Update.de_json(update, bot) for update in self.updates]


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------


class FakeTelegram:
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
        self.token = token
        self.bot = FakeUser(int(token.split(":")[0]), bot_name, bot_username, is_bot=True)
        self.privacy_mode = privacy_mode
        self.enforce_limits = enforce_limits
        self.webhook_retry_delay = webhook_retry_delay
        self.webhook_timeout = webhook_timeout

        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, FakeChat] = {}
        self.anonymous_admin = FakeUser(
            ANONYMOUS_ADMIN_ID, "Group", "GroupAnonymousBot", is_bot=True
        )
        self.telegram_service = FakeUser(TELEGRAM_SERVICE_ID, "Telegram")

        #: Every Bot API request, oldest first.
        self.calls: list[CallRecord] = []
        #: Every update ever created, delivered or not.
        self.updates: list[JSONDict] = []
        #: Updates created but never queued for the bot (see :attr:`Action.dropped`).
        self.dropped: list[JSONDict] = []
        self._dropped_ids: set[int] = set()
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.files: dict[str, StoredFile] = {}
        self.webhook_attempts: list[WebhookAttempt] = []
        #: How many requests the limits mode refused with 429.
        self.rate_limited_count = 0

        self._allowed_updates: list[str] | None = list(allowed_updates) if allowed_updates else None
        self._pending: list[JSONDict] = []
        self._next_update_id = 100_000
        self._next_callback_id = 4_000_000_000_000_000_000
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._webhook: WebhookConfig | None = None
        self._webhook_tasks: set[asyncio.Task[None]] = set()
        self._poll_generation = 0
        self._fault_plan = FaultPlan()
        self._slow: dict[str, deque[float]] = {}
        self._limiter = RateLimiter(limits or RateLimits())
        # Pulsed (set, then replaced) on every change, so waiters re-check their condition.
        self._changed = asyncio.Event()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._port: int | None = None
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

    # -- people and chats -----------------------------------------------------------------------

    def user(
        self,
        id: int,
        first_name: str,
        username: str | None = None,
        language_code: str | None = "en",
        last_name: str | None = None,
    ) -> FakeUser:
        """Create (or replace) a person."""
        person = FakeUser(id, first_name, username, language_code, last_name)
        self.users[id] = person
        return person

    def group(
        self,
        chat_id: int,
        title: str,
        supergroup: bool = False,
        *,
        bot_status: str = "administrator",
        members: Iterable[UserRef] = (),
        username: str | None = None,
    ) -> FakeChat:
        """Create a group the bot is already in (as ``bot_status``), without any update.

        Group ids are negative; supergroup ids conventionally start with -100.
        """
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat = FakeChat(
            id=chat_id,
            type="supergroup" if supergroup else "group",
            bot_id=self.bot.id,
            title=title,
            username=username,
            bot_status=bot_status,
        )
        for member in members:
            chat.members[self._user(member).id] = "member"
        self.chats[chat_id] = chat
        return chat

    def private_chat(self, user: UserRef) -> FakeChat:
        """The private chat between the bot and ``user`` (its id is the user's id)."""
        person = self._user(user)
        chat = self.chats.get(person.id)
        if chat is None:
            chat = FakeChat(
                id=person.id,
                type="private",
                bot_id=self.bot.id,
                private_user=person,
                bot_status="member",
            )
            self.chats[person.id] = chat
        return chat

    def set_member_status(self, chat: ChatRef, user: UserRef, status: str) -> None:
        """Set a member's status (e.g. "administrator") silently, without any update."""
        self._chat(chat).members[self._user(user).id] = status

    # -- acting as people -----------------------------------------------------------------------

    def send_text(
        self, chat: ChatRef, user: UserRef, text: str, reply_to: int | None = None
    ) -> Action:
        """``user`` writes ``text`` in ``chat``; commands and @mentions get their entities."""
        room, person = self._chat(chat), self._user(user)
        self._check_can_write(room, person)
        if room.type == "private":
            person.started_bot = True
        message = self._store(
            room,
            person,
            text=text,
            entities=detect_entities(text),
            reply_to=self._message(room, reply_to) if reply_to is not None else None,
        )
        return self._message_action(message)

    def edit_text(self, chat: ChatRef, user: UserRef, message_id: int, text: str) -> Action:
        """``user`` edits their own message; the bot gets an ``edited_message`` update."""
        room, person = self._chat(chat), self._user(user)
        message = self._message(room, message_id)
        if message.sender is not person:
            raise ValueError("people can only edit their own messages")
        message.text, message.entities = text, detect_entities(text)
        message.edits.append(Edit(self._now(), "edit", text, message.reply_markup))
        return self._message_action(message, kind="edited_message")

    def start_private(self, user: UserRef, payload: str | None = None) -> Action:
        """``user`` presses Start (opening ``t.me/<bot>?start=<payload>`` if a payload is given).

        Unblocks the bot if the user had blocked it, as restarting a bot does.
        """
        person = self._user(user)
        chat = self.private_chat(person)
        action = Action(updates=[])
        if person.blocked_bot:
            person.blocked_bot = False
            self._add(action, self._my_chat_member(chat, person, "kicked", "member"))
        person.started_bot = True
        text = "/start" if payload is None else f"/start {payload}"
        entities = [{"type": "bot_command", "offset": 0, "length": len("/start")}]
        message = self._store(chat, person, text=text, entities=entities)
        self._add(action, self._message_update(message), message)
        return action

    def block_bot(self, user: UserRef) -> Action:
        """``user`` blocks the bot: private messages to them now answer 403."""
        person = self._user(user)
        chat = self.private_chat(person)
        person.blocked_bot = True
        action = Action(updates=[])
        self._add(action, self._my_chat_member(chat, person, "member", "kicked"))
        return action

    def press_button(
        self,
        chat: ChatRef,
        user: UserRef,
        message_id: int,
        callback_data: str,
        *,
        strict: bool = True,
        shown: JSONDict | None = None,
    ) -> Action:
        """``user`` presses the inline button with ``callback_data`` under a message.

        With ``strict`` (the default) the button must currently exist, which catches tests
        that press buttons the bot never sent. The returned action's ``callback_query_id``
        finds the bot's answer (:meth:`answer_for`, :meth:`wait_for_answer`). ``shown``
        is the message the update carries, when it must be an earlier state of it (a
        benchmark gives two bots the same updates); by default, the message as it is now.
        """
        room, person = self._chat(chat), self._user(user)
        message = room.messages.get(message_id)
        if strict:
            if message is None or message.deleted:
                raise ValueError(f"no message {message_id} in chat {room.id}")
            if callback_data not in message.callback_data:
                raise ValueError(
                    f"message {message_id} has no button {callback_data!r}; "
                    f"it has {message.callback_data}"
                )
        query_id = str(self._next_callback_id)
        self._next_callback_id += 1
        self.callback_queries[query_id] = CallbackQuery(
            query_id, room, message_id, person, callback_data, self._now()
        )
        if shown is None and message is not None and not message.deleted:
            shown = message.to_json()
        elif shown is None:
            # An InaccessibleMessage: Telegram marks it with date 0.
            shown = {"chat": room.to_json(), "message_id": message_id, "date": 0}
        payload = {
            "id": query_id,
            "from": person.to_json(),
            # Stable per chat, as Telegram's is; PTB only needs it to be present.
            "chat_instance": str(abs(room.id) * 7919 + 104729),
            "message": shown,
            "data": callback_data,
        }
        action = Action(updates=[], callback_query_id=query_id)
        self._add(action, self._enqueue("callback_query", payload, visible=room.bot_is_member))
        return action

    def react(
        self,
        chat: ChatRef,
        user: UserRef,
        message_id: int,
        new_emojis: Sequence[str],
        old_emojis: Sequence[str] | None = None,
    ) -> Action:
        """``user`` changes their reaction to a message (old defaults to their current one).

        Telegram only sends ``message_reaction`` if allowed_updates names it and, in groups,
        only while the bot is an administrator.
        """
        room, person = self._chat(chat), self._user(user)
        message = self._message(room, message_id)
        old = list(old_emojis) if old_emojis is not None else message.reactions.get(person.id, [])
        message.reactions[person.id] = list(new_emojis)
        payload = {
            "chat": room.to_json(),
            "message_id": message_id,
            "user": person.to_json(),
            "date": int(self._now()),
            "old_reaction": emoji_reactions(old),
            "new_reaction": emoji_reactions(list(new_emojis)),
        }
        visible = room.type == "private" or room.bot_is_admin
        action = Action(updates=[])
        self._add(action, self._enqueue("message_reaction", payload, visible=visible))
        return action

    def join(self, chat: ChatRef, user: UserRef, by: UserRef | None = None) -> Action:
        """``user`` joins (or is added ``by`` someone): a service message and ``chat_member``."""
        room, person = self._chat(chat), self._user(user)
        actor = self._user(by) if by is not None else person
        old = room.members.get(person.id, "left")
        room.members[person.id] = "member"
        message = self._store(room, actor, extra={"new_chat_members": [person.to_json()]})
        action = Action(updates=[])
        self._add(action, self._message_update(message), message)
        self._add(action, self._chat_member(room, actor, person, old, "member"))
        return action

    def leave(self, chat: ChatRef, user: UserRef, by: UserRef | None = None) -> Action:
        """``user`` leaves (or is removed ``by`` an admin, which Telegram reports as kicked)."""
        room, person = self._chat(chat), self._user(user)
        actor = self._user(by) if by is not None else person
        old = room.members.get(person.id, "member")
        new = "left" if by is None else "kicked"
        room.members[person.id] = new
        message = self._store(room, actor, extra={"left_chat_member": person.to_json()})
        action = Action(updates=[])
        self._add(action, self._message_update(message), message)
        self._add(action, self._chat_member(room, actor, person, old, new))
        return action

    def bot_added(self, chat: ChatRef, by: UserRef, status: str = "member") -> Action:
        """Someone adds the bot to a group: ``my_chat_member`` and a service message."""
        room, actor = self._chat(chat), self._user(by)
        old = room.bot_status
        room.bot_status = status
        action = Action(updates=[])
        self._add(action, self._my_chat_member(room, actor, old, status))
        message = self._store(room, actor, extra={"new_chat_members": [self.bot.to_json()]})
        self._add(action, self._message_update(message), message)
        return action

    def bot_removed(self, chat: ChatRef, by: UserRef, status: str = "left") -> Action:
        """Someone removes the bot from a group: ``my_chat_member``; sends then answer 403."""
        room, actor = self._chat(chat), self._user(by)
        old = room.bot_status
        room.bot_status = status
        action = Action(updates=[])
        self._add(action, self._my_chat_member(room, actor, old, status))
        return action

    def migrate_to_supergroup(
        self, chat: ChatRef, new_chat_id: int | None = None, by: UserRef | None = None
    ) -> Action:
        """Upgrade a basic group: ``migrate_to_chat_id`` in the old chat, ``migrate_from_chat_id``
        in the new one. Afterwards the old id answers 400 with ``parameters.migrate_to_chat_id``.
        """
        old = self._chat(chat)
        if old.type != "group":
            raise ValueError("only basic groups migrate to supergroups")
        new_id = new_chat_id if new_chat_id is not None else -1_000_000_000_000 + old.id
        new = self.group(new_id, old.title or "", supergroup=True, bot_status=old.bot_status)
        new.members = dict(old.members)
        actor = self._user(by) if by is not None else self.anonymous_admin
        action = Action(updates=[])
        moved = self._store(old, actor, extra={"migrate_to_chat_id": new_id})
        self._add(action, self._message_update(moved), moved)
        old.migrated_to = new_id
        arrived = self._store(
            new,
            self.anonymous_admin,
            sender_chat=new.to_json(),
            extra={"migrate_from_chat_id": old.id},
        )
        self._add(action, self._message_update(arrived), arrived)
        return action

    def send_as_anonymous_admin(self, chat: ChatRef, text: str) -> Action:
        """An anonymous admin writes: ``from`` is GroupAnonymousBot, ``sender_chat`` the group."""
        room = self._chat(chat)
        message = self._store(
            room,
            self.anonymous_admin,
            text=text,
            entities=detect_entities(text),
            sender_chat=room.to_json(),
        )
        return self._message_action(message)

    def automatic_forward(
        self, chat: ChatRef, channel_id: int, text: str, channel_title: str = "Channel"
    ) -> Action:
        """A linked channel's post appears in its discussion group, sent by "Telegram"."""
        room = self._chat(chat)
        channel = {"id": channel_id, "type": "channel", "title": channel_title}
        message = self._store(
            room,
            self.telegram_service,
            text=text,
            entities=detect_entities(text),
            sender_chat=channel,
            extra={
                "is_automatic_forward": True,
                "forward_origin": {
                    "type": "channel",
                    "chat": channel,
                    "message_id": room.next_message_id,
                    "date": int(self._now()),
                },
            },
        )
        return self._message_action(message)

    # -- inspecting what the bot did ------------------------------------------------------------

    def chat(self, chat_id: int) -> FakeChat:
        return self._chat(chat_id)

    def message(self, chat: ChatRef, message_id: int) -> StoredMessage:
        """A message in its current state (deleted ones too: see ``deleted``)."""
        return self._message(self._chat(chat), message_id)

    def bot_messages(self, chat: ChatRef) -> list[StoredMessage]:
        """The bot's messages in a chat that are not deleted, oldest first."""
        room = self._chat(chat)
        return [m for m in room.messages.values() if m.from_bot and not m.deleted]

    def last_bot_message(self, chat: ChatRef) -> StoredMessage | None:
        messages = self.bot_messages(chat)
        return messages[-1] if messages else None

    def calls_to(self, method: str) -> list[CallRecord]:
        """The requests for one method (case-insensitive), oldest first."""
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def answer_for(self, callback_query_id: str) -> CallbackAnswer | None:
        return self.callback_queries[callback_query_id].answer

    def my_commands(
        self, scope: JSONDict | None = None, language_code: str = ""
    ) -> list[JSONDict] | None:
        """The commands set for a scope and language, or None if never set."""
        return self._commands.get((_scope_key(scope), language_code))

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates queued for the bot and not yet confirmed."""
        return list(self._pending)

    @property
    def allowed_updates(self) -> list[str] | None:
        """The server-side allowed_updates setting (None means Telegram's default)."""
        return None if self._allowed_updates is None else list(self._allowed_updates)

    @property
    def webhook_url(self) -> str | None:
        return self._webhook.url if self._webhook else None

    async def wait_for(
        self, condition: Callable[[], Any], timeout: float = 5.0, what: str = "condition"
    ) -> Any:
        """Wait until ``condition()`` is truthy and return its value."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not (value := condition()):
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
            await self._wait_change(remaining)
        return value

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[CallRecord], bool] | None = None,
        *,
        since: int = 0,
        timeout: float = 5.0,
    ) -> CallRecord:
        """The first answered call of ``method`` at index >= ``since`` in :attr:`calls`."""

        def find() -> CallRecord | None:
            for call in self.calls[since:]:
                answered = call.status is not None or call.fault is not None
                if (
                    call.method.lower() == method.lower()
                    and answered
                    and (predicate is None or predicate(call))
                ):
                    return call
            return None

        return await self.wait_for(find, timeout, f"a {method} call")

    async def wait_for_answer(self, callback_query_id: str, timeout: float = 5.0) -> CallbackAnswer:
        """The bot's answerCallbackQuery for a button press."""
        return await self.wait_for(
            lambda: self.callback_queries[callback_query_id].answer,
            timeout,
            f"an answer to callback query {callback_query_id}",
        )

    async def wait_for_bot_message(
        self,
        chat: ChatRef,
        predicate: Callable[[StoredMessage], bool] | None = None,
        *,
        after: int = 0,
        timeout: float = 5.0,
    ) -> StoredMessage:
        """The first bot message in ``chat`` with an id above ``after`` matching ``predicate``."""
        room = self._chat(chat)

        def find() -> StoredMessage | None:
            for message in self.bot_messages(room):
                if message.message_id > after and (predicate is None or predicate(message)):
                    return message
            return None

        return await self.wait_for(find, timeout, f"a bot message in chat {room.id}")

    async def wait_until_consumed(self, timeout: float = 5.0) -> None:
        """Wait until the bot confirmed every queued update (fetched, not necessarily handled)."""
        await self.wait_for(lambda: not self._pending, timeout, "the update queue to drain")

    # -- forced faults --------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        kind: FaultKind | str,
        count: int = 1,
        *,
        retry_after: int = 1,
        after_processing: bool = False,
        hold: float = 30.0,
    ) -> None:
        """Make the next ``count`` calls of ``method`` ("*" for any) fail with ``kind``.

        ``after_processing`` performs the call before failing (the answer is lost, the message
        is sent). A TIMEOUT holds the request until the client gives up, the server stops, or
        ``hold`` seconds pass. Faults never touch the test-side API.
        """
        fault = Fault(FaultKind(kind), retry_after, after_processing, hold)
        self._fault_plan.fail_next(method, fault, count)

    def faults(
        self,
        rate: float = 0.2,
        kinds: Iterable[FaultKind | str] = tuple(FaultKind),
        seed: int = 0,
        *,
        methods: Iterable[str] | None = None,
        retry_after: int = 1,
    ) -> None:
        """Fail each call (of ``methods``, or all) with probability ``rate``; ``rate=0`` stops."""
        self._fault_plan.set_rate(rate, kinds, seed, methods, retry_after)

    def clear_faults(self) -> None:
        self._fault_plan.clear()
        self._slow.clear()

    def slow_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Make the next ``count`` calls of ``method`` reach the server ``seconds`` late, as on
        a slow or busy network: they are counted against the limits (and handled) only then."""
        self._slow.setdefault(method.lower(), deque()).extend([seconds] * count)

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

    def _check_limits(self, method: str, params: Params) -> None:
        if not self.enforce_limits or not self._limiter.counts(method):
            return
        chat_id = params.chat_id()
        if not isinstance(chat_id, int):
            return
        chat = self.chats.get(chat_id)
        is_group = chat.is_group if chat is not None else chat_id < 0
        retry_after = self._limiter.check(chat_id, is_group, time.monotonic())
        if retry_after is not None:
            self.rate_limited_count += 1
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )

    # -- updates: queue, long polling, webhook --------------------------------------------------

    def _wanted(self, kind: str) -> bool:
        if not self._allowed_updates:
            return kind not in OFF_BY_DEFAULT
        return kind in self._allowed_updates

    def _enqueue(self, kind: str, payload: JSONDict, *, visible: bool = True) -> JSONDict:
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self.updates.append(update)
        # Filtering happens now, not at delivery: later allowed_updates changes don't revive it.
        if visible and self._wanted(kind):
            self._pending.append(update)
        else:
            self.dropped.append(update)
            self._dropped_ids.add(update["update_id"])
        self._pulse()
        return update

    def _set_allowed_updates(self, value: Any) -> None:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad_request("can't parse allowed_updates JSON array")
        # An empty list means "the default", like not having set anything.
        self._allowed_updates = list(value) or None

    async def _api_get_updates(self, p: Params) -> list[JSONDict]:
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        if p.has("allowed_updates"):
            self._set_allowed_updates(p.obj("allowed_updates"))
        offset = p.integer("offset", 0) or 0
        if offset > 0:
            # Confirm: everything before offset is gone for good.
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            # A negative offset keeps only the last -offset updates.
            self._pending = self._pending[offset:]
        limit = min(max(p.integer("limit", 100) or 100, 1), 100)
        timeout = max(0.0, p.number("timeout", 0.0))

        # Telegram allows one getUpdates at a time: a newer one ends an older one with 409.
        self._poll_generation += 1
        generation = self._poll_generation
        self._pulse()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._poll_generation != generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if self._closing.is_set():
                return []
            remaining = deadline - loop.time()
            if self._pending or remaining <= 0:
                return self._pending[:limit]
            await self._wait_change(remaining)

    def _api_set_webhook(self, p: Params) -> bool:
        url = p.string("url", "") or ""
        if not url:
            self._remove_webhook(drop_pending=p.boolean("drop_pending_updates"))
            return True
        if not url.startswith(("http://", "https://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if p.has("allowed_updates"):
            self._set_allowed_updates(p.obj("allowed_updates"))
        if p.boolean("drop_pending_updates"):
            self._pending.clear()
        self._remove_webhook(drop_pending=False)
        self._webhook = WebhookConfig(
            url=url,
            secret_token=p.string("secret_token"),
            max_connections=p.integer("max_connections", 40) or 40,
        )
        # A newer webhook (like a newer poll) ends any pending getUpdates.
        self._poll_generation += 1
        task = asyncio.create_task(self._deliver(self._webhook))
        self._webhook_tasks.add(task)
        task.add_done_callback(self._webhook_tasks.discard)
        self._pulse()
        return True

    def _api_delete_webhook(self, p: Params) -> bool:
        self._remove_webhook(drop_pending=p.boolean("drop_pending_updates"))
        return True

    def _remove_webhook(self, drop_pending: bool) -> None:
        self._webhook = None  # its delivery task notices and stops
        if drop_pending:
            self._pending.clear()
        self._pulse()

    def _api_get_webhook_info(self, p: Params) -> JSONDict:
        config = self._webhook
        info: JSONDict = {
            "url": config.url if config else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if config is not None:
            info["max_connections"] = config.max_connections
            if config.last_error_date is not None:
                info["last_error_date"] = config.last_error_date
                info["last_error_message"] = config.last_error_message
        if self._allowed_updates is not None:
            info["allowed_updates"] = list(self._allowed_updates)
        return info

    async def _deliver(self, config: WebhookConfig) -> None:
        """POST queued updates to the webhook in order until it is replaced or removed."""
        assert self._session is not None
        delay = self.webhook_retry_delay
        headers = {"Content-Type": "application/json"}
        if config.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = config.secret_token
        while self._webhook is config and not self._closing.is_set():
            if not self._pending:
                await self._wait_change(None)
                continue
            update = self._pending[0]
            attempt = WebhookAttempt(update["update_id"], config.url, self._now())
            try:
                async with self._session.post(
                    config.url,
                    data=json.dumps(update),
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(total=self.webhook_timeout),
                ) as response:
                    attempt.status = response.status
                    reason = response.reason
                    await response.read()
            except (aiohttp.ClientError, TimeoutError) as error:
                attempt.error = f"{type(error).__name__}: {error}"
            self.webhook_attempts.append(attempt)
            if attempt.accepted:
                if update in self._pending:
                    self._pending.remove(update)
                delay = self.webhook_retry_delay
                self._pulse()
                continue
            config.last_error_date = int(attempt.at)
            config.last_error_message = (
                f"Wrong response from the webhook: {attempt.status} {reason}"
                if attempt.status is not None
                else "Connection refused"
            )
            self._pulse()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), delay)
            delay = min(delay * 2, 1.0)

    # -- Bot API methods ------------------------------------------------------------------------

    def _api_true(self, p: Params) -> bool:
        return True

    def _api_send_chat_action(self, p: Params) -> bool:
        self._target_chat(p, writing=True)
        return True

    def _api_get_me(self, p: Params) -> JSONDict:
        return {
            **self.bot.to_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _api_send_message(self, p: Params) -> JSONDict:
        chat = self._target_chat(p, writing=True)
        text, entities = self._formatted_text(p, "text", "entities", MESSAGE_LIMIT)
        markup = _reply_markup(p)
        reply_to = self._reply_target(chat, p)
        message = self._store(
            chat, self.bot, text=text, entities=entities, reply_markup=markup, reply_to=reply_to
        )
        return message.to_json()

    def _api_edit_message_text(self, p: Params) -> JSONDict:
        _, message = self._editable_message(p)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._formatted_text(p, "text", "entities", MESSAGE_LIMIT)
        # Like Telegram: an edit without reply_markup removes the inline keyboard.
        markup = _reply_markup(p)
        if (
            text == message.text
            and entities == message.entities
            and _inline_part(markup) == _inline_part(message.reply_markup)
        ):
            raise _not_modified()
        message.text, message.entities, message.reply_markup = text, entities, markup
        message.edits.append(Edit(self._now(), "editMessageText", text, markup))
        return message.to_json()

    def _api_edit_message_reply_markup(self, p: Params) -> JSONDict:
        _, message = self._editable_message(p)
        markup = _reply_markup(p)
        if _inline_part(markup) == _inline_part(message.reply_markup):
            raise _not_modified()
        message.reply_markup = markup
        message.edits.append(Edit(self._now(), "editMessageReplyMarkup", message.text, markup))
        return message.to_json()

    def _api_answer_callback_query(self, p: Params) -> bool:
        query = self.callback_queries.get(p.string("callback_query_id") or "")
        if query is None or query.answer is not None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        query.answer = CallbackAnswer(
            text=p.string("text"),
            show_alert=p.boolean("show_alert"),
            url=p.string("url"),
            cache_time=p.integer("cache_time", 0) or 0,
            at=self._now(),
        )
        return True

    def _api_delete_message(self, p: Params) -> bool:
        chat = self._target_chat(p, writing=True)
        message = chat.messages.get(p.required_int("message_id"))
        if message is None or message.deleted:
            raise bad_request("message to delete not found")
        if not message.from_bot and chat.is_group and not chat.bot_is_admin:
            raise bad_request("message can't be deleted")
        message.deleted, message.deleted_at = True, self._now()
        return True

    def _api_set_my_commands(self, p: Params) -> bool:
        commands = p.obj("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            name = str(command.get("command", ""))
            if not (1 <= len(name) <= 32) or not all(
                c.islower() or c.isdigit() or c == "_" for c in name
            ):
                raise bad_request("BOT_COMMAND_INVALID")
            if not (1 <= len(str(command.get("description", ""))) <= 256):
                raise bad_request("command description is empty")
        key = (_scope_key(p.obj("scope")), p.string("language_code", "") or "")
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _api_get_my_commands(self, p: Params) -> list[JSONDict]:
        key = (_scope_key(p.obj("scope")), p.string("language_code", "") or "")
        return self._commands.get(key, [])

    def _api_delete_my_commands(self, p: Params) -> bool:
        key = (_scope_key(p.obj("scope")), p.string("language_code", "") or "")
        self._commands.pop(key, None)
        return True

    def _api_get_chat_member(self, p: Params) -> JSONDict:
        chat = self._target_chat(p, writing=False)
        user_id = p.required_int("user_id")
        if user_id == self.bot.id:
            return chat_member_json(self.bot, chat.bot_status)
        user = self.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        if chat.type == "private":
            return chat_member_json(user, "member")
        return chat_member_json(user, chat.members.get(user_id, "left"))

    def _api_get_chat(self, p: Params) -> JSONDict:
        return self._target_chat(p, writing=False).full_info_json()

    def _api_set_message_reaction(self, p: Params) -> bool:
        chat = self._target_chat(p, writing=True)
        message = chat.messages.get(p.required_int("message_id"))
        if message is None or message.deleted:
            raise bad_request("MESSAGE_ID_INVALID")
        reaction = p.obj("reaction") or []
        for item in reaction:
            if item.get("type") != "emoji" or item.get("emoji") not in set(ReactionEmoji):
                raise bad_request("REACTION_INVALID")
        message.bot_reaction = reaction
        return True

    def _api_send_document(self, p: Params) -> JSONDict:
        chat = self._target_chat(p, writing=True)
        stored = self._document(p)
        caption, caption_entities = None, []
        if p.has("caption") and p.string("caption"):
            caption, caption_entities = self._formatted_text(
                p, "caption", "caption_entities", CAPTION_LIMIT
            )
        message = self._store(
            chat,
            self.bot,
            document=stored,
            caption=caption,
            caption_entities=caption_entities,
            reply_markup=_reply_markup(p),
            reply_to=self._reply_target(chat, p),
        )
        return message.to_json()

    # -- helpers for the methods ----------------------------------------------------------------

    def _target_chat(self, p: Params, *, writing: bool) -> FakeChat:
        """The chat a call addresses, with Telegram's errors for chats it cannot use."""
        chat_id = p.chat_id()
        if isinstance(chat_id, str):
            chat = next((c for c in self.chats.values() if f"@{c.username}" == chat_id), None)
        elif chat_id in self.chats:
            chat = self.chats[chat_id]
        elif chat_id in self.users:
            chat = self.private_chat(chat_id)
        else:
            chat = None
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if writing and chat.type == "private":
            assert chat.private_user is not None
            if chat.private_user.blocked_bot:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if not chat.private_user.started_bot:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        elif writing and not chat.bot_is_member:
            what = "supergroup chat" if chat.type == "supergroup" else "group chat"
            if chat.bot_status == "kicked":
                raise ApiError(403, f"Forbidden: bot was kicked from the {what}")
            raise ApiError(403, f"Forbidden: bot is not a member of the {what}")
        return chat

    def _editable_message(self, p: Params) -> tuple[FakeChat, StoredMessage]:
        if p.has("inline_message_id"):
            raise bad_request("inline messages are not supported by this fake")
        chat = self._target_chat(p, writing=True)
        message = chat.messages.get(p.required_int("message_id"))
        if message is None or message.deleted:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return chat, message

    def _formatted_text(
        self, p: Params, name: str, entities_name: str, limit: int
    ) -> tuple[str, list[JSONDict]]:
        """The text (or caption) after parse_mode, with its entities, checked like Telegram."""
        raw = p.string(name) or ""
        if not raw.strip():
            raise bad_request("message text is empty")
        parse_mode = (p.string("parse_mode") or "").lower()
        if parse_mode == "html":
            try:
                text, entities = parse_html(raw, self.users)
            except EntityParseError as error:
                raise bad_request(f"can't parse entities: {error}") from None
        elif p.has(entities_name):
            text, entities = raw, list(p.obj(entities_name))
        else:
            # Markdown modes are stored verbatim: only HTML is parsed by this fake.
            text, entities = raw, detect_entities(raw) if not parse_mode else []
        if not text.strip():
            raise bad_request("message text is empty")
        if utf16_len(text) > limit:
            raise bad_request(
                "message is too long" if name == "text" else "message caption is too long"
            )
        return text, entities

    def _reply_target(self, chat: FakeChat, p: Params) -> StoredMessage | None:
        parameters = p.obj("reply_parameters") or {}
        message_id = parameters.get("message_id", p.integer("reply_to_message_id"))
        if message_id is None:
            return None
        target = chat.messages.get(int(message_id))
        if target is None or target.deleted:
            allow = parameters.get("allow_sending_without_reply") or p.boolean(
                "allow_sending_without_reply"
            )
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return target

    def _document(self, p: Params) -> StoredFile:
        value = p.string("document")
        upload = p.files.get("document")
        if value and value.startswith("attach://"):
            upload = p.files.get(value.removeprefix("attach://"))
        if upload is not None:
            number = len(self.files) + 1
            stored = StoredFile(
                file_id=f"BQACAgIAAxkBAAI{number:08d}",
                file_unique_id=f"AgAD{number:06d}",
                filename=upload.filename,
                mime_type=upload.content_type,
                data=upload.data,
            )
            self.files[stored.file_id] = stored
            return stored
        if value and value in self.files:
            return self.files[value]
        raise bad_request("wrong file identifier/HTTP URL specified")

    # -- helpers for the test-side API ----------------------------------------------------------

    def _now(self) -> float:
        return time.time()

    def _pulse(self) -> None:
        """Wake everything waiting for a change (long polls, webhook delivery, wait_for)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_change(self, timeout: float | None) -> None:
        event = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)

    def _chat(self, chat: ChatRef) -> FakeChat:
        if isinstance(chat, FakeChat):
            return chat
        if chat in self.chats:
            return self.chats[chat]
        if chat in self.users:
            return self.private_chat(chat)
        raise KeyError(f"no chat {chat}; create it with tg.group() or tg.user()")

    def _user(self, user: UserRef) -> FakeUser:
        if isinstance(user, FakeUser):
            return user
        if user not in self.users:
            raise KeyError(f"no user {user}; create it with tg.user()")
        return self.users[user]

    def _message(self, chat: FakeChat, message_id: int) -> StoredMessage:
        if message_id not in chat.messages:
            raise KeyError(f"no message {message_id} in chat {chat.id}")
        return chat.messages[message_id]

    def _check_can_write(self, chat: FakeChat, person: FakeUser) -> None:
        if chat.type == "private":
            if chat.private_user is not person:
                raise ValueError(f"{person.first_name} is not in private chat {chat.id}")
            return
        status = chat.members.setdefault(person.id, "member")
        if status in ("left", "kicked"):
            raise ValueError(f"{person.first_name} is not a member of chat {chat.id}")

    def _store(self, chat: FakeChat, sender: FakeUser, **fields: Any) -> StoredMessage:
        message = StoredMessage(
            chat=chat,
            message_id=chat.allocate_message_id(),
            sender=sender,
            date=self._now(),
            **fields,
        )
        message.original_text = message.text
        chat.messages[message.message_id] = message
        self._pulse()
        return message

    def _bot_sees(self, message: StoredMessage) -> bool:
        chat = message.chat
        if chat.type == "private":
            return True
        if not chat.bot_is_member:
            return False
        if not self.privacy_mode or chat.bot_is_admin:
            return True
        # Privacy mode: commands, replies to the bot, mentions and service messages only.
        if message.text is None:
            return True
        if message.reply_to is not None and message.reply_to.from_bot:
            return True
        if f"@{self.bot.username}".lower() in message.text.lower():
            return True
        return any(
            e["type"] == "bot_command"
            and e["offset"] == 0
            and "@" not in message.text[: e["length"]]
            for e in message.entities
        )

    def _message_update(self, message: StoredMessage, kind: str = "message") -> JSONDict:
        return self._enqueue(kind, message.to_json(), visible=self._bot_sees(message))

    def _message_action(self, message: StoredMessage, kind: str = "message") -> Action:
        action = Action(updates=[])
        self._add(action, self._message_update(message, kind), message)
        return action

    def _add(self, action: Action, update: JSONDict, message: StoredMessage | None = None) -> None:
        action.updates.append(update)
        if message is not None:
            action.messages.append(message)
        if update["update_id"] in self._dropped_ids:
            action.dropped.append(update["update_id"])

    def _chat_member(
        self, chat: FakeChat, actor: FakeUser, user: FakeUser, old: str, new: str
    ) -> JSONDict:
        payload = {
            "chat": chat.to_json(),
            "from": actor.to_json(),
            "date": int(self._now()),
            "old_chat_member": chat_member_json(user, old),
            "new_chat_member": chat_member_json(user, new),
        }
        # Telegram only tells administrators about other members' changes.
        return self._enqueue("chat_member", payload, visible=chat.bot_is_admin)

    def _my_chat_member(self, chat: FakeChat, actor: FakeUser, old: str, new: str) -> JSONDict:
        payload = {
            "chat": chat.to_json(),
            "from": actor.to_json(),
            "date": int(self._now()),
            "old_chat_member": chat_member_json(self.bot, old),
            "new_chat_member": chat_member_json(self.bot, new),
        }
        return self._enqueue("my_chat_member", payload)


# ---------------------------------------------------------------------------------------------
# Module helpers
# ---------------------------------------------------------------------------------------------


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


def _reply_markup(p: Params) -> JSONDict | None:
    """The reply_markup parameter, validated the way Telegram validates inline keyboards."""
    markup = p.obj("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("object expected as reply markup")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        for row in rows:
            for button in row:
                if not button.get("text"):
                    raise bad_request('can\'t find field "text"')
                actions = set(button) - {"text"}
                if not actions:
                    raise bad_request("text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
    elif not {"force_reply", "keyboard", "remove_keyboard"} & set(markup):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _inline_part(markup: JSONDict | None) -> list[list[JSONDict]] | None:
    return markup.get("inline_keyboard") if markup else None


def _not_modified() -> ApiError:
    return bad_request(
        "message is not modified: specified new message content and reply markup are exactly "
        "the same as a current content and reply markup of the message"
    )


def _scope_key(scope: JSONDict | None) -> str:
    return json.dumps(scope or {"type": "default"}, sort_keys=True)


@pytest_asyncio.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A started :class:`FakeTelegram`, stopped after the test.

    Import it into a conftest.py to use it: ``from tests.fakes.telegram_server import
    fake_telegram  # noqa: F401``.
    """
    async with FakeTelegram() as tg:
        yield tg
