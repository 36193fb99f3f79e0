"""The group's record as files: what the Markdown, CSV and JSON exports say, and
what they must never say (names in anonymous proposals, formulas in a spreadsheet,
the names of people who asked to be forgotten)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest

from bot.core import commands as c
from bot.core import record
from bot.core.i18n import translator
from tests.core.care_team import DAY, team
from tests.core.conversation import Conversation


def exported(conv: Conversation) -> dict[str, str]:
    """The record files of the group, as they are now, by file name."""
    return {name: content for name, _mime, content in record.export_files(conv.group, conv.now)}


def csv_rows(conv: Conversation) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(exported(conv)["responses.csv"])))


def agreed_visit_with_mum() -> Conversation:
    """#1 agreed after a question, with a concern and Mum's consent recorded by Jo, an
    outcome and a review date."""
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.AddPerson("Mum"))
    conv.by(
        "Sam",
        c.Propose(
            "Move the morning visit to 10:00", "Mum sleeps badly before 9", review="in 30 days"
        ),
    )
    conv.by("Alex", c.Ask(1, "Does physio know?"))
    conv.by("Sam", c.AnswerQuestion(1, "Yes, I told them"))
    conv.by("Alex", c.Respond(1, "concern", reason="Watch her breakfast time"))
    conv.by("Jo", c.Respond(1, "consent", proxy_for="Mum"))
    conv.by("Jo", c.Respond(1, "consent"))
    conv.by("Sam", c.Respond(1, "consent"))
    conv.by("Sam", c.RecordOutcome(1, "From Monday 14 December"))
    return conv


# -- Markdown ----------------------------------------------------------------------------------


def test_the_markdown_record_reads_as_a_list_of_decisions() -> None:
    conv = agreed_visit_with_mum()
    markdown = exported(conv)["decisions.md"]
    assert markdown.startswith("# Decisions of console:group\n\n## Proposal #1: Move the morning")
    for line in (
        "- How we decide: consent",
        "- Where it is now: agreed",
        "- Proposed by: Sam",
        "- Outcome: It is agreed. Everyone has answered, and no one objects.",
        "- Decision: From Monday 14 December",
        "- We look at it again on: Wednesday, 6 January 2027, 09:00 UK time",
        "Mum sleeps badly before 9",
        "- Monday 7 December, 09:00 UK time — Alex — Concern: Watch her breakfast time",
        "- Monday 7 December, 09:00 UK time — Mum — Consent (recorded by Jo)",
    ):
        assert line in markdown.splitlines(), line


def test_the_markdown_record_is_headed_by_the_groups_name_when_it_has_one() -> None:
    conv = team("Sam")
    conv.group = replace(conv.group, name="Mum's care team")
    assert exported(conv)["decisions.md"].startswith("# Decisions of Mum's care team\n")


def test_the_markdown_record_gives_times_in_the_groups_time_zone() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.GroupSetting("timezone", "Europe/Warsaw"))  # 10:00 there at 09:00 UTC
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    conv.by("Alex", c.Respond(1, "consent"))
    (line,) = [x for x in exported(conv)["decisions.md"].splitlines() if "Alex — Consent" in x]
    assert "10:00" in line


# -- CSV -------------------------------------------------------------------------------------


def test_the_csv_record_has_one_row_per_response_given() -> None:
    conv = agreed_visit_with_mum()
    rows = csv_rows(conv)
    assert [(r["member"], r["response"]) for r in rows] == [
        ("Alex", "concern"),
        ("Mum", "consent"),
        ("Jo", "consent"),
        ("Sam", "consent"),
    ]
    assert rows[1]["recorded_by"] == "Jo"
    assert {(r["proposal"], r["round"], r["version"]) for r in rows} == {("1", "1", "1")}


def test_a_poll_vote_records_the_options_chosen() -> None:
    conv = team("Sam", "Alex")
    conv.by(
        "Sam",
        c.Propose(
            "Team meeting",
            process="time",
            options=("Tuesday 10:00", "Wednesday 14:00", "Thursday 18:00"),
        ),
    )
    conv.by("Alex", c.Respond(1, "vote", choices=(3, 1), maybe=(2,)))
    (row,) = csv_rows(conv)
    assert (row["choices"], row["maybe"]) == ("1 3", "2")


@pytest.mark.parametrize("typed", ['=HYPERLINK("http://x")', "+44 7700", "-1", "@SUM(A1)"])
def test_text_that_a_spreadsheet_would_run_as_a_formula_is_kept_as_text(typed: str) -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    conv.by("Alex", c.Respond(1, "concern", reason=typed))
    (row,) = csv_rows(conv)
    assert row["reason"] == "'" + typed


def test_a_name_that_looks_like_a_formula_is_kept_as_text() -> None:
    conv = team("Sam")
    conv.by("Sam", c.AddPerson("=cmd"))
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    conv.by("Sam", c.Respond(1, "consent", proxy_for="=cmd"))
    (row,) = csv_rows(conv)
    assert row["member"] == "'=cmd"


def test_empty_cells_stay_empty_in_the_csv_record() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    conv.by("Alex", c.Respond(1, "consent"))
    (row,) = csv_rows(conv)
    assert (row["reason"], row["choices"], row["recorded_by"]) == ("", "", "")


# -- JSON ------------------------------------------------------------------------------------


def test_the_json_record_holds_versions_questions_outcome_and_links() -> None:
    conv = agreed_visit_with_mum()
    conv.by("Sam", c.Reopen(1))
    conv.wait(DAY)
    data = json.loads(exported(conv)["record.json"])
    assert (data["group"], data["exported_at"]) == ("console:group", "2026-12-08T09:00:00+00:00")
    first, second = data["proposals"]
    assert (first["number"], first["stage"], first["proposer"]) == (1, "agreed", "Sam")
    assert first["versions"] == [
        {
            "number": 1,
            "title": "Move the morning visit to 10:00",
            "details": "Mum sleeps badly before 9",
            "at": "2026-12-07T09:00:00+00:00",
        }
    ]
    assert first["questions"] == [
        {"question": "Does physio know?", "by": "Alex", "answers": ["Yes, I told them"]}
    ]
    assert first["outcome"]["decision"] == "From Monday 14 December"
    assert first["review_at"] == "2027-01-06T09:00:00+00:00"
    assert len(first["responses"]) == 4
    assert (second["follows"], second["stage"], second["outcome"]) == (1, "open", None)


# -- what the record never says --------------------------------------------------------------


def test_anonymous_responses_are_exported_without_names() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose("Move the morning visit to 10:00", anonymous=True))
    conv.by("Alex", c.Respond(1, "object", reason="Too early for her"))
    conv.by("Jo", c.Respond(1, "consent"))
    files = exported(conv)
    assert [r["member"] for r in csv_rows(conv)] == ["anonymous", "anonymous"]
    assert "Someone — Object: Too early for her" in files["decisions.md"]
    for content in files.values():
        assert "Alex" not in content and "Jo" not in content


def test_an_anonymous_proposal_keeps_no_name_with_a_response_recorded_for_someone() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.AddPerson("Mum"))
    conv.by("Sam", c.Propose("Move the morning visit to 10:00", anonymous=True))
    conv.by("Alex", c.Respond(1, "object", reason="She is not awake by then", proxy_for="Mum"))
    round_ = conv.proposal(1).round
    assert round_ is not None
    assert all(r.member is None and r.recorded_by is None for r in round_.history)


def test_a_forgotten_member_is_a_former_member_in_every_file() -> None:
    conv = agreed_visit_with_mum()
    conv.by("Alex", c.ForgetMe())
    files = exported(conv)
    assert (
        "- Monday 7 December, 09:00 UK time — a former member — Concern: Watch her breakfast time"
        in files["decisions.md"]
    )
    assert csv_rows(conv)[0]["member"] == "a former member"
    data = json.loads(files["record.json"])
    assert data["proposals"][0]["questions"][0]["by"] == "a former member"
    for content in files.values():
        assert "Alex" not in content


# -- history ---------------------------------------------------------------------------------


def test_history_at_one_moment_puts_the_proposal_first_and_what_it_led_to_last() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    conv.by("Alex", c.Respond(1, "consent"))
    conv.by("Sam", c.Respond(1, "consent"))  # everyone has answered: agreed at once
    lines = record.history_lines(conv.group, conv.proposal(1), translator("en"), language="en")
    assert [line.split(" — ", 1)[1] for line in lines] == [
        "proposed (Sam)",
        "version 1: Move the morning visit to 10:00",
        "Alex — Consent",
        "Sam — Consent",
        "agreed: It is agreed. Everyone has answered, and no one objects.",
    ]


def test_history_of_an_anonymous_proposal_names_nobody() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Move the morning visit to 10:00", anonymous=True))
    conv.by("Alex", c.Respond(1, "concern", reason="Too early"))
    lines = record.history_lines(conv.group, conv.proposal(1), translator("en"), language="en")
    assert lines[-1].endswith("— Someone — Concern: Too early")
