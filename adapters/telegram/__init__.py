"""The Telegram adapter: groups, buttons, reactions, private reminders.

See ``docs/telegram.md`` for setting a bot up; :mod:`adapters.telegram.adapter`
for how the parts fit together.
"""

from adapters.telegram.adapter import TelegramAdapter, TelegramSetupError
from adapters.telegram.settings import TelegramSettings

__all__ = ["TelegramAdapter", "TelegramSettings", "TelegramSetupError"]
