"""Reading the file: its bytes, then its TOML, then each section, into a ``Config``.

Reading goes through the whole file and collects every problem before saying
anything. It is split in two so it can be tested without a disk:
``load_config`` reads the file's bytes, and ``parse_config_text`` does
everything else.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.config.problems import ConfigError, Problem
from bot.config.schema import MAX_FILE_BYTES, SCHEMA, SECRET_ENV, _all_keys, _home_of
from bot.config.sections import (
    _read_defaults,
    _read_logging,
    _read_matrix,
    _read_storage,
    _read_telegram,
    _read_web,
)
from bot.config.settings import Config
from bot.config.values import _Section
from bot.config.words import _did_you_mean, _either, _name


def load_config(path: str | Path, env: Mapping[str, str] | None = None) -> Config:
    """Read and check the configuration file at ``path``.

    ``env`` gives the secrets' environment variables (``os.environ`` when
    None). Raises ``ConfigError`` with every problem found.
    """
    path = Path(path)
    source = str(path)
    try:
        if path.is_dir():
            raise ConfigError([Problem(source, (
                "This is a folder, not a file. Give the configuration file itself, "
                f"like --config {path / 'config.toml'}."
            ))], source)  # fmt: skip
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError([Problem(source, (
            "There is no file here. Copy config.example.toml to this name and fill it in, "
            "or give the right file with --config."
        ))], source) from None  # fmt: skip
    except PermissionError:
        raise ConfigError([Problem(source, (
            "The bot is not allowed to read this file. Let the user that runs the bot read "
            "it (for example with chmod), or run the bot as the file's owner."
        ))], source) from None  # fmt: skip
    except OSError as error:
        reason = (error.strerror or "an unknown error").rstrip(".")
        raise ConfigError([Problem(source, (
            f"The file could not be read ({reason}). Check that --config names the right file."
        ))], source) from None  # fmt: skip
    return parse_config_text(data, env, source=source)


def parse_config_text(
    text: str | bytes, env: Mapping[str, str] | None = None, *, source: str = "config.toml"
) -> Config:
    """Check the configuration in ``text`` (the file's bytes or text); see ``load_config``."""
    env = os.environ if env is None else env
    if isinstance(text, bytes):
        text = _decode(text, source)
    text = text.removeprefix("\ufeff")  # a byte-order mark, as Windows Notepad writes
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([_toml_problem(str(error), text)], source) from None
    except RecursionError:
        raise ConfigError([Problem(source, (
            "The file nests lists or tables too deeply to be read. A configuration needs "
            "only simple settings; compare it with config.example.toml."
        ))], source) from None  # fmt: skip
    except ValueError:  # only a number with thousands of digits gets here
        raise ConfigError([Problem(source, (
            "The file holds a number far too long to be read. Check the numbers in it, "
            "like quorum = 50."
        ))], source) from None  # fmt: skip

    # Problems by the name at the top of the file they belong to, in the file's
    # order, so that they are told in the order people read the file.
    found: dict[str, list[Problem]] = {name: [] for name in document}
    sections = _sections(document, found)

    def section(name: str) -> _Section:
        return _Section(name, sections.get(name, {}), found.setdefault(name, []))

    telegram = _read_telegram(section("telegram"), env) if "telegram" in sections else None
    matrix = _read_matrix(section("matrix"), env) if "matrix" in sections else None
    storage = _read_storage(section("storage"), env)
    defaults = _read_defaults(section("defaults"))
    logging = _read_logging(section("logging"))
    web = _read_web(section("web"), telegram) if "web" in sections else None
    problems = [problem for listed in found.values() for problem in listed]
    if problems:
        raise ConfigError(problems, source)
    unused = tuple(
        name
        for (section, _key), name in SECRET_ENV.items()
        if section not in sections and env.get(name, "").strip()
    )
    return Config(telegram=telegram, matrix=matrix, storage=storage, defaults=defaults,
                  logging=logging, web=web, source=source, unused_env=unused)  # fmt: skip


def _decode(data: bytes, source: str) -> str:
    """The file's text; a file that is not UTF-8 text is a problem said plainly."""
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError([Problem(source, (
            "This file is far too large to be a configuration file. Check that --config "
            "names the right file, like --config config.toml."
        ))], source)  # fmt: skip
    if data.startswith(b"SQLite format 3\x00"):
        raise ConfigError([Problem(source, (
            "This is the bot's database, not its configuration. Give the configuration "
            "file with --config, like --config config.toml; the database's name goes in "
            "[storage] path."
        ))], source)  # fmt: skip
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ConfigError([Problem(f"line {line}", (
            "The file is not plain text saved as UTF-8 here. Save it as UTF-8 text "
            "(in Notepad: Save As, then Encoding: UTF-8), or retype this line."
        ))], source) from None  # fmt: skip


# What tomllib's messages mean, in plain words, by the start of the message.
_TOML_HINTS: tuple[tuple[str, str], ...] = (
    ("Invalid value",
     'the value after "=" is not understood. Text goes in straight double quotes, like '
     'mode = "polling"; numbers and true or false go without quotes.'),
    ("Expected '=' after a key",
     "each setting is one line of the form name = value, like quorum = 50."),
    ("Invalid statement",
     "this line is neither a setting (name = value) nor a section name in square brackets, "
     "like [telegram]. Start a comment with #."),
    ("Invalid initial character for a key",
     "a setting's name may only use letters, digits, _ and -. Start a comment with #."),
    ("Cannot overwrite a value",
     "this setting is written twice. Keep only one of the lines."),
    ("Cannot declare",
     "this section appears twice. Keep one [section] line and put all its settings under it."),
    ("Cannot mutate immutable namespace",
     "this section or setting is written twice. Keep only one of them."),
    ("Cannot redefine namespace",
     "this section or setting is written twice. Keep only one of them."),
    ("Duplicate inline table key",
     "a name appears twice inside { }. Keep only one of them."),
    ("Expected ']' at the end of a table declaration",
     "a section's name must be closed with ], like [telegram]."),
    ("Expected ']]' at the end of an array declaration",
     "a [[name]] line must be closed with ]]. Sections use one pair of brackets: [telegram]."),
    ("Unclosed array",
     'a list opened with [ is not closed with ]. Write lists like ["@sam:example.org", '
     '":example.org"], with commas between the items.'),
    ("Unclosed inline table",
     "a { is not closed with } on the same line."),
    ("Unterminated string",
     'a text value is missing its closing double quote " on the same line.'),
    ("Unescaped '\\'",
     "a backslash \\ inside double quotes must be written twice (\\\\), or the text put in "
     "single quotes 'like this'."),
    ("Escaped character is not a Unicode",
     "a \\u or \\U code inside quotes is not a real character. Write the character itself."),
    ("Invalid hex value",
     "a \\u or \\U code inside quotes is not valid. Write the character itself."),
    ("Invalid date or datetime",
     "this is not a real date. If it is meant as text, put it in double quotes."),
    ("Illegal character",
     "there is a character that is not allowed here, like a control character. Retype "
     "this line."),
    ("Found invalid character",
     "there is a character that is not allowed here. Retype this line."),
)  # fmt: skip
_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")
_CURLY_QUOTES = "“”„‘’‚«»"


def _toml_problem(message: str, text: str) -> Problem:
    """tomllib's message, "Invalid value (at line 3, column 7)", as a plain Problem."""
    position = _TOML_POSITION.search(message)
    what = message[: position.start()] if position else message
    if position and position.group(1):
        line = int(position.group(1))
        where = f"line {line}, column {position.group(2)}"
    else:  # the file ended too soon: point at its last line
        line = len(text.splitlines()) or 1
        where = f"line {line}, at the end of the file"
    hint = next((h for start, h in _TOML_HINTS if what.startswith(start)), None)
    if hint is None:
        what = what.strip().rstrip(".") or "something is wrong"
        hint = f"{what}. Compare it with config.example.toml."
    sentence = f"This is not valid TOML: {hint}"
    lines = text.splitlines()
    if 0 < line <= len(lines) and any(q in lines[line - 1] for q in _CURLY_QUOTES):
        sentence += ' This line has curly quotes; use straight double quotes (") instead.'
    return Problem(where, sentence)


def _sections(
    document: dict[str, Any], found: dict[str, list[Problem]]
) -> dict[str, dict[str, Any]]:
    """The known sections that are tables; everything else at the top is a problem."""
    sections: dict[str, dict[str, Any]] = {}
    for name, value in document.items():
        problems = found[name]
        if name in SCHEMA and isinstance(value, dict):
            sections[name] = value
        elif name in SCHEMA:
            problems.append(Problem(f"[{name}]", (
                f"{name} should be a section: write [{name}] on a line of its own, with its "
                "settings on the lines below it."
            )))  # fmt: skip
        elif isinstance(value, dict):
            problems.append(Problem(f"[{_name(name)}]", (
                f"There is no section called [{_name(name)}].{_did_you_mean(name, SCHEMA)} "
                f"The sections are {_either([f'[{s}]' for s in SCHEMA], 'and')}."
            )))  # fmt: skip
        elif (home := _home_of(name)) is not None:
            problems.append(Problem(_name(name), (
                f"{name} is outside any section. It belongs in [{home}]: move it to the "
                f"lines under [{home}]."
            )))  # fmt: skip
        else:
            problems.append(Problem(_name(name), (
                f"{_name(name)} is not a setting the bot knows."
                f"{_did_you_mean(name, _all_keys())} Check the spelling, or delete the line."
            )))  # fmt: skip
    return sections
