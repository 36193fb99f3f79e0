"""Where the platforms differ in what the core may say: Matrix has no buttons.

The core's words are the same on every platform but for this. A sentence that
points at a button ("press the button below") would send a Matrix reader
looking for something that is not there; such a sentence is said another way
to a chat without buttons (react, or type the words). A post to every chat of
a group may reach both kinds at once, so it uses words true on all of them.
"""

from __future__ import annotations

# Platforms whose messages carry no buttons: actions are shown as words to type
# (and, on a card, as emoji to react with).
WITHOUT_BUTTONS = frozenset({"matrix"})


def platform_of_chat(chat: str) -> str:
    """ "telegram:-100123" → "telegram"; a private chat "dm:matrix:@sam:x" → "matrix"."""
    return chat.removeprefix("dm:").split(":", 1)[0]


def has_buttons(chat: str) -> bool:
    """Whether messages to ``chat`` show buttons a person can press."""
    return platform_of_chat(chat) not in WITHOUT_BUTTONS


# How each platform is called in a sentence ("reminders on Telegram").
PLATFORM_NAMES = {"telegram": "Telegram", "matrix": "Matrix", "console": "Console"}


def platform_name(platform: str) -> str:
    return PLATFORM_NAMES.get(platform, platform)
