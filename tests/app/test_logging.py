"""Log lines: structured, and never carrying a secret."""

from __future__ import annotations

import logging

import pytest

from bot.logs import setup_logging

TOKEN = "123456:AAE-secret-token-value"


def test_secrets_are_masked_in_messages_and_tracebacks(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("DEBUG", secrets=[TOKEN])
    log = logging.getLogger("httpx")
    log.warning("POST https://api.telegram.org/bot%s/getUpdates", TOKEN)
    try:
        raise RuntimeError(f"failed with {TOKEN}")
    except RuntimeError:
        logging.getLogger("deciding_together").exception("sending failed")
    err = capsys.readouterr().err
    assert TOKEN not in err
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
