"""Log lines: structured, and never carrying a secret."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from bot.logs import setup_logging
from tests.fakes.telegram import FakeTelegram
from tests.telegram.conftest import start_world

TOKEN = "123456:AAE-secret-token-value"


def test_secrets_are_masked_in_messages_and_tracebacks(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("DEBUG", secrets=[TOKEN])
    # A library's values are left out altogether; the bot's own are masked.
    logging.getLogger("httpx").warning("POST https://api.telegram.org/bot%s/getUpdates", TOKEN)
    logging.getLogger("deciding_together").warning("POST …/bot%s/getUpdates", TOKEN)
    try:
        raise RuntimeError(f"failed with {TOKEN}")
    except RuntimeError:
        logging.getLogger("deciding_together").exception("sending failed")
    err = capsys.readouterr().err
    assert TOKEN not in err
    assert "api.telegram.org/bot…/getUpdates" in err
    assert "bot***/getUpdates" in err and "failed with ***" in err


def test_lines_are_logfmt(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("INFO")
    logging.getLogger("deciding_together.delivery").warning('waiting 30 s for "telegram"')
    (line,) = capsys.readouterr().err.splitlines()
    assert "level=warning logger=deciding_together.delivery" in line
    assert line.endswith('msg="waiting 30 s for \\"telegram\\""')
    assert line.startswith("time=")


def test_an_unknown_log_level_is_refused_by_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["--log-level", "loud", "demo"])
    assert exit_.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


# -- no personal data, at any level ---------------------------------------------------------

NAMES = re.compile(r"\b(Sam|Alex|sam|alex)\b")
WORDS = ("morning visit", "hip hurts", "district nurse", "Mum's care team")


async def test_a_telegram_conversation_at_debug_leaves_no_names_or_words_in_the_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging("DEBUG")
    async with FakeTelegram() as tg:
        async for world in start_world(tg, tmp_path / "deciding-together.db"):
            await world.say(world.sam, "/join")
            await world.say(world.alex, "/join")
            await world.say(
                world.sam, "/propose Move the morning visit to ten\nHer hip hurts before breakfast"
            )
            await world.press(world.alex, await world.card(1), "Concern")
            await world.say(world.alex, "/object #1 The district nurse cannot come then")
            await world.say(world.sam, "/history #1")
            assert any("district nurse" in text for text in world.said())  # it was all said
    log = capsys.readouterr().err
    assert "level=debug logger=deciding_together" in log  # it did log at DEBUG
    assert NAMES.findall(log) == []
    assert [words for words in WORDS if words in log] == []


def test_what_libraries_log_keeps_its_words_not_the_values_put_in_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup_logging("DEBUG")
    update = {"message": {"text": "Mum fell", "from": {"first_name": "Alex"}}}
    logging.getLogger("telegram.ext.Application").debug("Processing update %s", update)
    logging.getLogger("telegram.ext.Application").warning("Dropped update %s", update)
    logging.getLogger("nio.events.misc").warning(f"Error validating event: {update}")
    logging.getLogger("nio.crypto").warning(ValueError("Mum fell"))
    try:
        raise ValueError(f"bad update {update}")
    except ValueError:
        logging.getLogger("telegram.ext.Updater").exception("Error while polling")
    logging.getLogger("deciding_together.matrix").info("made a room with %s", "@alex:example.org")
    said = [line.split(" msg=", 1)[1] for line in capsys.readouterr().err.splitlines()]
    assert said[:3] == ['"Dropped update …"', '"Error validating event: …"', '"ValueError"']
    assert said[3].startswith('"Error while polling" error="Traceback (most recent call last):')
    assert said[3].endswith('\\nValueError"')  # the kind of error, not its message
    assert said[4:] == ['"made a room with @…"']
    assert "Mum fell" not in "".join(said) and "Alex" not in "".join(said)
