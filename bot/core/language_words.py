"""The words of the chat language: how a message is read, word by word.

The parser (``language``) never compares raw text. Each word is *folded*
(lower case, accents and emoji variations removed, surrounding punctuation
dropped), so "Consent!", "CONSENT" and "consént" are one word. The original
text is kept beside the folded words, because titles, reasons and details
are stored exactly as people typed them.

This module also defines :class:`NotUnderstood`, the parser's answer when it
cannot read a message, so that every part of the parser can give it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.commands import Action
from bot.core.i18n import N_, Phrase
from bot.core.names import fold

# How long things may be. Chats allow about 4,000 characters in a message;
# the record and the cards stay readable with these.
MAX_MESSAGE = 4_000
MAX_TITLE = 200
MAX_DETAILS = 3_000  # details of a proposal, and the new text of an amendment
MAX_TEXT = 1_000  # a reason, a question, an answer, an outcome
MAX_SHORT = 200  # a name, a date, a setting's value, a poll option


@dataclass(frozen=True, slots=True)
class NotUnderstood:
    """What the parser says when it cannot read a message.

    ``problem`` is a short, friendly sentence that says what to do instead;
    ``example`` is a correct command the person can copy.
    """

    problem: Phrase
    example: str


# What each limit is called in its refusal, one sentence per thing so that
# translators get whole sentences.
TOO_LONG: dict[str, str] = {
    "message": N_("That is too long: please keep a message under {limit} characters."),
    "title": N_("That is too long: please keep a title under {limit} characters."),
    "details": N_("That is too long: please keep the details under {limit} characters."),
    "reason": N_("That is too long: please keep a reason under {limit} characters."),
    "question": N_("That is too long: please keep a question under {limit} characters."),
    "answer": N_("That is too long: please keep an answer under {limit} characters."),
    "outcome": N_("That is too long: please keep an outcome under {limit} characters."),
    "date": N_("That is too long: please keep a date under {limit} characters."),
    "name": N_("That is too long: please keep a name under {limit} characters."),
    "value": N_("That is too long: please keep a setting under {limit} characters."),
    "option": N_("That is too long: please keep each option under {limit} characters."),
    "action": N_("That is too long: please keep a thing to do under {limit} characters."),
}


def too_long(what: str, limit: int, example: str) -> NotUnderstood:
    # The limit goes in written out ("1,000"): parameters travel as text.
    return NotUnderstood(Phrase(TOO_LONG[what], {"limit": f"{limit:,}"}), example)


def over(text: str, what: str, limit: int, example: str) -> NotUnderstood | None:
    """A refusal if ``text`` is longer than ``limit``, else None."""
    return too_long(what, limit, example) if len(text) > limit else None


# -- folding -------------------------------------------------------------------------------

# Marks that change how an emoji looks, not what it means: variation
# selectors, skin tones, the zero-width joiner.
_EMOJI_MARKS = re.compile("[\ufe0e\ufe0f\u200d\U0001f3fb-\U0001f3ff]")
# Punctuation that belongs to a word and is kept: "#7", "@sam", "50%".
_KEPT = "#@%"


def _is_punctuation(ch: str) -> bool:
    return ch not in _KEPT and unicodedata.category(ch)[0] in "PS" and not _is_emoji(ch)


def _is_emoji(ch: str) -> bool:
    return ord(ch) >= 0x2300 and unicodedata.category(ch) == "So"


# ASCII punctuation and symbols, the marks ``key`` strips from a word's ends.
_ASCII_MARKS = "".join(
    ch for ch in map(chr, range(128)) if ch not in _KEPT and unicodedata.category(ch)[0] in "PS"
)


def key(word: str) -> str:
    """A word as the parser compares it: "Consént!" → "consent", "✋🏽" → "✋".

    A word that is nothing but punctuation ("?", "-") stays as it is.
    """
    if word.isascii():
        # Most words: nothing to decompose, no accents, quotes or emoji marks, so
        # folding is lower case and stripping the marks is one ``strip``.
        folded = word.strip().lower()
        return folded.strip(_ASCII_MARKS) or folded
    folded = _EMOJI_MARKS.sub("", fold(word.replace("’", "'").replace("‘", "'")))
    start, end = 0, len(folded)
    while start < end and _is_punctuation(folded[start]):
        start += 1
    while end > start and _is_punctuation(folded[end - 1]):
        end -= 1
    return folded[start:end] or folded


def phrase_key(text: str) -> str:
    """A few words as the parser compares them: "  Hide  Results. " → "hide results"."""
    return " ".join(k for k in (key(w) for w in text.split()) if k)


# Words people add that change nothing: "status please", "consent #7, thanks!".
FILLER = frozenset({"please", "pls", "plz", "thanks", "thank you", "thx", "ta", "cheers"})
# Every word of those: a text with any other word is not filler.
_FILLER_WORDS = frozenset(word for phrase in FILLER for word in phrase.split())


def is_filler(text: str) -> bool:
    """True if ``text`` says nothing: empty, punctuation, or only "please"/"thanks"."""
    words = []
    for word in text.split():
        k = key(word)
        if any(ch.isalnum() for ch in k):
            if k not in _FILLER_WORDS:
                return False  # a reason, say: no need to read the rest of it
            words.append(k)
    return not words or " ".join(words) in FILLER or all(w in FILLER for w in words)


_TRAILING_MARKS = ".!?,;:"
_QUOTES = "\"'“”‘’«»`"


def tidy(value: str) -> str:
    """A short value without what people put around it: quotes, a final "!" or "please".

    "Mum, please!" → "Mum"; "5 p.m." keeps its last dot.
    """
    value = value.strip()
    while True:
        before = value
        value = value.strip().strip(_QUOTES).strip()
        if not re.search(r"[ap]\.m\.$", value, re.IGNORECASE):
            value = value.rstrip(_TRAILING_MARKS).rstrip()
        words = value.split()
        if words and key(words[-1]) in FILLER:
            value = value[: value.rfind(words[-1])]
        elif len(words) >= 2 and phrase_key(" ".join(words[-2:])) in FILLER:
            value = value[: value.rfind(words[-2])]
        if value == before:
            return value


# Letters that show nothing: the Hangul fillers and the blank Braille pattern.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def visible(text: str) -> bool:
    """Whether ``text`` has anything to read: not only spaces, zero-width marks
    (``Cf``), control characters or blank letters."""
    return any(unicodedata.category(ch)[0] not in "CZ" and ch not in _BLANK_LETTERS for ch in text)


def free_text(text: str) -> str:
    """Text kept as typed (a reason, details), without the marks that join it to
    the command ("object #7: …", "object #7 - …") or a final lone "please"."""
    text = text.strip().lstrip(":;,-–—=>").strip()
    return "" if is_filler(text) else text


# -- reading word by word ------------------------------------------------------------------

_WORD = re.compile(r"\S+")
# One word that names a proposal: "#7", "no.7", "nr7", "№7" (which folds to "no7").
_NUMBER_WORD = re.compile(r"(?:#|no\.?|nr\.?|n°|#no)?#?(\d{1,9})")
# A word that comes before a number and says "this is the proposal's number".
_NUMBER_MARKS = frozenset({"#", "no", "nr", "n°", "number", "num", "proposal", "prop"})


class Words:
    """A message read left to right: folded words, with the original text kept."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
        # Folded when first looked at: the words of a reason or a title never are.
        self._keys: list[str | None] = [None] * len(self._spans)
        self.at = 0

    @property
    def done(self) -> bool:
        return self.at >= len(self._spans)

    def peek(self, ahead: int = 0) -> str:
        """The folded word ``ahead`` words on, or "" past the end."""
        i = self.at + ahead
        if i >= len(self._keys):
            return ""
        found = self._keys[i]
        if found is None:
            start, end = self._spans[i]
            found = self._keys[i] = key(self.text[start:end])
        return found

    def peek_phrase(self, size: int, ahead: int = 0) -> str:
        """``size`` folded words, ``ahead`` words on, as one phrase ("no advice")."""
        return " ".join(w for w in (self.peek(ahead + i) for i in range(size)) if w)

    def original(self, ahead: int = 0) -> str:
        """The word ``ahead`` words on, as typed."""
        i = self.at + ahead
        if i >= len(self._spans):
            return ""
        start, end = self._spans[i]
        return self.text[start:end]

    def take(self, count: int = 1) -> None:
        self.at = min(self.at + count, len(self._spans))

    def rest(self) -> str:
        """Everything from the current word on, as typed (line breaks kept)."""
        if self.done:
            return ""
        return self.text[self._spans[self.at][0] :].strip()

    def number_ahead(self, ahead: int = 0) -> tuple[int, int, bool] | None:
        """A proposal number starting ``ahead`` words on: (number, words used, explicit).

        Explicit forms say they are a number ("#7", "# 7", "no. 7", "proposal 7");
        a bare "7" is not explicit, and the caller decides what it means.
        """
        word = self.peek(ahead)
        if not word:
            return None
        match = _NUMBER_WORD.fullmatch(word)
        if match is not None:
            return int(match[1]), 1, not word.isdigit()
        if word in _NUMBER_MARKS:
            follow = _NUMBER_WORD.fullmatch(self.peek(ahead + 1))
            if follow is not None:
                return int(follow[1]), 2, True
        return None


