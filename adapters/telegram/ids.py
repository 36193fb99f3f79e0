"""How Telegram's numbers become the application's strings, and back.

A person is "telegram:<user id>", a group chat "telegram:<chat id>" (negative),
and a private chat with the bot, as a delivery target, "dm:telegram:<user id>".
"""

from __future__ import annotations

from collections.abc import Iterable

from telegram import User

from bot.core.commands import Actor

PLATFORM = "telegram"

#: Accounts that speak for nobody in particular: the anonymous group admin,
#: Telegram's own service account (automatic channel forwards) and the account
#: shown for posts made in the name of a channel.
ANONYMOUS_ADMIN = 1087968824
TELEGRAM_SERVICE = 777000
CHANNEL_BOT = 136817688
ANONYMOUS_ACCOUNTS = frozenset({ANONYMOUS_ADMIN, TELEGRAM_SERVICE, CHANNEL_BOT})


def chat_key(chat_id: int) -> str:
    """-100123 → "telegram:-100123"."""
    return f"{PLATFORM}:{chat_id}"


def identity(user_id: int) -> str:
    return f"{PLATFORM}:{user_id}"


def private_chat(user_id: int) -> str:
    """Where private answers to ``user_id`` go: "dm:telegram:42"."""
    return f"dm:{PLATFORM}:{user_id}"


def is_private(target: str) -> bool:
    return target.startswith("dm:")


def chat_id_of(target: str) -> int:
    """The Telegram chat id of a chat or a private target ("dm:telegram:42" → 42)."""
    return int(target.removeprefix("dm:").removeprefix(f"{PLATFORM}:"))


def user_id_of(identities: Iterable[str]) -> int | None:
    """The Telegram user id among a member's identities, if they have one."""
    for each in identities:
        if each.startswith(f"{PLATFORM}:"):
            number = each.removeprefix(f"{PLATFORM}:")
            if number.lstrip("-").isdigit():
                return int(number)
    return None


def actor(user: User) -> Actor:
    return Actor(
        identity=identity(user.id),
        name=user.full_name,
        handle=user.username,
        language=user.language_code,
    )
