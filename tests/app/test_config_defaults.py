"""One table of defaults: what the bot does with a setting left out is
``bot.config.DEFAULTS``, and the typed settings, the example file, the examples
in messages and the docs all agree with it."""

from __future__ import annotations

import re
import tomllib
from dataclasses import fields
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import DEFAULTS, SCHEMA, Config, parse_config_text
from bot.config.settings import (
    DefaultsConfig,
    LoggingConfig,
    MatrixConfig,
    StorageConfig,
    TelegramConfig,
    WebConfig,
)
from bot.core.deadlines import parse_duration
from bot.core.model import GroupSettings

ROOT = Path(__file__).resolve().parents[2]
EVERY_DEFAULT = [(section, key) for section, keys in DEFAULTS.items() for key in keys]
# Every section, each with only what must be written.
BARE = """
[telegram]
token = "123:abc"
[matrix]
homeserver = "https://matrix.example.org"
user_id = "@carebot:example.org"
password = "secret"
allowed_inviters = [":example.org"]
[storage]
[defaults]
[logging]
[web]
public_url = "https://bot.example.org/decisions"
"""


def same(value: Any, default: Any) -> bool:
    """Whether a value as written (TOML) or as read is the default."""
    if isinstance(default, timedelta) and isinstance(value, str):
        return parse_duration(value) == default
    if isinstance(value, Path):
        return str(value) == default
    return bool(value == default) and type(value) is type(default)


def written_in_example() -> dict[tuple[str, str], tuple[Any, bool]]:
    """Each setting config.example.toml shows, with its value and whether it is in
    force (a line starting with # shows it, but leaves the default)."""
    shown: dict[tuple[str, str], tuple[Any, bool]] = {}
    section = ""
    for line in (ROOT / "config.example.toml").read_text(encoding="utf-8").splitlines():
        if heading := re.fullmatch(r"#? ?\[(\w+)\]", line):
            section = heading[1]
        elif section and (setting := re.fullmatch(r"(# )?(\w+) = (.+)", line)):
            value = tomllib.loads(f"v = {setting[3]}")["v"]
            shown[(section, setting[2])] = (value, setting[1] is None)
    return shown


def test_every_default_is_a_setting_of_its_section() -> None:
    for section, key in EVERY_DEFAULT:
        assert key in SCHEMA[section], (section, key)


def test_a_new_groups_defaults_are_group_settings_own() -> None:
    assert DEFAULTS["defaults"] == {
        item.name: getattr(GroupSettings(), item.name) for item in fields(GroupSettings)
    }
    assert Config().group_settings() == GroupSettings()


@pytest.mark.parametrize(("section", "key"), EVERY_DEFAULT)
def test_a_setting_left_out_is_read_as_its_default(section: str, key: str) -> None:
    config = parse_config_text(BARE, {})
    assert same(getattr(getattr(config, section), key), DEFAULTS[section][key])


@pytest.mark.parametrize(("section", "key"), EVERY_DEFAULT)
def test_the_typed_settings_start_from_the_same_defaults(section: str, key: str) -> None:
    made = {
        "telegram": TelegramConfig(token="123:abc"),
        "matrix": MatrixConfig("https://matrix.example.org", "@bot:example.org", ()),
        "storage": StorageConfig(),
        "defaults": DefaultsConfig(),
        "logging": LoggingConfig(),
        "web": WebConfig("https://bot.example.org/decisions"),
    }[section]
    assert same(getattr(made, key), DEFAULTS[section][key])


@pytest.mark.parametrize(("section", "key"), EVERY_DEFAULT)
def test_the_example_file_shows_each_default_or_leaves_it_out(section: str, key: str) -> None:
    default = DEFAULTS[section][key]
    shown = written_in_example().get((section, key))
    if default is None:  # off unless written: the example may show it, never in force
        assert shown is None or not shown[1], (section, key, shown)
    else:
        assert shown is not None, f"config.example.toml does not show [{section}] {key}"
        assert same(shown[0], default), (section, key, shown[0], default)


@pytest.mark.parametrize(("section", "key"), EVERY_DEFAULT)
def test_messages_give_the_default_as_the_example(section: str, key: str) -> None:
    default = DEFAULTS[section][key]
    if default is not None:
        example = tomllib.loads(f"v = {SCHEMA[section][key]}")["v"]
        assert same(example, default), (section, key, example, default)


def test_the_defaults_the_docs_name_agree_with_the_table() -> None:
    named = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        for key, value in re.findall(r"`(\w+) = ([^`]+)` \(the default", text):
            named.append(key)
            (default,) = [keys[key] for keys in DEFAULTS.values() if key in keys]
            assert same(tomllib.loads(f"v = {value}")["v"], default), (page.name, key)
    assert named  # the docs do name some, so this reads them
