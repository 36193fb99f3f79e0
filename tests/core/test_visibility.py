"""Who may see what: every view of a proposal, as a table.

Every view × {anonymous, hidden results, both, neither} × {open, closed}: a
member's name and their reason appear exactly where they may. Alex objects and
Jo has a concern, each with a reason; Kim has not answered; Sam proposed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

import pytest

from bot.core import commands as c
from bot.core import visibility
from bot.core.cards import card
from bot.core.document import plain_text
from bot.core.effects import Reply
from bot.core.lifecycle import ACTIVE
from bot.core.model import Stage
from tests.core.care_team import DAY, files, team
from tests.core.conversation import Conversation

ALEX_WHY = "The hoist is not safe yet"
JO_WHY = "Mornings are busy"

CASES = {
    "neither": {},
    "anonymous": {"anonymous": True},
    "hidden": {"hide_results": True},
    "both": {"anonymous": True, "hide_results": True},
}


def proposal_with_answers(case: str, *, closed: bool) -> Conversation:
    conv = team("Sam", "Alex", "Jo", "Kim")
    conv.group = replace(conv.group, settings=replace(conv.group.settings, digest=True))
    conv.by("Sam", c.Propose("Move the morning visit to 10:00", **CASES[case]))  # type: ignore[arg-type]
    conv.by("Alex", c.Respond(1, "object", reason=ALEX_WHY))
    conv.by("Jo", c.Respond(1, "concern", reason=JO_WHY))
    if closed:
        conv.by("Sam", c.Close(1))  # to working through objections
        conv.by("Sam", c.Close(1))  # and, with the objection standing, not agreed
        assert conv.proposal(1).stage is Stage.NOT_AGREED
    else:
        assert conv.proposal(1).stage in ACTIVE
    return conv


def _reply(action: c.Action) -> Callable[[Conversation], str]:
    def view(conv: Conversation) -> str:
        conv.by("Kim", action)
        return conv.last_text()

    return view


def _file(action: c.Action, name: str) -> Callable[[Conversation], str]:
    def view(conv: Conversation) -> str:
        decision = conv.by("Kim", action)
        sent = files(decision)
        return sent[name].content if name in sent else conv.last_text()

    return view


def _card(conv: Conversation) -> str:
    return plain_text(card(conv.group, conv.proposal(1), conv.now))


def _digest(conv: Conversation) -> str:
    conv.run(c.DigestDue())
    return conv.last_text()


# Views that show what people answered, when it may be seen.
ANSWERING_VIEWS: dict[str, Callable[[Conversation], str]] = {
    "card": _card,
    "show": _reply(c.Show(1)),
    "history": _reply(c.History(1)),
    "printable": _file(c.Show(1, printable=True), "proposal-1.html"),
    "export markdown": _file(c.Export(), "decisions.md"),
    "export html": _file(c.Export(), "decisions.html"),
    "export csv": _file(c.Export(), "responses.csv"),
    "export json": _file(c.Export(), "record.json"),
}
# Views that never show an answer: titles, deadlines and outcomes only.
QUIET_VIEWS: dict[str, Callable[[Conversation], str]] = {
    "status": _reply(c.Status()),
    "decisions": _reply(c.Decisions()),
    "calendar": _file(c.Show(1, calendar=True), "proposal-1.ics"),
    "digest": _digest,
    "mydata of someone who did not answer": _file(c.MyData(), "my-data.json"),
}


def _answers_visible(case: str, closed: bool) -> bool:
    return closed or case in ("neither", "anonymous")


def _names_visible(case: str) -> bool:
    return case in ("neither", "hidden")


@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("view", list(ANSWERING_VIEWS))
def test_a_view_shows_reasons_and_names_only_where_they_may_be_seen(
    view: str, case: str, closed: bool
) -> None:
    text = ANSWERING_VIEWS[view](proposal_with_answers(case, closed=closed))
    reasons = _answers_visible(case, closed)
    names = reasons and _names_visible(case)
    assert (ALEX_WHY in text, JO_WHY in text) == (reasons, reasons), text
    assert ("Alex" in text, "Jo" in text) == (names, names), text
    if reasons:
        return
    if view == "export json":
        assert json.loads(text)["proposals"][0]["results_hidden_until_close"] is True
    elif view == "export csv":
        assert text.count("\n") == 1  # the heading only
    else:
        assert "Responses so far: 2. You will see the results at the end." in text


@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("view", list(QUIET_VIEWS))
def test_a_view_without_answers_never_shows_a_reason_or_who_answered(
    view: str, case: str, closed: bool
) -> None:
    text = QUIET_VIEWS[view](proposal_with_answers(case, closed=closed))
    assert text or (view == "digest" and closed)  # the digest lists what is open
    for word in (ALEX_WHY, JO_WHY, "Alex", "Jo"):
        assert word not in text, (word, text)


@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
@pytest.mark.parametrize("case", list(CASES))
def test_mydata_gives_a_person_their_own_reason_unless_it_was_kept_without_their_name(
    case: str, closed: bool
) -> None:
    conv = proposal_with_answers(case, closed=closed)
    (mine,) = json.loads(files(conv.by("Alex", c.MyData()))["my-data.json"].content)["groups"]
    text = json.dumps(mine, ensure_ascii=False)
    anonymous = CASES[case].get("anonymous", False)
    assert (ALEX_WHY in text) is not anonymous
    assert JO_WHY not in text  # never someone else's
    assert mine["answered_anonymously"] == ([1] if anonymous else [])


def test_the_rules_of_sight_as_a_table() -> None:
    expected = {
        ("neither", False): (True, True, True),
        ("neither", True): (True, True, True),
        ("anonymous", False): (False, True, False),
        ("anonymous", True): (False, True, False),
        ("hidden", False): (True, False, True),
        ("hidden", True): (True, True, True),
        ("both", False): (False, False, False),
        ("both", True): (False, True, False),
    }
    for (case, closed), (names, answers, waiting) in expected.items():
        proposal = proposal_with_answers(case, closed=closed).proposal(1)
        assert visibility.sight(proposal) == visibility.Sight(names, answers, waiting), case


def test_history_does_not_say_who_took_back_an_objection_while_results_are_hidden() -> None:
    conv = team("Sam", "Alex", "Kim")
    conv.by("Sam", c.Propose("Move the morning visit to 10:00", hide_results=True))
    conv.by("Alex", c.Respond(1, "object", reason=ALEX_WHY))
    conv.by("Kim", c.Respond(1, "object", reason="Not now"))
    conv.wait(4 * DAY)  # the deadline: working through objections
    conv.by("Alex", c.WithdrawObjection(1))
    assert conv.proposal(1).stage is Stage.RESOLVING
    conv.by("Sam", c.History(1))
    assert "took back an objection" not in conv.last_text()
    assert "Alex" not in conv.last_text()
    conv.by("Sam", c.Close(1))  # once it is closed, the history tells all of it
    conv.by("Sam", c.History(1))
    assert "took back an objection (Alex)" in conv.last_text()


def test_a_response_recorded_for_someone_is_hidden_with_the_rest() -> None:
    conv = team("Sam", "Alex", "Kim")
    conv.by("Sam", c.AddPerson("Mum"))
    conv.by("Sam", c.Propose("Move the morning visit to 10:00", hide_results=True))
    conv.by("Alex", c.Respond(1, "concern", reason="She sleeps late", proxy_for="Mum"))
    for view in ANSWERING_VIEWS.values():
        text = view(conv)
        assert "She sleeps late" not in text and "recorded by" not in text


def _thanks(conv: Conversation) -> str:
    assert conv.last is not None
    return "\n".join(plain_text(e.document) for e in conv.last.effects if isinstance(e, Reply))


def test_while_results_are_hidden_a_thank_you_in_the_group_does_not_say_the_answer() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.AddPerson("Mum"))
    conv.by("Sam", c.Propose("Move the morning visit to 10:00", hide_results=True))
    conv.by("Alex", c.Respond(1, "object", reason=ALEX_WHY))
    assert _thanks(conv) == "Thank you, Alex. Your response to #1 is recorded."
    conv.by("Jo", c.Respond(1, "concern", reason="She sleeps late", proxy_for="Mum"))
    assert _thanks(conv) == "Jo gave an answer for Mum on #1."
    conv.by("Jo", c.Respond(1, "consent"), private=True)  # privately, the answer is said
    assert _thanks(conv) == "Thank you, Jo. Your response to #1 is recorded: Consent."
