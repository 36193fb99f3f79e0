"""Actions after a decision: who does what, by when, told, reminded, asked, moved."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core import commands as c
from bot.core.effects import DirectMessage
from bot.core.language import NotUnderstood, parse
from bot.core.model import Stage
from bot.core.record import member_record
from tests.core.care_team import DAY, HOUR, MINUTE, direct_messages, posts_since, refused, team
from tests.core.conversation import Conversation

CHAIR = "action #1 Alex buys the shower chair by Friday"
FRIDAY_5PM = datetime(2026, 12, 11, 17, 0, tzinfo=UTC)  # London is on UTC in December


def agreed(conv: Conversation | None = None) -> Conversation:
    """The team agrees #1, Sam's proposal."""
    conv = conv or team()
    conv.by("Sam", c.Propose("Buy a shower chair for Mum"))
    for name in ("Sam", "Alex", "Jo"):
        conv.by(name, c.Respond(1, "consent"))
    assert conv.proposal(1).stage is Stage.AGREED
    return conv


def say(conv: Conversation, name: str, text: str, *, private: bool = False) -> None:
    action = parse(text)
    assert isinstance(action, c.AddAction | c.ActionDone | c.MoveAction | c.TakeAction), action
    conv.by(name, action, private=private)


def dms_to(conv: Conversation, name: str, start: int = 0) -> list[str]:
    return [text for who, text in direct_messages(conv.said[start:]) if who == name]


def test_the_proposer_is_offered_actions_right_after_the_agreement() -> None:
    conv = team()
    conv.by("Sam", c.Propose("Buy a shower chair for Mum"))
    start = len(conv.said)
    for name in ("Sam", "Alex", "Jo"):
        conv.by(name, c.Respond(1, "consent"))
    (post,) = [p for p in posts_since(conv, start) if "It is agreed" in p]
    assert "Say: action #1, who does what, by when." in post


def test_the_person_named_is_told_privately_and_the_group_sees_it() -> None:
    conv = agreed()
    start = len(conv.said)
    say(conv, "Sam", CHAIR)
    (item,) = conv.proposal(1).actions
    assert (item.id, item.text, item.who, item.due) == (
        1,
        "buys the shower chair",
        conv.member_id("Alex"),
        FRIDAY_5PM,
    )
    (post,) = posts_since(conv, start)
    assert "Things to do for #1:" in post
    assert "#1.1 Alex: buys the shower chair (by Friday 11 December, 17:00" in post
    (told,) = dms_to(conv, "Alex", start)
    assert "Sam asked you to do this, for #1:" in told
    assert "When it is done, say: done #1.1." in told
    dm = next(e for e in conv.said[start:] if isinstance(e, DirectMessage))
    assert [a.command for a in dm.document.actions] == ["done #1.1", "action #1.1 in 1 week"]


def test_a_reminder_comes_a_day_before_and_is_one_message_for_all_of_them() -> None:
    conv = agreed()
    say(conv, "Sam", CHAIR)
    say(conv, "Sam", "action #1 Alex books the fitting by Friday 6pm")
    start = len(conv.said)
    conv.wait(3 * DAY + 8 * HOUR + 30 * MINUTE)  # Thursday 17:30
    (reminder,) = dms_to(conv, "Alex", start)
    assert "A reminder of what you said you would do:" in reminder
    assert "#1.1 buys the shower chair" in reminder
    assert "#1.2 books the fitting" in reminder
    conv.wait(HOUR)  # the second one's own reminder time: it was listed already
    assert len(dms_to(conv, "Alex", start)) == 1


def test_a_reminder_waits_for_the_end_of_quiet_hours() -> None:
    conv = agreed()
    say(conv, "Sam", "action #1 Alex buys the shower chair by Saturday 7am")
    start = len(conv.said)
    conv.wait(3 * DAY + 22 * HOUR)  # Friday 07:00: quiet until 08:00
    assert dms_to(conv, "Alex", start) == []
    conv.wait(2 * HOUR)
    (reminder,) = dms_to(conv, "Alex", start)
    assert "#1.1 buys the shower chair" in reminder


def test_an_action_not_done_by_its_date_is_announced_kindly_and_asked_about() -> None:
    conv = agreed()
    say(conv, "Sam", CHAIR)
    start = len(conv.said)
    conv.wait(5 * DAY)
    (post,) = [p for p in posts_since(conv, start) if "Not done yet" in p]
    assert "Not done yet, and that is OK: #1.1 Alex: buys the shower chair" in post
    assert "action #1.1 by Monday" in post and "I'll do it #1.1" in post
    asked = dms_to(conv, "Alex", start)
    assert any("Is this done?" in text for text in asked)


