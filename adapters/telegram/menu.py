"""The command menu Telegram shows when someone types "/" in a chat with the bot.

English for now (catalogs per language are a later step). Each entry is a word
of the chat language; the words after it are the same as everywhere else.
"""

from __future__ import annotations

from telegram import BotCommand

MENU: tuple[tuple[str, str], ...] = (
    ("propose", "Propose something to decide: propose <title>"),
    ("poll", "A poll: poll <question> | <option> | <option>"),
    ("timepoll", "Find a time: timepoll <title> | <date time> | …"),
    ("status", "What is open, and what you still need to answer"),
    ("consent", "I can live with it: consent #7"),
    ("concern", "A worry that does not block: concern #7 <reason>"),
    ("object", "It would cause harm: object #7 <reason>"),
    ("vote", "Vote in a poll: vote #7 2"),
    ("ask", "Ask a question: ask #7 <question>"),
    ("answer", "Answer a question: answer #7 <text>"),
    ("amend", "Change your proposal: amend #7 <new text>"),
    ("withdraw", "Withdraw your proposal: withdraw #7"),
    ("extend", "Give more time: extend #7 <deadline>"),
    ("close", "Close a proposal now: close #7"),
    ("reopen", "Decide again: reopen #7 <deadline>"),
    ("decisions", "The decision log"),
    ("show", "Show a proposal: show #7"),
    ("history", "Everything that happened: history #7"),
    ("export", "The record as files"),
    ("join", "Take part in this group's decisions"),
    ("leave", "Stop taking part"),
    ("add", "Add someone who is not in the chat: add <name>"),
    ("reminders", "Private reminders: reminders on or off"),
    ("quiet", "No private messages at night: quiet 21:00-08:00"),
    ("timezone", "Your time zone: timezone Europe/London"),
    ("language", "Your language: language cy"),
    ("settings", "The group's settings"),
    ("link", "Join another chat to this group"),
    ("mydata", "What I keep about you"),
    ("forgetme", "Forget your name and accounts"),
    ("help", "What I understand"),
)


def bot_commands() -> list[BotCommand]:
    return [BotCommand(command, description) for command, description in MENU]
