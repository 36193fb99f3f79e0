"""Reading the times people type, against a fixed ``now``: Wednesday 2 December 2026, 10:00."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import deadlines
from bot.core.deadlines import (
    parse_duration,
    parse_quiet_hours,
    resolve_deadline,
    valid_timezone,
)
from bot.core.i18n import Phrase
from bot.core.model import QuietHours

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # a Wednesday; the UK is on GMT
LONDON = ZoneInfo("Europe/London")


def uk(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    """A UK wall-clock time, as the UTC moment the resolver returns."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


def resolve(text: str, **kwargs: object) -> datetime | Phrase:
    options: dict = {"now": NOW, "timezone": "Europe/London", **kwargs}
    return resolve_deadline(text, **options)


def english(result: object) -> str:
    """What a refusal says, in English: a whole sentence, every placeholder filled."""
    assert isinstance(result, Phrase), result
    assert set(re.findall(r"\{(\w+)", result.msgid)) <= set(result.params)
    text = result.text(lambda msgid: msgid)
    assert text.endswith(".")
    return text


# -- what people type ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Friday 5pm", uk(12, 4, 17)),
        ("friday 5 pm", uk(12, 4, 17)),
        ("Fri 17:00", uk(12, 4, 17)),
        ("Friday 17.00", uk(12, 4, 17)),
        ("tomorrow noon", uk(12, 3, 12)),
        ("tomorrow at 9", uk(12, 3, 9)),
        ("tomorrow 9", uk(12, 3, 9)),
        ("tomorrow at 9am", uk(12, 3, 9)),
        ("in 3 days", uk(12, 5, 10)),
        ("3 days", uk(12, 5, 10)),
        ("2d", uk(12, 4, 10)),
        ("36h", uk(12, 3, 22)),
        ("1 week", uk(12, 9, 10)),
        ("in 2 weeks' time", uk(12, 16, 10)),
        ("next Monday 10:00", uk(12, 7, 10)),
        ("5 December 17:00", uk(12, 5, 17)),
        ("5/12 17:00", uk(12, 5, 17)),
        ("12/1 9am", uk(1, 12, 9, year=2027)),
        ("noon", uk(12, 2, 12)),
        ("5pm", uk(12, 2, 17)),
        ("9am", uk(12, 3, 9)),
        ("tonight at 11", uk(12, 2, 23)),
        ("Friday at 5", uk(12, 4, 17)),
        ("by Friday 5pm", uk(12, 4, 17)),
        ("until friday 5pm", uk(12, 4, 17)),
        ("Friday 5pm!", uk(12, 4, 17)),
        ("  FRIDAY   5PM ", uk(12, 4, 17)),
        ("end of the week", uk(12, 4, 17)),
        ("end of day", uk(12, 2, 17)),
        ("2026-12-05T17:00", uk(12, 5, 17)),
        ("2026-12-05 17:00", uk(12, 5, 17)),
        ("2026-12-05T17:00:00+01:00", uk(12, 5, 16)),
        ("2026-12-05T17:00Z", uk(12, 5, 17)),
        ("in 3 months", uk(3, 2, 10, year=2027)),
        ("1 March", uk(3, 1, 17, year=2027)),
    ],
)
def test_what_people_type_is_read_in_the_groups_time_zone(text: str, expected: datetime) -> None:
    assert resolve(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("friday", uk(12, 4, 17)),
        ("Friday 4 December", uk(12, 4, 17)),
        ("tomorrow", uk(12, 3, 17)),
        ("today", uk(12, 2, 17)),
        ("5 December", uk(12, 5, 17)),
        ("5/12", uk(12, 5, 17)),
        ("2026-12-05", uk(12, 5, 17)),
    ],
)
def test_a_date_without_a_time_means_five_in_the_afternoon(text: str, expected: datetime) -> None:
    assert resolve(text) == expected


def test_midnight_means_the_end_of_the_day_named() -> None:
    assert resolve("midnight") == uk(12, 2, 23, 59)
    assert resolve("Friday midnight") == uk(12, 4, 23, 59)


def test_29_february_without_a_year_is_the_next_one() -> None:
    march = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
    assert resolve("29 February", now=march) == uk(2, 29, 17, year=2028)


def test_results_are_aware_utc_datetimes() -> None:
    result = resolve("Friday 5pm")
    assert isinstance(result, datetime)
    assert result.tzinfo is UTC


