"""Default deadlines fall at a daytime hour: 17:00 in the group's zone on the day
the usual length runs out, never at the minute the proposal was made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core import commands as c
from bot.core.deadlines import default_deadline, resolve_deadline
from tests.core.care_team import team

LONDON, MEXICO = "Europe/London", "America/Mexico_City"
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def utc(*when: int) -> datetime:
    return datetime(*when, tzinfo=UTC)  # type: ignore[misc]


def at(zone: str, *when: int) -> datetime:
    """A wall-clock time in ``zone``, as the UTC moment the rule returns."""
    return datetime(*when, tzinfo=ZoneInfo(zone)).astimezone(UTC)  # type: ignore[misc]


# zone, now (UTC), usual length, group minimum, the deadline it gets
CASES = [
    # Wednesday morning: three days on is Saturday, at 17:00 (GMT).
    (LONDON, utc(2026, 12, 2, 10, 0), 3 * DAY, HOUR, at(LONDON, 2026, 12, 5, 17)),
    # Wednesday evening: still Saturday at 17:00, a little before the exact minute.
    (LONDON, utc(2026, 12, 2, 20, 0), 3 * DAY, HOUR, at(LONDON, 2026, 12, 5, 17)),
    # Across the spring clock change (28 March 2027): 17:00 BST, which is 16:00 UTC.
    (LONDON, utc(2027, 3, 26, 12, 0), 3 * DAY, HOUR, at(LONDON, 2027, 3, 29, 17)),
    # Across the autumn clock change (25 October 2026): 17:00 GMT again.
    (LONDON, utc(2026, 10, 23, 12, 0), 3 * DAY, HOUR, at(LONDON, 2026, 10, 26, 17)),
    # Late on Tuesday in Mexico City (03:00 UTC Wednesday): the day is counted there, Friday.
    (MEXICO, utc(2026, 12, 2, 3, 0), 3 * DAY, HOUR, at(MEXICO, 2026, 12, 4, 17)),
    # Half past eleven at night in Mexico City, one day: 17:00 the next day there.
    (MEXICO, utc(2026, 12, 2, 5, 30), DAY, HOUR, at(MEXICO, 2026, 12, 2, 17)),
    # 17:00 the next day is sooner than the group's minimum of a day: the day after.
    (LONDON, utc(2026, 12, 2, 20, 0), DAY, DAY, at(LONDON, 2026, 12, 4, 17)),
    # Under a day is left exactly as it is.
    (LONDON, utc(2026, 12, 2, 20, 0), 12 * HOUR, HOUR, utc(2026, 12, 3, 8, 0)),
    (MEXICO, utc(2026, 12, 2, 3, 7), 2 * HOUR, HOUR, utc(2026, 12, 2, 5, 7)),
]  # fmt: skip


@pytest.mark.parametrize(("zone", "now", "length", "minimum", "expected"), CASES)
def test_a_default_deadline_falls_at_five_in_the_afternoon(
    zone: str, now: datetime, length: timedelta, minimum: timedelta, expected: datetime
) -> None:
    deadline = default_deadline(now, length, timezone=zone, min_deadline=minimum)
    assert deadline == expected
    assert deadline.tzinfo is UTC


@pytest.mark.parametrize(("zone", "now", "length", "minimum", "expected"), CASES)
def test_a_default_deadline_is_never_sooner_than_the_groups_minimum(
    zone: str, now: datetime, length: timedelta, minimum: timedelta, expected: datetime
) -> None:
    assert default_deadline(now, length, timezone=zone, min_deadline=minimum) >= now + minimum


def test_a_typed_length_keeps_its_exact_minute() -> None:
    now = datetime(2026, 12, 2, 10, 23, tzinfo=UTC)
    assert resolve_deadline("in 3 days", now=now, timezone=LONDON) == now + 3 * DAY


def deadline_of(conv: object, number: int) -> datetime:
    round_ = conv.proposal(number).round  # type: ignore[attr-defined]
    assert round_ is not None
    return round_.deadline  # type: ignore[no-any-return]


def test_a_proposal_made_in_the_evening_closes_at_five_on_the_usual_day() -> None:
    conv = team("Sam", "Alex")
    conv.wait(11 * HOUR)  # Monday 20:00 in London
    conv.by("Sam", c.Propose("Buy a new kettle"))
    assert deadline_of(conv, 1) == at(LONDON, 2026, 12, 10, 17)  # Thursday
    conv.by("Sam", c.Propose("Book the dentist", duration="3 days"))
    assert deadline_of(conv, 2) == conv.now + 3 * DAY  # typed: Thursday 20:00
    conv.by("Sam", c.Propose("Paint the hall", questions=""))
    assert deadline_of(conv, 3) == at(LONDON, 2026, 12, 8, 17)  # a day of questions