def test_done_is_announced_and_nothing_more_comes() -> None:
    conv = agreed()
    say(conv, "Sam", CHAIR)
    say(conv, "Alex", "done #1.1", private=True)
    (item,) = conv.proposal(1).actions
    assert item.done and item.done_by == conv.member_id("Alex")
    assert "Done: #1.1 Alex: buys the shower chair" in posts_since(conv, 0)[-1]
    start = len(conv.said)
    conv.wait(7 * DAY)
    assert not dms_to(conv, "Alex", start)
    assert not [p for p in posts_since(conv, start) if "Not done yet" in p]


def test_a_new_date_moves_the_reminder_and_the_question() -> None:
    conv = agreed()
    say(conv, "Sam", CHAIR)
    say(conv, "Alex", "action #1.1 by Monday 14 December")
    assert conv.proposal(1).actions[0].due == datetime(2026, 12, 14, 17, 0, tzinfo=UTC)
    assert "New date: #1.1" in posts_since(conv, 0)[-1]
    start = len(conv.said)
    conv.wait(5 * DAY)  # past Friday, the old date: nothing
    assert not [p for p in posts_since(conv, start) if "Not done yet" in p]
    conv.wait(3 * DAY)
    assert [p for p in posts_since(conv, start) if "Not done yet" in p]


def test_anyone_may_take_on_an_action_nobody_has() -> None:
    conv = agreed()
    say(conv, "Sam", "action #1 ask the shop about delivery by Friday")
    (item,) = conv.proposal(1).actions
    assert item.who is None and item.text == "ask the shop about delivery"
    assert "Anyone can take it on. Say: I'll do it #1.1" in posts_since(conv, 0)[-1]
    say(conv, "Jo", "I'll do it #1.1")
    assert conv.proposal(1).actions[0].who == conv.member_id("Jo")
    text = refused(conv, parse("take #1.1"), "Alex")  # type: ignore[arg-type]
    assert "Jo is doing #1.1." in text


def test_several_actions_per_decision_and_status_lists_the_open_ones() -> None:
    conv = agreed()
    say(conv, "Sam", CHAIR)
    say(conv, "Sam", "action #1 I tell the OT by Thursday")
    say(conv, "Sam", "done #1.2")
    conv.by("Jo", c.Status())
    text = conv.last_text()
    assert "Things to do:" in text
    assert "#1.1 Alex: buys the shower chair" in text
    assert "#1.2" not in text


def test_who_may_change_an_action_and_what_is_refused() -> None:
    conv = agreed()
    say(conv, "Alex", CHAIR)
    text = refused(conv, c.ActionDone(1, 1), "Jo")
    assert "Alex is doing #1.1. Please ask them, or a facilitator." in text
    refused(conv, c.ActionDone(1, 9), "Alex")
    refused(conv, c.MoveAction(1, 1, "yesterday"), "Alex")
    conv.by("Sam", c.Propose("Paint the hall"))
    text = refused(conv, c.AddAction(2, "Alex paints it"), "Alex")
    assert "not decided yet" in text
    refused(conv, c.AddAction(1, ""), "Alex")
    refused(conv, c.AddAction(1, "Alex buys it", due="gibberish words"), "Alex")


def test_an_action_whose_person_leaves_waits_for_someone_new() -> None:
    conv = agreed()
    say(conv, "Sam", CHAIR)
    start = len(conv.said)
    conv.by("Alex", c.Leave())
    assert conv.proposal(1).actions[0].who is None
    (post,) = [p for p in posts_since(conv, start) if "need someone new" in p]
    assert "#1.1 someone: buys the shower chair" in post
    assert "I'll do it #1.1" in post
    say(conv, "Jo", "I'll do it #1.1")
    assert conv.proposal(1).actions[0].who == conv.member_id("Jo")


def test_an_action_whose_person_is_forgotten_keeps_its_words_but_not_their_name() -> None:
    conv = agreed()
    say(conv, "Sam", CHAIR)
    alex = conv.member_id("Alex")
    start = len(conv.said)
    conv.by("Alex", c.ForgetMe())
    (item,) = conv.proposal(1).actions
    assert item.who is None and item.text == "buys the shower chair"
    posts = posts_since(conv, start)
    assert any("need someone new" in p for p in posts)
    assert not any("Alex" in p for p in posts)
    conv.wait(5 * DAY)  # nothing is sent to the forgotten person
    assert not any(isinstance(e, DirectMessage) and e.member == alex for e in conv.said[start:])


