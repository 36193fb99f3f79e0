"""What ``forgetme`` asks storage to erase, and the rules it is rewritten by.

Storage applies these rules (``tests/storage/test_forgetting.py``); here they
are checked on core values alone."""

from __future__ import annotations

from bot.core import commands as c
from bot.core import forgetting
from bot.core.document import Mention, doc, para
from bot.core.effects import AskReason, DirectMessage, Forget, Post, Reply, SendFile
from tests.core.care_team import team
from tests.core.conversation import CHAT

ALEX = c.Actor("telegram:1002", "Alexandra Quigley", handle="alexq", language="pl")
FORGET = Forget(2, ("telegram:1002",), ("Alexandra Quigley",), ("alexq",), "a former member")


def test_forgetme_says_what_to_erase_before_it_answers() -> None:
    conv = team("Sam", "Alex")
    alex = conv.member_id("Alex")
    decision = conv.by("Alex", c.ForgetMe())
    forget = [e for e in decision.effects if isinstance(e, Forget)]
    assert forget == [Forget(alex, ("console:alex",), ("Alex",), (), "a former member")]
    # First, so that the answer after it is not erased with the rest.
    assert isinstance(decision.effects[0], Forget) and isinstance(decision.effects[-1], Reply)
    assert forget[0].pseudonym == f"former:{alex}"


def test_a_refused_forgetme_erases_nothing() -> None:
    conv = team("Sam")
    decision = conv.by("Stranger", c.ForgetMe(), private=True, present=False)
    assert decision.refused and not [e for e in decision.effects if isinstance(e, Forget)]


def test_her_command_keeps_her_words_and_loses_her_name() -> None:
    said = c.Request(ALEX, "dm:telegram:1002", c.Respond(1, "object", "Alexandra is tired"))
    redacted = forgetting.redact_command(said, FORGET)
    assert redacted == c.Request(
        c.Actor("former:2", "a former member", None, "pl"),
        "dm:former:2",
        c.Respond(1, "object", "Alexandra is tired"),  # what she typed, as she typed it
    )
    someone_else = c.Request(c.Actor("telegram:1", "Sam"), CHAT, c.Status())
    assert forgetting.redact_command(someone_else, FORGET) is None
    assert forgetting.redact_command(c.DeadlineDue(1, 0), FORGET) is None


def test_what_the_bot_wrote_names_the_pseudonym() -> None:
    assert forgetting.redact_text("Join by telegram:1002", FORGET) == "Join by former:2"
    assert forgetting.redact_text("Join by telegram:10023", FORGET) == "Join by telegram:10023"
    assert (
        forgetting.redact_text("Welcome, Alexandra Quigley (@alexq).", FORGET)
        == "Welcome, a former member (a former member)."
    )
    assert forgetting.redact_text("alexq2 and Alexandra Quigleyson", FORGET) == (
        "alexq2 and Alexandra Quigleyson"
    )


def test_a_message_for_her_alone_has_nobody_to_go_to() -> None:
    for_her = [
        DirectMessage(2, "Alexandra Quigley", ("telegram:1002",), doc("Please respond")),
        AskReason(CHAT, 2, "Alexandra Quigley", ("telegram:1002",), 1, "object", doc("Why?")),
        SendFile("my-data.json", "application/json", "{}", member=2),
        Reply("dm:telegram:1002", doc("Your settings"), private=True),
    ]
    assert all(forgetting.addressed_to(effect, FORGET) for effect in for_her)
    for_the_group = Post(doc("Still to respond: Alexandra Quigley"))
    assert not forgetting.addressed_to(for_the_group, FORGET)
    assert forgetting.names(for_the_group, FORGET)
    assert not forgetting.names(Post(doc("Still to respond: Sam")), FORGET)


def test_a_message_for_the_group_is_sent_without_her() -> None:
    card = Post(doc(para("Waiting for ", Mention("Alexandra Quigley", "telegram:1002"))), card=1)
    assert forgetting.scrub(card, FORGET) == Post(
        doc(para("Waiting for ", Mention("a former member"))), card=1
    )
    untouched = Post(doc("Buy a kettle"), card=1)
    assert forgetting.scrub(untouched, FORGET) is untouched


def test_a_pseudonym_stands_for_its_member_and_nothing_else_does() -> None:
    assert forgetting.pseudonym_member("former:12") == 12
    assert forgetting.pseudonym_member("telegram:12") is None
    assert forgetting.pseudonym_member("former:x") is None
