"""The console adapter: a chat in the terminal, for trying the bot without any account.

It is a real adapter (the same application, database, outbox and timers as
Telegram and Matrix) and the harness for conversation scenarios in tests.
"""

from adapters.console.adapter import ConsoleAdapter
from adapters.console.session import ConsoleSession

__all__ = ["ConsoleAdapter", "ConsoleSession"]
