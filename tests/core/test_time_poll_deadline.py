"""A time poll closes before its first time: a later deadline is refused, and
the usual length is cut short (and the group told) when it would run past it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core import commands as c
from bot.core.model import Stage
from tests.core.conversation import Conversation

# The conversation starts on Monday 7 December 2026, 09:00 UTC.
TUESDAY_10 = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)


def team(*names: str) -> Conversation:
    conv = Conversation()
    for name in names:
        conv.by(name, c.Join())
    return conv


def _time_poll(conv: Conversation, **options: object) -> None:
    conv.by(
        "Sam",
        c.Propose(
            "Team meeting",
            process="time",
            options=("Tuesday 10:00", "Thursday 14:00"),
            **options,  # type: ignore[arg-type]
        ),
    )


def test_a_deadline_after_the_first_time_is_refused_with_an_example() -> None:
    conv = team("Sam", "Alex")
    _time_poll(conv, duration="5 days")
    assert conv.last is not None and conv.last.refused
    said = conv.last_text()
    assert "must close before its first time" in said
    assert "timepoll" in said  # the example to copy
    assert not conv.group.proposals


def test_the_usual_length_ends_before_the_first_time_and_says_so() -> None:
    conv = team("Sam", "Alex")
    _time_poll(conv)  # the usual 3 days would end on Thursday, after Tuesday 10:00
    round_ = conv.proposal(1).round
    assert round_ is not None
    assert round_.deadline == TUESDAY_10 - timedelta(hours=1)
    assert "ends on" in conv.last_text() and "before its first time" in conv.last_text()


def test_a_deadline_before_the_first_time_is_kept_without_a_word() -> None:
    conv = team("Sam", "Alex")
    _time_poll(conv, duration="12 hours")
    round_ = conv.proposal(1).round
    assert round_ is not None and round_.deadline == conv.now + timedelta(hours=12)
    assert "before its first time" not in conv.last_text()


def test_extending_past_the_first_time_is_refused() -> None:
    conv = team("Sam", "Alex")
    _time_poll(conv, duration="12 hours")
    decision = conv.by("Sam", c.Extend(1, "in 3 days"))
    assert decision.refused
    assert "must close before its first time" in conv.last_text()
    assert conv.proposal(1).stage is Stage.OPEN
