"""Writing dates and lengths of time for people."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.core.when import spell_date, spell_duration, spell_out, zone_name

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # Wednesday 2 December 2026
FRIDAY_5PM = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)


def test_a_moment_is_spelt_out_with_weekday_month_time_and_zone() -> None:
    assert spell_out(FRIDAY_5PM, timezone="Europe/London") == "Friday 4 December, 17:00 UK time"


def test_the_time_is_shown_in_the_zone_given() -> None:
    assert spell_out(FRIDAY_5PM, timezone="Europe/Warsaw") == "Friday 4 December, 18:00 Poland time"
    assert spell_out(FRIDAY_5PM, timezone="Europe/Dublin") == (
        "Friday 4 December, 17:00 Ireland time"
    )


def test_summer_time_is_applied() -> None:
    june = datetime(2027, 6, 4, 16, 0, tzinfo=UTC)
    assert spell_out(june, timezone="Europe/London") == "Friday 4 June, 17:00 UK time"


def test_the_year_is_shown_only_when_it_is_not_this_year() -> None:
    assert spell_out(FRIDAY_5PM, timezone="Europe/London", now=NOW) == (
        "Friday 4 December, 17:00 UK time"
    )
    next_year = datetime(2027, 3, 1, 17, 0, tzinfo=UTC)
    assert spell_out(next_year, timezone="Europe/London", now=NOW) == (
        "Monday, 1 March 2027, 17:00 UK time"
    )


def test_the_year_is_judged_in_the_groups_zone() -> None:
    # 23:30 UTC on 31 December is already New Year's Day in Poland.
    new_year = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert "2027" in spell_out(new_year, timezone="Europe/Warsaw", now=NOW)
    assert "2027" not in spell_out(new_year, timezone="Europe/London", now=NOW)


def test_a_naive_moment_is_taken_as_utc() -> None:
    assert spell_out(FRIDAY_5PM.replace(tzinfo=None), timezone="Europe/London") == (
        "Friday 4 December, 17:00 UK time"
    )


@pytest.mark.parametrize(
    ("zone", "spelt"),
    [
        ("America/New_York", "Friday 4 December, 12:00 United States (New York) time"),
        ("Asia/Kolkata", "Friday 4 December, 22:30 India time"),
        ("CET", "Friday 4 December, 18:00 Central European time"),
        ("UTC", "Friday 4 December, 17:00 UTC"),
        ("Mars/Olympus", "Friday 4 December, 17:00 UTC"),
        ("uk", "Friday 4 December, 17:00 UK time"),
    ],
)
def test_other_zones_are_named_in_plain_words(zone: str, spelt: str) -> None:
    assert spell_out(FRIDAY_5PM, timezone=zone) == spelt


def test_welsh_comes_out_in_welsh() -> None:
    spelt = spell_out(FRIDAY_5PM, timezone="Europe/London", language="cy")
    assert spelt.startswith("Dydd Gwener, 4 Rhagfyr")
    assert "17:00" in spelt
    assert "Amser" in spelt


def test_polish_comes_out_in_polish_with_the_month_in_its_date_form() -> None:
    spelt = spell_out(FRIDAY_5PM, timezone="Europe/Warsaw", language="pl")
    assert spelt == "piątek, 4 grudnia, 18:00 (czas: Polska)"


def test_words_inside_a_locales_pattern_are_kept() -> None:
    assert spell_date(date(2026, 12, 4), language="es") == "viernes, 4 de diciembre"


def test_language_codes_with_a_region_are_understood() -> None:
    assert spell_out(FRIDAY_5PM, timezone="Europe/Warsaw", language="pl-PL").startswith("piątek")


def test_an_unknown_language_is_written_in_english() -> None:
    assert spell_out(FRIDAY_5PM, timezone="Europe/London", language="zz") == (
        "Friday 4 December, 17:00 UK time"
    )


def test_zone_names_in_english_and_other_languages() -> None:
    assert zone_name("Europe/London") == "UK time"
    assert zone_name("Europe/Paris") == "France time"
    assert zone_name("Europe/Warsaw", "pl") == "czas: Polska"
    assert zone_name("UTC", "pl") == "UTC"


def test_a_date_is_spelt_without_a_time() -> None:
    assert spell_date(date(2026, 12, 4)) == "Friday 4 December"
    assert spell_date(date(2027, 1, 8), now=NOW) == "Friday, 8 January 2027"
    assert spell_date(date(2026, 12, 4), language="pl") == "piątek, 4 grudnia"


def test_a_datetime_is_spelt_as_the_date_in_its_zone() -> None:
    late = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)
    assert spell_date(late, timezone="Europe/London") == "Friday 4 December"
    assert spell_date(late, timezone="Europe/Warsaw") == "Saturday 5 December"


@pytest.mark.parametrize(
    ("length", "spelt"),
    [
        (timedelta(days=3), "3 days"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=36), "1 day and 12 hours"),
        (timedelta(days=7), "1 week"),
        (timedelta(days=14), "2 weeks"),
        (timedelta(days=10), "10 days"),
        (timedelta(minutes=90), "1 hour and 30 minutes"),
        (timedelta(days=1, hours=2, minutes=3), "1 day, 2 hours and 3 minutes"),
        (timedelta(seconds=20), "0 minutes"),
        (timedelta(0), "0 minutes"),
        (timedelta(hours=-3), "0 minutes"),
    ],
)
def test_lengths_of_time_are_spelt_exactly(length: timedelta, spelt: str) -> None:
    assert spell_duration(length) == spelt


def test_lengths_of_time_in_other_languages() -> None:
    assert spell_duration(timedelta(days=3), "pl") == "3 dni"
    assert spell_duration(timedelta(hours=1), "cy") == "1 awr"
    assert spell_duration(timedelta(days=2), language="cy") == "2 ddiwrnod"