def test_summer_times_are_read_in_british_summer_time() -> None:
    june = datetime(2027, 6, 2, 10, 0, tzinfo=UTC)  # a Wednesday; the UK is on BST
    assert resolve("Friday 5pm", now=june) == datetime(2027, 6, 4, 16, 0, tzinfo=UTC)


def test_a_month_keeps_the_wall_clock_time_across_the_clock_change() -> None:
    march = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)  # 10:00 GMT
    assert resolve("in 1 month", now=march) == datetime(2027, 4, 1, 9, 0, tzinfo=UTC)


def test_a_month_from_the_31st_ends_on_the_last_day_of_a_short_month() -> None:
    january = datetime(2027, 1, 31, 10, 0, tzinfo=UTC)
    assert resolve("in 1 month", now=january) == datetime(2027, 2, 28, 10, 0, tzinfo=UTC)


def test_times_are_read_in_the_groups_own_zone() -> None:
    warsaw = resolve("Friday 17:00", timezone="Europe/Warsaw")
    assert warsaw == datetime(2026, 12, 4, 16, 0, tzinfo=UTC)


def test_an_unknown_group_zone_falls_back_to_utc() -> None:
    assert resolve("Friday 17:00", timezone="Mars/Olympus") == datetime(
        2026, 12, 4, 17, 0, tzinfo=UTC
    )


def test_a_naive_now_is_taken_as_utc() -> None:
    assert resolve("in 2 days", now=NOW.replace(tzinfo=None)) == uk(12, 4, 10)


def test_the_readers_language_is_understood_as_well_as_english() -> None:
    polish = resolve("jutro 17:00", timezone="Europe/Warsaw", language="pl")
    assert polish == datetime(2026, 12, 3, 16, 0, tzinfo=UTC)
    english_too = resolve("Friday 5pm", timezone="Europe/Warsaw", language="pl")
    assert english_too == datetime(2026, 12, 4, 16, 0, tzinfo=UTC)


def test_an_unknown_language_reads_english() -> None:
    assert resolve("Friday 5pm", language="xx-unknown") == uk(12, 4, 17)


def test_results_depend_only_on_now() -> None:
    later = NOW + timedelta(days=365 * 5)
    assert resolve("Friday 5pm") == resolve("Friday 5pm")
    shifted = resolve("in 3 days", now=later)
    assert shifted == later + timedelta(days=3)


# -- refusals ------------------------------------------------------------------------------


def test_words_that_are_not_a_date_are_refused_with_examples() -> None:
    assert english(resolve("blurday")) == (
        "I couldn't read 'blurday' as a date. Try 'Friday 5pm' or 'in 3 days'."
    )


def test_a_time_that_has_passed_is_refused_and_shown() -> None:
    text = english(resolve("2 December 09:00"))
    assert text.startswith("That time has already passed (Wednesday 2 December, 09:00 UK time).")


def test_a_time_that_passed_earlier_today_is_not_moved_to_next_year() -> None:
    assert isinstance(resolve("2 December 09:00"), Phrase)


def test_a_date_in_a_past_year_is_refused_with_its_year() -> None:
    assert "1 January 2025" in english(resolve("2025-01-01"))


def test_today_after_five_has_passed() -> None:
    evening = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)
    assert "already passed" in english(resolve("today", now=evening))


def test_too_soon_names_the_minimum() -> None:
    result = resolve("noon", earliest=NOW + timedelta(hours=3))
    assert english(result) == (
        "That is too soon: a deadline needs to be at least 3 hours away. "
        "Please choose a later time."
    )


def test_too_soon_names_the_minimum_in_the_readers_language() -> None:
    result = resolve("noon", earliest=NOW + timedelta(hours=3), language="pl")
    assert isinstance(result, Phrase)
    assert result.params["minimum"] == "3 godziny"


def test_a_deadline_at_the_earliest_moment_is_accepted() -> None:
    assert resolve("in 1 hour", earliest=NOW + timedelta(hours=1)) == NOW + timedelta(hours=1)


@pytest.mark.parametrize("text", ["", "   ", "by", "!!"])
def test_no_date_at_all_asks_when(text: str) -> None:
    assert english(resolve(text)) == "Please say when, like 'Friday 5pm' or 'in 3 days'."


