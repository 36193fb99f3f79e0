"""Reading responses: "consent #7", "object #7 <reason>", "vote #7 1 3 maybe 2", "for Mum …".

The parser does not know which process a proposal follows, so it keeps the
word the person used ("ok", "objection", "✋") and ``decide`` reads it with
the process table. The vocabulary comes from that same table, so a synonym
added there is understood here at once.

Two things the parser can still check on its own, because they hold in every
process: a word that always needs a reason ("object", "concern", "block",
"disagree", "advice"), and a word that only ever means a vote ("vote",
"pick"), which needs option numbers.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.core.commands import Respond
from bot.core.i18n import N_, Phrase
from bot.core.language_words import (
    MAX_SHORT,
    MAX_TEXT,
    NotUnderstood,
    Said,
    Words,
    free_text,
    over,
    phrase_key,
    proposal_number,
    tidy,
)
from bot.core.names import fold
from bot.core.processes import PROCESSES, ResponseKind


def _vocabulary() -> dict[str, str]:
    """Every phrase that starts a response (folded) → the word kept in ``Respond.word``."""
    words: dict[str, str] = {}
    for process in PROCESSES.values():
        for kind in process.responses:
            for word in (kind.name, *kind.synonyms, kind.emoji):
                words[phrase_key(word)] = phrase_key(word)
    for word in list(words):  # "i object", "i agree": the same, in the first person
        if word.isalpha():
            words.setdefault(f"i {word}", word)
    for phrase in ("i've read this", "ive read this", "i have read this", "read this", "read it"):
        words[phrase] = "read"
    return words


RESPONSES: dict[str, str] = _vocabulary()
_LONGEST = max(len(phrase.split()) for phrase in RESPONSES)


def _kinds(word: str) -> list[ResponseKind]:
    """What ``word`` means in each process where it means something."""
    return [kind for process in PROCESSES.values() if (kind := process.response(word))]


# Words that need a reason in every process they belong to, and words that only
# ever mean a vote.
ALWAYS_REASON = frozenset(w for w in RESPONSES.values() if all(k.needs_reason for k in _kinds(w)))
ONLY_VOTE = frozenset(w for w in RESPONSES.values() if all(k.name == "vote" for k in _kinds(w)))
_MAY_VOTE = frozenset(w for w in RESPONSES.values() if any(k.name == "vote" for k in _kinds(w)))

# Why a reason is needed, and a reason to show, by the response the word means.
_REASON_ASKS: dict[str, tuple[str, str]] = {
    "object": (N_("Please say why you object, so the group can work on it."),
               "Tuesday is too early for Mum"),
    "block": (N_("Please say why you block this, so the group can work on it."),
              "Tuesday is too early for Mum"),
    "concern": (N_("Please say what worries you, so it can be kept in mind."),
                "the bus is often late"),
    "disagree": (N_("Please say why you disagree."), "it costs too much"),
    "advice": (N_("Please write your advice after the number."), "ask the GP first"),
}  # fmt: skip
_ANY_REASON = (N_("Please add your reason after the number."), "Tuesday is too early for Mum")


def response_at(words: Words) -> tuple[str, int] | None:
    """The response phrase starting at the current word: (word to keep, words it uses)."""
    for size in range(_LONGEST, 0, -1):
        phrase = words.peek_phrase(size)
        if len(phrase.split()) == size and phrase in RESPONSES:
            return RESPONSES[phrase], size
    return None


def response_name(word: str) -> str:
    """The response a word names first in the process table: "objection" → "object"."""
    return _kinds(word)[0].name


def example(word: str, number: int | None = None) -> str:
    """A correct response to copy, in the person's own word and with their number."""
    shown = word if word.replace(" ", "").isalpha() else response_name(word)
    if word in ONLY_VOTE:
        text = "2"
    elif word in ALWAYS_REASON:
        text = _reason_ask(word)[1]
    else:
        text = ""
    return " ".join(part for part in (shown, f"#{number or 7}", text) if part)


def _reason_ask(word: str) -> tuple[str, str]:
    kind = next(k.name for k in _kinds(word) if k.needs_reason)
    return _REASON_ASKS.get(kind, _ANY_REASON)


# A second proposal number right after the first: "consent #1 #2".
_ANOTHER_NUMBER = re.compile(r"\s*#\s*\d+\b")


