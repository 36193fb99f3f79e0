"""Typed words are never swallowed: a line the bot cannot use is refused with
an example, never kept in the proposal's text while a default is used instead."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core import commands as c
from bot.core.deadlines import resolve_deadline
from bot.core.i18n import Phrase
from bot.core.language import NotUnderstood, parse

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def english(result: object) -> str:
    assert isinstance(result, NotUnderstood), result
    return result.problem.text(lambda msgid: msgid)


@pytest.mark.parametrize("line", ["in -3 days", "in 0 days", "in 500 years", "in 11 years"])
def test_a_length_the_bot_cannot_use_is_refused_with_the_longest_allowed(line: str) -> None:
    result = parse(f"propose Tea rota\n{line}")
    said = english(result)
    assert line in said
    assert "up to 10 years" in said
    assert isinstance(result, NotUnderstood) and "in 3 days" in result.example


def test_a_sentence_that_starts_with_in_stays_in_the_details() -> None:
    result = parse("propose Tea rota\nIn May we are away")
    assert isinstance(result, c.Propose)
    assert result.details == "In May we are away" and result.duration is None


def test_a_deadline_too_far_away_is_refused_and_says_the_longest() -> None:
    result = resolve_deadline("2090-01-01", now=NOW, timezone="Europe/London")
    assert isinstance(result, Phrase)
    assert "at most 10 years" in result.text(lambda msgid: msgid)


def test_a_deadline_within_ten_years_is_kept() -> None:
    result = resolve_deadline("2035-01-01", now=NOW, timezone="Europe/London")
    assert isinstance(result, datetime)


def test_two_proposal_numbers_in_one_answer_are_refused() -> None:
    said = english(parse("consent #1 #2"))
    assert "one proposal at a time" in said


def test_an_objection_with_no_words_asks_for_the_reason() -> None:
    result = parse("object #1 =1+2")
    assert "Please say why you object" in english(result)


def test_an_objection_with_words_is_kept() -> None:
    assert parse("object #1 Too early for Mum") == c.Respond(1, "object", "Too early for Mum")


@pytest.mark.parametrize("title", ["\u200b\u200b", "\u2060\ufeff", "\u3164", " \u200d "])
def test_a_title_of_only_invisible_characters_is_refused(title: str) -> None:
    assert "Please write what you propose" in english(parse(f"propose {title}"))


def test_a_title_on_the_next_line_after_invisible_marks_is_read() -> None:
    result = parse("propose \u200b\nTea rota")
    assert isinstance(result, c.Propose) and result.title == "Tea rota"
