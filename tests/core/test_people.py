"""Who is in the group, their own settings, the group's settings, linked chats and
forgetting a person: each rule as a short conversation."""

from __future__ import annotations

import pytest

from bot.core import commands as c
from bot.core.effects import SetTimer
from bot.core.model import MemberStatus, Role, Stage
from tests.core.care_team import DAY, HOUR, files, refused, team
from tests.core.conversation import CHAT

# -- joining and leaving -------------------------------------------------------------------


def test_a_newcomer_who_says_join_is_welcomed_and_the_first_is_the_facilitator() -> None:
    conv = team("Sam")
    assert "Welcome, Sam" in conv.last_text()
    conv.by("Alex", c.Join())
    assert conv.last_text() == "Welcome, Alex. You are now a member of this group."
    sam, alex = (
        conv.group.members[conv.member_id("Sam")],
        conv.group.members[conv.member_id("Alex")],
    )
    assert (sam.role, alex.role) == (Role.FACILITATOR, Role.MEMBER)


def test_saying_join_again_tells_you_that_you_are_already_in() -> None:
    conv = team("Sam", "Alex")
    conv.wait(HOUR)
    before = conv.group
    conv.by("Alex", c.Join())
    assert conv.last_text() == "You are already a member, Alex."
    assert conv.group is before


def test_join_said_privately_asks_to_say_it_in_the_group() -> None:
    conv = team("Sam")
    text = refused(conv, c.Join(), name="Stranger", private=True, present=False)
    assert "in the group's chat" in text


def test_someone_who_left_is_not_asked_and_can_come_back() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Alex", c.Leave())
    assert conv.last_text() == (
        "Goodbye, Alex. You have left this group. Say join in the group's chat to come back."
    )
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    round_ = conv.proposal(1).round
    assert round_ is not None and conv.member_id("Alex") not in round_.eligible
    assert "Still to respond: Sam, Jo" in conv.card_text(1)

    text = refused(conv, c.Respond(1, "consent"), name="Alex")
    assert "You left this group" in text and "join" in text

    conv.by("Alex", c.Join())
    assert conv.last_text() == "Welcome back, Alex."
    assert conv.group.members[conv.member_id("Alex")].status is MemberStatus.ACTIVE


def test_the_only_facilitator_hands_over_before_leaving() -> None:
    conv = team("Sam", "Alex")
    text = refused(conv, c.Leave())
    assert "only one who runs this group" in text and "facilitator @Alex" in text
    conv.by("Sam", c.MakeFacilitator("Alex"))
    assert conv.last_text() == "Alex now helps run the group as a facilitator."
    conv.by("Sam", c.Leave())
    assert conv.group.members[conv.member_id("Sam")].status is MemberStatus.LEFT


def test_the_last_person_in_a_group_may_leave_it() -> None:
    conv = team("Sam")
    conv.by("Sam", c.Leave())
    assert not conv.group.active_members()


# -- people who are not in the chat ----------------------------------------------------------


def test_someone_not_in_the_chat_is_added_by_name_and_answered_for() -> None:
    conv = team("Sam", "Alex")
    conv.by("Alex", c.AddPerson("  @Mum "))
    assert conv.last_text() == (
        "Mum is now in the group. Anyone can respond for them, like this: for Mum consent #7"
    )
    mum = conv.group.members[3]
    assert (mum.name, mum.identities, mum.added_by) == ("Mum", (), conv.member_id("Alex"))
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    assert "Still to respond: Sam, Alex, Mum" in conv.card_text(1)


def test_the_same_person_is_not_added_twice() -> None:
    conv = team("Sam")
    conv.by("Sam", c.AddPerson("Mum"))
    assert refused(conv, c.AddPerson("mum")) == "Mum is already in this group."


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("  ", "Please say who to add."),
        ("x" * 61, "under 60 characters"),
    ],
)
def test_a_person_added_needs_a_short_name(name: str, says: str) -> None:
    conv = team("Sam")
    assert says in refused(conv, c.AddPerson(name))


def test_someone_removed_is_not_counted_and_can_be_added_back() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.AddPerson("Mum"))
    conv.by("Sam", c.RemovePerson("Mum"))
    assert conv.last_text() == (
        "Mum is no longer counted in this group's decisions. Only a facilitator can add them back."
    )
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    assert "Mum" not in conv.card_text(1)
    conv.by("Sam", c.AddPerson("Mum"))
    assert conv.last_text() == "Mum is back in the group."
    assert [m.name for m in conv.group.active_members()] == ["Sam", "Alex", "Mum"]


