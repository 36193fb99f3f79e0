"""Translation, gettext style, without reading any file.

Every sentence the bot says goes through a ``Translate`` function for the
reader's language. The core only looks catalogs up: the application installs
them at start (from compiled gettext catalogs), so the core stays free of I/O
and a language can be added without touching any logic.

``N_`` marks a message for extraction without translating it yet, for texts
that are chosen in one place and translated later, for their reader.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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


def installed_languages() -> list[str]:
    return sorted({"en", *_catalogs})


def _base(language: str) -> str:
    return language.lower().replace("_", "-").split("-")[0]


def can_write(language: str | None) -> bool:
    """True if the bot can write in ``language`` (English always; others once
    their catalog is installed, "pl-PL" by the "pl" catalog)."""
    if not language:
        return False
    code = language.lower().replace("_", "-")
    return _base(code) == "en" or code in _catalogs or _base(code) in _catalogs


def reader_language(*choices: str | None) -> str:
    """The first of ``choices`` the bot can write in: a member's own choice, then
    their platform's language, then the group's; English if none."""
    for choice in choices:
        if can_write(choice):
            return choice  # type: ignore[return-value]
    return "en"


def translator(language: str | None) -> Translate:
    """The catalog for ``language``, falling back to English ("cy-GB" → "cy" → English)."""
    if not language:
        return _untranslated
    code = language.lower().replace("_", "-")
    return _catalogs.get(code) or _catalogs.get(code.split("-")[0]) or _untranslated


@dataclass(frozen=True, slots=True)
class Phrase:
    """A message chosen now and written later, in its reader's language."""

    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, _: Translate) -> str:
        return _(self.msgid).format(**self.params)
