"""The sections: each of [telegram], [matrix], [storage], [defaults], [logging] and
[web] read into its typed settings, with the checks that belong to it.
"""

from __future__ import annotations

import difflib
import functools
import ipaddress
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from bot.config.schema import (
    _BOT_USERNAME,
    _DEVICE_ID,
    _MATRIX_USER,
    _SECRET_TOKEN,
    _SERVER_NAME,
    _TELEGRAM_TOKEN,
    DEFAULT_BASE_URL,
    DEFAULT_DATABASE,
    DEFAULT_DEVICE_ID,
    DEFAULT_LISTEN,
    DEFAULT_STORE_PATH,
    ENV_MATRIX_ACCESS_TOKEN,
    ENV_MATRIX_PASSWORD,
    ENV_STORAGE_URL,
    ENV_TELEGRAM_SECRET_TOKEN,
    ENV_TELEGRAM_TOKEN,
    FROM_FILE,
    LOG_LEVELS,
    MAX_LINK_LIFETIME,
    MAX_RETENTION_MONTHS,
    MIN_LINK_LIFETIME,
    MIN_SECRET_TOKEN,
    POSTGRESQL_URL_SCHEMES,
    SCHEMA,
    STORAGE_BACKENDS,
    SYNCHRONOUS,
    TELEGRAM_MODES,
    TELEGRAM_WEBHOOK_PORTS,
    TOKEN_PLACEHOLDER,
)
from bot.config.settings import (
    DefaultsConfig,
    LoggingConfig,
    MatrixConfig,
    StorageConfig,
    TelegramConfig,
    WebConfig,
)
from bot.config.values import _Section
from bot.config.words import _shown, _spell, _where_secret
from bot.core.addresses import host_and_port
from bot.core.deadlines import valid_timezone
from bot.core.i18n import real_language
from bot.core.processes import PROCESSES


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
    mode = sec.choice("mode", sec.default("mode"), TELEGRAM_MODES)

    listen = sec.text("listen", DEFAULT_LISTEN) or ""
    if host_and_port(listen) is None:
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
    elif secret_token is not None and len(secret_token) < MIN_SECRET_TOKEN:
        # Anyone who guesses it can post made-up messages to the bot as anyone.
        sec.problem("secret_token", (
            f"The secret token is too short to be safe: make up one of at least "
            f"{MIN_SECRET_TOKEN} letters, digits, _ or -, like "
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
                "come from Telegram. Make one up (at least 16 letters, digits, _ or -) and set the "
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
    encrypted_direct_rooms = sec.flag(
        "encrypted_direct_rooms", sec.default("encrypted_direct_rooms")
    )
    facilitators_from_power_levels = sec.flag(
        "facilitators_from_power_levels", sec.default("facilitators_from_power_levels")
    )
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


def _read_storage(sec: _Section, env: Mapping[str, str]) -> StorageConfig:
    backend = sec.choice("backend", sec.default("backend"), STORAGE_BACKENDS)
    sources: dict[str, str] = {}
    url = sec.secret("url", env, sources)
    if backend == "postgresql" and url is None:
        sec.problem("url", (
            f'With backend = "postgresql", url says where the database is, like '
            f"{sec.like('url')}. Or set the environment variable {ENV_STORAGE_URL}."
        ))  # fmt: skip
    elif backend == "postgresql" and not str(url).lower().startswith(POSTGRESQL_URL_SCHEMES):
        # Never shown: a URL may hold the password.
        sec.problem("url", (
            f"url should begin with postgresql://, like {sec.like('url')}."
        ), where=_where_secret("storage", "url", sources))  # fmt: skip
    elif backend == "sqlite" and url is not None and sources.get("url") == FROM_FILE:
        sec.problem("url", (
            'url is used only with backend = "postgresql". Add that line to use the '
            "database at url, or delete url to keep the database file at path."
        ))  # fmt: skip
    path = sec.text("path")
    if path == "":
        sec.problem("path", f"path should name the database file, like {sec.like('path')}.")
    synchronous = sec.choice("synchronous", sec.default("synchronous"), SYNCHRONOUS)
    retention = sec.whole_number(
        "retention_months",
        sec.default("retention_months"),
        1,
        MAX_RETENTION_MONTHS,
        hint=" To keep closed proposals forever, delete the line.",
    )
    sec.finish()
    return StorageConfig(
        backend=backend,
        url=url,
        path=Path(path or DEFAULT_DATABASE),
        synchronous=synchronous,
        retention_months=retention,
        sources=sources,
    )


def _read_logging(sec: _Section) -> LoggingConfig:
    level = sec.choice("level", sec.default("level"), LOG_LEVELS)
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

    written = sec.text("language", given.language) or ""
    language = real_language(written)
    if language is None:
        sec.problem("language", (
            f'language should be the code of a language, like "en", "cy" or "pl"; you wrote '
            f"{_shown(written)}, which is not a language code I know."
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


def _read_web(sec: _Section, telegram: TelegramConfig | None) -> WebConfig:
    public_url = sec.required("public_url", (
        "public_url is missing: the https:// address where people open the page, as their "
        f"browsers reach it, like {sec.like('public_url')}."
    ))  # fmt: skip
    if public_url:
        _check_url(sec, "public_url", public_url)
        parts = urlsplit(public_url)
        if parts.query or parts.fragment or "?" in public_url or "#" in public_url:
            sec.problem("public_url", (
                "public_url should end with the page's folder, without ? or #, like "
                f"{sec.like('public_url')}."
            ))  # fmt: skip
        elif parts.scheme == "http" and not _is_loopback(parts.hostname or ""):
            # Every link carries its secret: over plain http anyone on the way reads it.
            sec.problem("public_url", (
                "public_url must start with https://, so nobody on the way can read the links. "
                f"Write it like {sec.like('public_url')}."
            ))  # fmt: skip
    listen = sec.text("listen", sec.default("listen")) or ""
    if host_and_port(listen) is None:
        sec.problem("listen", (
            f'listen should be an address and a port, like {sec.like("listen")}; '
            f"you wrote {_shown(listen)}."
        ))  # fmt: skip
    elif telegram is not None and telegram.mode == "webhook" and telegram.listen == listen:
        sec.problem("listen", (
            "The page and Telegram's webhook cannot listen on the same address and port. "
            f"Give the page another port, like {sec.like('listen')}."
        ))  # fmt: skip
    lifetime = sec.length_of_time("link_lifetime", sec.default("link_lifetime"))
    if lifetime is not None and not MIN_LINK_LIFETIME <= lifetime <= MAX_LINK_LIFETIME:
        sec.problem("link_lifetime", (
            "link_lifetime should be at least a day and at most 10 years, like "
            f"{sec.like('link_lifetime')}."
        ))  # fmt: skip
    sec.finish()
    return WebConfig(
        public_url=(public_url or "").rstrip("/"),
        listen=listen,
        link_lifetime=lifetime or sec.default("link_lifetime"),
    )


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


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones() - {"localtime", "Factory"})
