"""Reading the times people type: deadlines, lengths of time, quiet hours, time zones.

Everything here is pure: the moment "now" is always passed in, so the same
words read against the same ``now`` give the same answer, today or when the
audit log is replayed in a year.

Natural dates ("Friday 5pm", "5/12 17:00", "jutro 17:00") are read by the
``dateparser`` library, told to prefer the future, to read numbers day first
(our first users are in the UK) and to count from ``now`` in the group's time
zone. It needs a little help, which is given here before and after it reads:

- a length of time ("3 days", "2d", "in a week") is read here, exactly, and
  added to ``now``;
- "noon" and "midnight" are written as clock times first; midnight is read as
  23:59 of the day named, because "Friday midnight" means the end of Friday to
  people, never its first minute;
- a bare hour after a day ("tomorrow at 9", "Friday 5") would be read as a
  day of the month, so it is written as a clock time first;
- a date with no time ("Friday", "tomorrow", "5 December") means 17:00 there:
  people mean "during that day", and the end of the working day gives everyone
  the day to respond without sending a closing announcement in the night;
- a date without a year that has just gone by ("3 December 09:00", said an
  hour later) is reported as passed, not quietly moved to next year.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from bot.core.i18n import N_, Phrase
from bot.core.model import QuietHours
from bot.core.names import fold
from bot.core.when import spell_duration, spell_out
from bot.core.zones import valid_timezone

if TYPE_CHECKING:
    from dateparser.date import DateDataParser

# A date said without a time means this time of that day, in the group's zone.
END_OF_DAY = time(17, 0)
# Longer text is not a date: dateparser gets slow on long strings and nobody
# types a deadline of more than a few words.
MAX_DATE_TEXT = 100
# The longest length of time anyone can mean; more is a typing slip.
MAX_DURATION = timedelta(days=3660)

# -- lengths of time -----------------------------------------------------------------------

# Unit words, folded, and what one of them is worth. A month is counted as a
# calendar month when a deadline is read and as 30 days in a plain length.
_MINUTE, _HOUR, _DAY, _WEEK = 1, 60, 24 * 60, 7 * 24 * 60
_UNITS: dict[str, int | str] = {
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), _MINUTE),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), _HOUR),
    **dict.fromkeys(("d", "day", "days"), _DAY),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), _WEEK),
    **dict.fromkeys(("fortnight", "fortnights"), 2 * _WEEK),
    **dict.fromkeys(("mo", "mos", "mth", "mths", "month", "months"), "month"),
}
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
# Words around a length that change nothing: "in 3 days", "3 weeks' time", "2 days from now".
_DURATION_LEAD = {"in", "for", "after", "within"}
_DURATION_TAIL = {"time", "later", "s"}
# Numbers, words, and single marks; marks that only separate ("3 days, 2 hours") are dropped.
_DURATION_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[^\W\d_]+|[^\w\s]")
_SEPARATORS = {",", ".", "'", "!", "?", "&", "+", ";", ":"}


@dataclass(frozen=True, slots=True)
class _Length:
    """A length of time as typed: whole calendar months plus minutes."""

    months: int
    minutes: float

    def as_timedelta(self) -> timedelta:
        return timedelta(days=30 * self.months, minutes=self.minutes)


def _read_length(text: str) -> _Length | None:
    """Read "3 days", "2d", "1h30", "a day and a half", "in 2 weeks' time"; None if not."""
    words = [w for w in _DURATION_TOKEN.findall(fold(text)) if w not in _SEPARATORS]
    if words and words[0] in _DURATION_LEAD:
        words = words[1:]
    if words[-2:] == ["from", "now"]:
        words = words[:-2]
    while words and words[-1] in _DURATION_TAIL:
        words = words[:-1]
    months, minutes, i, last_unit = 0, 0.0, 0, 0
    found = False
    while i < len(words):
        if words[i] == "and" and found:
            if words[i + 1 : i + 3] == ["a", "half"] and last_unit:  # "a day and a half"
                minutes += last_unit / 2
                i += 3
                continue
            i += 1
        amount, i = _read_amount(words, i)
        if amount is None:
            return None
        if i == len(words) and last_unit == _HOUR and amount < 60:
            minutes += amount  # "1h30": minutes may follow hours without a unit, at the end
            break
        unit = _UNITS.get(words[i]) if i < len(words) else None
        if unit is None:
            return None
        i += 1
        found = True
        if unit == "month":
            if amount != int(amount):
                return None
            months += int(amount)
            last_unit = 0
        else:
            assert isinstance(unit, int)
            minutes += amount * unit
            last_unit = unit
    if not found or (months == 0 and minutes <= 0):
        return None
    if months * 31 * _DAY + minutes > MAX_DURATION.total_seconds() / 60:
        return None
    return _Length(months, minutes)


def _read_amount(words: list[str], i: int) -> tuple[float | None, int]:
    """The number at ``words[i]`` and where the unit should be."""
    if i >= len(words):
        return None, i
    word = words[i]
    if word[0].isdigit():
        try:
            value = float(word.replace(",", "."))
        except ValueError:  # a digit Python cannot count with, like "❶"
            return None, i
        return (value if math.isfinite(value) else None), i + 1
    if word == "half" and i + 1 < len(words) and words[i + 1] in ("a", "an"):
        return 0.5, i + 2
    if word == "a" and words[i + 1 : i + 3] == ["couple", "of"]:
        return 2, i + 3
    if word in _NUMBER_WORDS:
        return _NUMBER_WORDS[word], i + 1
    return None, i


# Units nobody can use for a deadline but people may still type: "in 500 years".
_TOO_LONG_UNITS = frozenset(
    {"y", "yr", "yrs", "year", "years", "decade", "decades", "century", "centuries"}
)
_SIGNED_NUMBER = re.compile(r"[-+−]?\s*\d+(?:[.,]\d+)?")
# The longest deadline in whole years, for messages: "up to 10 years from now".
MAX_YEARS = MAX_DURATION.days // 366


def looks_like_length(text: str) -> bool:
    """Whether ``text`` was meant as a length of time, read or not: a number
    (even 0 or below) and then a unit ("-3 days", "0 days", "500 years"). Such a
    line is an option the bot cannot use, never a line of the details."""
    folded = fold(text).strip()
    for lead in _DURATION_LEAD:
        if folded.startswith(lead + " "):
            folded = folded[len(lead) + 1 :].lstrip()
            break
    number = _SIGNED_NUMBER.match(folded)
    if number is None:
        return False
    rest = _DURATION_TOKEN.findall(folded[number.end() :])
    return bool(rest) and (rest[0] in _UNITS or rest[0] in _TOO_LONG_UNITS)


def parse_duration(text: str) -> timedelta | None:
    """A length of time people typed, or None if it is not one.

    Reads "3 days", "2d", "36h", "1 week", "90 minutes", "a day", "1h30",
    "a day and a half", "in 2 weeks' time". A month counts as 30 days here.
    """
    length = _read_length(text)
    return None if length is None else length.as_timedelta()


# -- quiet hours ---------------------------------------------------------------------------

_CLOCK = re.compile(
    r"(?P<hour>\d{1,2})(?:\s*[:.h]\s*(?P<minute>\d{2}))?\s*(?P<half>am|pm|a\.m\.?|p\.m\.?)?\s*h?$"
)
_SPAN = re.compile(r"\s*(?:-|–|—|\bto\b|\buntil\b|\btill\b|\btil\b)\s*")


def _read_clock(text: str) -> time | None:
    """A time of day: "21:00", "9pm", "21", "9.30 a.m.", "noon", "midnight"; None if not."""
    word = fold(text).strip()
    if word in ("noon", "midday"):
        return time(12, 0)
    if word == "midnight":
        return time(0, 0)
    match = _CLOCK.match(word)
    if match is None:
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    half = (match["half"] or "").replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour == 24 and minute == 0:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_quiet_hours(text: str) -> QuietHours | None:
    """Quiet hours from "21:00-08:00", "9pm-8am", "21-8" or "from 9pm to 8am".

    None when the words are not two different times of day (the caller deals
    with "off").
    """
    words = fold(text).strip()
    words = words.removeprefix("from").strip()
    parts = _SPAN.split(words, maxsplit=1)
    if len(parts) != 2:
        return None
    start, end = _read_clock(parts[0]), _read_clock(parts[1])
    if start is None or end is None or start == end:
        return None
    return QuietHours(start=start, end=end)


# -- time zones ----------------------------------------------------------------------------


def _zone(name: str) -> ZoneInfo:
    """The group's zone; UTC if the name is unknown (settings are checked when set)."""
    return ZoneInfo(valid_timezone(name) or "UTC")


