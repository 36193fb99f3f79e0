"""The command menu Telegram shows when someone types "/" in a chat with the bot.

Each entry is a word of the chat language, the same in every language; its
description is translated. The adapter registers the menu once for everyone
(in English) and once per language the bot can write, so people see it in the
language their Telegram app uses.
"""

from __future__ import annotations

from telegram import BotCommand

from bot.core.i18n import N_, translator

MENU: tuple[tuple[str, str], ...] = (
    ("propose", N_("Ask the group to decide: propose <title>")),
    ("poll", N_("A poll: poll <question> | <option> | <option>")),
    ("timepoll", N_("Find a time: timepoll <title> | <date time> | …")),
    ("signup", N_("Ask who can help: signup We need 1 person for <what> on <day>")),
    ("action", N_("Who does what after a decision: action #7 <who> <what> by <day>")),
    ("done", N_("Say a thing to do is done: done #7.1")),
    ("status", N_("What is open, and what you still need to answer")),
    ("consent", N_("I can live with it: consent #7")),
    ("concern", N_("A worry that does not block: concern #7 <reason>")),
    ("object", N_("It would cause harm: object #7 <reason>")),
    ("vote", N_("Vote in a poll: vote #7 2")),
    ("ask", N_("Ask a question: ask #7 <question>")),
    ("answer", N_("Answer a question: answer #7 <text>")),
    ("amend", N_("Change your proposal: amend #7 <new text>")),
    ("withdraw", N_("Take back your proposal: withdraw #7")),
    ("extend", N_("Give more time: extend #7 <deadline>")),
    ("close", N_("Close a proposal now: close #7")),
    ("reopen", N_("Ask the group once more: reopen #7 <deadline>")),
    ("decisions", N_("What we decided")),
    ("show", N_("Show a proposal: show #7")),
    ("history", N_("All that happened: history #7")),
    ("export", N_("The record as files")),
    ("join", N_("Take part in this group's decisions")),
    ("leave", N_("Stop taking part")),
    ("add", N_("Add someone who is not in the chat: add <name>")),
    ("reminders", N_("Get a note before a deadline: reminders on or off")),
    ("quiet", N_("No private messages at night: quiet 21:00-08:00")),
    ("timezone", N_("Your time zone, like this: timezone Europe/London")),
    ("language", N_("Your language: language pl")),
    ("settings", N_("The group's settings")),
    ("link", N_("Join another chat to this group")),
    ("weblink", N_("A private link to a web page of our decisions")),
    ("mydata", N_("What I keep about you")),
    ("forgetme", N_("Forget your name and accounts")),
    ("help", N_("What I understand")),
)


def bot_commands(language: str | None = None) -> list[BotCommand]:
    """The menu with its descriptions in ``language`` (English if None)."""
    _ = translator(language)
    return [BotCommand(command, _(description)) for command, description in MENU]
