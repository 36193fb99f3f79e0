"""One private reminder a day, listing everything waiting for the person."""

from __future__ import annotations

from bot.core import commands as c
from tests.core.care_team import DAY, HOUR, MINUTE, direct_messages, team
from tests.core.conversation import Conversation

TITLES = ("Move the morning visit to 10:00", "Buy a new kettle", "Book the dentist")


def propose_all(conv: Conversation, gap: int = 0) -> None:
    for title in TITLES:
        conv.by("Sam", c.Propose(title))
        conv.by("Sam", c.Respond(conv.group.numbered, "consent"))
        conv.wait(gap * HOUR)


def reminders_to(conv: Conversation, name: str, start: int) -> list[str]:
    return [text for who, text in direct_messages(conv.said[start:]) if who == name]


def test_one_reminder_lists_every_proposal_waiting_for_the_person() -> None:
    conv = team("Sam", "Alex")
    propose_all(conv)
    start = len(conv.said)
    conv.wait(2 * DAY + 9 * HOUR)  # Wednesday 18:00, an hour after the nudges
    (reminder,) = reminders_to(conv, "Alex", start)
    assert reminder.startswith("Hello Alex. We have not heard from you yet about:")
    for number, title in enumerate(TITLES, 1):
        assert f"#{number}: {title}" in reminder


def test_proposals_made_hours_apart_still_bring_one_reminder_that_day() -> None:
    conv = team("Sam", "Alex")
    propose_all(conv, gap=3)
    start = len(conv.said)
    conv.wait(2 * DAY)  # every nudge falls due within these six hours
    assert len(reminders_to(conv, "Alex", start)) == 1


def test_a_proposal_made_after_the_days_reminder_is_not_left_out() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(TITLES[0]))
    conv.by("Sam", c.Respond(1, "consent"))
    start = len(conv.said)
    conv.wait(2 * DAY + 9 * HOUR)  # the first reminder went out an hour ago
    conv.by("Sam", c.Propose(TITLES[1], duration="2 days"))
    conv.by("Sam", c.Respond(2, "consent"))
    conv.wait(DAY + HOUR)
    reminders = reminders_to(conv, "Alex", start)
    assert len(reminders) == 2
    assert TITLES[1] in reminders[1]


def test_a_single_proposal_keeps_its_answer_buttons() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(TITLES[0]))
    conv.by("Sam", c.Respond(1, "consent"))
    start = len(conv.said)
    conv.wait(2 * DAY + 9 * HOUR)
    (reminder,) = reminders_to(conv, "Alex", start)
    assert "Please give your answer by" in reminder


# -- quiet hours for everyone ----------------------------------------------------------------


def late_evening_nudge(conv: Conversation) -> None:
    """A proposal whose nudge falls at 22:00 UK time (the test day starts at 09:00)."""
    conv.wait(13 * HOUR)  # Monday 22:00
    conv.by("Sam", c.Propose(TITLES[0], duration="3 days"))  # typed: exactly 3 days
    conv.by("Sam", c.Respond(1, "consent"))


def test_nobody_is_reminded_at_night_unless_they_ask_for_it() -> None:
    conv = team("Sam", "Alex")
    late_evening_nudge(conv)
    start = len(conv.said)
    conv.wait(2 * DAY + HOUR)  # Wednesday 23:00: the nudge waits for the morning
    assert reminders_to(conv, "Alex", start) == []
    conv.wait(9 * HOUR)  # Thursday 08:00
    assert len(reminders_to(conv, "Alex", start)) == 1


def test_quiet_off_lets_a_reminder_come_at_night() -> None:
    conv = team("Sam", "Alex")
    conv.by("Alex", c.MySetting("quiet", "off"))
    late_evening_nudge(conv)
    start = len(conv.said)
    conv.wait(2 * DAY + HOUR)
    assert len(reminders_to(conv, "Alex", start)) == 1


def test_a_members_own_quiet_hours_win_over_the_default() -> None:
    conv = team("Sam", "Alex")
    conv.by("Alex", c.MySetting("quiet", "23:00-07:00"))
    late_evening_nudge(conv)
    start = len(conv.said)
    conv.wait(2 * DAY + MINUTE)  # Wednesday 22:01: not yet quiet for Alex
    assert len(reminders_to(conv, "Alex", start)) == 1
