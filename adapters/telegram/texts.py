"""The few things the Telegram adapter says in its own words.

Everything else the bot says comes from the core. These are about Telegram
itself (a button that no longer works, a private message that could not be
sent), marked for translation like the core's sentences and looked up in the
reader's language.
"""

from __future__ import annotations

from bot.core.i18n import N_, translator

UNKNOWN_BUTTON = N_("This button no longer works. Please type the command instead.")
OTHER_GROUP_BUTTON = N_("This button is from another group, so I did nothing.")
CANNOT_MESSAGE_PRIVATELY = N_("I can't send you private messages, so I'm writing here.")
GET_REMINDERS = N_("Get private reminders")
FILE_NEEDS_PRIVATE_CHAT = N_(
    "I can't send you your data in private yet, and I won't share it here. "
    "Please start a private chat with me. Then say mydata again."
)
START_PRIVATE_CHAT = N_("Start a private chat")
# Said in the group, to nobody by name: #{number} is anonymous.
REASON_NEEDS_PRIVATE_CHAT = N_(
    "#{number} is anonymous, so I ask for reasons in private. I can't write to you in "
    "private yet. Please start a private chat with me, then press the button again."
)
REASON_PLACEHOLDER = N_("Your answer")
SHORTENED = N_("This is shortened to fit. To see all of it, type: show #{number}")
# Replies to a ForceReply prompt that mean "never mind".
CANCEL_WORDS = frozenset({"cancel", "stop", "never mind", "nevermind"})


def say(message: str, language: str | None = None) -> str:
    return translator(language)(message)
