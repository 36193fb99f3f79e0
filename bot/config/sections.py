"""The configuration file: read it, check every setting, explain every mistake.

The people who install the bot are often volunteers, so a mistake in the file
is never a stack trace. Reading goes through the whole file and collects every
problem before saying anything, each with where it is ("[telegram] mode") and
one plain sentence of what is wrong and what to write instead. The caller gets
either a complete, typed ``Config`` or a ``ConfigError`` holding the list.

Secrets (the Telegram token, the webhook's secret token, the Matrix password
or access token) may be written in the file or, better, given in environment
variables, which win over the file. No message and no ``repr`` ever shows a
secret's value.

Reading is split in two so it can be tested without a disk: ``load_config``
reads the file's bytes, and ``parse_config_text`` does everything else.
"""

from __future__ import annotations

import difflib
import functools
import ipaddress
import json
import os
import re
import textwrap
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from bot.core.deadlines import parse_duration, valid_timezone
from bot.core.model import GroupSettings
from bot.core.processes import PROCESSES

# -- what the file may hold ------------------------------------------------------------------

# Every section and setting the file may hold, each with a value to show in
# messages ("like mode = "polling""). Unknown names are checked against this
# table, and the example file is tested to document every entry in it.
SCHEMA: dict[str, dict[str, str]] = {
    "telegram": {
        "token": '"123456789:AAE…"',
        "base_url": '"https://api.telegram.org/bot"',
        "mode": '"polling"',
        "webhook_url": '"https://bot.example.org/telegram"',
        "listen": '"127.0.0.1:8443"',
        "secret_token": '"a-long-random-word"',
        "bot_username": '"OurCareTeamBot"',
    },
    "matrix": {
        "homeserver": '"https://matrix.example.org"',
        "user_id": '"@carebot:example.org"',
        "password": '"…"',
        "access_token": '"…"',
        "device_id": '"DECIDINGTOGETHER"',
        "store_path": '"matrix-store"',
        "allowed_inviters": '["@sam:example.org", ":example.org"]',
        "encrypted_direct_rooms": "true",
        "facilitators_from_power_levels": "false",
    },
    "storage": {
        "path": '"deciding-together.db"',
        "synchronous": '"full"',
        "retention_months": "24",
    },
    "defaults": {
        "timezone": '"Europe/London"',
        "language": '"en"',
        "process": '"consent"',
        "quorum": "50",
        "duration": '"3 days"',
        "questions": '"1 day"',
        "nudge_before": '"24 hours"',
        "min_deadline": '"1 hour"',
        "resolve": '"2 days"',
        "digest": "false",
    },
    "logging": {
        "level": '"INFO"',
    },
}

# The environment variables that give secrets; they win over the file.
ENV_TELEGRAM_TOKEN = "DT_TELEGRAM_TOKEN"
ENV_TELEGRAM_SECRET_TOKEN = "DT_TELEGRAM_SECRET_TOKEN"
ENV_MATRIX_PASSWORD = "DT_MATRIX_PASSWORD"
ENV_MATRIX_ACCESS_TOKEN = "DT_MATRIX_ACCESS_TOKEN"
SECRET_ENV: dict[tuple[str, str], str] = {
    ("telegram", "token"): ENV_TELEGRAM_TOKEN,
    ("telegram", "secret_token"): ENV_TELEGRAM_SECRET_TOKEN,
    ("matrix", "password"): ENV_MATRIX_PASSWORD,
    ("matrix", "access_token"): ENV_MATRIX_ACCESS_TOKEN,
}
FROM_FILE = "the config file"

# The token written in config.example.toml: the file loads with it, so that
# check-config and export work, but the bot will not run with it.
TOKEN_PLACEHOLDER = "put-your-bot-token-here"

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_LISTEN = "127.0.0.1:8443"
DEFAULT_DEVICE_ID = "DECIDINGTOGETHER"
DEFAULT_STORE_PATH = "matrix-store"
DEFAULT_DATABASE = "deciding-together.db"
TELEGRAM_MODES = ("polling", "webhook")
# Telegram only delivers webhooks to these ports.
TELEGRAM_WEBHOOK_PORTS = (443, 80, 88, 8443)
SYNCHRONOUS = ("full", "normal")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Far larger than any configuration; catches --config pointing at the wrong file.
MAX_FILE_BYTES = 1_000_000
MAX_RETENTION_MONTHS = 1200