def read_response(words: Words, word: str, said: Said) -> Respond | NotUnderstood:
    """The rest of a response, after its word."""
    if word in ONLY_VOTE:
        return _vote(words, word, said)
    number = proposal_number(words, said)
    rest = words.rest()
    if word in _MAY_VOTE and (picks := read_choices(rest)) is not None:
        return _choices(number, word, picks)  # "yes #7 1 3": a time poll
    if _ANOTHER_NUMBER.match(rest):  # "consent #1 #2": two proposals in one answer
        return NotUnderstood(
            Phrase(N_("Please answer one proposal at a time, each in its own message.")),
            example(word, number),
        )
    reason = free_text(rest)
    if word in ALWAYS_REASON and not any(ch.isalpha() for ch in reason):
        # No reason, or one with no word in it ("object #1 =1+2"): ask for the why.
        return NotUnderstood(Phrase(_reason_ask(word)[0]), example(word, number))
    refusal = over(reason, "reason", MAX_TEXT, example(word, number))
    return refusal or Respond(number=number, word=word, reason=reason)


# -- votes ---------------------------------------------------------------------------------

_MAYBE = frozenset({"maybe", "perhaps", "possibly", "ifneedbe"})
_YES = frozenset({"yes", "definitely"})
# Words and marks between option numbers that change nothing: "1, 3 and option 5".
_JOINS = frozenset(
    {"and", "or", "&", "+", ",", "/", ".", ":", ";", "!", "#", "-", "for", "option", "options",
     "opt", "slot", "slots", "number", "numbers", "time", "times"}
)  # fmt: skip
_CHOICE_TOKEN = re.compile(r"\d+|[^\W\d_]+|[^\w\s]")


def read_choices(text: str) -> list[tuple[int, bool]] | None:
    """Option numbers, each with whether it was a "maybe": "1 3 maybe 2" →
    [(1, False), (3, False), (2, True)]. None if the text is not only that."""
    tokens = _CHOICE_TOKEN.findall(fold(text))
    picks: list[tuple[int, bool]] = []
    maybe = False
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.isdigit():
            if len(token) > 3:
                return None
            picks.append((int(token), maybe))
        elif token in _MAYBE:
            maybe = True
        elif tokens[i : i + 3] == ["if", "need", "be"]:
            maybe = True
            i += 2
        elif token in _YES:
            maybe = False
        elif token not in _JOINS:
            return None
        i += 1
    return picks or None


def _choices(number: int | None, word: str, picks: list[tuple[int, bool]]) -> Respond:
    choices = tuple(dict.fromkeys(n for n, maybe in picks if not maybe))
    maybe = tuple(dict.fromkeys(n for n, is_maybe in picks if is_maybe and n not in choices))
    return Respond(number=number, word=word, choices=choices, maybe=maybe)


def _vote(words: Words, word: str, said: Said) -> Respond | NotUnderstood:
    """ "vote #7 2", "vote 7 2", "vote 2" (in reply to the card), "vote #7 1 3 maybe 2".

    With "#7" the number is clear. Otherwise the first of several bare numbers
    is the proposal's ("vote 7 2") unless the message replies to another card;
    a single bare number is always the option ("vote 2").
    """
    number = said.number
    found = words.number_ahead() if number is None else None
    if found is not None and found[2]:
        number = found[0]
        words.take(found[1])
    picks = read_choices(words.rest())
    if picks is None:
        return NotUnderstood(
            Phrase(N_("Please add the number of the option you choose, after the poll's number.")),
            example(word, number or said.reply_to),
        )
    first, first_is_maybe = picks[0]
    if number is None and len(picks) >= 2 and not first_is_maybe and said.reply_to in (None, first):
        number, picks = first, picks[1:]
    return _choices(said.reply_to if number is None else number, word, picks)


# -- proxy responses -----------------------------------------------------------------------

PROXY_EXAMPLE = "for @mum consent #7"
_MAX_NAME_WORDS = 4


def read_proxy(words: Words, said: Said) -> Respond | NotUnderstood:
    """ "for @mum consent #7", "for Auntie Jo: object #7 <reason>": a response given for
    someone else, attributed to them."""
    name: list[str] = []
    while not words.done and len(name) < _MAX_NAME_WORDS and response_at(words) is None:
        name.append(words.original())
        words.take()
    found = response_at(words)
    person = tidy(" ".join(name))
    if not person or found is None:
        return NotUnderstood(
            Phrase(N_("Please say who you answer for, then their answer.")), PROXY_EXAMPLE
        )
    if refusal := over(person, "name", MAX_SHORT, PROXY_EXAMPLE):
        return refusal
    word, size = found
    words.take(size)
    response = read_response(words, word, said)
    if isinstance(response, NotUnderstood):
        return response
    return replace(response, proxy_for=person)