# -- deadlines -----------------------------------------------------------------------------


def default_deadline(
    now: datetime, length: timedelta, *, timezone: str, min_deadline: timedelta
) -> datetime:
    """When a usual length from ``now`` ends, as people expect a deadline to fall.

    A length of a day or more ends at 17:00 in the group's zone on the day it
    runs out, not at the minute the proposal was made, so nobody is asked to
    answer at night and the closing news comes in the working day. If that is
    sooner than ``min_deadline`` from now, it is 17:00 the next day. A length
    under a day keeps its minutes: moving it to 17:00 could double it or halve it.
    Lengths people type ("in 3 days") never come here: they mean what they say.
    """
    exact = now + length
    if length < timedelta(days=1):
        return exact
    zone = _zone(timezone)
    day = exact.astimezone(zone).date()
    moment = datetime.combine(day, END_OF_DAY, tzinfo=zone)
    if moment < now + min_deadline:
        moment = datetime.combine(day + timedelta(days=1), END_OF_DAY, tzinfo=zone)
    return moment.astimezone(UTC)


# Words in front of a date that add nothing: "by Friday", "until 5pm".
_DATE_LEAD = re.compile(r"^(?:by|until|till|til|before|on|no later than)(?:\s+|$)")
# Everyday phrases dateparser does not know, as words it does.
_DATE_PHRASES = {
    "end of day": "today 17:00",
    "end of the day": "today 17:00",
    "eod": "today 17:00",
    "close of play": "today 17:00",
    "end of the week": "friday 17:00",
    "end of week": "friday 17:00",
    "eow": "friday 17:00",
}
_DAY_WORDS = (
    r"today|tonight|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun"
)
# "at 9", "tomorrow 9", "Friday at 5": a bare hour, which dateparser takes for a day.
_BARE_HOUR = re.compile(rf"\b(at|{_DAY_WORDS})\s+(\d{{1,2}})$")
_EVENING = re.compile(r"\b(?:tonight|evening|afternoon)\b")


