"""Reading the record in the chat: status, decisions, show, history, export, mydata,
settings, help, and the friendly answer to words the bot could not read."""

from __future__ import annotations

import json

import pytest

from bot.core import commands as c
from bot.core import i18n
from bot.core.document import plain_text
from bot.core.effects import Reply
from tests.core.care_team import DAY, HOUR, direct_messages, files, posts_since, refused, team
from tests.core.conversation import CHAT, Conversation


def care_team_with_three_open_proposals() -> Conversation:
    """#1 takes questions, #2 Alex has answered, #3 is a poll nobody has voted in."""
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose("New kettle", questions="1 day"))
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    conv.by("Alex", c.Respond(2, "consent"))
    conv.by("Sam", c.Propose("Lunch on Sunday", process="choice", options=("Soup", "Salad")))
    return conv


# -- status ------------------------------------------------------------------------------------


def test_status_with_nothing_open_says_how_to_propose() -> None:
    conv = team("Sam")
    conv.by("Sam", c.Status())
    assert conv.last_text() == (
        "Nothing is open right now.\nTo suggest something, say: propose and a title."
    )


def test_status_puts_what_is_waiting_for_you_first() -> None:
    conv = care_team_with_three_open_proposals()
    before = conv.group
    conv.by("Alex", c.Status())
    assert conv.group is before
    assert conv.last_text() == "\n".join(
        [
            "Waiting for your response:",
            "• Poll #3: Lunch on Sunday — until Thursday 10 December, 17:00 UK time",
            "Open too:",
            "• Proposal #1: New kettle — Ask until Tuesday 8 December, 09:00 UK time. "
            "Answer by Friday 11 December, 17:00 UK time.",
            "• Proposal #2: Move the morning visit to 10:00 — until Thursday 10 December, "
            "17:00 UK time",
        ]
    )
    conv.by("Jo", c.Status())
    assert conv.last_text().startswith(
        "Waiting for your response:\n• Proposal #2: Move the morning visit to 10:00"
    )


def test_status_lists_a_draft_without_a_deadline() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("New kettle", draft=True))
    conv.by("Alex", c.Status())
    assert conv.last_text() == "Open too:\n• Proposal #1: New kettle"


# -- decisions -------------------------------------------------------------------------------


def test_decisions_before_any_says_so() -> None:
    conv = team("Sam")
    conv.by("Sam", c.Decisions())
    assert conv.last_text() == "No decisions yet."


def test_decisions_are_listed_newest_first_with_what_was_recorded() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    conv.by("Sam", c.Respond(1, "consent"))
    conv.by("Alex", c.Respond(1, "consent"))
    conv.by("Sam", c.RecordOutcome(1, "Starts on Monday"))
    conv.by("Sam", c.Propose("Buy a new kettle from the kitty"))
    conv.by("Sam", c.Withdraw(2))
    conv.by("Sam", c.Propose("Still open"))
    conv.by("Alex", c.Decisions())
    assert conv.last_text() == "\n".join(
        [
            "What we decided, newest first:",
            "• Proposal #2: Buy a new kettle from the kitty — Withdrawn by Sam.",
            "• Proposal #1: Move the morning visit to 10:00 — It is agreed. Everyone has "
            "answered, and no one objects. Starts on Monday",
        ]
    )


def test_a_long_decision_log_shows_the_latest_twenty_and_points_to_export() -> None:
    conv = team("Sam")
    for n in range(1, 23):
        conv.by("Sam", c.Propose(f"Idea {n}"))
        conv.by("Sam", c.Withdraw(n))
    conv.by("Sam", c.Decisions())
    lines = conv.last_text().splitlines()
    assert lines[1].startswith("• Proposal #22: Idea 22")
    assert lines[20].startswith("• Proposal #3: Idea 3")
    assert lines[-1] == "Say export for the whole record."


# -- show and history ------------------------------------------------------------------------


def test_show_gives_the_card_with_its_questions_and_answers() -> None:
    conv = care_team_with_three_open_proposals()
    conv.by("Jo", c.Ask(1, "Which shop?"))
    conv.by("Sam", c.AnswerQuestion(1, "The one on the high street"))
    conv.by("Alex", c.Ask(1, "Electric?"))
    conv.by("Jo", c.Show(1))
    text = conv.last_text()
    assert text.startswith("Proposal #1: New kettle\nProposed by Sam.")
    assert text.endswith(
        "Questions\n• 1. Which shop?\n•    ↳ The one on the high street\n• 2. Electric?\n"
        'Reply with: "ask #1"'
    )


def test_show_without_a_number_asks_which_when_several_are_open() -> None:
    conv = care_team_with_three_open_proposals()
    text = refused(conv, c.Show(None), name="Jo")
    assert "Which proposal do you mean? Open now: #1, #2, #3." in text
    assert "show #7" in text


