"""The configuration file: read it, check every setting, explain every mistake.

The people who install the bot are often volunteers, so a mistake in the file
is never a stack trace. Reading goes through the whole file and collects every
problem before saying anything, each with where it is ("[telegram] mode") and
one plain sentence of what is wrong and what to write instead. The caller gets
either a complete, typed ``Config`` or a ``ConfigError`` holding the list.

Secrets (the Telegram token, the webhook's secret token, the Matrix password
or access token, a PostgreSQL database's URL) may be written in the file or,
better, given in environment variables, which win over the file. No message
and no ``repr`` ever shows a secret's value.

Reading is split in two so it can be tested without a disk: ``load_config``
reads the file's bytes, and ``parse_config_text`` does everything else.

The package has one module for each job:

- ``schema``: what the file may hold, its defaults, limits and patterns;
- ``problems``: ``Problem``, ``ConfigError`` and ``explain``;
- ``settings``: the typed configuration, ``Config`` and a dataclass for each section;
- ``reading``: ``load_config`` and ``parse_config_text``, from bytes to ``Config``;
- ``values``: reading one section's values by kind, noting every mistake;
- ``sections``: each section's settings and the checks that belong to it;
- ``words``: how messages speak of what was written;
- ``summary``: ``check_config_text``, what ``run`` will do;
- ``ready``: ``check_ready``, the check ``run`` and ``check-config`` share, and
  ``file_warnings``, what is risky but allowed.

Everything public is imported from here, ``bot.config``.
"""

from bot.config.problems import ConfigError, Problem, explain
from bot.config.reading import load_config, parse_config_text
from bot.config.ready import check_ready, file_warnings
from bot.config.schema import (
    DEFAULT_BASE_URL,
    DEFAULT_DATABASE,
    DEFAULT_DEVICE_ID,
    DEFAULT_LISTEN,
    DEFAULT_STORE_PATH,
    DEFAULTS,
    ENV_MATRIX_ACCESS_TOKEN,
    ENV_MATRIX_PASSWORD,
    ENV_STORAGE_URL,
    ENV_TELEGRAM_SECRET_TOKEN,
    ENV_TELEGRAM_TOKEN,
    FROM_FILE,
    LOG_LEVELS,
    MAX_FILE_BYTES,
    MAX_RETENTION_MONTHS,
    SCHEMA,
    SECRET_ENV,
    SYNCHRONOUS,
    TELEGRAM_MODES,
    TELEGRAM_WEBHOOK_PORTS,
    TOKEN_PLACEHOLDER,
)
from bot.config.settings import (
    Config,
    DefaultsConfig,
    LoggingConfig,
    MatrixConfig,
    StorageConfig,
    TelegramConfig,
    WebConfig,
)
from bot.config.summary import check_config_text

__all__ = [
    "DEFAULTS",
    "DEFAULT_BASE_URL",
    "DEFAULT_DATABASE",
    "DEFAULT_DEVICE_ID",
    "DEFAULT_LISTEN",
    "DEFAULT_STORE_PATH",
    "ENV_MATRIX_ACCESS_TOKEN",
    "ENV_MATRIX_PASSWORD",
    "ENV_STORAGE_URL",
    "ENV_TELEGRAM_SECRET_TOKEN",
    "ENV_TELEGRAM_TOKEN",
    "FROM_FILE",
    "LOG_LEVELS",
    "MAX_FILE_BYTES",
    "MAX_RETENTION_MONTHS",
    "SCHEMA",
    "SECRET_ENV",
    "SYNCHRONOUS",
    "TELEGRAM_MODES",
    "TELEGRAM_WEBHOOK_PORTS",
    "TOKEN_PLACEHOLDER",
    "Config",
    "ConfigError",
    "DefaultsConfig",
    "LoggingConfig",
    "MatrixConfig",
    "Problem",
    "StorageConfig",
    "TelegramConfig",
    "WebConfig",
    "check_config_text",
    "check_ready",
    "explain",
    "file_warnings",
    "load_config",
    "parse_config_text",
]
