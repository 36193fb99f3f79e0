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

A homeserver that cannot be reached, or answers with an error of its own (a
502 from its proxy, "too many requests"), is waited out with the shared retry
of ``bot.reaching``, one plain sentence per try; a refused password or access
token is final (:class:`LoginFailed`, a ``AccessRefused``).
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
from adapters.matrix.send import NETWORK_ERRORS
from adapters.matrix.settings import MatrixSettings
from bot.reaching import AccessRefused, NotReached, patiently

log = logging.getLogger("deciding_together.matrix")

CREDENTIALS_FILE = "credentials.json"
DEVICE_NAME = "Deciding Together"
# Seconds one request (other than the long-polling sync) may take. Under the
# delivery loop's own limit, so a slow send fails here first, with a reason.
REQUEST_TIMEOUT = 30
# The homeserver's answers that mean "no" to this login, as opposed to "not now".
REFUSALS = frozenset(
    {"M_FORBIDDEN", "M_UNKNOWN_TOKEN", "M_MISSING_TOKEN", "M_USER_DEACTIVATED",
     "M_INVALID_USERNAME", "M_INVALID_PARAM", "M_BAD_JSON", "M_NOT_JSON"}
)  # fmt: skip


class LoginFailed(AccessRefused):
    """The bot could not log in; the message says what to check."""


def not_now(settings: MatrixSettings, answer: nio.ErrorResponse) -> NotReached | None:
    """A homeserver's error that a pause may cure, in plain words; None for a refusal."""
    if answer.status_code in REFUSALS:
        return None
    wait = answer.retry_after_ms / 1000 if answer.retry_after_ms else None
    return NotReached(
        f"The Matrix homeserver {settings.homeserver} is not answering properly right now "
        f"({answer.message or answer.status_code or 'no reason given'}).",
        wait,
    )


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


class _OwnRetriesOnly(logging.Filter):
    """nio warns at each of its own quick retries; the bot says once, plainly, that it
    cannot reach the homeserver (``log_in``, the sync loop), so those are left out."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Timed out, sleeping")


_NIO_CLIENT_LOG = logging.getLogger("nio.client.async_client")
if not any(isinstance(f, _OwnRetriesOnly) for f in _NIO_CLIENT_LOG.filters):
    _NIO_CLIENT_LOG.addFilter(_OwnRetriesOnly())


def make_client(settings: MatrixSettings) -> nio.AsyncClient:
    """A client with a persistent store folder, not yet logged in."""
    store = Path(settings.store_path)
    encrypted = encryption_wanted(settings)
    config = nio.AsyncClientConfig(
        # Owner-only, and the keys locked with a passphrase of the bot's own (not nio's).
        **keystore.prepare(store, encrypted=encrypted),
        # The sync token is kept in the application's memory for adapters, saved only
        # after the events it covers are committed; nio's own copy would run ahead of that.
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
    """Restore or make the bot's login (see the module's docstring), trying again
    while the homeserver cannot be reached."""

    async def attempt() -> None:
        try:
            await _log_in(client, settings)
        except NETWORK_ERRORS as error:
            raise NotReached(
                f"I can't reach the Matrix homeserver {settings.homeserver}. "
                "Is this computer online?"
            ) from error

    await patiently(attempt)


async def _log_in(client: nio.AsyncClient, settings: MatrixSettings) -> None:
    if settings.access_token:
        await _restore(client, settings, settings.device_id, settings.access_token)
        return
    saved = read_credentials(settings)
    if saved is not None:
        try:
            await _restore(client, settings, saved.device_id, saved.access_token)
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
        if (trouble := not_now(settings, response)) is not None:
            raise trouble
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
    client: nio.AsyncClient, settings: MatrixSettings, device_id: str, access_token: str
) -> None:
    """Use an existing login, after checking with the server that it still works."""
    user_id = settings.user_id
    client.access_token = access_token  # enough to ask the server whose token it is
    answer = await client.whoami()
    if not isinstance(answer, nio.WhoamiResponse):
        client.access_token = ""
        if (trouble := not_now(settings, answer)) is not None:
            raise trouble
        raise LoginFailed(
            f"The homeserver refused the access token of {user_id}: {answer.message}. "
            "Make a new access token, or log in with a password instead."
        )
    if answer.user_id != user_id:
        raise LoginFailed(
            f"The access token belongs to {answer.user_id}, but user_id says {user_id}."
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