def test_show_of_a_closed_proposal_gives_its_outcome() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Buy a new kettle from the kitty"))
    conv.by("Sam", c.Withdraw(1))
    conv.by("Alex", c.Show(1))
    assert "Withdrawn by Sam." in conv.last_text()
    assert "Reply with" not in conv.last_text()  # nothing to press on a closed card


def test_asking_for_a_printable_record_sends_a_file() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    decision = conv.by("Alex", c.Show(1, printable=True))
    assert files(decision)


def test_history_tells_everything_that_happened_in_order_with_times() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.AddPerson("Mum"))
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    conv.wait(DAY)
    conv.by("Alex", c.Respond(1, "concern", reason="Watch her breakfast time"))
    conv.by("Jo", c.Respond(1, "consent", proxy_for="Mum"))
    conv.wait(2 * DAY + 8 * HOUR)  # Thursday 17:00, the usual deadline
    conv.by("Jo", c.History(1))
    assert conv.last_text() == "\n".join(
        [
            "History of #1",
            "• Monday 7 December, 09:00 UK time — proposed (Sam)",
            "• Monday 7 December, 09:00 UK time — version 1: Move the morning visit to 10:00",
            "• Tuesday 8 December, 09:00 UK time — Alex — Concern: Watch her breakfast time",
            "• Tuesday 8 December, 09:00 UK time — Mum — Consent (recorded by Jo)",
            "• Thursday 10 December, 17:00 UK time — agreed: It is agreed. No one objected.",
        ]
    )


def test_history_of_an_unknown_proposal_points_to_status() -> None:
    conv = team("Sam")
    assert "There is no proposal #4. Say status" in refused(conv, c.History(4))


# -- export and mydata -----------------------------------------------------------------------


def test_export_sends_the_record_files_where_it_was_asked() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    decision = conv.by("Alex", c.Export(), private=True)
    sent = files(decision)
    assert {name: (f.mime, f.chat) for name, f in sent.items()} == {
        "decisions.md": ("text/markdown", "dm:console:alex"),
        "decisions.html": ("text/html", "dm:console:alex"),
        "responses.csv": ("text/csv", "dm:console:alex"),
        "record.json": ("application/json", "dm:console:alex"),
    }
    assert "Proposal #1: Move the morning visit to 10:00" in sent["decisions.md"].content
    assert "a page to read, a page to print, a sheet for a spreadsheet" in conv.last_text()


def test_mydata_asked_in_the_group_is_sent_privately() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.AddPerson("Mum"))
    conv.by("Alex", c.Propose("Move the morning visit to 10:00"))
    conv.by("Sam", c.Ask(1, "What about Tuesdays?"))
    conv.by("Alex", c.AnswerQuestion(1, "Physio is at 11"))
    conv.by("Alex", c.Respond(1, "concern", reason="Breakfast", proxy_for="Mum"))
    decision = conv.by("Alex", c.MyData())
    assert conv.last_text() == "I am sending you all I keep about you, in a private message."
    sent = files(decision)["my-data.json"]
    assert (sent.chat, sent.member, sent.identities) == (
        None,
        conv.member_id("Alex"),
        ("console:alex",),
    )
    (data,) = json.loads(sent.content)["groups"]
    assert data["member"]["name"] == "Alex" and data["member"]["identities"] == ["console:alex"]
    assert [(p["number"], p["versions"][0]["title"]) for p in data["proposed"]] == [
        (1, "Move the morning visit to 10:00")
    ]
    assert [(r["response"], r["member"], r["recorded_by"]) for r in data["responses"]] == [
        ("concern", 3, conv.member_id("Alex"))  # Mum, the third member
    ]
    assert data["questions_and_answers"] == [{"proposal": 1, "answer": "Physio is at 11"}]


def test_mydata_asked_privately_is_answered_in_that_private_chat() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    conv.by("Alex", c.Ask(1, "What about Tuesdays?"))
    decision = conv.by("Alex", c.MyData(), private=True)
    sent = files(decision)["my-data.json"]
    assert sent.chat == "dm:console:alex"
    (data,) = json.loads(sent.content)["groups"]
    assert data["proposed"] == [] and data["responses"] == []
    assert data["questions_and_answers"] == [{"proposal": 1, "question": "What about Tuesdays?"}]


def test_mydata_never_links_a_person_to_an_anonymous_response() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Move the morning visit to 10:00", anonymous=True))
    conv.by("Alex", c.Respond(1, "object", reason="Too early for her"))
    decision = conv.by("Alex", c.MyData())
    assert "Too early" not in files(decision)["my-data.json"].content


# -- settings and help -----------------------------------------------------------------------


