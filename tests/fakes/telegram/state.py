"""The fake's state (people, chats, messages, the update queue) and the helpers every part
of the server shares. Nothing here speaks HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Sequence
from typing import Any

import aiohttp
from aiohttp import web

from .faults import FaultPlan, RateLimiter, RateLimits
from .objects import (
    ANONYMOUS_ADMIN_ID,
    TELEGRAM_SERVICE_ID,
    FakeChat,
    FakeUser,
    JSONDict,
    StoredFile,
    StoredMessage,
    bad_request,
    chat_member_json,
)
from .records import Action, CallbackQuery, CallRecord, WebhookAttempt, WebhookConfig

DEFAULT_TOKEN = "123456789:TEST-FAKE-TOKEN-deciding-together"

#: Update types Telegram leaves out unless ``allowed_updates`` names them.
OFF_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

ChatRef = FakeChat | int
UserRef = FakeUser | int


class TelegramState:
    """What the server holds, and the few steps every concern shares.

    Every part of :class:`~tests.fakes.telegram.FakeTelegram` (acting as people, the Bot API
    methods by concern, faults) is a subclass of this, so each sees the same state.
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

    # -- finding things -----------------------------------------------------------------------

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

    # -- the update queue -------------------------------------------------------------------

    def _wanted(self, kind: str) -> bool:
        if not self._allowed_updates:
            return kind not in OFF_BY_DEFAULT
        return kind in self._allowed_updates

    def _enqueue(self, kind: str, payload: JSONDict, *, visible: bool = True) -> JSONDict:
        update: JSONDict = {"update_id": self._next_update_id, kind: payload}
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

    # -- what people write, and what the bot gets to see of it ------------------------------

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
