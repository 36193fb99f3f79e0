"""Words for messages: how a mistake speaks of what someone wrote and where.

What was written, the way TOML spells it (never a secret's value); a near
miss's likely meaning; lists of options; a length of time; where a secret came
from.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.config.schema import _TELEGRAM_TOKEN, SECRET_ENV


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    """' Did you mean "polling"?' for a near miss (any case, - for _), else ''."""
    choices = {option.lower(): option for option in options}
    folded = word.strip().lower().replace("-", "_")
    if folded in choices:
        option = choices[folded]
        capitals = word.strip().lower() == option.lower() and word.strip() != option
        note = " Names are written in small letters." if capitals else ""
        return f' Did you mean "{option}"?{note}'
    close = difflib.get_close_matches(folded, list(choices), n=1, cutoff=0.6)
    return f' Did you mean "{choices[close[0]]}"?' if close else ""


def _either(options: Sequence[str], word: str = "or") -> str:
    """'"a", "b" or "c"'."""
    if len(options) == 1:
        return options[0]
    return f"{', '.join(options[:-1])} {word} {options[-1]}"


def _name(key: str) -> str:
    """A setting's name as written, quoted when it is not a plain word."""
    if re.fullmatch(r"[A-Za-z0-9_-]{1,40}", key):
        return key
    return _quote(key)


def _quote(text: str) -> str:
    return json.dumps(text if len(text) <= 40 else text[:40] + "…", ensure_ascii=False)


def _shown(value: Any, *, secret: bool = False) -> str:
    """What someone wrote, the way TOML spells it; for a secret, only its kind."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        # A bot token pasted into the wrong setting is still a secret.
        looks_secret = _TELEGRAM_TOKEN.fullmatch(value.strip()) and len(value) > 20
        return "text in quotes" if secret or looks_secret else _quote(value)
    if isinstance(value, int | float):
        return "a number" if secret else str(value)
    if isinstance(value, datetime | date | time):
        return "a date or time" if secret else value.isoformat()
    if isinstance(value, list):
        return "a list in [ ]"
    if isinstance(value, dict):
        return "a table of settings"
    return "something else"


def _spell(length: timedelta) -> str:
    from bot.core.when import spell_duration

    return spell_duration(length)


def _where_secret(section: str, key: str, sources: Mapping[str, str]) -> str:
    name = SECRET_ENV[(section, key)]
    if sources.get(key) == name:
        return f"{name} (environment variable)"
    return f"[{section}] {key}"
