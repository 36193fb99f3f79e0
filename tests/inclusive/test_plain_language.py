"""Every message reads at about reading age 9 (US grade 6 or below).

Each template the bot can send is rendered with sample values and scored with
the Flesch-Kincaid grade. The formula needs sentences to mean anything: a
single two-syllable word ("Question") scores grade 8.4, so templates of fewer
than four words of their own (buttons, headings, list words) are held to a
plainer rule instead: no word longer than three syllables, except the few
words of the group's own vocabulary that help explains.
"""

from __future__ import annotations

import re

import pytest
import textstat

from bot.core import commands as c
from bot.core.cards import OBJECTION_EXPLAINED
from tests.core.care_team import team
from tests.inclusive.messages import PLACEHOLDER, extracted, render

MAX_GRADE = 6.0
SENTENCE_WORDS = 4  # words of the template's own, placeholders not counted
# Words of the group's own vocabulary: a role, a way of deciding and an option
# people type ("anonymous"), all explained by help.
VOCABULARY = frozenset({"facilitator", "facilitators", "information", "anonymous"})


def own_words(msgid: str) -> list[str]:
    return re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", PLACEHOLDER.sub(" ", msgid))


def sentences() -> list[str]:
    return sorted(m for m in extracted() if len(own_words(m)) >= SENTENCE_WORDS)


def labels() -> list[str]:
    return sorted(m for m in extracted() if len(own_words(m)) < SENTENCE_WORDS)


def test_there_are_templates_to_read() -> None:
    assert len(sentences()) > 200 and len(labels()) > 50


def test_every_sentence_reads_at_grade_6_or_below() -> None:
    too_hard = {
        msgid: textstat.flesch_kincaid_grade(render(msgid))
        for msgid in sentences()
        if textstat.flesch_kincaid_grade(render(msgid)) > MAX_GRADE
    }
    assert too_hard == {}, "Rewrite these in shorter words and sentences: " + "; ".join(
        f"{grade:.1f} {msgid!r} ({extracted()[msgid][0]})" for msgid, grade in too_hard.items()
    )


def test_buttons_and_headings_use_short_words() -> None:
    long_words = {
        msgid: word
        for msgid in labels()
        for word in own_words(msgid)
        if textstat.syllable_count(word) > 3 and word.lower() not in VOCABULARY
    }
    assert long_words == {}


@pytest.mark.parametrize(
    "msgid",
    [
        "It is agreed. Everyone has answered, and no one objects.",
        "Please give your answer by {deadline}.",
        OBJECTION_EXPLAINED,
    ],
)
def test_the_sentences_people_see_most_are_plain(msgid: str) -> None:
    assert msgid in extracted()
    assert textstat.flesch_kincaid_grade(render(msgid)) <= MAX_GRADE


def test_a_whole_card_reads_at_grade_6_or_below() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose("Move the morning visit to 10:00", "Mum sleeps badly before 9"))
    conv.by("Jo", c.Respond(1, "object", reason="The bus is often late"))
    assert textstat.flesch_kincaid_grade(conv.card_text(1)) <= MAX_GRADE


def test_objection_is_explained_on_the_first_card_a_group_sees_and_its_updates() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    assert OBJECTION_EXPLAINED in conv.card_text(1)
    conv.by("Alex", c.Respond(1, "consent"))
    assert OBJECTION_EXPLAINED in conv.card_text(1)  # the edited card keeps it
    conv.by("Sam", c.Propose("Buy a new kettle"))
    assert OBJECTION_EXPLAINED not in conv.card_text(2)
