"""History says what a new version changed, and credits an agreement to nobody in particular."""

from __future__ import annotations

from bot.core import commands as c
from tests.core.care_team import team

VISIT = "Move the morning visit to 10:00"


def test_history_says_what_a_new_version_changed() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(VISIT))
    conv.by("Sam", c.Amend(1, "Only on weekdays; weekends stay at 9:00."))
    conv.by("Alex", c.History(1))
    text = conv.last_text()
    assert f"version 2: {VISIT} — Only on weekdays; weekends stay at 9:00." in text


def test_history_does_not_credit_an_agreement_to_whoever_answered_last() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(VISIT))
    conv.by("Sam", c.Respond(1, "consent"))
    conv.by("Alex", c.Respond(1, "consent"))
    conv.by("Sam", c.History(1))
    agreed = [line for line in conv.last_text().splitlines() if "It is agreed" in line]
    assert agreed and all("(Alex)" not in line for line in agreed)
