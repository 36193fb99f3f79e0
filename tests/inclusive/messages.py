"""Every message template the bot can send, found the way translators find them.

The templates are extracted from the code with Babel, with the keywords the
project declares in pyproject.toml, so a test over them covers exactly what a
catalog covers. Each template can be rendered with sample values for its
placeholders, to read it as people would.
"""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "bot" / "locale"
PLACEHOLDER = re.compile(r"\{(\w+)[^{}]*\}")

# Sample values, as the bot fills them in: short names and titles, dates spelt out.
SAMPLES = {
    "name": "Sam",
    "by": "Alex",
    "names": "Sam, Alex",
    "number": "7",
    "old": "7",
    "new": "8",
    "id": "2",
    "n": "2",
    "version": "2",
    "option": "2",
    "options": "1, 3",
    "count": "3",
    "total": "5",
    "needed": "50",
    "agree": "3",
    "disagree": "1",
    "yes": "3",
    "maybe": "1",
    "limit": "200",
    "title": "Move the morning visit to 10:00",
    "group": "Mum's care team",
    "deadline": "Friday 5 December, 17:00 UK time",
    "date": "Friday 5 December, 17:00 UK time",
    "when": "Friday 5 December, 17:00 UK time",
    "start": "21:00",
    "end": "08:00",
    "minimum": "1 hour",
    "zone": "UK time",
    "language": "Polish",
    "response": "Consent",
    "text": "Sam covers Tuesdays",
    "decision": "Sam covers Tuesdays",
    "example": "consent #7",
    "word": "consnet",
    "suggestion": "consent",
    "command": "add",
    "setting": "quorum",
    "value": "Sam",
    "commands": '"consent #7" · "object #7"',
    "tally": "✅ Consent 2 · 🟡 Concern 0 · ✋ Object 0",
}


def keywords() -> dict[str, object]:
    """The extraction keywords the project declares (pyproject.toml)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return parse_keywords(config["tool"]["babel"]["extract_messages"]["keywords"].split())


@functools.cache
def extracted() -> dict[str, tuple[str, ...]]:
    """Every msgid in the code, with where it is ("bot/core/cards.py:52")."""
    found: dict[str, list[str]] = {}
    for folder in ("bot", "adapters"):
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=keywords()
        ):
            if isinstance(message, str) and message:
                found.setdefault(message, []).append(f"{folder}/{filename}:{lineno}")
    return {msgid: tuple(places) for msgid, places in found.items()}


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def render(msgid: str) -> str:
    """The template as people read it, with sample values for its placeholders."""
    return PLACEHOLDER.sub(lambda m: SAMPLES.get(m.group(1), "three"), msgid)


def catalog_languages() -> list[str]:
    return sorted(p.name for p in LOCALE.iterdir() if (p / "LC_MESSAGES").is_dir())


def po_file(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "messages.po"


def read_catalog(language: str):  # type: ignore[no-untyped-def]
    with po_file(language).open("rb") as file:
        return read_po(file, locale=language)


def read_compiled(language: str):  # type: ignore[no-untyped-def]
    with po_file(language).with_suffix(".mo").open("rb") as file:
        return read_mo(file)