def _help_dateparser(text: str) -> str:
    """Rewrite what dateparser misreads into words it reads well (see the module doc)."""
    text = _DATE_PHRASES.get(text, text)
    text = re.sub(r"\b(?:noon|midday)\b", "12:00", text)
    text = re.sub(r"\bmidnight\b", "23:59", text)

    def clock(match: re.Match[str]) -> str:
        hour = int(match[2])
        # Nobody sets a deadline for 5 in the morning: "at 5" is 17:00, and
        # "tonight at 11" is 23:00.
        if 1 <= hour <= 7 or (_EVENING.search(text) and hour < 12):
            hour += 12
        return f"{match[1]} {hour:02d}:00" if hour < 24 else match[0]

    return _BARE_HOUR.sub(clock, text)


@functools.cache
def _dateparser_languages(language: str) -> tuple[str, ...]:
    """The reader's language first, then English (the chat words are English)."""
    from dateparser.data.languages_info import language_order

    code = fold(language).replace("_", "-").split("-")[0]
    return (code, "en") if code != "en" and code in language_order else ("en",)


def _dateparser(language: str, base: datetime, zone: str) -> DateDataParser:
    from dateparser.date import DateDataParser

    settings: dict[str, Any] = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": base,  # "now", as a wall-clock time in the group's zone
        "TIMEZONE": zone,
        "RETURN_AS_TIMEZONE_AWARE": False,  # zoneinfo attaches the zone, below
        "DATE_ORDER": "DMY",
        "PREFER_DAY_OF_MONTH": "first",
    }
    return DateDataParser(
        languages=list(_dateparser_languages(language)), use_given_order=True, settings=settings
    )


