"""Reading sign-ups and actions after a decision.

    signup We need 1 person for the Tuesday visit on 15 December
    signup We need 2 people to help Mum move rooms on Saturday by Thursday
    action #7 Alex buys the shower chair by Friday
    action #7.1 by Monday        done #7.1        I'll do it #7.1

A sign-up is read like a proposal (its option lines below the first, such as
``by Friday``), then its first line gives how many people it needs ("1 person",
"two carers", "someone"), the day it is for ("on 15 December") and, at its end,
when it closes ("by Friday"). The core reads the dates, as it does every date.

An action is named after its decision: ``#7.1`` is the first action of #7.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.core.commands import Action, ActionDone, AddAction, MoveAction, Propose, TakeAction
from bot.core.i18n import N_, Phrase
from bot.core.language_options import read_option, read_proposal
from bot.core.language_words import (
    MAX_SHORT,
    NotUnderstood,
    Said,
    Words,
    free_text,
    key,
    over,
    proposal_number,
    tidy,
)

MAX_ACTION = 300  # a thing to do is a line: who does what, by when

EXAMPLES = {
    "signup": "signup We need 1 person for the Tuesday visit on 15 December",
    "action": "action #7 Alex buys the shower chair by Friday",
    "done": "done #7.1",
    "take": "I'll do it #7.1",
}

# An action's name: "#7.1", "7.1".
_ITEM = re.compile(r"#?(\d{1,9})\.(\d{1,3})")
# A date at the end of a line: "… by Friday", "… before 15 December".
_DUE = re.compile(r"\s+(?:by|before|until|till)\s+(?=\S)", re.IGNORECASE)
# The day a sign-up is for: "… on 15 December", "… on Tuesday".
_ON = re.compile(r"\bon\s+(?=\S)", re.IGNORECASE)
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
# "1 person", "two more carers", "3 of us": a count of people.
_PEOPLE = re.compile(
    r"\b(\d{1,3}|" + "|".join(_NUMBERS) + r")\s+(?:more\s+)?"
    r"(?:persons?|people|carers?|helpers?|volunteers?|drivers?|of us)\b",
    re.IGNORECASE,
)
_SOMEONE = re.compile(r"\b(?:someone|somebody|anyone|anybody)\b", re.IGNORECASE)
# "We need 1 person for …", "Need two carers to …", "Someone to …": what a sign-up is for.
_ASKING = re.compile(
    r"^\s*(?:(?:we\s+)?(?:need|want|are\s+looking\s+for)\s+)?"
    r"(?:(?:\d{1,3}|" + "|".join(_NUMBERS) + r")\s+(?:more\s+)?"
    r"(?:persons?|people|carers?|helpers?|volunteers?|drivers?|of\s+us)"
    r"|someone|somebody|anyone|anybody)\s+(?:for|to)\s+(?=\S)",
    re.IGNORECASE,
)


# -- sign-ups ------------------------------------------------------------------------------


def read_signup(body: str) -> Propose | NotUnderstood:
    """A ``signup`` message, after its command word."""
    found = read_proposal("signup", body)
    if isinstance(found, NotUnderstood):
        return found
    title, due = split_due(found.title)
    return replace(
        found,
        title=title,
        process="signup",
        target=people_wanted(title),
        on=day_named(title),
        deadline=found.deadline or due,
    )


def people_wanted(title: str) -> int | None:
    """How many people the words ask for; None if they do not say (the core takes one)."""
    match = _PEOPLE.search(title)
    if match is not None:
        word = match[1].casefold()
        return int(word) if word.isdigit() else _NUMBERS[word]
    return 1 if _SOMEONE.search(title) else None


def what_for(title: str) -> str:
    """What a sign-up is for, as a thing to do: "We need 1 person for the Tuesday
    visit" → "the Tuesday visit"; the whole title when it does not read that way."""
    match = _ASKING.match(title)
    return title[match.end() :].strip() if match is not None else title


def day_named(title: str) -> str | None:
    """The words after the last "on", if short enough to be a date."""
    starts = [m.end() for m in _ON.finditer(title)]
    if not starts:
        return None
    words = title[starts[-1] :].strip()
    reading = read_option(f"by {words}", "propose")
    return reading[1] if isinstance(reading, tuple) and reading[0] == "deadline" else None  # type: ignore[return-value]


def split_due(text: str) -> tuple[str, str | None]:
    """``text`` without a date at its end, and the date: "buys the chair by Friday"
    → ("buys the chair", "Friday"). A "by" that starts no date stays in the text."""
    ends = list(_DUE.finditer(text))
    if not ends:
        return text, None
    last = ends[-1]
    reading = read_option("by " + text[last.end() :], "propose")
    if isinstance(reading, tuple) and reading[0] == "deadline":
        return text[: last.start()].rstrip(), str(reading[1])
    return text, None


# -- actions -------------------------------------------------------------------------------


def _item(words: Words) -> tuple[int, int] | None:
    """An action's name at the current word ("#7.1"), taken if found."""
    word = words.peek()
    if word == "#":
        word = "#" + words.peek(1)
        used = 2
    else:
        used = 1
    match = _ITEM.fullmatch(word)
    if match is None:
        return None
    words.take(used)
    return int(match[1]), int(match[2])


def _due(words: Words) -> str:
    value = tidy(words.rest())
    first = value.split(None, 1)
    if len(first) == 2 and key(first[0]) in ("by", "to", "until", "till", "on"):
        value = first[1]
    return value


def read_action(words: Words, said: Said) -> Action | NotUnderstood:
    """``action #7 <who does what> [by <date>]``, or ``action #7.1 by <date>``."""
    item = _item(words)
    if item is not None:
        due = _due(words)
        if not due:
            return NotUnderstood(
                Phrase(N_("Please say the new date after the number.")),
                f"action #{item[0]}.{item[1]} by Monday",
            )
        return over(due, "date", MAX_SHORT, "action #7.1 by Monday") or MoveAction(
            item[0], item[1], due
        )
    number = proposal_number(words, said)
    text, by = split_due(free_text(words.rest()))
    return over(text, "action", MAX_ACTION, EXAMPLES["action"]) or AddAction(number, text, by)


def _needs_item(command: str) -> NotUnderstood:
    return NotUnderstood(
        Phrase(N_("Please add the number of the thing to do, like #7.1. Say status to see them.")),
        EXAMPLES[command],
    )


def read_done(words: Words, said: Said) -> Action | NotUnderstood:
    item = _item(words)
    return _needs_item("done") if item is None else ActionDone(*item)


def read_take(words: Words, said: Said) -> Action | NotUnderstood:
    item = _item(words)
    return _needs_item("take") if item is None else TakeAction(*item)
