"""A language per member: their own choice, else their chat app's, else the
group's. Group posts are in the group's language; replies and private
reminders in the reader's, with dates in their language and time zone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.telegram.adapter import TelegramAdapter
from bot.core import commands as c
from bot.core import i18n
from bot.translations import install_translations
from tests.core.care_team import DAY, HOUR, direct_messages, posts_since, team
from tests.core.conversation import CHAT


@pytest.fixture
def catalogs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The shipped catalogs, installed for one test only."""
    monkeypatch.setattr(i18n, "_catalogs", {})
    assert install_translations() == ["es", "pl"]
    yield


def test_someone_whose_app_is_in_polish_is_answered_and_reminded_in_polish(
    catalogs: None,
) -> None:
    conv = team("Sam")
    ola = c.Actor("console:ola", "Ola", language="pl-PL")
    conv.run(c.Request(ola, CHAT, c.Join()))
    assert conv.last_text() == "Witaj, Ola. Należysz teraz do tej grupy."
    conv.run(c.Request(ola, CHAT, c.Help()))
    assert "Polecenia wpisujesz po angielsku" in conv.last_text()

    start = len(conv.said)
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    assert posts_since(conv, start)[0].startswith("Proposal #1: Move the morning visit")
    conv.wait(2 * DAY + 9 * HOUR)  # an hour after the nudge, a day before Thursday 17:00
    nudge = dict(direct_messages(conv.said[start:]))["Ola"]
    assert nudge.startswith("Cześć, Ola. Nie mamy jeszcze Twojej odpowiedzi w sprawie:")
    assert "Termin: czwartek, 10 grudnia, 17:00 (czas: Wielka Brytania)" in nudge


def test_a_member_s_own_language_and_time_zone_are_used_for_their_reminders(
    catalogs: None,
) -> None:
    conv = team("Sam", "Ana")
    conv.by("Ana", c.MySetting("language", "es"))
    assert conv.last_text() == "Te escribiré en español."
    conv.by("Ana", c.MySetting("timezone", "America/Mexico_City"))
    conv.by("Sam", c.Propose("Move the morning visit to 10:00", duration="3 days"))  # exactly
    start = len(conv.said)
    conv.wait(2 * DAY + 6 * HOUR)  # the nudge falls at 03:00 there: it waits for 08:00
    nudge = dict(direct_messages(conv.said[start:]))["Ana"]
    assert "antes del jueves, 10 de diciembre, 03:00 (hora de México (Ciudad de México))" in nudge


def test_a_language_the_bot_cannot_write_yet_is_kept_and_explained(catalogs: None) -> None:
    conv = team("Sam", "Kai")
    conv.by("Kai", c.MySetting("language", "de"))
    assert conv.last_text() == (
        "I can't write in German yet. Until I can, I will write to you in English."
    )
    assert conv.group.members[conv.member_id("Kai")].language == "de"


def test_the_group_posts_in_its_language_and_each_reply_in_the_reader_s(
    catalogs: None,
) -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.GroupSetting("language", "es"))
    conv.by("Alex", c.MySetting("language", "pl"))
    start = len(conv.said)
    conv.by("Sam", c.Propose("Cambiar la visita"))
    assert posts_since(conv, start)[0].startswith("Propuesta #1: Cambiar la visita")
    conv.by("Alex", c.Respond(1, "consent"))
    assert conv.last_text().startswith("Dziękuję, Alex. Zapisałem Twoją odpowiedź na #1: Zgoda.")


class RecordingBot:
    """Just enough of python-telegram-bot's Bot to see the command menus set."""

    def __init__(self) -> None:
        self.menus: dict[str | None, list[Any]] = {}

    async def set_my_commands(self, commands: list[Any], language_code: str | None = None) -> bool:
        self.menus[language_code] = commands
        return True


async def test_telegram_gets_a_command_menu_per_language(catalogs: None) -> None:
    adapter = TelegramAdapter.__new__(TelegramAdapter)
    bot = RecordingBot()
    await adapter._set_commands(bot)  # type: ignore[arg-type]
    assert list(bot.menus) == [None, "es", "pl"]
    english = {m.command: m.description for m in bot.menus[None]}
    polish = {m.command: m.description for m in bot.menus["pl"]}
    assert english.keys() == polish.keys()  # the same words to type
    assert polish["consent"] == "Mogę to przyjąć: consent #7"
    assert english["consent"] == "I can live with it: consent #7"