_TELEGRAM_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts
_BOT_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{2,63}")
# A Matrix server name: a domain with a dot, localhost, or an IPv6 literal; maybe a port.
_SERVER_NAME = re.compile(
    r"(?:localhost|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?"
)
_MATRIX_USER = re.compile(r"@[^\s:@]+:(" + _SERVER_NAME.pattern + ")")
_DEVICE_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*")
_HOST_PORT = re.compile(r"(?:\[(?P<ip6>[0-9A-Fa-f:.]+)\]|(?P<host>[^\s:\[\]/]+)):(?P<port>\d{1,5})")


# -- problems --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake: where it is, and a plain sentence of what to write instead."""

    where: str  # "[telegram] mode", "line 3, column 7", "DT_TELEGRAM_TOKEN (environment variable)"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class ConfigError(Exception):
    """The configuration cannot be used; ``problems`` says every reason found."""

    def __init__(self, problems: Sequence[Problem], source: str = "the configuration") -> None:
        self.problems = list(problems)
        self.source = source
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return "\n".join(f"{self.source}: {problem}" for problem in self.problems)


_KEEP_TOGETHER = re.compile(r'(?:\w+ = )?"[^"\n]{0,60}"')
_GLUE = "\ue000"  # a private-use character: never in a message, glues words while wrapping


def explain(error: ConfigError) -> str:
    """The problems as a numbered, wrapped text for a person at a terminal."""
    count = len(error.problems)
    heading = (
        f"There is 1 mistake in {error.source}:"
        if count == 1
        else f"There are {count} mistakes in {error.source}:"
    )
    lines = [heading, ""]
    for number, problem in enumerate(error.problems, start=1):
        bullet = f"  {number}. "
        lines.append(bullet + problem.where)
        # Keep what to write ("mode = "polling"") on one line, so it can be copied.
        message = _KEEP_TOGETHER.sub(lambda m: m[0].replace(" ", _GLUE), problem.message)
        indent = " " * len(bullet)
        wrapped = textwrap.wrap(message, 88, initial_indent=indent, subsequent_indent=indent,
                                break_on_hyphens=False, break_long_words=False)  # fmt: skip
        lines += [line.replace(_GLUE, " ") for line in wrapped]
        lines.append("")
    lines.append("Fix " + ("it" if count == 1 else "them") + ", then check again with:")
    lines.append(f"  deciding-together check-config --config {error.source}")
    return "\n".join(lines)


# -- the configuration -----------------------------------------------------------------------