def test_settings_shows_the_group_and_your_own() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.AddPerson("Mum"))
    conv.by("Sam", c.GroupSetting("digest", "on"))
    conv.by("Sam", c.GroupSetting("process", "lazy"))
    conv.by("Alex", c.MySetting("quiet", "21:00-08:00"))
    conv.by("Alex", c.MySetting("reminders", "off"))
    conv.by("Alex", c.ShowSettings())
    assert conv.last_text() == "\n".join(
        [
            "Settings of this group",
            "• Time zone: Europe/London",
            "• Language: en",
            "• How we most often decide: lazy consensus",
            "• Quorum: 50%",
            "• Weekly digest: on",
            "• Facilitators: Sam",
            "• Members: Sam, Alex, Mum",
            "Your settings",
            "• Reminders: off",
            "• Quiet hours: 21:00-08:00",
            "A facilitator can change a setting. Like this: settings quorum 60%",
        ]
    )


def test_settings_of_a_new_member_say_default_quiet_hours_and_reminders_on() -> None:
    conv = team("Sam")
    conv.by("Sam", c.ShowSettings())
    assert "• Weekly digest: off" in conv.last_text()
    assert "• Reminders: on\n• Quiet hours: 21:00-08:00" in conv.last_text()
    conv.by("Sam", c.MySetting("quiet", "off"))
    conv.by("Sam", c.ShowSettings())
    assert "• Quiet hours: none" in conv.last_text()


def test_help_lists_every_command_with_a_button_to_see_what_is_open() -> None:
    conv = team("Sam")
    decision = conv.by("Sam", c.Help())
    (reply,) = decision.effects
    assert isinstance(reply, Reply)
    text = plain_text(reply.document)
    assert text.startswith("How to use me\nType these words. Buttons do the same thing.")
    for command in ("propose <title>", "for Mum consent #7", "mydata · forgetme", "export"):
        assert command in text
    assert [a.command for a in reply.document.actions] == ["status"]


def test_help_on_a_topic_shows_just_that_and_anyone_may_ask() -> None:
    conv = team("Sam")
    conv.by("Stranger", c.Help("Vote "), private=True, present=False)
    lines = conv.last_text().splitlines()
    assert lines[2] == "• vote #7 2 — Vote in a poll."
    assert len([line for line in lines if line.startswith("•")]) == 1
    assert conv.group.member_by_identity("console:stranger") is None


def test_help_on_an_unknown_topic_shows_everything() -> None:
    conv = team("Sam")
    conv.by("Sam", c.Help("knitting"))
    assert len([line for line in conv.last_text().splitlines() if line.startswith("•")]) > 10


def test_words_the_bot_could_not_read_get_a_correction_with_an_example() -> None:
    conv = team("Sam")
    text = refused(
        conv,
        c.Unclear(
            "I didn't understand '{word}'. Type help to see what you can say.",
            (("word", "consnet"),),
            "consent #7",
        ),
    )
    assert text == (
        "I didn't understand 'consnet'. Type help to see what you can say.\nLike this: consent #7"
    )


# -- languages -------------------------------------------------------------------------------


def test_replies_come_in_your_language_and_posts_in_the_groups(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(i18n, "_catalogs", {})
    welsh = {
        "Nothing is open right now.": "Does dim byd ar agor ar hyn o bryd.",
        "Hello {name}. We have not heard from you yet about:": "Helo {name}. Dim gair eto am:",
    }
    i18n.install("CY", lambda message: welsh.get(message, message))
    assert i18n.installed_languages() == ["cy", "en"]

    conv = team("Sam", "Alex")
    conv.by("Alex", c.MySetting("language", "cy-GB"))
    conv.by("Alex", c.Status())
    assert conv.last_text().startswith("Does dim byd ar agor")
    conv.by("Sam", c.Status())
    assert conv.last_text().startswith("Nothing is open")

    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    conv.by("Sam", c.Respond(1, "consent"))
    start = len(conv.said)
    conv.wait(2 * DAY + 9 * HOUR)  # an hour after the nudge, Wednesday 17:00
    ((name, nudge),) = direct_messages(conv.said[start:])
    assert name == "Alex" and nudge.startswith("Helo Alex. Dim gair eto am:")
    assert not any("Helo" in text for text in posts_since(conv, 0))


def test_someone_new_is_answered_in_their_platform_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(i18n, "_catalogs", {})
    polish = {"No decisions yet.": "Nie ma jeszcze decyzji."}
    i18n.install("pl", lambda message: polish.get(message, message))
    conv = team("Sam")
    actor = c.Actor("console:ola", "Ola", language="pl")
    conv.run(c.Request(actor, CHAT, c.Decisions()))
    assert conv.last_text() == "Nie ma jeszcze decyzji."


def test_history_spells_out_a_new_deadline_in_words() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    conv.by("Sam", c.Extend(1, "in 6 days"))
    conv.by("Alex", c.History(1))
    (line,) = [x for x in conv.last_text().splitlines() if "more time" in x]
    assert line.endswith("Sunday 13 December, 09:00 UK time")
