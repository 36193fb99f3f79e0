"""The translations: complete, faithful to their placeholders, compiled, and shipped.

Every message in the code is in the template and in every catalog, translated
(not empty, not fuzzy) with exactly the same {placeholders}; the compiled .mo
files say what their .po files say; and every sentence the bot looks up while
it runs was found by extraction, so nothing can slip past the translators.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot import translations
from bot.cli import main
from bot.core import commands as c
from bot.core import i18n
from bot.core.model import GroupSettings
from tests.core.care_team import DAY
from tests.core.conversation import Conversation
from tests.inclusive.messages import (
    LOCALE,
    ROOT,
    catalog_languages,
    extracted,
    placeholders,
    read_catalog,
    read_compiled,
)

LANGUAGES = ["es", "pl"]


def test_polish_and_spanish_catalogs_are_shipped() -> None:
    assert catalog_languages() == LANGUAGES
    assert translations.shipped_languages() == LANGUAGES


def test_the_template_holds_every_message_in_the_code() -> None:
    from babel.messages.pofile import read_po

    with (LOCALE / "messages.pot").open("rb") as file:
        template = {m.id for m in read_po(file) if m.id}
    assert template == set(extracted()), "run: pybabel extract (docs/translating.md)"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_with_the_same_placeholders(language: str) -> None:
    catalog = read_catalog(language)
    problems = []
    for msgid in extracted():
        message = catalog.get(msgid)
        if message is None:
            problems.append(f"missing: {msgid!r}")
        elif not message.string or message.fuzzy:
            problems.append(f"not translated: {msgid!r}")
        elif placeholders(message.string) != placeholders(msgid):
            problems.append(f"placeholders differ: {msgid!r} -> {message.string!r}")
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_is_up_to_date(language: str) -> None:
    source = {m.id: m.string for m in read_catalog(language) if m.id and not m.fuzzy}
    compiled = {m.id: m.string for m in read_compiled(language) if m.id}
    assert compiled == source, "run: pybabel compile (docs/translating.md)"


def test_the_package_ships_the_compiled_catalogs() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"locale/*/LC_MESSAGES/*.mo"' in pyproject


def test_every_sentence_looked_up_while_running_was_extracted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    looked_up: set[str] = set()

    def record(message: str) -> str:
        looked_up.add(message)
        return message

    monkeypatch.setattr(i18n, "_catalogs", {})
    i18n.install("xx", record)
    conv = Conversation()
    conv.group = conv.group.__class__(
        id=conv.group.id, chats=conv.group.chats, settings=GroupSettings(language="xx")
    )
    _walk_through_everything(conv)
    unknown = sorted(m for m in looked_up if m not in extracted())
    assert unknown == []
    assert len(looked_up) > 100


def _walk_through_everything(conv: Conversation) -> None:
    for name in ("Sam", "Alex", "Jo"):
        conv.by(name, c.Join())
    conv.by("Sam", c.AddPerson("Mum"))
    conv.by("Sam", c.Propose("Move the visit", "Details", review="in 30 days", questions=""))
    conv.by("Alex", c.Ask(1, "Why?"))
    conv.by("Sam", c.AnswerQuestion(1, "Because"))
    conv.wait(DAY)
    conv.by("Jo", c.Respond(1, "object", reason="Too early"))
    conv.by("Alex", c.Respond(1, "concern", reason="The bus"))
    conv.by("Sam", c.Respond(1, "consent", proxy_for="Mum"))
    conv.by("Sam", c.Respond(1, "vote"))
    conv.wait(4 * DAY)
    conv.by("Jo", c.WithdrawObjection(1))
    for process in ("lazy", "advice", "consensus", "ack"):
        conv.by("Sam", c.Propose(f"A {process} proposal", process=process))
    conv.by("Sam", c.Propose("Which day?", process="choice", options=("Monday", "Tuesday")))
    conv.by(
        "Sam",
        c.Propose("Meeting", process="time", options=("Monday 10:00", "Tuesday 14:00")),
    )
    for action in (
        c.Status(),
        c.Decisions(),
        c.Show(1),
        c.Show(1, printable=True),
        c.Show(1, calendar=True),
        c.History(1),
        c.Export(),
        c.Help(),
        c.ShowSettings(),
        c.MyData(),
        c.MySetting("quiet", "21:00-08:00"),
        c.MySetting("language", "de"),
        c.Show(99),
    ):
        conv.by("Alex", action)
    conv.wait(40 * DAY)
    conv.by("Sam", c.Reopen(1))


def test_the_demo_runs_end_to_end_in_polish(capsys: pytest.CaptureFixture[str]) -> None:
    script = ROOT / "examples" / "holiday-cover.txt"
    assert main(["demo", "--language", "pl", "--script", str(script)]) == 0
    out = capsys.readouterr().out
    assert "Propozycja #1: Alex covers the Tuesday visit while Jo is on holiday" in out
    assert "Prosimy o odpowiedź. Termin: piątek, 11 grudnia, 17:00" in out
    assert "Jo — Sprzeciw: Alex has not used the hoist on her own yet" in out
    assert "Jest zgoda. Wszyscy odpowiedzieli i nikt się nie sprzeciwia." in out
    assert "Please" not in out and "Traceback" not in out


def test_no_catalog_leaves_an_english_sentence_untranslated() -> None:
    # A translation identical to a long English message is a sign it was skipped.
    for language in LANGUAGES:
        catalog = read_catalog(language)
        same = [
            m.id
            for m in catalog
            if m.id and m.string == m.id and len(re.findall(r"[a-z]{3,}", m.id)) > 2
        ]
        assert same == [], language


def test_translation_files_live_in_the_package() -> None:
    assert Path(translations.__file__).parent / "locale" == LOCALE
