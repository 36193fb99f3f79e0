"""What the fake remembers for tests to inspect: calls, button presses and answers, webhook
posts, and the :class:`Action` a simulated person's step returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import telegram

from .faults import FaultKind
from .objects import FakeChat, FakeUser, JSONDict, StoredMessage, UploadedFile


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
