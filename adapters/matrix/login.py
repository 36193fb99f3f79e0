"""Logging the bot's account in, once, and keeping that login across restarts.

The bot is one Matrix *device*. Reusing the same device on every start keeps
its end-to-end encryption keys valid (they belong to the device) and stops the
account from filling up with stale sessions. So:

* with an ``access_token`` in the config, that login is restored as it is;
* with a ``password``, the bot logs in once with the fixed ``device_id`` and
  keeps the access token it got in ``credentials.json`` in the store folder
  (readable by its owner only); later starts restore that login and use the
  password again only if the server has forgotten the token.

The bot never logs out on shutdown: that would delete the device and its keys.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import nio
from nio.crypto import ENCRYPTION_ENABLED

from adapters.matrix import keystore
from adapters.matrix.settings import MatrixSettings

log = logging.getLogger("deciding_together.matrix")

CREDENTIALS_FILE = "credentials.json"
DEVICE_NAME = "Deciding Together"
# Seconds one request (other than the long-polling sync) may take. Under the
# delivery loop's own limit, so a slow send fails here first, with a reason.
REQUEST_TIMEOUT = 30


class LoginFailed(Exception):
    """The bot could not log in; the message says what to check."""


@dataclass(frozen=True, slots=True)
class Credentials:
    homeserver: str
    user_id: str
    device_id: str
    access_token: str


def encryption_wanted(settings: MatrixSettings) -> bool:
    """End-to-end encryption is on when asked for and the crypto library is installed."""
    if settings.encrypted_direct_rooms and not ENCRYPTION_ENABLED:
        log.warning(
            "encrypted_direct_rooms is on, but matrix-nio was installed without its e2e "
            "extra: running without end-to-end encryption (install matrix-nio[e2e])"
        )
    return bool(settings.encrypted_direct_rooms and ENCRYPTION_ENABLED)


def make_client(settings: MatrixSettings) -> nio.AsyncClient:
    """A client with a persistent store folder, not yet logged in."""
    store = Path(settings.store_path)
    encrypted = encryption_wanted(settings)
    config = nio.AsyncClientConfig(
        # Owner-only, and the keys locked with a passphrase of the bot's own (not nio's).
        **keystore.prepare(store, encrypted=encrypted),
        # The sync token is kept in the application's storage, saved only after the
        # events it covers are committed; nio's own copy would run ahead of that.
        store_sync_tokens=False,
        encryption_enabled=encrypted,
        # A 429 goes back to the delivery loop, which honours retry_after_ms, rather
        # than nio sleeping inside a send the loop is timing.
        max_limit_exceeded=0,
        # Retry a dropped connection twice, then report it (nio's default: forever).
        max_timeouts=2,
        request_timeout=REQUEST_TIMEOUT,
    )
    return nio.AsyncClient(
        settings.homeserver,
        settings.user_id,
        device_id=settings.device_id,
        store_path=str(store),
        config=config,
    )


def _credentials_path(settings: MatrixSettings) -> Path:
    return Path(settings.store_path) / CREDENTIALS_FILE


def read_credentials(settings: MatrixSettings) -> Credentials | None:
    """The login saved by an earlier password login, if it is for this account."""
    path = _credentials_path(settings)
    try:
        saved = Credentials(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    if (saved.homeserver, saved.user_id) != (settings.homeserver, settings.user_id):
        return None  # the config now names another account: log in afresh
    return saved


def write_credentials(settings: MatrixSettings, credentials: Credentials) -> None:
    """Save a login for the next start, readable by the bot's owner only."""
    path = _credentials_path(settings)
    temporary = path.with_suffix(".tmp")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(asdict(credentials), file)
    temporary.replace(path)


async def log_in(client: nio.AsyncClient, settings: MatrixSettings) -> None:
    """Restore or make the bot's login (see the module's docstring)."""
    if settings.access_token:
        await _restore(client, settings.user_id, settings.device_id, settings.access_token)
        return
    saved = read_credentials(settings)
    if saved is not None:
        try:
            await _restore(client, saved.user_id, saved.device_id, saved.access_token)
            return
        except LoginFailed:
            log.info("the saved login is no longer valid; logging in with the password")
    if not settings.password:
        raise LoginFailed(
            f"{settings.user_id} has neither an access token nor a password to log in with."
        )
    await password_login(client, settings)


async def password_login(client: nio.AsyncClient, settings: MatrixSettings) -> None:
    """Log in with the password on the fixed device, and save the login."""
    client.device_id = settings.device_id
    response = await client.login(settings.password, device_name=DEVICE_NAME)
    if not isinstance(response, nio.LoginResponse):
        raise LoginFailed(
            f"{settings.homeserver} refused the password of {settings.user_id}: "
            f"{response.message}. Check user_id and password in [matrix]."
        )
    write_credentials(
        settings,
        Credentials(
            settings.homeserver, response.user_id, response.device_id, response.access_token
        ),
    )
    log.info("logged in as %s on device %s", response.user_id, response.device_id)


async def _restore(
    client: nio.AsyncClient, user_id: str, device_id: str, access_token: str
) -> None:
    """Use an existing login, after checking with the server that it still works."""
    client.access_token = access_token  # enough to ask the server whose token it is
    answer = await client.whoami()
    if not isinstance(answer, nio.WhoamiResponse):
        client.access_token = ""
        raise LoginFailed(
            f"the homeserver refused the access token of {user_id}: {answer.message}. "
            "Make a new access token, or log in with a password instead."
        )
    if answer.user_id != user_id:
        raise LoginFailed(
            f"the access token belongs to {answer.user_id}, but user_id says {user_id}."
        )
    if answer.device_id and answer.device_id != device_id:
        # Encryption keys belong to the token's device: follow the server.
        log.warning(
            "the access token belongs to device %s, not %s: using %s",
            answer.device_id,
            device_id,
            answer.device_id,
        )
        device_id = answer.device_id
    # Only now, with the right device, load the store (the device's encryption keys).
    client.restore_login(user_id, device_id, access_token)
    log.info("restored the login of %s on device %s", user_id, device_id)
