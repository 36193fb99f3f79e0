"""The configuration as typed settings: a frozen dataclass for each section, and
``Config`` for the whole file. No ``repr`` shows a secret's value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

from bot.config.problems import ConfigError, Problem
from bot.config.schema import (
    DEFAULT_BASE_URL,
    DEFAULT_DATABASE,
    DEFAULT_DEVICE_ID,
    DEFAULT_LISTEN,
    DEFAULT_STORE_PATH,
    DEFAULTS,
    ENV_TELEGRAM_TOKEN,
    SCHEMA,
    TOKEN_PLACEHOLDER,
)
from bot.config.words import _where_secret
from bot.core.addresses import host_and_port, url_password
from bot.core.model import GroupSettings

_TELEGRAM = DEFAULTS["telegram"]
_MATRIX = DEFAULTS["matrix"]


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
    mode: str = _TELEGRAM["mode"]  # "polling" or "webhook"
    webhook_url: str | None = _TELEGRAM["webhook_url"]
    listen: str = DEFAULT_LISTEN  # where the webhook server listens, host:port
    secret_token: str | None = _TELEGRAM["secret_token"]  # sent with each webhook call
    bot_username: str | None = _TELEGRAM["bot_username"]  # without "@"
    # Where each secret was read from: an environment variable's name or FROM_FILE.
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def listen_host(self) -> str:
        return (host_and_port(self.listen) or ("", 0))[0]

    @property
    def listen_port(self) -> int:
        return (host_and_port(self.listen) or ("", 0))[1]

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
    encrypted_direct_rooms: bool = _MATRIX["encrypted_direct_rooms"]
    facilitators_from_power_levels: bool = _MATRIX["facilitators_from_power_levels"]
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


@dataclass(frozen=True, slots=True, repr=False)
class StorageConfig(_MasksSecrets):
    SECRET_FIELDS: ClassVar[tuple[str, ...]] = ("url",)

    # "sqlite": one file (``path``), one process; "postgresql": the database at
    # ``url``, which several workers may share.
    backend: str = DEFAULTS["storage"]["backend"]
    url: str | None = DEFAULTS["storage"]["url"]  # holds the password: a secret
    path: Path = Path(DEFAULT_DATABASE)
    # "full": every commit survives a power cut; "normal": faster
    synchronous: str = DEFAULTS["storage"]["synchronous"]
    retention_months: int | None = DEFAULTS["storage"]["retention_months"]  # None: forever
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)


_GROUP = DEFAULTS["defaults"]


@dataclass(frozen=True, slots=True)
class DefaultsConfig:
    """What a new group starts with; the defaults are ``GroupSettings``'s own."""

    timezone: str = _GROUP["timezone"]
    language: str = _GROUP["language"]
    process: str = _GROUP["process"]
    quorum: int = _GROUP["quorum"]
    duration: timedelta | None = _GROUP["duration"]
    questions: timedelta | None = _GROUP["questions"]
    nudge_before: timedelta = _GROUP["nudge_before"]
    min_deadline: timedelta = _GROUP["min_deadline"]
    resolve: timedelta = _GROUP["resolve"]
    digest: bool = _GROUP["digest"]


@dataclass(frozen=True, slots=True)
class LoggingConfig:
    level: str = DEFAULTS["logging"]["level"]


@dataclass(frozen=True, slots=True)
class WebConfig:
    """The web page of each group's decisions (``bot.web``), opened by private links."""

    public_url: str  # where the links start, as people's browsers reach the page
    listen: str = DEFAULTS["web"]["listen"]  # where the page's own server listens, host:port
    link_lifetime: timedelta = DEFAULTS["web"]["link_lifetime"]

    @property
    def listen_host(self) -> str:
        return (host_and_port(self.listen) or ("", 0))[0]

    @property
    def listen_port(self) -> int:
        return (host_and_port(self.listen) or ("", 0))[1]

    @property
    def link_days(self) -> int:
        return max(1, self.link_lifetime.days)


@dataclass(frozen=True, slots=True)
class Config:
    telegram: TelegramConfig | None = None
    matrix: MatrixConfig | None = None
    storage: StorageConfig = field(default_factory=StorageConfig)
    defaults: DefaultsConfig = field(default_factory=DefaultsConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    web: WebConfig | None = None  # None: no web page
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
        for part in (self.telegram, self.matrix, self.storage):
            if part is not None:
                values += [getattr(part, name) for name in part.SECRET_FIELDS]
        # The database's password alone, too: a driver's message may quote it.
        values.append(url_password(self.storage.url))
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
