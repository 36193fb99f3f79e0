"""Answers recorded for someone else always say who recorded them, on the card,
in the history, in every export and on the printable page; the Easy Read page;
and calendar files for deadlines and review dates."""

from __future__ import annotations

import csv
import io
import json

from icalendar import Calendar

from bot.core import commands as c
from tests.core.care_team import files, refused, team
from tests.core.conversation import Conversation

PROXY = "Mum — Consent (recorded by Jo)"


def mum_answers_through_jo() -> Conversation:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.AddPerson("Mum"))
    conv.by("Sam", c.Propose("Move the morning visit to 10:00", review="in 30 days"))
    conv.by("Jo", c.Respond(1, "consent", proxy_for="Mum"))
    return conv


def test_a_proxy_answer_names_who_recorded_it_on_the_card() -> None:
    conv = mum_answers_through_jo()
    assert conv.last_text().startswith("Jo gave this answer for Mum on #1: Consent.")
    assert PROXY in conv.card_text(1)


def test_a_proxy_answer_names_who_recorded_it_in_history_exports_and_on_paper() -> None:
    conv = mum_answers_through_jo()
    conv.by("Alex", c.History(1))
    assert PROXY in conv.last_text()
    exported = files(conv.by("Alex", c.Export()))
    assert PROXY in exported["decisions.md"].content
    assert PROXY in exported["decisions.html"].content
    rows = list(csv.DictReader(io.StringIO(exported["responses.csv"].content)))
    assert {(r["member"], r["recorded_by"]) for r in rows} == {("Mum", "Jo")}
    answers = json.loads(exported["record.json"].content)["proposals"][0]["responses"]
    assert [(a["member"], a["recorded_by"]) for a in answers] == [("Mum", "Jo")]
    page = files(conv.by("Alex", c.Show(1, printable=True)))["proposal-1.html"].content
    assert PROXY in page


def test_in_an_anonymous_proposal_the_recorder_is_not_kept_as_it_would_point_to_the_person() -> (
    None
):
    conv = team("Sam", "Jo")
    conv.by("Sam", c.AddPerson("Mum"))
    conv.by("Sam", c.Propose("Move the morning visit to 10:00", anonymous=True))
    conv.by("Jo", c.Respond(1, "consent", proxy_for="Mum"))
    record = conv.proposal(1).round.history[-1]  # type: ignore[union-attr]
    assert (record.member, record.recorded_by) == (None, None)
    assert "Jo" not in conv.card_text(1).split("Still to respond")[0]


# -- Easy Read ---------------------------------------------------------------------------------


def test_the_printable_page_is_easy_read() -> None:
    conv = mum_answers_through_jo()
    conv.by("Alex", c.Respond(1, "concern", reason="<b>The bus</b> is often late"))
    page = files(conv.by("Alex", c.Show(1, printable=True)))["proposal-1.html"].content
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page
    assert "font-size: 18pt" in page and "font-family: Arial" in page
    for heading in ("What is the idea?", "Who asked?", "How do we decide?", "What did people say?"):
        assert f"<h2>{heading}</h2>" in page
    assert "Please give your answer by Thursday 10 December, 17:00 UK time." in page
    assert "&lt;b&gt;The bus&lt;/b&gt;" in page and "<b>" not in page
    assert "<script" not in page


def test_export_prints_every_decision_on_its_own_page() -> None:
    conv = mum_answers_through_jo()
    conv.by("Sam", c.Propose("Buy a new kettle"))
    page = files(conv.by("Alex", c.Export()))["decisions.html"].content
    assert page.count("<section>") == 2
    assert "break-after: page" in page and "page-break-after: always" in page


# -- calendars ---------------------------------------------------------------------------------


def events(content: str) -> dict[str, object]:
    calendar = Calendar.from_ical(content)
    return {str(e["summary"]): e.decoded("dtstart") for e in calendar.walk("VEVENT")}


def test_a_proposal_s_deadline_comes_as_a_calendar_file_on_request() -> None:
    conv = mum_answers_through_jo()
    decision = conv.by("Alex", c.Show(1, calendar=True))
    sent = files(decision)["proposal-1.ics"]
    assert sent.mime == "text/calendar"
    found = events(sent.content)
    deadline = conv.proposal(1).round.deadline  # type: ignore[union-attr]
    assert found["Deadline for #1: Move the morning visit to 10:00"] == deadline
    assert "Look again at #1: Move the morning visit to 10:00" in found
    assert conv.last_text().startswith("Here are the dates of #1 for your calendar.")


def test_a_decision_s_review_date_comes_as_a_whole_day() -> None:
    conv = mum_answers_through_jo()
    for name in ("Sam", "Alex", "Jo"):
        conv.by(name, c.Respond(1, "consent"))
    assert conv.proposal(1).stage.value == "agreed"
    found = events(files(conv.by("Alex", c.Show(1, calendar=True)))["proposal-1.ics"].content)
    assert list(found) == ["Look again at #1: Move the morning visit to 10:00"]
    assert str(found["Look again at #1: Move the morning visit to 10:00"]) == "2027-01-06"


def test_a_proposal_without_dates_has_no_calendar_file() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Buy a kettle"))
    conv.by("Sam", c.Withdraw(1))
    assert "has no date to put in a calendar" in refused(conv, c.Show(1, calendar=True))


def test_the_first_card_s_tip_says_how_to_get_a_calendar_file() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Buy a kettle"))
    assert "say: show #1 calendar" in conv.texts()[-1]