def test_only_a_facilitator_removes_someone() -> None:
    conv = team("Sam", "Alex", "Jo")
    assert "Only a facilitator" in refused(conv, c.RemovePerson("Jo"), name="Alex")


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("Nobody", "I don't know Nobody in this group."),
        ("@nobody", "I don't know nobody in this group."),
        ("   ", "I don't know"),
        ("Sam", "Sam is the only one who runs the group."),
    ],
)
def test_remove_refuses_strangers_and_the_only_facilitator(name: str, says: str) -> None:
    conv = team("Sam", "Alex")
    assert says in refused(conv, c.RemovePerson(name))


# -- facilitators and how people are named ---------------------------------------------------


def test_a_new_facilitator_may_steer_any_proposal() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Jo", c.Propose("Buy a new kettle from the kitty"))
    assert "who asked for" in refused(conv, c.Close(1), name="Alex")
    conv.by("Sam", c.MakeFacilitator("alex"))
    conv.by("Alex", c.Close(1))
    assert conv.proposal(1).stage is Stage.NOT_AGREED


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("Nobody", "I don't know Nobody in this group. They need to say something in the chat"),
        ("Sam", "Sam already helps run the group."),
    ],
)
def test_facilitator_refuses_strangers_and_those_who_already_are(name: str, says: str) -> None:
    conv = team("Sam", "Alex")
    assert says in refused(conv, c.MakeFacilitator(name))


@pytest.mark.parametrize("typed", ["@alexw", "@alex:example.org", "Alex Wood", "alex", "ALEX WOOD"])
def test_a_member_is_found_by_handle_account_full_name_or_first_name(typed: str) -> None:
    conv = team("Sam")
    alex = c.Actor(identity="matrix:@alex:example.org", name="Alex Wood", handle="alexw")
    conv.run(c.Request(alex, CHAT, c.Join()))
    conv.by("Sam", c.MakeFacilitator(typed))
    assert conv.last_text() == "Alex Wood now helps run the group as a facilitator."


def test_a_first_name_shared_by_two_members_is_not_guessed() -> None:
    conv = team("Sam")
    for identity, name in (("console:a", "Alex Wood"), ("console:b", "Alex Hill")):
        conv.run(c.Request(c.Actor(identity, name), CHAT, c.Join()))
    assert "I don't know Alex" in refused(conv, c.MakeFacilitator("Alex"))


def test_a_member_who_changes_their_display_name_is_shown_with_the_new_one() -> None:
    conv = team("Sam", "Alex")
    conv.run(c.Request(c.Actor("console:alex", "Alexandra"), CHAT, c.Status()))
    assert conv.group.members[conv.member_id("Alex")].name == "Alexandra"


# -- personal settings -----------------------------------------------------------------------


def test_a_member_chooses_the_language_they_are_written_to_in() -> None:
    conv = team("Sam", "Alex")
    conv.by("Alex", c.MySetting("language", " pt_BR "))
    assert conv.last_text() == (
        "I can't write in Portuguese (Brazil) yet. Until I can, I will write to you in English."
    )
    assert conv.group.members[conv.member_id("Alex")].language == "pt-br"
    assert "like en, cy or pl" in refused(conv, c.MySetting("language", "English"), name="Alex")


def test_quiet_hours_are_set_in_words_and_can_be_turned_off() -> None:
    conv = team("Sam", "Alex")
    conv.by("Alex", c.MySetting("quiet", "9pm-8am"))
    assert conv.last_text() == "I won't send you private messages from 21:00 to 08:00, UK time."
    alex = conv.group.members[conv.member_id("Alex")]
    assert alex.quiet is not None and alex.quiet.start.hour == 21 and alex.quiet.end.hour == 8
    conv.by("Alex", c.MySetting("quiet", "Off"))
    assert conv.last_text() == "Quiet hours are off. I may message you at any time."
    assert conv.group.members[conv.member_id("Alex")].quiet_hours is None


def test_unreadable_quiet_hours_are_refused_with_an_example() -> None:
    conv = team("Sam")
    text = refused(conv, c.MySetting("quiet", "at lunchtime"))
    assert "I couldn't read those hours." in text and "quiet 21:00-08:00" in text


def test_reminders_are_turned_off_and_on() -> None:
    conv = team("Sam", "Alex")
    conv.by("Alex", c.MySetting("reminders", "off"))
    assert "I won't send you reminders" in conv.last_text()
    assert not conv.group.members[conv.member_id("Alex")].reminders
    conv.by("Alex", c.MySetting("reminders", "Yes"))
    assert "I will send you a private message before the deadline" in conv.last_text()
    assert conv.group.members[conv.member_id("Alex")].reminders
    assert "Please say on or off." in refused(conv, c.MySetting("reminders", "maybe"))


def test_a_personal_time_zone_is_read_from_a_city() -> None:
    conv = team("Sam", "Alex")
    conv.by("Alex", c.MySetting("timezone", "new york"))
    assert conv.last_text() == "Your time zone is now America/New_York."
    text = refused(conv, c.MySetting("timezone", "Mars/Olympus"), name="Alex")
    assert text.startswith("I don't know the time zone Mars/Olympus.")


