"""One check for every language code: Babel says which codes are real languages.

``language zz`` and ``settings language zz`` are refused in words, with an
example, in the person's own language; a real language the bot cannot write
yet is kept.
"""

from __future__ import annotations

import pytest

from bot.core import commands as c
from bot.core import i18n
from bot.core.i18n import real_language
from tests.core.care_team import refused, team
from tests.core.conversation import CHAT

UNKNOWN = "I don't know a language with the code {code}. Try one like en, cy or pl."


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("cy", "cy"),
        ("CY", "cy"),
        (" pt_BR ", "pt-br"),
        ("pl-PL", "pl-pl"),
        ("zh-Hant-TW", "zh-hant-tw"),
        ("fil", "fil"),
        ("iw", "he"),  # an old code for Hebrew, made current
        ("en-419", "en"),  # a region Babel has no data for: the language stands
        ("es-419", "es-419"),
    ],
)
def test_a_real_language_is_written_the_bots_way(typed: str, code: str) -> None:
    assert real_language(typed) == code


@pytest.mark.parametrize(
    "typed",
    ["zz", "xx", "abc", "x", "", "  ", "English", "12", "en-", "und", "root", "ąę",
     "en_US.UTF-8", "e" * 100, "cy; drop table"],
)  # fmt: skip
def test_what_is_not_a_language_is_not_one(typed: str) -> None:
    assert real_language(typed) is None


def test_language_zz_is_refused_with_an_example_and_nothing_changes() -> None:
    conv = team("Sam", "Alex")
    text = refused(conv, c.MySetting("language", "zz"), name="Alex")
    assert text.startswith("I don't know a language with the code zz. Try one like en, cy or pl.")
    assert "language cy" in text


def test_settings_language_zz_is_refused_with_an_example_and_nothing_changes() -> None:
    conv = team("Sam", "Alex")
    text = refused(conv, c.GroupSetting("language", "zz"))
    assert text.startswith("I don't know a language with the code zz.")
    assert "settings language cy" in text
    assert conv.group.settings.language == "en"


def test_a_long_code_is_said_back_cut_short() -> None:
    conv = team("Sam")
    text = refused(conv, c.MySetting("language", "q" * 500))
    assert "q" * 20 + "." in text and "q" * 21 not in text


def test_the_refusal_is_in_the_persons_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "_catalogs", {})
    welsh = {UNKNOWN: "Dw i ddim yn nabod yr iaith {code}."}
    i18n.install("cy", lambda message: welsh.get(message, message))
    conv = team("Sam", "Alex")
    conv.by("Alex", c.MySetting("language", "cy"))
    text = refused(conv, c.MySetting("language", "zz"), name="Alex")
    assert text.startswith("Dw i ddim yn nabod yr iaith zz.")


def test_a_real_language_the_bot_cannot_write_yet_is_kept() -> None:
    conv = team("Sam", "Alex")
    conv.by("Alex", c.MySetting("language", "fil"))
    assert conv.last_text() == (
        "I can't write in Filipino yet. Until I can, I will write to you in English."
    )
    assert conv.group.members[conv.member_id("Alex")].language == "fil"


def test_a_group_may_choose_a_real_language_the_bot_cannot_write_yet() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.GroupSetting("language", "pt_BR"))
    assert conv.group.settings.language == "pt-br"


def test_the_chat_apps_language_is_read_by_the_same_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "_catalogs", {})
    i18n.install("pl", lambda message: message)
    conv = team("Sam")
    conv.run(c.Request(c.Actor("console:ola", "Ola", language="PL_pl"), CHAT, c.Join()))
    conv.run(c.Request(c.Actor("console:kuba", "Kuba", language="pl-?"), CHAT, c.Join()))
    languages = {m.name: m.language for m in conv.group.members.values()}
    assert languages["Ola"] == "pl-pl"  # written the bot's way
    assert languages["Kuba"] is None  # not a language code: the group's language
