"""``check-config`` fails whenever ``run`` would refuse the file: one check for both.

Also the configuration's two safety rules: a file holding secrets that others
may read is warned about (with the chmod that fixes it), and a webhook's secret
token must be long enough not to be guessed.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import EXIT_PROBLEM, build_parser, main
from bot.config import ConfigError, load_config
from tests.app.test_stopping import closed_port  # a port nothing listens on

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"
TOKEN = "123456789:AAE-a-well-formed-token"


@pytest.fixture(autouse=True)
def _logging_as_it_was() -> Iterator[None]:
    """``main`` sets up logging for the process; put it back for the other tests."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def telegram(extra: str = "") -> str:
    # A closed port: were the file accepted, the run would find no Telegram, not the real one.
    return f'[telegram]\ntoken = "{TOKEN}"\nbase_url = "http://127.0.0.1:{closed_port()}/bot"\n' + (
        extra
    )


REFUSED = {
    "an empty file": "",
    "only a [storage] section": '[storage]\npath = "bot.db"\n',
    "the example's placeholder token": None,  # the unchanged example file
    "a database folder that is not there": telegram()
    + '[storage]\npath = "no/such/folder/bot.db"\n',
    "a short webhook secret": telegram(
        'mode = "webhook"\nwebhook_url = "https://bot.example.org/telegram"\n'
        'secret_token = "short_secret"\n'
    ),
    "a mistake in the TOML": "[telegram\n",
    "a Matrix store_path that is a file": (
        '[matrix]\nhomeserver = "http://127.0.0.1:9"\nuser_id = "@carebot:localhost"\n'
        'password = "a-password"\nallowed_inviters = [":localhost"]\n'
        'store_path = "config.toml"\n'
    ),
    "an unknown setting": telegram("colour = 'blue'\n"),
}


@pytest.mark.parametrize("text", REFUSED.values(), ids=REFUSED.keys())
def test_check_config_fails_on_every_file_run_refuses(
    text: str | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("DT_TELEGRAM_TOKEN", "DT_TELEGRAM_SECRET_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "config.toml"
    if text is None:
        shutil.copy(EXAMPLE, config)
    else:
        config.write_text(text, encoding="utf-8")
    config.chmod(0o600)

    assert main(["run", "--config", str(config)]) == EXIT_PROBLEM
    refused = capsys.readouterr().err
    assert main(["check-config", "--config", str(config)]) == EXIT_PROBLEM
    checked = capsys.readouterr().err
    assert refused == checked  # the same words, from the same check
    assert "Fix" in checked and "Traceback" not in checked


def test_check_config_passes_a_file_run_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(telegram() + f'[storage]\npath = "{tmp_path / "bot.db"}"\n')
    config.chmod(0o600)
    assert main(["check-config", "--config", str(config)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Telegram: polling")
    assert err == ""


@pytest.mark.parametrize("mode", [0o644, 0o640])
def test_a_file_with_a_secret_others_may_read_is_warned_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: int
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(telegram() + f'[storage]\npath = "{tmp_path / "bot.db"}"\n')
    config.chmod(mode)
    assert main(["check-config", "--config", str(config)]) == 0
    err = capsys.readouterr().err
    assert "holds the Telegram bot token, and other people on this computer may read it" in err
    assert f"chmod 600 {config}" in err
    assert TOKEN not in err


def test_no_warning_when_the_secrets_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DT_TELEGRAM_TOKEN", TOKEN)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\nbase_url = "http://127.0.0.1:{closed_port()}/bot"\n'
        f'[storage]\npath = "{tmp_path / "bot.db"}"\n'
    )
    config.chmod(0o644)
    assert main(["check-config", "--config", str(config)]) == 0
    assert "Warning" not in capsys.readouterr().err


def test_a_webhook_secret_needs_sixteen_characters(tmp_path: Path) -> None:
    webhook = 'mode = "webhook"\nwebhook_url = "https://bot.example.org/telegram"\n'
    config = tmp_path / "config.toml"
    config.write_text(telegram(webhook + 'secret_token = "fifteen_chars15"\n'))
    with pytest.raises(ConfigError) as caught:
        load_config(config, env={})
    [problem] = caught.value.problems
    assert problem.where == "[telegram] secret_token"
    assert "too short to be safe" in problem.message and "at least 16" in problem.message

    config.write_text(telegram(webhook + 'secret_token = "sixteen_chars_16"\n'))
    loaded = load_config(config, env={})
    assert loaded.telegram is not None and loaded.telegram.secret_token == "sixteen_chars_16"


def test_help_lists_the_exit_codes() -> None:
    text = build_parser().format_help()
    assert "exit codes:" in text
    for code in ("0", "1", "2", "3"):
        assert f"\n  {code}  " in text