def test_an_impossible_iso_date_is_refused() -> None:
    assert "couldn't read" in english(resolve("2026-13-45"))


def test_a_failing_date_reader_is_a_refusal_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def get_date_data(self, text: str) -> None:
            raise OverflowError(text)

    monkeypatch.setattr(deadlines, "_dateparser", lambda *args: Broken())
    assert "couldn't read" in english(resolve("Friday 5pm"))


def test_very_long_text_is_not_read_as_a_date() -> None:
    assert "couldn't read" in english(resolve("Friday " * 40))


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.text(max_size=30))
def test_resolve_deadline_never_raises(text: str) -> None:
    result = resolve(text)
    if isinstance(result, Phrase):
        assert english(result)
    else:
        assert result > NOW


# -- lengths of time -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 days", timedelta(days=3)),
        ("2d", timedelta(days=2)),
        ("36h", timedelta(hours=36)),
        ("1 week", timedelta(weeks=1)),
        ("90 minutes", timedelta(minutes=90)),
        ("a day", timedelta(days=1)),
        ("an hour", timedelta(hours=1)),
        ("half an hour", timedelta(minutes=30)),
        ("a day and a half", timedelta(hours=36)),
        ("1.5 days", timedelta(hours=36)),
        ("1,5 days", timedelta(hours=36)),
        ("1h30", timedelta(minutes=90)),
        ("1 day, 2 hours", timedelta(hours=26)),
        ("2 days and 3 hours", timedelta(hours=51)),
        ("in 2 weeks' time", timedelta(weeks=2)),
        ("2 days from now", timedelta(days=2)),
        ("three days", timedelta(days=3)),
        ("a couple of days", timedelta(days=2)),
        ("a fortnight", timedelta(weeks=2)),
        ("1 month", timedelta(days=30)),
        ("  3  DAYS ", timedelta(days=3)),
    ],
)
def test_lengths_of_time_people_type(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "3", "days", "3 bananas", "0 days", "Friday", "99999999999 days", "1.5 months",
     "3 days 日本", "and", "1 day and", "9" * 400 + " days"],
)  # fmt: skip
def test_what_is_not_a_length_of_time_is_none(text: str) -> None:
    assert parse_duration(text) is None


# -- quiet hours ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("21:00-08:00", time(21), time(8)),
        ("9pm-8am", time(21), time(8)),
        ("21-8", time(21), time(8)),
        ("from 9pm to 8am", time(21), time(8)),
        ("22h-7h", time(22), time(7)),
        ("9.30pm – 7am", time(21, 30), time(7)),
        ("13:00 - 14:00", time(13), time(14)),
        ("midnight-7am", time(0), time(7)),
        ("12am-noon", time(0), time(12)),
        ("22:00-24:00", time(22), time(0)),
    ],
)
def test_quiet_hours_people_type(text: str, start: time, end: time) -> None:
    assert parse_quiet_hours(text) == QuietHours(start=start, end=end)


@pytest.mark.parametrize(
    "text", ["", "off", "21:00", "25-8", "21:00-21:00", "13pm-8am", "9:75-8", "nine to five"]
)
def test_what_is_not_quiet_hours_is_none(text: str) -> None:
    assert parse_quiet_hours(text) is None


# -- time zones ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "zone"),
    [
        ("Europe/London", "Europe/London"),
        ("europe/london", "Europe/London"),
        ("UK", "Europe/London"),
        ("uk time", "Europe/London"),
        ("U.K.", "Europe/London"),
        ("London", "Europe/London"),
        ("Wales", "Europe/London"),
        ("GMT", "Europe/London"),
        ("BST", "Europe/London"),
        ("Poland", "Europe/Warsaw"),
        ("warszawa", "Europe/Warsaw"),
        ("Ireland", "Europe/Dublin"),
        ("CET", "CET"),
        ("UTC", "UTC"),
        ("Paris", "Europe/Paris"),
        ("new york", "America/New_York"),
        ("america/new_york", "America/New_York"),
        ("Asia/Kolkata", "Asia/Kolkata"),
    ],
)
def test_time_zones_by_name_place_or_everyday_word(name: str, zone: str) -> None:
    assert valid_timezone(name) == zone


@pytest.mark.parametrize("name", ["", "Mars", "Europe/Atlantis", "localtime", "+01:00"])
def test_unknown_time_zones_are_none(name: str) -> None:
    assert valid_timezone(name) is None
