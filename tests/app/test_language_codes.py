"""The one language check, where the bot is started: the config file, the CLI's
check and the demo's ``--language`` refuse "zz" in words and keep real languages."""

from __future__ import annotations

import pytest

from bot.cli import EXIT_PROBLEM, main
from bot.config import ConfigError, parse_config_text
from bot.core.model import GroupSettings
from bot.runtime import check_language


def test_the_config_refuses_a_code_that_is_no_language() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config_text('[defaults]\nlanguage = "zz"\n', {})
    assert 'you wrote "zz", which is not a language code I know.' in str(caught.value)


def test_the_config_keeps_a_real_language_the_bot_cannot_write_yet() -> None:
    config = parse_config_text('[defaults]\nlanguage = "pt_BR"\n', {})
    assert config.group_settings().language == "pt-br"


def test_the_cli_check_says_what_to_write_instead() -> None:
    with pytest.raises(ValueError) as caught:
        check_language(GroupSettings(), "zz")
    assert str(caught.value) == '"zz" is not a language code I know. Try one like en, cy or pl.'
    assert check_language(GroupSettings(), "CY").language == "cy"


def test_the_demo_refuses_language_zz_before_it_starts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--language", "zz", "--script", "nowhere.txt"]) == EXIT_PROBLEM
    captured = capsys.readouterr()
    assert '"zz" is not a language code I know.' in captured.err
    assert "couldn't read the script" not in captured.err  # stopped before anything else
