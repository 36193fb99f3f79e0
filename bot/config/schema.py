"""What the configuration file may hold: its sections and settings, the secrets'
environment variables, the defaults and limits, and the patterns values must match.
"""

from __future__ import annotations

import functools
import re
from dataclasses import fields
from datetime import timedelta
from typing import Any

from bot.core.model import GroupSettings

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
        "backend": '"sqlite"',
        "url": '"postgresql://bot:…@db.example.org/deciding"',
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
    "web": {
        "public_url": '"https://bot.example.org/decisions"',
        "listen": '"127.0.0.1:8090"',
        "link_lifetime": '"90 days"',
    },
}

# The environment variables that give secrets; they win over the file.
ENV_TELEGRAM_TOKEN = "DT_TELEGRAM_TOKEN"
ENV_TELEGRAM_SECRET_TOKEN = "DT_TELEGRAM_SECRET_TOKEN"
ENV_MATRIX_PASSWORD = "DT_MATRIX_PASSWORD"
ENV_MATRIX_ACCESS_TOKEN = "DT_MATRIX_ACCESS_TOKEN"
ENV_STORAGE_URL = "DT_STORAGE_URL"  # a PostgreSQL URL holds its password
SECRET_ENV: dict[tuple[str, str], str] = {
    ("telegram", "token"): ENV_TELEGRAM_TOKEN,
    ("telegram", "secret_token"): ENV_TELEGRAM_SECRET_TOKEN,
    ("matrix", "password"): ENV_MATRIX_PASSWORD,
    ("matrix", "access_token"): ENV_MATRIX_ACCESS_TOKEN,
    ("storage", "url"): ENV_STORAGE_URL,
}
FROM_FILE = "the config file"

# The token written in config.example.toml: the file loads with it, so that
# check-config and export work, but the bot will not run with it.
TOKEN_PLACEHOLDER = "put-your-bot-token-here"

# What each setting is when it is not written: the one table of defaults. The
# typed settings (bot.config.settings) and the readers take theirs from here, and
# tests hold config.example.toml and the docs to it. [defaults] are a new group's
# settings, so they are GroupSettings's own. None: off, or nothing, unless written.
# Settings without an entry (a token, a homeserver…) must be written when used.
_GROUP = GroupSettings()
DEFAULTS: dict[str, dict[str, Any]] = {
    "telegram": {
        "base_url": "https://api.telegram.org/bot",
        "mode": "polling",
        "webhook_url": None,
        "listen": "127.0.0.1:8443",
        "secret_token": None,
        "bot_username": None,  # asked of Telegram
    },
    "matrix": {
        "device_id": "DECIDINGTOGETHER",
        "store_path": "matrix-store",
        "encrypted_direct_rooms": True,
        "facilitators_from_power_levels": False,
    },
    "storage": {
        "backend": "sqlite",
        "url": None,  # needed with backend = "postgresql"
        "path": "deciding-together.db",
        "synchronous": "full",
        "retention_months": None,  # closed proposals are kept
    },
    "defaults": {item.name: getattr(_GROUP, item.name) for item in fields(GroupSettings)},
    "logging": {
        "level": "INFO",
    },
    "web": {
        "listen": "127.0.0.1:8090",
        "link_lifetime": timedelta(days=90),
    },
}

DEFAULT_BASE_URL: str = DEFAULTS["telegram"]["base_url"]
DEFAULT_LISTEN: str = DEFAULTS["telegram"]["listen"]
DEFAULT_DEVICE_ID: str = DEFAULTS["matrix"]["device_id"]
DEFAULT_STORE_PATH: str = DEFAULTS["matrix"]["store_path"]
DEFAULT_DATABASE: str = DEFAULTS["storage"]["path"]
TELEGRAM_MODES = ("polling", "webhook")
# Telegram only delivers webhooks to these ports.
TELEGRAM_WEBHOOK_PORTS = (443, 80, 88, 8443)
SYNCHRONOUS = ("full", "normal")
STORAGE_BACKENDS = ("sqlite", "postgresql")
# What a PostgreSQL URL begins with (libpq takes both).
POSTGRESQL_URL_SCHEMES = ("postgresql://", "postgres://")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Far larger than any configuration; catches --config pointing at the wrong file.
MAX_FILE_BYTES = 1_000_000
MAX_RETENTION_MONTHS = 1200
# How long a link to the web page may work: a day at least, ten years at most.
MIN_LINK_LIFETIME = timedelta(days=1)
MAX_LINK_LIFETIME = timedelta(days=3660)
# The webhook's secret token is all that tells Telegram's posts from anyone's.
MIN_SECRET_TOKEN = 16

_TELEGRAM_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts
_BOT_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{2,63}")
# A Matrix server name: a domain with a dot, localhost, or an IPv6 literal; maybe a port.
_SERVER_NAME = re.compile(
    r"(?:localhost|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?"
)
_MATRIX_USER = re.compile(r"@[^\s:@]+:(" + _SERVER_NAME.pattern + ")")
_DEVICE_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")


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
