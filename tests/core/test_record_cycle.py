"""The record shows the whole cycle: sign-ups, actions (done or not) and review
results, in ``history``, the exports and the Easy Read page."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.core import commands as c
from bot.core import record
from bot.core.i18n import translator
from bot.core.printable import printable_page
from tests.core.conversation import Conversation

DAY = timedelta(days=1)


def cycle() -> Conversation:
    """#1 agreed with a concern, two things to do (one done), a sign-up (#2), and a
    review where Alex asked for a change (#3 follows)."""
    conv = Conversation()
    for name in ("Sam", "Alex", "Jo"):
        conv.by(name, c.Join())
    conv.by(
        "Jo", c.Propose("Buy a shower chair", "Mum finds it hard to stand", review="in 30 days")
    )
    conv.by("Sam", c.Respond(1, "consent"))
    conv.by("Alex", c.Respond(1, "concern", reason="It must fit the bathroom"))
    conv.by("Jo", c.Respond(1, "consent"))
    conv.by("Jo", c.AddAction(1, "Alex buys the shower chair", "Friday"))
    conv.by("Jo", c.AddAction(1, "Sam fits the chair", "in 10 days"))
    conv.by("Alex", c.ActionDone(1, 1))
    conv.by("Sam", c.Propose("We need 1 person for the Tuesday visit", process="signup"))
    conv.by("Alex", c.Respond(2, "can"))
    conv.wait(30 * DAY)
    conv.by("Sam", c.CheckIn(1, "keep"))
    conv.by("Alex", c.CheckIn(1, "change", "Get one with arms"))
    conv.by("Jo", c.CheckIn(1, "keep"))
    return conv


def history(conv: Conversation, number: int) -> str:
    _ = translator("en")
    return "\n".join(record.history_lines(conv.group, conv.proposal(number), _, language="en"))


def exported(conv: Conversation) -> dict[str, str]:
    return {name: content for name, _mime, content in record.export_files(conv.group, conv.now)}


def test_history_shows_actions_the_check_in_and_its_result() -> None:
    said = history(cycle(), 1)
    assert "thing to do added (Jo): #1.1 buys the shower chair" in said
    assert "thing to do done (Alex): #1.1 buys the shower chair" in said
    assert "Sam — Keep it" in said
    assert "Alex — Change it: Get one with arms" in said
    assert "we looked at it again: change it, in #3" in said
    assert "(the bot): change it" not in said  # the group's result names no one


def test_history_of_a_sign_up_shows_who_signed_up() -> None:
    said = history(cycle(), 2)
    assert "Alex — I can do it" in said
    assert "We have enough people. Signed up: Alex." in said


def test_the_markdown_export_lists_actions_done_or_not_and_reviews() -> None:
    markdown = exported(cycle())["decisions.md"]
    part = markdown.split("## Proposal #1")[1].split("## ")[0]
    assert "Things to do:" in part
    # "#" leading a Markdown line is escaped, so it is never a heading.
    assert (
        "\\#1.1 Alex: buys the shower chair (by Friday, 11 December 2026, 17:00 UK time) "
        "— done on Monday, 7 December 2026" in part
    )
    assert "#1.2 Sam: fits the chair" in part and "— not done yet" in part
    assert "Reviews:" in part
    assert "Review of Wednesday 6 January" in part
    assert "change it, in #3 (Keep it: 2 · Change it: 1 · Stop it: 0)" in part
    assert "Alex — Change it: Get one with arms" in part
    assert "Sign-up #2: We need 1 person for the Tuesday visit" in markdown


def test_the_json_export_holds_actions_and_reviews() -> None:
    data = json.loads(exported(cycle())["record.json"])
    first = data["proposals"][0]
    assert [(a["id"], a["who"], a["done"]) for a in first["actions"]] == [
        (1, "Alex", True),
        (2, "Sam", False),
    ]
    (review,) = first["reviews"]
    assert review["answers"] == {"keep": 2, "change": 1, "stop": 0}
    assert review["result"] == "change #3"
    signup = data["proposals"][1]
    assert signup["process"] == "signup"
    assert [r["response"] for r in signup["responses"]] == ["can"]


def test_the_easy_read_page_says_what_we_will_do_and_how_it_is_going() -> None:
    conv = cycle()
    page = printable_page(conv.group, conv.proposal(1), conv.now)
    assert "<h2>What will we do?</h2>" in page
    assert "buys the shower chair" in page and "not done yet" in page
    assert "<h2>How is it going?</h2>" in page
    assert "change it, in #3" in page


def test_the_easy_read_page_of_a_sign_up_says_how_many_we_need() -> None:
    conv = cycle()
    page = printable_page(conv.group, conv.proposal(2), conv.now)
    assert "We need 1 person. Can you do it?" in page
    assert "Alex — I can do it" in page


def test_a_review_put_off_is_shown_as_put_off() -> None:
    conv = Conversation()
    for name in ("Sam", "Alex"):
        conv.by(name, c.Join())
    conv.by("Sam", c.Propose("Tea rota", review="in 2 weeks"))
    conv.by("Sam", c.Respond(1, "consent"))
    conv.by("Alex", c.Respond(1, "consent"))
    conv.wait(15 * DAY)
    conv.by("Sam", c.SetReview(1, "in 30 days"))
    markdown = exported(conv)["decisions.md"]
    assert "Review of Monday 21 December, 09:00 UK time: put off" in markdown
