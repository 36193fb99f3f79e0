"""Time zones people name: "Europe/London", "paris", "UK", "CET".

One module reads a zone's name and the others ask it: ``deadlines`` reads the
times people type in a zone, ``when`` spells moments out in one, settings and
the configuration check the names people give.
"""

from __future__ import annotations

import functools
import re
from zoneinfo import available_timezones

from bot.core.names import fold

# Names people use for the places our groups live in. People in the UK say GMT
# for "UK time" all year, so GMT and BST both mean Europe/London.
_ZONE_ALIASES: dict[str, str] = {
    **dict.fromkeys(
        ("uk", "u.k", "gb", "britain", "great britain", "united kingdom", "england",
         "scotland", "wales", "cymru", "northern ireland", "london", "gmt", "bst", "british"),
        "Europe/London",
    ),
    **dict.fromkeys(("ireland", "eire", "dublin"), "Europe/Dublin"),
    **dict.fromkeys(("poland", "polska", "warsaw", "warszawa"), "Europe/Warsaw"),
    **dict.fromkeys(("cet", "cest"), "CET"),
    **dict.fromkeys(("utc", "z", "zulu"), "UTC"),
}  # fmt: skip


@functools.cache
def _zone_names() -> dict[str, str]:
    """Every IANA name by its folded spelling, and each city on its own ("paris")."""
    names = sorted(available_timezones() - {"localtime", "Factory"})
    by_name = {name.lower(): name for name in names}
    for name in names:
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/")):
            by_name.setdefault(name.rsplit("/", 1)[1].lower(), name)
    return by_name


@functools.lru_cache(maxsize=1024)  # read for every date the bot spells out
def valid_timezone(name: str) -> str | None:
    """The IANA name of the time zone ``name`` means, or None if unknown.

    Accepts IANA names in any case ("europe/london"), cities ("Paris",
    "new york") and a few everyday names ("UK", "Wales", "Poland", "GMT", "CET").
    """
    key = re.sub(r"\s+", " ", fold(name)).strip(" .")
    key = key.removesuffix(" time").strip()
    if not key:
        return None
    if key in _ZONE_ALIASES:
        return _ZONE_ALIASES[key]
    return _zone_names().get(key.replace(" ", "_"))
