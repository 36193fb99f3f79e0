"""Sign-ups with a target: who can cover the Tuesday visit."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core import commands as c
from bot.core.language import parse
from bot.core.model import Stage
from tests.core.care_team import DAY, posts_since, refused, team
from tests.core.conversation import Conversation

VISIT = "We need 1 person for the Tuesday visit on 15 December"


def signup(conv: Conversation, text: str = VISIT, name: str = "Sam") -> int:
    action = parse("signup " + text)
    assert isinstance(action, c.Propose), action
    conv.by(name, action)
    return conv.group.numbered


def test_the_words_give_the_number_the_day_and_the_deadline() -> None:
    action = parse("signup We need two carers for Saturday on 12 December by Thursday")
    assert isinstance(action, c.Propose)
    assert (action.process, action.target, action.on, action.deadline) == (
        "signup",
        2,
        "12 December",
        "Thursday",
    )
    assert action.title == "We need two carers for Saturday on 12 December"
    someone = parse("signup Someone to drive Mum to the dentist\nby Friday")
    assert isinstance(someone, c.Propose)
    assert (someone.target, someone.on, someone.deadline) == (1, None, "Friday")


def test_it_closes_the_day_before_its_day_and_the_card_says_what_is_needed() -> None:
    conv = team()
    number = signup(conv)
    proposal = conv.proposal(number)
    assert proposal.options.target == 1
    assert proposal.round is not None
    # 17:00 London time on Monday 14 December: a day to plan before the visit.
    assert proposal.round.deadline == datetime(2026, 12, 14, 17, 0, tzinfo=UTC)
    card = conv.card_text(number)
    assert card.startswith(f"Sign-up #{number}: {VISIT}")
    assert "We need 1 person. Can you do it?" in card
    assert "It is for Tuesday 15 December." in card
    assert "I can do it" in card and "I can't" in card


def test_it_closes_as_soon_as_the_target_is_met_and_names_who() -> None:
    conv = team()
    number = signup(conv, "We need 2 people for the move on 15 December")
    start = len(conv.said)
    conv.by("Jo", c.Respond(number, "cannot"))
    conv.by("Alex", c.Respond(number, "can"))
    assert conv.proposal(number).stage is Stage.OPEN
    assert "Signed up: Alex (1 of 2)." in conv.card_text(number)
    conv.by("Sam", c.Respond(number, "i can do it"))
    assert conv.proposal(number).stage is Stage.AGREED
    (post,) = [p for p in posts_since(conv, start) if "enough people" in p]
    assert "We have enough people. Signed up: Alex, Sam." in post
    assert "action #1" in post  # it can be turned into things to do


def test_a_press_after_it_is_full_is_thanked_and_kept_out() -> None:
    conv = team()
    number = signup(conv)
    conv.by("Alex", c.Respond(number, "can"))
    before = conv.proposal(number)
    text = refused(conv, c.Respond(number, "can"), "Jo")
    assert "Thank you, Jo! #1 has enough people now, so nothing more is needed from you." in text
    assert conv.proposal(number) is before


def test_nobody_signing_up_is_told_kindly_with_what_to_do_next() -> None:
    conv = team()
    number = signup(conv)
    start = len(conv.said)
    conv.by("Jo", c.Respond(number, "cannot"))
    conv.wait(8 * DAY)
    assert conv.proposal(number).stage is Stage.NOT_AGREED
    (post,) = [p for p in posts_since(conv, start) if "Nobody could sign up" in p]
    assert "that is OK" in post
    assert "reopen #1" in post


def test_too_few_at_the_deadline_names_who_did_and_how_many_more() -> None:
    conv = team()
    number = signup(conv, "We need 2 people for the move on 15 December")
    conv.by("Alex", c.Respond(number, "can"))
    conv.wait(8 * DAY)
    assert conv.proposal(number).stage is Stage.CLOSED
    assert "Signed up: Alex. We still need 1 more." in conv.card_text(number)


def test_someone_added_by_name_is_signed_up_through_a_proxy() -> None:
    conv = team()
    conv.by("Alex", c.AddPerson("Mum"))
    number = signup(conv, "We need 1 person to choose the film on 15 December")
    conv.by("Jo", c.Respond(number, "can", proxy_for="Mum"))
    assert conv.proposal(number).stage is Stage.AGREED
    assert "Signed up: Mum." in conv.card_text(number)


def test_only_members_sign_up() -> None:
    conv = team()
    number = signup(conv)
    refused(conv, c.Respond(number, "can"), "Stranger", present=False)
    refused(conv, c.Respond(number, "can", proxy_for="Alex"), "Jo")  # Alex answers for Alex


def test_a_sign_up_is_never_anonymous_and_its_day_cannot_be_gone() -> None:
    conv = team()
    text = refused(conv, c.Propose(VISIT, process="signup", target=1, anonymous=True))
    assert "can't be anonymous" in text
    text = refused(conv, c.Propose(VISIT, process="signup", target=1, on="1 December 09:00"))
    assert "That day has already passed" in text
    text = refused(
        conv, c.Propose(VISIT, process="signup", target=1, on="15 December", deadline="16 December")
    )
    assert "needs to close by" in text
    refused(conv, c.Propose(VISIT, process="signup", target=0))


def test_words_after_on_that_are_no_date_stay_in_the_title() -> None:
    conv = team()
    number = signup(conv, "We need someone to carry on the good work\nin 2 days")
    proposal = conv.proposal(number)
    assert proposal.options.on is None
    assert proposal.round is not None
    assert proposal.round.deadline == conv.now + 2 * DAY


def test_someone_who_leaves_is_no_longer_counted_on() -> None:
    conv = team()
    number = signup(conv, "We need 2 people for the move on 15 December")
    conv.by("Alex", c.Respond(number, "can"))
    conv.by("Alex", c.Leave())
    conv.by("Jo", c.Respond(number, "can"))
    assert conv.proposal(number).stage is Stage.OPEN  # Jo, and one more
    conv.by("Sam", c.Respond(number, "can"))
    assert conv.proposal(number).stage is Stage.AGREED
    card = conv.card_text(number)
    assert "Signed up: Jo, Sam (2 of 2)." in card and "Alex" not in card


def test_more_time_for_a_sign_up_ends_by_its_day() -> None:
    conv = team()
    number = signup(conv)
    text = refused(conv, c.Extend(number, "16 December"))
    assert "The sign-up needs to close by Tuesday 15 December" in text
    conv.by("Sam", c.Extend(number, "15 December 9am"))
    round_ = conv.proposal(number).round
    assert round_ is not None and round_.deadline == datetime(2026, 12, 15, 9, 0, tzinfo=UTC)
