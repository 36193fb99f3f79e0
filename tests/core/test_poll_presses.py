"""Pressing options in a poll: in a multi-choice or a time poll each press adds a
pick, and pressing a picked option again takes it away."""

from __future__ import annotations

from bot.core import commands as c
from bot.core.cards import card, response_actions
from bot.core.document import plain_text
from bot.core.i18n import translator
from bot.core.model import Stage
from tests.core.conversation import Conversation


def team(*names: str) -> Conversation:
    conv = Conversation()
    for name in names:
        conv.by(name, c.Join())
    return conv


def _mine(conv: Conversation, name: str) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    round_ = conv.proposal(1).round
    assert round_ is not None
    record = round_.response_of(conv.member_id(name))
    return None if record is None else (record.choices, record.maybe)


def _multi_poll() -> Conversation:
    conv = team("Sam", "Alex", "Jo")
    conv.by(
        "Sam",
        c.Propose(
            "Which treats for the party?",
            process="choice",
            options=("Cake", "Fruit", "Crisps"),
            multi=True,
        ),
    )
    return conv


def test_a_second_press_in_a_multi_poll_adds_a_pick() -> None:
    conv = _multi_poll()
    conv.by("Alex", c.Respond(1, "vote", choices=(1,)))
    conv.by("Alex", c.Respond(1, "vote", choices=(3,)))
    assert _mine(conv, "Alex") == ((1, 3), ())


def test_pressing_a_picked_option_again_takes_it_away() -> None:
    conv = _multi_poll()
    conv.by("Alex", c.Respond(1, "vote", choices=(1,)))
    conv.by("Alex", c.Respond(1, "vote", choices=(2,)))
    conv.by("Alex", c.Respond(1, "vote", choices=(1,)))
    assert _mine(conv, "Alex") == ((2,), ())


def test_taking_away_the_last_pick_takes_the_answer_back() -> None:
    conv = _multi_poll()
    conv.by("Alex", c.Respond(1, "vote", choices=(2,)))
    conv.by("Alex", c.Respond(1, "vote", choices=(2,)))
    assert _mine(conv, "Alex") is None
    assert "taken back" in conv.last_text()
    assert "Alex" in conv.card_text(1).split("Still to respond:")[1]


def test_naming_several_options_sets_the_whole_answer() -> None:
    conv = _multi_poll()
    conv.by("Alex", c.Respond(1, "vote", choices=(1,)))
    conv.by("Alex", c.Respond(1, "vote", choices=(2, 3)))
    assert _mine(conv, "Alex") == ((2, 3), ())


def test_a_single_choice_poll_still_replaces_the_pick() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose("Which day?", process="choice", options=("Mon", "Thu")))
    conv.by("Alex", c.Respond(1, "vote", choices=(1,)))
    conv.by("Alex", c.Respond(1, "vote", choices=(2,)))
    assert _mine(conv, "Alex") == ((2,), ())


def _time_poll() -> Conversation:
    conv = team("Sam", "Alex", "Jo")
    conv.by(
        "Sam",
        c.Propose(
            "Team meeting",
            process="time",
            options=("Tuesday 10:00", "Wednesday 14:00", "Thursday 18:00"),
        ),
    )
    return conv


def test_time_poll_presses_add_yes_and_if_need_be() -> None:
    conv = _time_poll()
    conv.by("Alex", c.Respond(1, "vote", choices=(1,)))
    conv.by("Alex", c.Respond(1, "vote", maybe=(3,)))
    assert _mine(conv, "Alex") == ((1,), (3,))
    conv.by("Alex", c.Respond(1, "vote", maybe=(1,)))  # 1 becomes "if need be"
    assert _mine(conv, "Alex") == ((), (1, 3))
    conv.by("Alex", c.Respond(1, "vote", maybe=(3,)))  # pressed again: taken away
    assert _mine(conv, "Alex") == ((), (1,))
    assert conv.proposal(1).stage is Stage.OPEN


def test_time_poll_card_has_an_if_need_be_button_for_every_slot() -> None:
    conv = _time_poll()
    _ = translator("en")
    actions = response_actions(conv.proposal(1), _)
    assert [a.command for a in actions if "if need be" in a.label] == [
        "vote #1 maybe 1",
        "vote #1 maybe 2",
        "vote #1 maybe 3",
    ]


def test_a_multi_poll_card_does_not_ask_for_the_one_you_like_best() -> None:
    conv = _multi_poll()
    text = plain_text(card(conv.group, conv.proposal(1), conv.now))
    assert "like best" not in text
    assert "Press an option again to take it back." in text


def test_a_removed_number_reaction_takes_back_only_that_pick() -> None:
    conv = _time_poll()
    conv.by("Alex", c.Respond(1, "vote", choices=(1,)))
    conv.by("Alex", c.Respond(1, "vote", choices=(2,)))
    conv.by("Alex", c.Respond(1, "vote", maybe=(3,)))
    conv.by("Alex", c.Unrespond(1, "vote", choices=(1,)))
    assert _mine(conv, "Alex") == ((2,), (3,))
    conv.by("Alex", c.Unrespond(1, "vote", choices=(1,)))  # gone already: nothing changes
    assert _mine(conv, "Alex") == ((2,), (3,))


def test_removing_the_reaction_of_a_single_choice_takes_the_answer_back() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose("Which day?", process="choice", options=("Mon", "Thu")))
    conv.by("Alex", c.Respond(1, "vote", choices=(1,)))
    conv.by("Alex", c.Unrespond(1, "vote", choices=(2,)))  # an old reaction: Alex picks 1
    assert _mine(conv, "Alex") == ((1,), ())
    conv.by("Alex", c.Unrespond(1, "vote", choices=(1,)))
    assert _mine(conv, "Alex") is None