def test_an_unknown_personal_setting_lists_the_ones_there_are() -> None:
    conv = team("Sam")
    text = refused(conv, c.MySetting("colour", "blue"))
    assert "language, quiet, reminders, timezone" in text


# -- group settings --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "field", "expected"),
    [
        ("timezone", "poland", "timezone", "Europe/Warsaw"),
        ("language", "CY", "language", "cy"),
        ("process", "lazy consensus", "process", "lazy"),
        ("quorum", "60%", "quorum", 60),
        ("duration", "5 days", "duration", 5 * DAY),
        ("questions", "1 day", "questions", DAY),
        ("nudge", "12 hours", "nudge_before", 12 * HOUR),
        ("mindeadline", "2 hours", "min_deadline", 2 * HOUR),
        ("resolve", "3 days", "resolve", 3 * DAY),
        ("digest", "on", "digest", True),
    ],
)
def test_a_facilitator_changes_a_group_setting(
    key: str, value: str, field: str, expected: object
) -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.GroupSetting(key, value))
    assert getattr(conv.group.settings, field) == expected
    assert conv.last_text() == f"Saved: {key} {value}"


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("timezone", "Nowhere", "I don't know the time zone Nowhere."),
        ("language", "x", "I don't know a language with the code x."),
        ("process", "vote", "Choose consent, lazy, advice, consensus, choice, time or ack."),
        ("quorum", "150", "A quorum is a percentage from 0 to 100."),
        ("quorum", "lots", "A quorum is a percentage from 0 to 100."),
        ("resolve", "soon", "I couldn't read that as a length of time."),
        ("duration", "0 days", "I couldn't read that as a length of time."),
        ("digest", "perhaps", "Please say on or off."),
        ("colour", "blue", "Say settings to see them all."),
    ],
)
def test_a_group_setting_that_cannot_be_read_changes_nothing(
    key: str, value: str, says: str
) -> None:
    conv = team("Sam", "Alex")
    assert says in refused(conv, c.GroupSetting(key, value))


def test_only_facilitators_change_the_group_settings() -> None:
    conv = team("Sam", "Alex")
    assert "Only a facilitator" in refused(conv, c.GroupSetting("quorum", "10"), name="Alex")


def test_the_group_setting_changes_how_the_next_proposal_runs() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.GroupSetting("duration", "5 days"))
    conv.by("Sam", c.GroupSetting("process", "lazy"))
    conv.by("Alex", c.Propose("Try the new medication chart for a month"))
    proposal = conv.proposal(1)
    assert proposal.process == "lazy"
    assert proposal.round is not None
    assert proposal.round.deadline == conv.now + 5 * DAY + 8 * HOUR  # Saturday 17:00


def test_turning_the_digest_on_schedules_it_once() -> None:
    conv = team("Sam")
    conv.by("Sam", c.GroupSetting("digest", "on"))
    timers = [e for e in conv.last.effects if isinstance(e, SetTimer)]  # type: ignore[union-attr]
    assert [(t.key, t.due) for t in timers] == [(f"{CHAT}|digest", conv.now + 7 * DAY)]
    conv.by("Sam", c.GroupSetting("digest", "on"))
    assert not [e for e in conv.last.effects if isinstance(e, SetTimer)]  # type: ignore[union-attr]


# -- linked chats and platform events --------------------------------------------------------


def test_a_link_code_joins_another_chat_to_the_group_once() -> None:
    conv = team("Sam")
    conv.by("Sam", c.LinkStart("k3y"))
    assert conv.last_text() == (
        "To add another chat to this group, say this in that chat within a day:\nlink k3y"
    )
    conv.by("Kim", c.LinkChat("k3y", "console:family"))
    assert conv.last_text() == (
        "Kim added another chat to this group. Decisions are now shared in every chat of the group."
    )
    assert conv.group.chats == (CHAT, "console:family")
    assert "Kim" in [m.name for m in conv.group.active_members()]
    assert "not valid" in refused(conv, c.LinkChat("k3y", "console:other"), name="Kim")


def test_a_link_code_is_valid_for_a_day() -> None:
    conv = team("Sam")
    conv.by("Sam", c.LinkStart("k3y"))
    conv.wait(DAY)
    text = refused(conv, c.LinkChat("k3y", "console:family"), name="Kim")
    assert "Ask a facilitator for a new one" in text


def test_old_link_codes_are_dropped_when_a_new_one_is_made() -> None:
    conv = team("Sam")
    conv.by("Sam", c.LinkStart("old"))
    conv.wait(2 * DAY)
    conv.by("Sam", c.LinkStart("new"))
    assert list(conv.group.link_codes) == ["new"]