def _read_iso(text: str, zone: ZoneInfo) -> datetime | None:
    if not re.match(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        moment = datetime.fromisoformat(text.upper())
    except ValueError:
        return None
    if len(text) == 10:  # a date alone
        moment = datetime.combine(moment.date(), END_OF_DAY)
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _read_natural(text: str, now: datetime, zone: ZoneInfo, language: str) -> datetime | None:
    local_now = now.astimezone(zone).replace(tzinfo=None)
    parser = _dateparser(language, local_now, zone.key)
    try:
        found = parser.get_date_data(_help_dateparser(text))
    except Exception:  # a third-party reader, given anything people type: never let it crash us
        return None
    if found.date_obj is None:
        return None
    moment: datetime = found.date_obj
    if "time" not in found.parts:
        moment = datetime.combine(moment.date(), END_OF_DAY)
    moment = moment.replace(tzinfo=zone)
    if "year" not in found.parts and moment.year > local_now.year:
        # Told to prefer the future, dateparser moves a date that has just gone
        # by to next year. Someone who typed it meant this year: say it passed.
        try:
            this_year = moment.replace(year=moment.year - 1)
        except ValueError:  # 29 February
            return moment
        if now - timedelta(days=183) < this_year <= now:
            return this_year
    return moment


def _read_deadline(text: str, now: datetime, zone: ZoneInfo, language: str) -> datetime | None:
    length = _read_length(text)
    if length is not None:
        moment = now
        if length.months:  # calendar months, same wall-clock time (31 Jan + 1 → 28 Feb)
            moment = now.astimezone(zone) + relativedelta(months=length.months)
        return moment + timedelta(minutes=length.minutes)
    return _read_iso(text, zone) or _read_natural(text, now, zone, language)


def resolve_deadline(
    text: str,
    *,
    now: datetime,
    timezone: str,
    language: str = "en",
    earliest: datetime | None = None,
) -> datetime | Phrase:
    """The moment ``text`` names, as an aware UTC datetime, or a Phrase saying why not.

    ``now`` is an aware datetime (a naive one is taken as UTC); ``timezone``
    is the group's IANA zone; ``earliest``, when given, is the first moment a
    deadline may fall on (``now`` plus the group's minimum).
    """
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    zone = _zone(timezone)
    typed = " ".join(text.split())
    # Lower case, but accents kept: dateparser needs them ("piątek").
    words = _DATE_LEAD.sub("", typed.casefold().strip(" .,!?"))
    if not words:
        return Phrase(N_("Please say when, like 'Friday 5pm' or 'in 3 days'."))
    moment = _read_deadline(words, now, zone, language) if len(words) <= MAX_DATE_TEXT else None
    if moment is None:
        return Phrase(
            N_("I couldn't read '{text}' as a date. Try 'Friday 5pm' or 'in 3 days'."),
            {"text": typed[:60]},
        )
    moment = moment.astimezone(UTC)
    if moment <= now:
        when = spell_out(moment, timezone=zone.key, language=language, now=now)
        return Phrase(
            N_("That time has already passed ({when}). Please choose a later time, like "
               "'Friday 5pm' or 'in 3 days'."),
            {"when": when},
        )  # fmt: skip
    if moment - now > MAX_DURATION:
        return Phrase(
            N_("That is too far away. A deadline can be at most {years} years from now, "
               "like 'in 3 days'."),
            {"years": MAX_YEARS},
        )  # fmt: skip
    if earliest is not None and moment < earliest:
        return Phrase(
            N_("That is too soon: a deadline needs to be at least {minimum} away. Please "
               "choose a later time."),
            {"minimum": spell_duration(earliest - now, language)},
        )  # fmt: skip
    return moment
