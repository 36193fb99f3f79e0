"""The summary: a short, plain account of what ``run`` will do with a configuration,
as ``check-config`` prints it.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.config.schema import DEFAULT_BASE_URL, FROM_FILE, SECRET_ENV
from bot.config.settings import Config, MatrixConfig, TelegramConfig
from bot.config.words import _spell
from bot.core.addresses import url_without_password


def check_config_text(config: Config) -> str:
    """A short, plain account of what ``run`` will do with this configuration."""
    lines = [_telegram_line(config.telegram), _matrix_line(config.matrix)]
    storage = config.storage
    keep = (
        f"closed proposals deleted after {storage.retention_months} months"
        if storage.retention_months
        else "closed proposals kept forever"
    )
    if storage.backend == "postgresql" and storage.url:
        where = url_without_password(storage.url)
        lines.append(f"Database: PostgreSQL at {where} ({keep}).")
    else:
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
    web = config.web
    lines.append(
        f"Web page: links start {web.public_url}/, the page listens on {web.listen}, "
        f"each link works for {_spell(web.link_lifetime)}."
        if web is not None
        else "Web page: off (no [web] section)."
    )
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
