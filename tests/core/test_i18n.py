"""Looking up the reader's catalog: what is remembered is forgotten as soon as
the catalogs change, and what is remembered stays small."""

from __future__ import annotations

import pytest

from bot.core import i18n


def welsh(message: str) -> str:
    return {"Hello": "Helo"}.get(message, message)


@pytest.fixture(autouse=True)
def no_catalogs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "_catalogs", {})


def test_a_language_installed_after_it_was_asked_for_is_used_at_once() -> None:
    assert not i18n.can_write("cy-GB")
    assert i18n.translator("cy-GB")("Hello") == "Hello"
    assert i18n.reader_language("cy-GB", None, "en") == "en"
    assert i18n.reader_translator("cy-GB", None, "en")("Hello") == "Hello"

    i18n.install("cy", welsh)

    assert i18n.can_write("cy-GB")
    assert i18n.translator("cy-GB")("Hello") == "Helo"
    assert i18n.translator("cy_gb")("Hello") == "Helo"
    assert i18n.reader_language("cy-GB", None, "en") == "cy-GB"
    assert i18n.reader_translator("cy-GB", None, "en")("Hello") == "Helo"
    assert i18n.reader_translator(None, "cy", "en")("Hello") == "Helo"


def test_other_catalogs_in_place_of_the_old_ones_are_used_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    i18n.install("cy", welsh)
    assert i18n.can_write("cy")
    assert i18n.reader_translator(None, None, "cy")("Hello") == "Helo"
    monkeypatch.setattr(i18n, "_catalogs", {})
    assert not i18n.can_write("cy")
    assert i18n.translator("cy")("Hello") == "Hello"
    assert i18n.reader_translator(None, None, "cy")("Hello") == "Hello"


def test_english_is_always_written_and_nothing_is_no_language() -> None:
    assert i18n.can_write("en-GB") and i18n.can_write("EN")
    assert not i18n.can_write(None) and not i18n.can_write("")
    assert i18n.reader_language(None, "", "fr") == "en"


def test_what_is_remembered_stays_small() -> None:
    for number in range(3 * i18n._KNOWN_MAX):
        i18n.can_write(f"x{number}")
        i18n.reader_translator(f"x{number}", None, "en")
    assert len(i18n._known) <= i18n._KNOWN_MAX
    assert len(i18n._readers) <= i18n._KNOWN_MAX
