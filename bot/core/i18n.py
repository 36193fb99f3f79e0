"""Translation, gettext style, without reading any file.

Every sentence the bot says goes through a ``Translate`` function for the
reader's language. The core only looks catalogs up: the application installs
them at start (from compiled gettext catalogs), so the core stays free of I/O
and a language can be added without touching any logic.

``N_`` marks a message for extraction without translating it yet, for texts
that are chosen in one place and translated later, for their reader.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from babel import Locale, UnknownLocaleError

Translate = Callable[[str], str]

_catalogs: dict[str, Translate] = {}


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated later, for its reader."""
    return message


def _untranslated(message: str) -> str:
    return message


def install(language: str, gettext: Translate) -> None:
    """Make a language's catalog available (the application does this at start)."""
    _catalogs[language.lower()] = gettext
    _known.clear()
    _readers.clear()


def installed_languages() -> list[str]:
    return sorted({"en", *_catalogs})


# Longer than any language code people use ("zh-hant-tw", "en-gb-oxendict").
_MAX_CODE = 35
# Codes Babel reads as a stand-in, not as a language (it reads "und" as English).
_NOT_LANGUAGES = frozenset({"und", "root", "mul", "zxx", "mis"})


# Remembered: every request carries the code of the person's chat app.
@functools.lru_cache(maxsize=256)
def real_language(text: str) -> str | None:
    """``text`` as the code of a real language, written the bot's way ("pt_BR" →
    "pt-br", "CY" → "cy"); None if it is not one ("zz", "English", "12").

    The one check for every language code the bot is given: by a person
    (``language cy``), a facilitator (``settings language cy``), the config file
    and the demo. Babel, whose data lists the world's languages, decides. A real
    language the bot cannot write yet is still a language: ``can_write`` tells that.
    """
    code = text.strip().replace("_", "-").lower()
    subtags = code.split("-")
    if (
        not code
        or len(code) > _MAX_CODE
        or not all(tag.isascii() and tag.isalnum() for tag in subtags)
        or not subtags[0].isalpha()
        or subtags[0] in _NOT_LANGUAGES
    ):
        return None
    try:
        locale = Locale.parse(code, sep="-")
    except (UnknownLocaleError, ValueError):
        try:  # a region Babel has no data for ("en-419"): the language is still real
            locale = Locale.parse(subtags[0])
        except (UnknownLocaleError, ValueError):
            return None
    # Babel fills in what it guesses ("iw" → he_IL, "en-zz" → en_US); keep the
    # language (old codes made current) and only the script and region given.
    kept = [locale.language]
    if locale.script and locale.script.lower() in subtags[1:]:
        kept.append(locale.script)
    if locale.territory and locale.territory.lower() in subtags[1:]:
        kept.append(locale.territory)
    return "-".join(kept).lower()


def can_write(language: str | None) -> bool:
    """True if the bot can write in ``language`` (English always; others once
    their catalog is installed, "pl-PL" by the "pl" catalog)."""
    if not language:
        return False
    return _lookup(language)[0]


def reader_language(*choices: str | None) -> str:
    """The first of ``choices`` the bot can write in: a member's own choice, then
    their platform's language, then the group's; English if none."""
    for choice in choices:
        if choice and _lookup(choice)[0]:
            return choice
    return "en"


def translator(language: str | None) -> Translate:
    """The catalog for ``language``, falling back to English ("cy-GB" → "cy" → English)."""
    if not language:
        return _untranslated
    return _lookup(language)[1]


# What each language code resolves to (can the bot write it, and its catalog),
# remembered: every reply asks for the reader's language two or three times, and
# the codes in use are few. Cleared by ``install``, and whenever ``_catalogs``
# itself is another dict than the one the answers came from (tests swap it).
# Codes come from people's apps and settings, so the memo is emptied when full.
_known: dict[str, tuple[bool, Translate]] = {}
K = TypeVar("K")
V = TypeVar("V")
_known_from = _catalogs
_KNOWN_MAX = 256


def _lookup(language: str) -> tuple[bool, Translate]:
    return _remembered(_known, language, _resolve)


def _resolve(language: str) -> tuple[bool, Translate]:
    code = language.lower().replace("_", "-")
    base = code.split("-")[0]
    writable = base == "en" or code in _catalogs or base in _catalogs
    return writable, _catalogs.get(code) or _catalogs.get(base) or _untranslated


def reader_translator(chosen: str | None, platform: str | None, group: str) -> Translate:
    """``translator(reader_language(chosen, platform, group))``, remembered the
    same way: every reply asks it, and the combinations in use are few."""
    return _remembered(
        _readers,
        (chosen, platform, group),
        lambda key: translator(reader_language(*key)),
    )


def _remembered(memo: dict[K, V], key: K, make: Callable[[K], V]) -> V:
    """``make(key)``, remembered in ``memo`` while the catalogs stay the same."""
    found = memo.get(key)
    if found is not None and _known_from is _catalogs:
        return found
    _forget_if_changed()
    if len(memo) >= _KNOWN_MAX:
        memo.clear()
    found = memo[key] = make(key)
    return found


_readers: dict[tuple[str | None, str | None, str], Translate] = {}


def _forget_if_changed() -> None:
    global _known_from
    if _known_from is not _catalogs:
        _known.clear()
        _readers.clear()
        _known_from = _catalogs


@dataclass(frozen=True, slots=True)
class Phrase:
    """A message chosen now and written later, in its reader's language."""

    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, _: Translate) -> str:
        return _(self.msgid).format(**self.params)
