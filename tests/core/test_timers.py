"""What the clock brings: the weekly digest, nudges (also to whoever answers for
someone not in the chat), quiet hours, and timers that have gone stale."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core import commands as c
from bot.core.language import parse
from bot.core.model import Stage
from tests.core.care_team import DAY, HOUR, MINUTE, direct_messages, posts_since, team
from tests.core.conversation import CHAT, Conversation

VISIT = "Move the morning visit to 10:00"
NUDGE_TIME = 2 * DAY + 9 * HOUR  # a little after the nudge of a round to Thursday 17:00


def nudges_after(conv: Conversation, span: timedelta) -> list[tuple[str, str]]:
    start = len(conv.said)
    conv.wait(span)
    return direct_messages(conv.said[start:])


# -- the weekly digest -----------------------------------------------------------------------


def test_the_weekly_digest_lists_what_is_open_and_comes_again_a_week_later() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.GroupSetting("digest", "on"))
    conv.wait(DAY)
    conv.by("Sam", c.Propose(VISIT, deadline="in 10 days"))
    conv.by("Alex", c.Propose("Buy a new kettle", draft=True))
    start = len(conv.said)
    conv.wait(6 * DAY)
    assert posts_since(conv, start)[-1] == "\n".join(
        [
            "Our week, in short.",
            "Still open:",
            f"• Proposal #1: {VISIT} — until Friday 18 December, 09:00 UK time",
            "• Proposal #2: Buy a new kettle",
        ]
    )
    assert conv.timers[f"{CHAT}|digest"].due == conv.now + 7 * DAY


def test_a_quiet_week_has_no_digest_but_the_next_week_still_comes() -> None:
    conv = team("Sam")
    conv.by("Sam", c.GroupSetting("digest", "on"))
    start = len(conv.said)
    conv.wait(7 * DAY)
    assert posts_since(conv, start) == []
    assert f"{CHAT}|digest" in conv.timers


def test_a_digest_turned_off_stops_coming() -> None:
    conv = team("Sam")
    conv.by("Sam", c.GroupSetting("digest", "on"))
    conv.by("Sam", c.Propose(VISIT, deadline="in 10 days"))
    conv.by("Sam", c.GroupSetting("digest", "off"))
    start = len(conv.said)
    conv.wait(7 * DAY)
    assert not any("This week's" in text for text in posts_since(conv, start))
    assert f"{CHAT}|digest" not in conv.timers


# -- nudging whoever answers for someone not in the chat -------------------------------------


def test_whoever_added_someone_is_reminded_to_answer_for_them() -> None:
    conv = team("Sam", "Alex")
    conv.by("Alex", c.AddPerson("Mum"))
    conv.by("Sam", c.Propose(VISIT))
    conv.by("Sam", c.Respond(1, "consent"))
    conv.by("Alex", c.Respond(1, "consent"))
    assert nudges_after(conv, NUDGE_TIME) == [
        (
            "Alex",
            "Mum has not responded to #1 yet. You can record their response: for Mum consent #1",
        )
    ]


@pytest.mark.parametrize("helper_said", [c.MySetting("reminders", "off"), c.Leave()])
def test_no_reminder_for_someone_else_to_a_helper_who_wants_none(helper_said: c.Action) -> None:
    conv = team("Sam", "Alex")
    conv.by("Alex", c.AddPerson("Mum"))
    conv.by("Sam", c.Propose(VISIT))
    conv.by("Sam", c.Respond(1, "consent"))
    conv.by("Alex", c.Respond(1, "consent"))
    conv.by("Alex", helper_said)
    assert nudges_after(conv, NUDGE_TIME) == []


def test_the_reminder_to_answer_for_someone_in_a_poll_gives_words_that_work() -> None:
    conv = team("Sam", "Alex")
    conv.by("Alex", c.AddPerson("Mum"))
    conv.by(
        "Sam",
        c.Propose("Which day for the big shop?", process="choice", options=("Monday", "Saturday")),
    )
    ((_name, text),) = [n for n in nudges_after(conv, NUDGE_TIME) if "Mum" in n[1]]
    suggested = text.rsplit(": ", 1)[1]
    action = parse(suggested)
    assert isinstance(action, c.Respond)
    assert not conv.by("Alex", action).refused


# -- quiet hours -----------------------------------------------------------------------------


def test_quiet_hours_are_kept_in_the_members_own_time_zone() -> None:
    conv = team("Sam", "Alex")
    conv.by("Alex", c.MySetting("timezone", "America/New_York"))
    conv.by("Alex", c.MySetting("quiet", "22:00-07:00"))  # the nudge at 09:00 UTC is 04:00 there
    conv.by("Sam", c.Propose(VISIT, duration="3 days"))  # typed: exactly 3 days
    conv.by("Sam", c.Respond(1, "consent"))
    assert nudges_after(conv, 2 * DAY + MINUTE) == []
    quiet_end = conv.timers[f"{CHAT}|1|nudge-{conv.member_id('Alex')}"]
    assert quiet_end.due == conv.now - MINUTE + 3 * HOUR  # 07:00 in New York
    assert [name for name, _text in nudges_after(conv, 3 * HOUR)] == ["Alex"]


def test_quiet_hours_over_midnight_wait_for_the_next_morning() -> None:
    conv = team("Sam", "Alex")
    conv.by("Alex", c.MySetting("quiet", "21:00-08:00"))
    conv.wait(13 * HOUR)  # Monday 22:00
    conv.by("Sam", c.Propose(VISIT, duration="3 days"))  # typed: exactly 3 days
    conv.by("Sam", c.Respond(1, "consent"))
    assert nudges_after(conv, 2 * DAY + MINUTE) == []  # Wednesday 22:01
    quiet_end = conv.timers[f"{CHAT}|1|nudge-{conv.member_id('Alex')}"]
    assert quiet_end.due == conv.now - MINUTE + 10 * HOUR  # Thursday 08:00


def test_quiet_hours_lasting_past_the_deadline_mean_no_nudge() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.GroupSetting("nudge", "2 hours"))
    conv.by("Alex", c.MySetting("quiet", "12:00-18:00"))
    conv.by("Sam", c.Propose(VISIT, duration="30 hours"))  # nudge Tuesday 13:00, deadline 15:00
    conv.by("Sam", c.Respond(1, "consent"))
    assert nudges_after(conv, 28 * HOUR + MINUTE) == []
    assert not [key for key in conv.timers if "nudge" in key]


# -- stale and late timers -------------------------------------------------------------------


def test_a_nudge_that_fires_after_the_deadline_is_not_sent() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(VISIT))
    nudge = conv.timers[f"{CHAT}|1|nudge"]
    conv.now += 3 * DAY + 9 * HOUR  # the bot was down past Thursday 17:00: nothing fired
    decision = conv.run(nudge.event)
    assert decision.effects == ()


def test_a_nudge_for_an_earlier_version_is_not_sent() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(VISIT))
    nudge = conv.timers[f"{CHAT}|1|nudge"]
    conv.by("Sam", c.Amend(1, "10:30 instead"))
    conv.now = nudge.due
    assert conv.run(nudge.event).effects == ()


def test_timers_of_a_proposal_that_does_not_exist_do_nothing() -> None:
    conv = team("Sam")
    before = conv.group
    for event in (c.DeadlineDue(9, 1), c.NudgeDue(9, 1), c.ReviewDue(9)):
        assert conv.run(event).effects == ()
    assert conv.group is before


def test_a_review_reminder_for_a_decision_that_did_not_pass_does_nothing() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(VISIT, review="in 30 days"))
    conv.wait(4 * DAY)
    assert conv.proposal(1).stage is Stage.NOT_AGREED
    conv.now += 30 * DAY
    assert conv.run(c.ReviewDue(1)).effects == ()


def test_a_review_reminder_before_its_date_does_nothing() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose(VISIT, review="in 30 days"))
    conv.by("Sam", c.Respond(1, "consent"))
    conv.by("Alex", c.Respond(1, "consent"))
    early = conv.timers[f"{CHAT}|1|review"]
    conv.by("Sam", c.SetReview(1, "in 60 days"))
    conv.now = early.due
    assert conv.run(early.event).effects == ()
    assert conv.proposal(1).stage is Stage.AGREED


def test_the_reminder_to_answer_for_someone_else_keeps_the_helpers_quiet_hours() -> None:
    conv = team("Sam", "Alex")
    conv.by("Alex", c.AddPerson("Mum"))
    conv.by("Alex", c.MySetting("quiet", "16:00-20:00"))  # the nudge falls at 17:00
    conv.by("Sam", c.Propose(VISIT))
    conv.by("Sam", c.Respond(1, "consent"))
    conv.by("Alex", c.Respond(1, "consent"))
    assert nudges_after(conv, NUDGE_TIME) == []
