"""Writing dates and lengths of time for people, in their language and time zone.

Every date the bot writes is spelt out the same way: the full weekday, the
day, the month's name and a 24-hour time, and always the time zone in plain
words, so nobody has to work out what "05/12 17:00" means or whose 17:00 it
is: "Friday 5 December, 17:00 UK time".

Babel's locale data does the writing, so Welsh and Polish come out right
("dydd Gwener, 5 Rhagfyr", "piątek, 5 grudnia"). English is written the
British way (day before month): the first groups are in the UK.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import (
    format_date,
    format_time,
    get_timezone_location,
    get_timezone_name,
    match_skeleton,
)
from babel.lists import format_list
from babel.units import format_unit

from bot.core.zones import valid_timezone

# How our most common zones are called in English: shorter and warmer than
# Babel's "United Kingdom Time".
_ENGLISH_ZONE_NAMES = {
    "Europe/London": "UK time",
    "Europe/Warsaw": "Poland time",
    "Europe/Dublin": "Ireland time",
}
# Zones that are not a place: named by what they are ("Central European Time").
_ZONES_WITHOUT_PLACE = {"CET", "EET", "WET", "MET"}


@functools.cache
def _locale(language: str) -> Locale:
    """Babel's locale for a language code; plain "en" is British English."""
    code = (language or "en").replace("-", "_")
    if code.lower() == "en":
        code = "en_GB"
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_GB")


@functools.cache
def _date_pattern(locale: Locale, with_year: bool) -> str:
    """The locale's pattern for weekday, day and month (and year), weekday in full.

    Babel picks the nearest pattern the locale has ("E d MMMM") but does not
    widen its fields the way ICU does, so the weekday is widened here.
    """
    skeleton = "yMMMMEd" if with_year else "MMMMEd"
    key = match_skeleton(skeleton, locale.datetime_skeletons) or skeleton
    pattern = (
        locale.datetime_skeletons[key].pattern
        if key in locale.datetime_skeletons
        else ("EEEE d MMMM y" if with_year else "EEEE d MMMM")
    )

    def widen(match: re.Match[str]) -> str:
        text = match.group()
        if text.startswith("'"):  # quoted words stay as they are
            return text
        return text[0] * 4

    return re.sub(r"'[^']*'|E+|c+", widen, pattern)


def _zone(timezone: str) -> ZoneInfo:
    return ZoneInfo(valid_timezone(timezone) or "UTC")


def zone_name(timezone: str, language: str = "en") -> str:
    """The time zone in plain words: "UK time", "Poland time", "czas: Polska"."""
    zone = _zone(timezone).key
    if zone in ("UTC", "Etc/UTC"):
        return "UTC"
    locale = _locale(language)
    if locale.language == "en" and zone in _ENGLISH_ZONE_NAMES:
        return _ENGLISH_ZONE_NAMES[zone]
    if zone in _ZONES_WITHOUT_PLACE:
        name = get_timezone_name(zone, "long", locale=locale, zone_variant="generic")
    else:
        name = get_timezone_location(zone, locale=locale)
    if locale.language == "en":
        name = name.removesuffix(" Time") + " time"
    return name


def language_name(code: str, language: str = "en") -> str:
    """A language's name in the reader's language: "Polish", "polski", "polaco";
    the code itself if Babel does not know it."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(_locale(language))
    except (UnknownLocaleError, ValueError):
        return code
    return name or code


def _local(moment: datetime, timezone: str) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_zone(timezone))


def _other_year(local: date, now: datetime | None, timezone: str) -> bool:
    return now is not None and local.year != _local(now, timezone).year


def spell_date(
    moment: date | datetime,
    *,
    timezone: str = "UTC",
    language: str = "en",
    now: datetime | None = None,
) -> str:
    """A day in words: "Friday 5 December" ("Friday 5 December 2027" in another year).

    A datetime is first moved into ``timezone``; a plain date is taken as it
    is. The year is written only when ``now`` is given and falls in another year.
    """
    day = _local(moment, timezone).date() if isinstance(moment, datetime) else moment
    locale = _locale(language)
    pattern = _date_pattern(locale, _other_year(day, now, timezone))
    return format_date(day, pattern, locale=locale)


def spell_out(
    moment: datetime,
    *,
    timezone: str,
    language: str = "en",
    now: datetime | None = None,
) -> str:
    """A moment in words, in ``timezone``: "Friday 5 December, 17:00 UK time".

    ``moment`` is an aware datetime (naive means UTC). The year is written only
    when ``now`` is given and the moment falls in another year.
    """
    other_year = now is not None and _local(moment, timezone).year != _local(now, timezone).year
    return _spelt_out(moment, timezone, language, other_year)


# A card names its deadline each time it is redrawn, and Babel takes a good
# fraction of a millisecond to write it: the same words are remembered.
@functools.lru_cache(maxsize=4096)
def _spelt_out(moment: datetime, timezone: str, language: str, other_year: bool) -> str:
    local = _local(moment, timezone)
    locale = _locale(language)
    pattern = _date_pattern(locale, other_year)
    day = format_date(local.date(), pattern, locale=locale)
    clock = format_time(local, "HH:mm", locale=locale)
    # The locale's way of joining a date and a time: "{1}, {0}" in English.
    joined = str(locale.datetime_formats["medium"]).replace("'", "")
    both = joined.replace("{1}", day).replace("{0}", clock)
    zone = zone_name(timezone, language)
    return f"{both} {zone}" if locale.language == "en" else f"{both} ({zone})"


def spell_duration(length: timedelta, language: str = "en") -> str:
    """A length of time in words: "3 days", "1 hour", "1 day and 12 hours".

    Written exactly, to the minute, not rounded the way Babel's
    ``format_timedelta`` rounds ("2 days" for 36 hours): these lengths are
    rules ("at least 36 hours away") and must be read as they are.
    """
    locale = _locale(language)
    minutes = max(0, round(length.total_seconds() / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts: list[tuple[int, str]] = []
    if days and days % 7 == 0:
        parts.append((days // 7, "duration-week"))
    elif days:
        parts.append((days, "duration-day"))
    parts += [(hours, "duration-hour"), (minutes, "duration-minute")]
    words = [format_unit(n, unit, length="long", locale=locale) for n, unit in parts if n]
    if not words:
        return format_unit(0, "duration-minute", length="long", locale=locale)
    return format_list(words, locale=locale)
