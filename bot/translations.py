"""The translations that ship with the package, handed to the core at start.

The core never opens a file (``bot.core.i18n`` only looks sentences up), so the
application does it here: every compiled catalog in ``bot/locale`` is read
once and installed for its language. ``runtime`` and ``demo`` call
:func:`install_translations` before anything is said.
"""

from __future__ import annotations

import gettext
from importlib import resources
from importlib.resources.abc import Traversable

from bot.core import i18n

DOMAIN = "messages"


def _locale_folder() -> Traversable:
    return resources.files("bot") / "locale"


def shipped_languages() -> list[str]:
    """The languages with a compiled catalog in the package ("es", "pl")."""
    folder = _locale_folder()
    if not folder.is_dir():
        return []
    return sorted(
        entry.name
        for entry in folder.iterdir()
        if (entry / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file()
    )


def load(language: str) -> gettext.GNUTranslations:
    """The compiled catalog of ``language``."""
    compiled = _locale_folder() / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with compiled.open("rb") as file:
        return gettext.GNUTranslations(file)


def install_translations() -> list[str]:
    """Install every shipped catalog in the core; returns their languages."""
    languages = shipped_languages()
    for language in languages:
        i18n.install(language, load(language).gettext)
    return languages