class _MasksSecrets:
    """A ``repr`` that shows every field but the secrets, so logs and tracebacks stay safe."""

    __slots__ = ()
    SECRET_FIELDS: ClassVar[tuple[str, ...]] = ()

    def __repr__(self) -> str:
        shown = []
        for item in fields(self):  # type: ignore[arg-type]
            value = getattr(self, item.name)
            if item.name in self.SECRET_FIELDS and value is not None:
                shown.append(f"{item.name}='***'")
            else:
                shown.append(f"{item.name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"

    __str__ = __repr__


@dataclass(frozen=True, slots=True, repr=False)
class TelegramConfig(_MasksSecrets):
    SECRET_FIELDS: ClassVar[tuple[str, ...]] = ("token", "secret_token")

    token: str
    base_url: str = DEFAULT_BASE_URL
    mode: str = "polling"  # "polling" or "webhook"
    webhook_url: str | None = None
    listen: str = DEFAULT_LISTEN  # where the webhook server listens, host:port
    secret_token: str | None = None  # Telegram sends it with each webhook call
    bot_username: str | None = None  # without "@"
    # Where each secret was read from: an environment variable's name or FROM_FILE.
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def listen_host(self) -> str:
        return (_split_host_port(self.listen) or ("", 0))[0]

    @property
    def listen_port(self) -> int:
        return (_split_host_port(self.listen) or ("", 0))[1]

    @property
    def token_is_placeholder(self) -> bool:
        return self.token == TOKEN_PLACEHOLDER


@dataclass(frozen=True, slots=True, repr=False)
class MatrixConfig(_MasksSecrets):
    SECRET_FIELDS: ClassVar[tuple[str, ...]] = ("password", "access_token")

    homeserver: str
    user_id: str
    allowed_inviters: tuple[str, ...]  # "@sam:example.org" for a person, ":example.org" a server
    password: str | None = None
    access_token: str | None = None  # used instead of the password when both are given
    device_id: str = DEFAULT_DEVICE_ID
    store_path: Path = Path(DEFAULT_STORE_PATH)
    encrypted_direct_rooms: bool = True
    facilitators_from_power_levels: bool = False
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    def may_invite(self, user_id: str) -> bool:
        """Whether an invite from ``user_id`` is accepted (see ``allowed_inviters``)."""
        server = user_id.partition(":")[2].lower()
        for allowed in self.allowed_inviters:
            if allowed.startswith(":"):
                if server and server == allowed[1:].lower():
                    return True
            elif allowed == user_id:
                return True
        return False


@dataclass(frozen=True, slots=True)
class StorageConfig:
    path: Path = Path(DEFAULT_DATABASE)
    synchronous: str = "full"  # "full": every commit survives a power cut; "normal": faster
    retention_months: int | None = None  # None: keep closed proposals forever


_GROUP = GroupSettings()


@dataclass(frozen=True, slots=True)
class DefaultsConfig:
    """What a new group starts with; the defaults are ``GroupSettings``'s own."""

    timezone: str = _GROUP.timezone
    language: str = _GROUP.language
    process: str = _GROUP.process
    quorum: int = _GROUP.quorum
    duration: timedelta | None = _GROUP.duration
    questions: timedelta | None = _GROUP.questions
    nudge_before: timedelta = _GROUP.nudge_before
    min_deadline: timedelta = _GROUP.min_deadline
    resolve: timedelta = _GROUP.resolve
    digest: bool = _GROUP.digest


@dataclass(frozen=True, slots=True)
class LoggingConfig:
    level: str = "INFO"


@dataclass(frozen=True, slots=True)
class Config:
    telegram: TelegramConfig | None = None
    matrix: MatrixConfig | None = None
    storage: StorageConfig = field(default_factory=StorageConfig)
    defaults: DefaultsConfig = field(default_factory=DefaultsConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    source: str = "the configuration"  # the file's name, for messages
    # Secret variables that are set for a platform the file does not configure.
    unused_env: tuple[str, ...] = ()

    def group_settings(self) -> GroupSettings:
        """The settings a new group starts with."""
        d = self.defaults
        return GroupSettings(
            timezone=d.timezone, language=d.language, process=d.process, quorum=d.quorum,
            min_deadline=d.min_deadline, nudge_before=d.nudge_before, questions=d.questions,
            duration=d.duration, resolve=d.resolve, digest=d.digest,
        )  # fmt: skip

    def secrets(self) -> list[str]:
        """Every secret value, for masking them in logs."""
        values = []
        for part in (self.telegram, self.matrix):
            if part is not None:
                values += [getattr(part, name) for name in part.SECRET_FIELDS]
        return [value for value in values if value]

    def require_platform(self) -> None:
        """Raise ``ConfigError`` unless there is a chat platform the bot can run on.

        ``run`` needs Telegram or Matrix; ``export`` and ``check-config`` do not.
        """
        problems = []
        if self.telegram is None and self.matrix is None:
            problems.append(Problem(
                "[telegram] or [matrix]",
                "Nothing is set up to chat on: add a [telegram] section with your bot's token, "
                "or a [matrix] section (config.example.toml shows both), then start again.",
            ))  # fmt: skip
        elif self.telegram is not None and self.telegram.token_is_placeholder:
            problems.append(Problem(
                _where_secret("telegram", "token", self.telegram.sources),
                "The bot token is still the example's placeholder. Write the token @BotFather "
                f"gave you, like token = {SCHEMA['telegram']['token']}, or set the environment "
                f"variable {ENV_TELEGRAM_TOKEN}.",
            ))  # fmt: skip
        if problems:
            raise ConfigError(problems, self.source)


# -- reading ---------------------------------------------------------------------------------


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
    storage = _read_storage(section("storage"))
    defaults = _read_defaults(section("defaults"))
    logging = _read_logging(section("logging"))
    problems = [problem for listed in found.values() for problem in listed]
    if problems:
        raise ConfigError(problems, source)
    unused = tuple(
        name
        for (section, _key), name in SECRET_ENV.items()
        if section not in sections and env.get(name, "").strip()
    )
    return Config(telegram=telegram, matrix=matrix, storage=storage, defaults=defaults,
                  logging=logging, source=source, unused_env=unused)  # fmt: skip


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


class _Section:
    """Reads one section's settings, noting each problem and each setting it was asked for.

    Every reader calls ``finish`` last: it reports the settings nobody asked
    for and hands the problems over in the order the settings are written.
    """

    def __init__(self, name: str, table: Mapping[str, Any], problems: list[Problem]) -> None:
        self.name = name
        self.table = table
        self.problems = problems
        self.asked: set[str] = set()
        self._found: list[tuple[int, Problem]] = []

    def where(self, key: str) -> str:
        return f"[{self.name}] {key}"

    def problem(self, key: str, message: str, where: str | None = None) -> None:
        # A setting that is missing altogether is told first.
        position = list(self.table).index(key) if key in self.table else -1
        self._found.append((position, Problem(where or self.where(key), message)))

    def like(self, key: str) -> str:
        return f"{key} = {SCHEMA[self.name][key]}"

    def raw(self, key: str) -> Any:
        """The value as TOML read it, or ``_ABSENT``."""
        assert key in SCHEMA[self.name], f"{key} is missing from SCHEMA[{self.name!r}]"
        self.asked.add(key)
        return self.table.get(key, _ABSENT)

    def has(self, key: str) -> bool:
        return key in self.table

    def wrong_type(self, key: str) -> bool:
        """Whether a text setting holds something else (already noted as a problem)."""
        return key in self.table and not isinstance(self.table[key], str)

    def required(self, key: str, missing: str) -> str | None:
        """A text that must be given; ``missing`` is said when it is absent or empty."""
        value = self.text(key)
        if not value and not self.wrong_type(key):
            self.problem(key, missing)
        return value or None

    # Each reader returns the default when the value is absent or wrong, having
    # noted the problem, so that reading goes on and finds every mistake.

    def text(self, key: str, default: str | None = None, *, secret: bool = False) -> str | None:
        value = self.raw(key)
        if value is _ABSENT:
            return default
        if not isinstance(value, str):
            self.problem(key, (
                f"{key} should be text in double quotes, like {self.like(key)}; "
                f"you wrote {_shown(value, secret=secret)}."
            ))  # fmt: skip
            return default
        return value.strip()

    def choice(self, key: str, default: str, options: Sequence[str]) -> str:
        value = self.text(key)
        if value is None:
            return default
        for option in options:
            if value.lower() == option.lower():
                return option
        self.problem(key, (
            f"{key} must be {_either([json.dumps(o) for o in options])}; "
            f"you wrote {_shown(value)}.{_did_you_mean(value, options)}"
        ))  # fmt: skip
        return default

    def whole_number(
        self, key: str, default: int | None, low: int, high: int, *, hint: str = ""
    ) -> int | None:
        """A whole number from ``low`` to ``high``; ``hint`` is added when it is out of range."""
        value = self.raw(key)
        if value is _ABSENT:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            fix = ""
            if isinstance(value, str) and value.strip().rstrip("%").strip().isdigit():
                fix = " Write the number without quotes or %."
            elif isinstance(value, float):
                fix = " Write it without a decimal point."
            example = SCHEMA[self.name][key]
            self.problem(key, (
                f"{key} should be a whole number like {example}; you wrote {_shown(value)}.{fix}"
            ))  # fmt: skip
            return default
        if not low <= value <= high:
            self.problem(key, (
                f"{key} must be between {low} and {high}; you wrote {_shown(value)}.{hint}"
            ))  # fmt: skip
            return default
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.raw(key)
        if value is _ABSENT:
            return default
        if not isinstance(value, bool):
            self.problem(key, (
                f"{key} should be true or false, without quotes; you wrote {_shown(value)}."
            ))  # fmt: skip
            return default
        return value

    def length_of_time(self, key: str, default: timedelta | None) -> timedelta | None:
        value = self.raw(key)
        if value is _ABSENT:
            return default
        length = parse_duration(value) if isinstance(value, str) else None
        if length is None:
            hint = ""
            if isinstance(value, int | float) and not isinstance(value, bool):
                hint = " Say which unit, in quotes: minutes, hours, days or weeks."
            self.problem(key, (
                f"{key} should be a length of time in quotes, like {self.like(key)} or "
                f'"12 hours"; you wrote {_shown(value)}.{hint}'
            ))  # fmt: skip
            return default
        return length

    def text_list(self, key: str) -> list[str] | None:
        value = self.raw(key)
        if value is _ABSENT:
            return None
        if isinstance(value, str):
            value = [value]  # one entry without brackets: forgive it
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(key, (
                f"{key} should be a list of texts in square brackets, like {self.like(key)}; "
                f"you wrote {_shown(value)}."
            ))  # fmt: skip
            return None
        return [v.strip() for v in value]

    def secret(self, key: str, env: Mapping[str, str], sources: dict[str, str]) -> str | None:
        """A secret from its environment variable, else from the file; notes where from."""
        name = SECRET_ENV[(self.name, key)]
        written = self.text(key, secret=True)
        from_env = env.get(name, "").strip()
        if from_env:
            sources[key] = name
            return from_env
        if written:
            sources[key] = FROM_FILE
            return written
        return None

    def finish(self) -> None:
        """Note every setting nobody asked for, then hand the problems over in order."""
        for key in self.table:
            if key in self.asked:
                continue
            home = _home_of(key)
            if home and home != self.name:
                advice = f" It belongs in the [{home}] section: move it there."
            else:
                advice = (
                    f"{_did_you_mean(key, SCHEMA[self.name])} Check the spelling, "
                    "or delete the line."
                )
            self.problem(key, f"{_name(key)} is not a setting of [{self.name}].{advice}",
                         where=f"[{self.name}] {_name(key)}")  # fmt: skip
        self._found.sort(key=lambda found: found[0])
        self.problems.extend(problem for _, problem in self._found)


_ABSENT: Any = object()


def _where_secret(section: str, key: str, sources: Mapping[str, str]) -> str:
    name = SECRET_ENV[(section, key)]
    if sources.get(key) == name:
        return f"{name} (environment variable)"
    return f"[{section}] {key}"


# -- the sections ----------------------------------------------------------------------------


def _read_telegram(sec: _Section, env: Mapping[str, str]) -> TelegramConfig:
    sources: dict[str, str] = {}
    token = sec.secret("token", env, sources)
    if token is None and not sec.wrong_type("token"):
        sec.problem("token", (
            f"The bot token is missing. Write the token @BotFather gave you, like "
            f"{sec.like('token')}, or set the environment variable {ENV_TELEGRAM_TOKEN}."
        ))  # fmt: skip
    elif token is not None and token != TOKEN_PLACEHOLDER and not _TELEGRAM_TOKEN.fullmatch(token):
        sec.problem("token", (
            "The bot token does not look right: it should be a number, a colon, then letters "
            "and digits, like 123456789:AAE… Copy it again from @BotFather."
        ), where=_where_secret("telegram", "token", sources))  # fmt: skip

    base_url = sec.text("base_url", DEFAULT_BASE_URL) or DEFAULT_BASE_URL
    _check_url(sec, "base_url", base_url)
    mode = sec.choice("mode", "polling", TELEGRAM_MODES)

    listen = sec.text("listen", DEFAULT_LISTEN) or ""
    if _split_host_port(listen) is None:
        sec.problem("listen", (
            f'listen should be an address and a port, like {sec.like("listen")} '
            f'or "0.0.0.0:8443"; you wrote {_shown(listen)}.'
        ))  # fmt: skip

    secret_token = sec.secret("secret_token", env, sources)
    if secret_token is not None and not _SECRET_TOKEN.fullmatch(secret_token):
        sec.problem("secret_token", (
            "The secret token may only use letters A-Z and a-z, digits 0-9, _ and -, "
            "and at most 256 of them. Make up a new one, like "
            f"{SCHEMA['telegram']['secret_token']}."
        ), where=_where_secret("telegram", "secret_token", sources))  # fmt: skip

    webhook_url = sec.text("webhook_url") or None
    if webhook_url is not None:
        _check_url(sec, "webhook_url", webhook_url, webhook=True)
    if mode == "webhook":
        if webhook_url is None:
            sec.problem("webhook_url", (
                "In webhook mode Telegram needs the address to send messages to. Write it, "
                f'like {sec.like("webhook_url")}, or use mode = "polling".'
            ))  # fmt: skip
        if secret_token is None and not sec.wrong_type("secret_token"):
            sec.problem("secret_token", (
                "In webhook mode a secret token is needed, so the bot knows messages really "
                "come from Telegram. Make one up (letters, digits, _ and -) and set the "
                f"environment variable {ENV_TELEGRAM_SECRET_TOKEN}, or write "
                f"{sec.like('secret_token')}."
            ))  # fmt: skip

    username = sec.text("bot_username") or None
    if username is not None:
        username = username.removeprefix("@")
        if not _BOT_USERNAME.fullmatch(username):
            sec.problem("bot_username", (
                "bot_username should be the bot's Telegram username, like "
                f"{sec.like('bot_username')}; you wrote {_shown(username)}."
            ))  # fmt: skip
    sec.finish()
    return TelegramConfig(
        token=token or "", base_url=base_url, mode=mode, webhook_url=webhook_url, listen=listen,
        secret_token=secret_token, bot_username=username, sources=sources,
    )  # fmt: skip


def _read_matrix(sec: _Section, env: Mapping[str, str]) -> MatrixConfig:
    homeserver = sec.required("homeserver", (
        "The homeserver is missing: the address of the Matrix server the bot's account is "
        f"on, like {sec.like('homeserver')}."
    ))  # fmt: skip
    if homeserver:
        _check_url(sec, "homeserver", homeserver)

    user_id = sec.required("user_id", (
        f"The bot's Matrix user id is missing. Write it like {sec.like('user_id')}."
    ))  # fmt: skip
    if user_id and not _MATRIX_USER.fullmatch(user_id):
        sec.problem("user_id", (
            f"user_id should look like {SCHEMA['matrix']['user_id']}: an @, the name, a colon, "
            f"then the server; you wrote {_shown(user_id)}."
        ))  # fmt: skip

    sources: dict[str, str] = {}
    password = sec.secret("password", env, sources)
    access_token = sec.secret("access_token", env, sources)
    if (
        password is None
        and access_token is None
        and not (sec.wrong_type("password") or sec.wrong_type("access_token"))
    ):
        sec.problem("password", (
            "The bot needs a way to log in. Set the environment variable "
            f"{ENV_MATRIX_PASSWORD} or {ENV_MATRIX_ACCESS_TOKEN}, or write "
            'password = "…" or access_token = "…" here.'
        ), where="[matrix] password or access_token")  # fmt: skip

    device_id = sec.text("device_id", DEFAULT_DEVICE_ID) or ""
    if not _DEVICE_ID.fullmatch(device_id):
        sec.problem("device_id", (
            "device_id should be one word of letters and digits, like "
            f"{sec.like('device_id')}; you wrote {_shown(device_id)}."
        ))  # fmt: skip
    store_path = sec.text("store_path", DEFAULT_STORE_PATH)
    if store_path == "":
        sec.problem("store_path", (
            "store_path should name a folder for the bot's encryption keys, like "
            f"{sec.like('store_path')}."
        ))  # fmt: skip

    inviters = _read_inviters(sec)
    encrypted_direct_rooms = sec.flag("encrypted_direct_rooms", True)
    facilitators_from_power_levels = sec.flag("facilitators_from_power_levels", False)
    sec.finish()
    return MatrixConfig(
        homeserver=(homeserver or "").rstrip("/"), user_id=user_id or "",
        allowed_inviters=inviters, password=password, access_token=access_token,
        device_id=device_id, store_path=Path(store_path or DEFAULT_STORE_PATH),
        encrypted_direct_rooms=encrypted_direct_rooms,
        facilitators_from_power_levels=facilitators_from_power_levels,
        sources=sources,
    )  # fmt: skip


def _read_inviters(sec: _Section) -> tuple[str, ...]:
    """``allowed_inviters`` as people ("@sam:example.org") and servers (":example.org")."""
    example = sec.like("allowed_inviters")
    entries = sec.text_list("allowed_inviters")
    if entries is None:
        if not sec.has("allowed_inviters"):
            sec.problem("allowed_inviters", (
                "Say who may invite the bot into rooms: people, servers or both, like "
                f"{example}. Invites from anyone else are refused."
            ))  # fmt: skip
        return ()
    if not entries:
        sec.problem("allowed_inviters", (
            f"The list is empty, so nobody could invite the bot. Add people or servers, "
            f"like {example}."
        ))  # fmt: skip
    inviters = []
    for entry in entries:
        if _MATRIX_USER.fullmatch(entry):
            inviters.append(entry)
        elif _SERVER_NAME.fullmatch(entry.removeprefix(":")):
            inviters.append(":" + entry.removeprefix(":").lower())
        else:
            sec.problem("allowed_inviters", (
                f"{_shown(entry)} is neither a person nor a server. Write a person like "
                '"@sam:example.org", or ":example.org" for everyone on that server.'
            ))  # fmt: skip
    return tuple(inviters)


def _read_storage(sec: _Section) -> StorageConfig:
    path = sec.text("path")
    if path == "":
        sec.problem("path", f"path should name the database file, like {sec.like('path')}.")
    synchronous = sec.choice("synchronous", "full", SYNCHRONOUS)
    retention = sec.whole_number(
        "retention_months",
        None,
        1,
        MAX_RETENTION_MONTHS,
        hint=" To keep closed proposals forever, delete the line.",
    )
    sec.finish()
    return StorageConfig(
        path=Path(path or DEFAULT_DATABASE), synchronous=synchronous, retention_months=retention
    )


def _read_logging(sec: _Section) -> LoggingConfig:
    level = sec.choice("level", "INFO", LOG_LEVELS)
    sec.finish()
    return LoggingConfig(level=level)


def _read_defaults(sec: _Section) -> DefaultsConfig:
    given = DefaultsConfig()
    timezone = sec.text("timezone", given.timezone) or ""
    if timezone not in _zones():
        suggestion = valid_timezone(timezone) or next(
            iter(difflib.get_close_matches(timezone, sorted(_zones()), n=1)), None
        )
        hint = f' Did you mean "{suggestion}"?' if suggestion else ""
        sec.problem("timezone", (
            f'timezone should be a time zone name like "Europe/London" or "America/New_York"; '
            f"you wrote {_shown(timezone)}.{hint}"
        ))  # fmt: skip
        timezone = given.timezone

    language = (sec.text("language", given.language) or "").lower().replace("_", "-")
    if not _LANGUAGE.fullmatch(language):
        sec.problem("language", (
            f'language should be a language code like "en", "cy" or "pl"; you wrote '
            f"{_shown(language)}."
        ))  # fmt: skip
        language = given.language

    process = sec.choice("process", given.process, list(PROCESSES))
    quorum = sec.whole_number("quorum", given.quorum, 0, 100)
    settings = DefaultsConfig(
        timezone=timezone, language=language, process=process,
        quorum=given.quorum if quorum is None else quorum,
        duration=sec.length_of_time("duration", given.duration),
        questions=sec.length_of_time("questions", given.questions),
        nudge_before=sec.length_of_time("nudge_before", given.nudge_before) or given.nudge_before,
        min_deadline=sec.length_of_time("min_deadline", given.min_deadline) or given.min_deadline,
        resolve=sec.length_of_time("resolve", given.resolve) or given.resolve,
        digest=sec.flag("digest", given.digest),
    )  # fmt: skip
    # A minimum longer than the usual round would refuse every proposal's own deadline.
    round_length = settings.duration or PROCESSES[process].duration
    if settings.min_deadline > round_length:
        sec.problem("min_deadline", (
            f"min_deadline is longer than a round ({_spell(round_length)}), so every "
            f"deadline would be refused. Make it shorter, like {sec.like('min_deadline')}."
        ))  # fmt: skip
    sec.finish()
    return settings


# -- small checks and words ------------------------------------------------------------------


def _check_url(sec: _Section, key: str, url: str, *, webhook: bool = False) -> None:
    """Note a problem unless ``url`` is a web address (for a webhook: one Telegram accepts)."""
    like = sec.like(key)
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
    except ValueError:
        parts, host, port = None, "", None
    if parts is None or parts.scheme not in ("http", "https") or not host or " " in url:
        sec.problem(key, (
            f"{key} should be a web address starting with https://, like {like}; "
            f"you wrote {_shown(url)}."
        ))  # fmt: skip
        return
    if not webhook or _is_loopback(host):
        return  # a test or a proxy on the same machine may use plain http and any port
    if parts.scheme != "https":
        sec.problem(key, (
            f"Telegram only sends webhooks to https:// addresses. Write it like {like}."
        ))  # fmt: skip
    elif port is not None and port not in TELEGRAM_WEBHOOK_PORTS:
        sec.problem(key, (
            f"Telegram only sends webhooks to ports 443, 80, 88 or 8443; this address uses "
            f"port {port}. Leave the port out (443), or use one of those."
        ))  # fmt: skip


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _split_host_port(text: str) -> tuple[str, int] | None:
    """("127.0.0.1", 8443) from "127.0.0.1:8443" ("[::1]:8443" for IPv6), or None."""
    match = _HOST_PORT.fullmatch(text)
    if match is None or not 1 <= int(match["port"]) <= 65535:
        return None
    return match["ip6"] or match["host"], int(match["port"])


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones() - {"localtime", "Factory"})


@functools.cache
def _all_keys() -> dict[str, str]:
    """Every setting's name and the section it belongs to (the first, if in several)."""
    homes: dict[str, str] = {}
    for section, keys in SCHEMA.items():
        for key in keys:
            homes.setdefault(key, section)
    return homes


def _home_of(key: str) -> str | None:
    return _all_keys().get(key)


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    """' Did you mean "polling"?' for a near miss (any case, - for _), else ''."""
    choices = {option.lower(): option for option in options}
    folded = word.strip().lower().replace("-", "_")
    if folded in choices:
        option = choices[folded]
        capitals = word.strip().lower() == option.lower() and word.strip() != option
        note = " Names are written in small letters." if capitals else ""
        return f' Did you mean "{option}"?{note}'
    close = difflib.get_close_matches(folded, list(choices), n=1, cutoff=0.6)
    return f' Did you mean "{choices[close[0]]}"?' if close else ""


def _either(options: Sequence[str], word: str = "or") -> str:
    """'"a", "b" or "c"'."""
    if len(options) == 1:
        return options[0]
    return f"{', '.join(options[:-1])} {word} {options[-1]}"


def _name(key: str) -> str:
    """A setting's name as written, quoted when it is not a plain word."""
    if re.fullmatch(r"[A-Za-z0-9_-]{1,40}", key):
        return key
    return _quote(key)


def _quote(text: str) -> str:
    return json.dumps(text if len(text) <= 40 else text[:40] + "…", ensure_ascii=False)


def _shown(value: Any, *, secret: bool = False) -> str:
    """What someone wrote, the way TOML spells it; for a secret, only its kind."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        # A bot token pasted into the wrong setting is still a secret.
        looks_secret = _TELEGRAM_TOKEN.fullmatch(value.strip()) and len(value) > 20
        return "text in quotes" if secret or looks_secret else _quote(value)
    if isinstance(value, int | float):
        return "a number" if secret else str(value)
    if isinstance(value, datetime | date | time):
        return "a date or time" if secret else value.isoformat()
    if isinstance(value, list):
        return "a list in [ ]"
    if isinstance(value, dict):
        return "a table of settings"
    return "something else"


def _spell(length: timedelta) -> str:
    from bot.core.when import spell_duration

    return spell_duration(length)


# -- the summary -----------------------------------------------------------------------------


def check_config_text(config: Config) -> str:
    """A short, plain account of what ``run`` will do with this configuration."""
    lines = [_telegram_line(config.telegram), _matrix_line(config.matrix)]
    storage = config.storage
    keep = (
        f"closed proposals deleted after {storage.retention_months} months"
        if storage.retention_months
        else "closed proposals kept forever"
    )
    lines.append(f"Database: {storage.path} ({keep}, synchronous {storage.synchronous}).")
    d = config.defaults
    lines.append(f"Groups start with: {d.process}, {d.quorum}% quorum, {d.timezone}, "
                 f"language {d.language}.")  # fmt: skip
    durations = [
        f"rounds last {_spell(d.duration)}"
        if d.duration
        else "rounds last each process's own length",
        f"deadlines at least {_spell(d.min_deadline)} away",
        f"reminders {_spell(d.nudge_before)} before a deadline",
        f"{_spell(d.resolve)} to work on objections",
    ]
    if d.questions:
        durations.append(f"questions for {_spell(d.questions)}")
    if d.digest:
        durations.append("a weekly digest")
    lines.append(f"Timing: {'; '.join(durations)}.")
    lines.append(f"Logging: {config.logging.level}.")
    try:
        config.require_platform()
    except ConfigError as error:
        lines += [f"Before running: {problem.message}" for problem in error.problems]
    lines += [
        f"Note: {name} is set, but there is no [{section}] section, so it is not used."
        for (section, _key), name in SECRET_ENV.items()
        if name in config.unused_env
    ]
    return "\n".join(lines)


def _set_from(sources: Mapping[str, str], key: str) -> str:
    return f"set (from {sources.get(key, FROM_FILE)})"


def _telegram_line(telegram: TelegramConfig | None) -> str:
    if telegram is None:
        return "Telegram: not configured."
    token = (
        "bot token is still the example's placeholder"
        if telegram.token_is_placeholder
        else f"bot token {_set_from(telegram.sources, 'token')}"
    )
    parts = [telegram.mode]
    if telegram.mode == "webhook":
        parts = [f"webhook at {telegram.webhook_url}", f"listening on {telegram.listen}"]
    parts.append(token)
    if telegram.secret_token:
        parts.append(f"secret token {_set_from(telegram.sources, 'secret_token')}")
    if telegram.base_url != DEFAULT_BASE_URL:
        parts.append(f"Bot API at {telegram.base_url}")
    return f"Telegram: {', '.join(parts)}."


def _matrix_line(matrix: MatrixConfig | None) -> str:
    if matrix is None:
        return "Matrix: not configured."
    if matrix.access_token:
        login = f"logging in with an access token {_set_from(matrix.sources, 'access_token')}"
    else:
        login = f"logging in with a password {_set_from(matrix.sources, 'password')}"
    return (
        f"Matrix: {matrix.user_id} on {matrix.homeserver}, {login}, device {matrix.device_id}; "
        f"invites accepted from {', '.join(matrix.allowed_inviters)}."
    )