def test_linking_a_chat_that_is_already_in_the_group_does_not_add_it_twice() -> None:
    conv = team("Sam")
    conv.by("Sam", c.LinkStart("k3y"))
    conv.by("Sam", c.LinkChat("k3y", CHAT))
    assert conv.group.chats == (CHAT,)


def test_linking_needs_a_code_from_the_application() -> None:
    conv = team("Sam")
    assert refused(conv, c.LinkStart("")) == "You can't link chats here."


def test_only_facilitators_make_link_codes() -> None:
    conv = team("Sam", "Alex")
    assert "Only a facilitator" in refused(conv, c.LinkStart("k3y"), name="Alex")


def test_a_moved_chat_keeps_its_group_under_the_new_id() -> None:
    conv = team("Sam")
    conv.by("Sam", c.LinkStart("k3y"))
    conv.by("Sam", c.LinkChat("k3y", "console:family"))
    conv.run(
        c.Request(c.Actor("telegram:0", "Telegram"), CHAT, c.ChatMoved(CHAT, "console:supergroup"))
    )
    assert conv.group.chats == ("console:supergroup", "console:family")
    assert [m.name for m in conv.group.members.values()] == ["Sam"]  # the platform is no member
    conv.by("Sam", c.ChatMoved("console:family", "console:supergroup"))
    assert conv.group.chats == ("console:supergroup",)


def test_a_chat_moved_to_an_id_the_group_did_not_know_is_added() -> None:
    conv = team("Sam")
    conv.by("Sam", c.ChatMoved("console:unknown", "console:new"))
    assert conv.group.chats == (CHAT, "console:new")


def test_a_chat_the_bot_was_removed_from_is_no_longer_the_groups() -> None:
    conv = team("Sam")
    conv.by("Sam", c.LinkStart("k3y"))
    conv.by("Sam", c.LinkChat("k3y", "console:family"))
    conv.by("Sam", c.ChatGone(CHAT))
    assert conv.group.chats == ("console:family",)


# -- forgetting a person ---------------------------------------------------------------------


def test_forgetme_erases_the_person_and_keeps_their_response_as_a_former_member() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Alex", c.MySetting("quiet", "21:00-08:00"))
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    conv.by("Alex", c.Respond(1, "concern", reason="Watch her breakfast time"))
    alex = conv.member_id("Alex")
    conv.by("Alex", c.ForgetMe())
    assert '"a former member"' in conv.last_text()

    forgotten = conv.group.members[alex]
    assert (forgotten.name, forgotten.identities, forgotten.status) == (
        "",
        (),
        MemberStatus.FORGOTTEN,
    )
    assert forgotten.quiet is None and forgotten.joined_at is None
    conv.by("Jo", c.Show(1))
    card = conv.last_text()
    assert "a former member — Concern: Watch her breakfast time" in card
    assert "Alex" not in card and "Still to respond: Sam, Jo" in card

    conv.by("Alex", c.Join())  # the same account, speaking again, is a new person
    assert conv.member_id("Alex") != alex


def test_forgetting_the_only_facilitator_hands_facilitation_on() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.ForgetMe())
    assert [m.name for m in conv.group.facilitators()] == ["Alex"]
    assert "Alex now runs the group as its facilitator." in conv.texts()


def test_the_only_facilitator_leaving_the_chat_hands_facilitation_on() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Leave(left_chat=True), present=False)
    assert [m.name for m in conv.group.facilitators()] == ["Alex"]


def test_forgetme_leaves_no_name_behind_in_the_record() -> None:
    conv = team("Sam", "Alex")
    conv.by("Alex", c.Propose("Buy a new kettle from the kitty"))
    conv.by("Alex", c.Withdraw(1))
    conv.by("Alex", c.ForgetMe())
    decision = conv.by("Sam", c.Export())
    exported = "\n".join(f.content for f in files(decision).values())
    assert "Alex" not in exported


def test_a_forgotten_required_voice_is_never_named_as_nothing() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose("Move the morning visit to 10:00", needs=("Jo",)))
    conv.by("Jo", c.ForgetMe())
    conv.by("Sam", c.Respond(1, "consent"))
    conv.by("Alex", c.Respond(1, "consent"))
    conv.wait(4 * DAY)
    outcome = conv.proposal(1).outcome
    assert outcome is not None
    assert "hear from ." not in outcome.summary


def test_someone_added_by_name_is_one_member_once_a_facilitator_confirms_the_account() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.AddPerson("Mum"))
    conv.by("Mum", c.Join())
    assert [m.name for m in conv.group.active_members()].count("Mum") == 2
    conv.by("Sam", c.ConfirmPerson("Mum", "@Mum"))
    assert [m.name for m in conv.group.active_members()].count("Mum") == 1


def test_someone_not_in_the_chat_cannot_be_the_facilitator() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.AddPerson("Mum"))
    refused(conv, c.MakeFacilitator("Mum"))