@dataclass(frozen=True, slots=True)
class Said:
    """What is known around the words: the card replied to, and a "#7" typed first."""

    reply_to: int | None = None
    number: int | None = None  # "#7 consent": the number came before the command


# Little words between a command and an explicit number: "consent to #7", "concern about #7".
_NUMBER_LEADS = frozenset({"to", "on", "about", "for", "re", "with", "in", "of"})


def proposal_number(words: Words, said: Said) -> int | None:
    """The proposal a command is about, reading a number right after the command.

    A number typed wins over the card replied to. "#7", "# 7" and "no. 7" are
    always the proposal's number. A bare "7" is too, unless the message replies
    to another card: then it belongs to the text ("object 3 visits a day is
    too many", said in reply to #7). Without any number: the card replied to,
    else None (``decide`` then picks the only open proposal, or asks).
    """
    if said.number is not None:
        return said.number
    ahead = 0
    if words.peek() in _NUMBER_LEADS:
        lead = words.number_ahead(1)
        ahead = 1 if lead is not None and lead[2] else 0
    found = words.number_ahead(ahead)
    if found is None:
        return said.reply_to
    number, used, explicit = found
    if explicit or said.reply_to is None or number == said.reply_to:
        words.take(ahead + used)
        return number
    return said.reply_to


Handler = Callable[[Words, Said], Action | NotUnderstood]
"""Reads what follows a command word into an action."""
