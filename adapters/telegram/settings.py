"""What the Telegram adapter needs to know from the ``[telegram]`` section of the config.

The adapter accepts any object with these attributes (``bot.config.TelegramConfig``
in production, a small stand-in in tests), so it never depends on how the file
is read.
"""

from __future__ import annotations

from typing import Protocol


class TelegramSettings(Protocol):
    """What the adapter reads from the ``[telegram]`` section of the configuration."""

    @property
    def token(self) -> str: ...
    @property
    def base_url(self) -> str | None: ...
    @property
    def mode(self) -> str: ...  # "polling" or "webhook"
    @property
    def webhook_url(self) -> str | None: ...
    @property
    def listen(self) -> str | None: ...  # "host:port"
    @property
    def secret_token(self) -> str | None: ...
    @property
    def bot_username(self) -> str | None: ...
