"""The weekly digest: decided this week, still open, things to do, reviews coming;
on Monday at 09:00 in the group's own time zone, never drifting into the night."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core import commands as c
from bot.core.digest import next_digest_at
from bot.core.document import plain_text
from bot.core.effects import Post
from bot.core.model import Group, GroupSettings
from tests.core.conversation import CHAT, Conversation

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def team(*names: str, timezone: str = "Europe/London", digest: bool = False) -> Conversation:
    settings = GroupSettings(timezone=timezone, digest=digest)
    conv = Conversation(group=Group(id=CHAT, chats=(CHAT,), settings=settings))
    for name in names:
        conv.by(name, c.Join())
    return conv


def digests(conv: Conversation, start: int = 0) -> list[str]:
    return [
        plain_text(e.document)
        for e in conv.said[start:]
        if isinstance(e, Post) and plain_text(e.document).startswith("Our week, in short.")
    ]


def test_it_comes_on_monday_morning_in_the_groups_own_time_zone() -> None:
    # Wednesday 23:30 in Warsaw: the next digest is Monday 09:00 there (08:00 UTC).
    late = datetime(2026, 12, 9, 22, 30, tzinfo=UTC)
    group = Group(id=CHAT, settings=GroupSettings(timezone="Europe/Warsaw"))
    assert next_digest_at(group, late) == datetime(2026, 12, 14, 8, 0, tzinfo=UTC)
    # Summer time moves it with the clocks: 09:00 in Warsaw is 07:00 UTC in June.
    june = datetime(2027, 6, 2, 12, 0, tzinfo=UTC)
    assert next_digest_at(group, june) == datetime(2027, 6, 7, 7, 0, tzinfo=UTC)
    # On a Monday after 09:00, it is next week's.
    monday = datetime(2026, 12, 14, 8, 1, tzinfo=UTC)
    assert next_digest_at(group, monday) == datetime(2026, 12, 21, 8, 0, tzinfo=UTC)


def test_turned_on_late_at_night_it_still_comes_in_the_morning() -> None:
    conv = team("Sam", timezone="Europe/Warsaw")
    conv.wait(timedelta(days=2, hours=13, minutes=30))  # Wednesday 23:30 there
    conv.by("Sam", c.GroupSetting("digest", "on"))
    assert conv.timers[f"{CHAT}|digest"].due == datetime(2026, 12, 14, 8, 0, tzinfo=UTC)


def test_a_digest_fired_late_does_not_drift() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.GroupSetting("digest", "on"))
    conv.by("Sam", c.Propose("Tea rota", deadline="in 20 days"))
    timer = conv.timers.pop(f"{CHAT}|digest")
    conv.now = timer.due + 15 * HOUR  # the bot was down: it fires at midnight
    conv.run(timer.event)
    assert len(digests(conv)) == 1
    assert conv.timers[f"{CHAT}|digest"].due == timer.due + 7 * DAY  # Monday 09:00 again


def test_the_digest_tells_the_whole_week() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.GroupSetting("digest", "on"))
    # Decided this week, with something to do by Friday and a review in ten days.
    conv.by("Jo", c.Propose("Buy a shower chair", review="in 10 days"))
    for name in ("Sam", "Alex", "Jo"):
        conv.by(name, c.Respond(1, "consent"))
    conv.by("Jo", c.AddAction(1, "Alex buys the shower chair", "Friday"))
    # Still open.
    conv.by("Alex", c.Propose("Tea rota", deadline="in 20 days"))
    start = len(conv.said)
    conv.wait(7 * DAY)
    (said,) = digests(conv, start)
    assert said == "\n".join(
        [
            "Our week, in short.",
            "Decided this week:",
            "• Proposal #1: Buy a shower chair — It is agreed. Everyone has answered, "
            "and no one objects.",
            "Still open:",
            "• Proposal #2: Tea rota — until Sunday 27 December, 09:00 UK time",
            # Not done by its date: it is still to do.
            "Things to do this week:",
            "• #1.1 Alex: buys the shower chair (by Friday 11 December, 17:00 UK time)",
            "Reviews coming up:",
            "• Proposal #1: Buy a shower chair — Thursday 17 December, 09:00 UK time",
        ]
    )


def test_a_review_coming_and_then_under_way_is_listed() -> None:
    conv = team("Sam", "Alex", "Jo", digest=True)
    conv.by("Jo", c.Propose("Buy a shower chair", review="in 12 days"))
    for name in ("Sam", "Alex", "Jo"):
        conv.by(name, c.Respond(1, "consent"))
    conv.wait(7 * DAY)
    (first,) = digests(conv)
    assert "Reviews coming up:\n• Proposal #1: Buy a shower chair — Saturday 19 December" in first
    conv.wait(7 * DAY)  # the check-in opened on Saturday, and is still open on Monday
    second = digests(conv)[-1]
    assert (
        "Reviews coming up:\n• Proposal #1: Buy a shower chair — please say what you think "
        "by Tuesday 22 December, 17:00 UK time" in second
    )


def test_a_group_whose_digest_is_on_from_the_start_gets_it() -> None:
    conv = team("Sam", digest=True)
    assert f"{CHAT}|digest" in conv.timers
    conv.by("Sam", c.Propose("Tea rota", deadline="in 10 days"))
    conv.wait(7 * DAY)
    assert digests(conv)


def test_a_week_with_nothing_to_tell_posts_nothing() -> None:
    conv = team("Sam", digest=True)
    conv.wait(14 * DAY)
    assert digests(conv) == []
    assert f"{CHAT}|digest" in conv.timers


def test_the_digest_shows_no_answers() -> None:
    conv = team("Sam", "Alex", digest=True)
    conv.by("Sam", c.Propose("Kitty for taxis", deadline="in 10 days"))
    conv.by("Alex", c.Respond(1, "object", reason="Too dear for Mum"))
    conv.wait(7 * DAY)
    (said,) = digests(conv)
    assert "Too dear" not in said and "Alex" not in said


def test_a_new_time_zone_moves_the_digest_to_monday_morning_there() -> None:
    conv = team("Sam", digest=True)
    conv.by("Sam", c.GroupSetting("timezone", "America/New_York"))
    # It is 04:00 on Monday in New York: the digest comes at 09:00 there, 14:00 UTC.
    assert conv.timers[f"{CHAT}|digest"].due == datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
