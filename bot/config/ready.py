"""Ready to run: the one check ``run`` and ``check-config`` share.

A file can be read without mistakes and still not be enough to run the bot:
no chat platform in it, the example's placeholder token, a database folder
that is not there. ``run`` refuses such a file, so ``check-config`` must fail
on it too: a script that does ``check-config && run`` is never fooled. Both
call :func:`check_ready`.

Warnings do not stop the bot: a file holding secrets that other people on
the computer can read is said, with the command that fixes it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bot.config.problems import ConfigError, Problem
from bot.config.schema import FROM_FILE
from bot.config.settings import Config

# How each secret is spoken of in a warning.
_SECRET_NAMES = {
    ("telegram", "token"): "the Telegram bot token",
    ("telegram", "secret_token"): "the webhook's secret token",
    ("matrix", "password"): "the Matrix password",
    ("matrix", "access_token"): "the Matrix access token",
    ("storage", "url"): "the database's URL (and its password)",
}


def check_ready(config: Config) -> None:
    """Raise ``ConfigError`` with every reason ``run`` would refuse this configuration."""
    problems: list[Problem] = []
    try:
        config.require_platform()
    except ConfigError as error:
        problems += error.problems
    if config.storage.backend == "sqlite":
        problems += _database_problems(config.storage.path)
    if config.matrix is not None:
        problems += _store_problems(config.matrix.store_path)
    if problems:
        raise ConfigError(problems, config.source)


def _database_problems(path: Path) -> list[Problem]:
    """The database's folder must be there and writable (its journal lives beside it)."""
    path = path.expanduser()
    folder = path.parent
    where = "[storage] path"
    if not folder.is_dir():
        return [Problem(where, (
            f"The folder {folder} does not exist, so the database cannot be made there. "
            "Create the folder, or write another path."
        ))]  # fmt: skip
    if path.exists() and not path.is_file():
        return [Problem(where, f"{path} is not a file. Write the name of a database file.")]
    if not os.access(folder, os.W_OK | os.X_OK):
        return [Problem(where, (
            f"The bot may not write in the folder {folder}, and the database keeps its "
            "journal there. Let the user that runs the bot write there, or choose another folder."
        ))]  # fmt: skip
    return []


def _store_problems(store: Path) -> list[Problem]:
    """The Matrix store folder must be there, or be possible to make, and writable."""
    store = store.expanduser()
    where = "[matrix] store_path"
    if store.exists() and not store.is_dir():
        return [Problem(where, f"{store} is a file, not a folder. Write the name of a folder.")]
    existing = store
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not os.access(existing, os.W_OK | os.X_OK):
        return [Problem(where, (
            f"The bot may not write in {existing}, and it keeps its encryption keys in "
            f"{store}. Let the user that runs the bot write there, or choose another folder."
        ))]  # fmt: skip
    return []


def secrets_in_file(config: Config) -> list[str]:
    """The secrets written in the file itself (not given in the environment)."""
    found = []
    for name, section in (
        ("telegram", config.telegram),
        ("matrix", config.matrix),
        ("storage", config.storage),
    ):
        if section is None:
            continue
        for key in section.SECRET_FIELDS:
            if getattr(section, key) and section.sources.get(key) == FROM_FILE:
                found.append(_SECRET_NAMES[(name, key)])
    return found


def file_warnings(config: Config) -> list[str]:
    """Plain sentences about what is risky but allowed: a secret others can read."""
    secrets = secrets_in_file(config)
    if not secrets:
        return []
    try:
        mode = Path(config.source).stat().st_mode
    except OSError:
        return []
    if not mode & (stat.S_IRGRP | stat.S_IROTH):
        return []
    held = secrets[0] if len(secrets) == 1 else ", ".join(secrets[:-1]) + " and " + secrets[-1]
    return [
        f"{config.source} holds {held}, and other people on this computer may read it. "
        f"Make it private with: chmod 600 {config.source}"
    ]