def test_a_sign_up_becomes_one_action_for_each_person_on_its_day() -> None:
    conv = team()
    conv.by("Sam", parse("signup We need 2 people for the move on 15 December"))  # type: ignore[arg-type]
    conv.by("Alex", c.Respond(1, "can"))
    conv.by("Jo", c.Respond(1, "can"))
    say(conv, "Sam", "action #1")
    actions = conv.proposal(1).actions
    assert [a.who for a in actions] == [conv.member_id("Alex"), conv.member_id("Jo")]
    assert {a.due for a in actions} == {datetime(2026, 12, 15, 17, 0, tzinfo=UTC)}
    assert {a.text for a in actions} == {"the move on 15 December"}
    text = refused(conv, c.AddAction(1), "Sam")
    assert "on our list of things to do already" in text


def test_the_history_tells_what_happened_to_each_action() -> None:
    conv = agreed()
    say(conv, "Sam", CHAIR)
    say(conv, "Alex", "action #1.1 by Monday 14 December")
    say(conv, "Alex", "done #1.1")
    conv.by("Jo", c.History(1))
    text = conv.last_text()
    assert "thing to do added (Sam): #1.1" in text
    assert "thing to do has a new date (Alex): #1.1" in text
    assert "thing to do done (Alex): #1.1" in text


def test_a_nudge_about_a_proposal_lists_the_things_to_do_and_no_second_message_comes() -> None:
    conv = agreed()
    say(conv, "Sam", CHAIR)  # reminded on Thursday at 17:00
    conv.by("Sam", c.Propose("Paint the hall", duration="3 days"))  # nudged Wednesday 09:00
    conv.by("Sam", c.Respond(2, "consent"))
    conv.by("Sam", c.Propose("Book the dentist", deadline="Friday 16:00"))  # nudged Thursday 16:00
    conv.by("Sam", c.Respond(3, "consent"))
    start = len(conv.said)
    conv.wait(3 * DAY + 9 * HOUR)  # Thursday 18:00
    texts = dms_to(conv, "Alex", start)
    assert len(texts) == 2, texts  # Wednesday's nudge, then Thursday's: each one message
    thursday = texts[-1]
    assert "Book the dentist" in thursday
    assert "A reminder of what you said you would do:" in thursday
    assert "#1.1 buys the shower chair" in thursday


def test_mydata_holds_the_things_to_do_a_person_does_or_added() -> None:
    conv = agreed()
    say(conv, "Sam", CHAIR)
    record = member_record(conv.group, conv.member_id("Alex"))
    (item,) = record["things_to_do"]
    assert (item["proposal"], item["text"]) == (1, "buys the shower chair")
    assert member_record(conv.group, conv.member_id("Jo"))["things_to_do"] == []


def test_words_too_long_are_refused_kindly_by_the_parser() -> None:
    for text in ("action #7 " + "x" * 400, "action #7.1 by " + "x" * 300, "signup " + "x" * 300):
        found = parse(text)
        assert isinstance(found, NotUnderstood), found
        assert found.problem.msgid.startswith("That is too long")


def test_taking_on_an_action_after_its_date_brings_no_second_not_done_yet() -> None:
    conv = agreed()
    say(conv, "Sam", CHAIR)
    conv.by("Alex", c.Leave())
    conv.wait(5 * DAY)  # Friday has gone by: said once
    start = len(conv.said)
    say(conv, "Jo", "I'll do it #1.1")
    conv.wait(HOUR)
    assert not [p for p in posts_since(conv, start) if "Not done yet" in p]


def test_an_action_for_someone_added_by_name_goes_to_whoever_speaks_for_them() -> None:
    conv = agreed()
    conv.by("Jo", c.AddPerson("Mum"))
    start = len(conv.said)
    say(conv, "Sam", "action #1 Mum chooses the colour by Friday")
    mum = next(m for m in conv.group.members.values() if m.name == "Mum")
    assert conv.proposal(1).actions[0].who == mum.id
    (told,) = dms_to(conv, "Jo", start)
    assert "Sam asked Mum to do this, for #1. You speak for them:" in told
    conv.wait(3 * DAY + 9 * HOUR)  # Thursday 18:00: the reminder went to Jo
    assert any("#1.1 chooses the colour" in t for t in dms_to(conv, "Jo", start))
