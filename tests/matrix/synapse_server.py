"""A real Synapse homeserver for end-to-end tests of the Matrix adapter.

:class:`SynapseServer` writes a minimal, test-only ``homeserver.yaml`` into a
temporary directory, starts ``python -m synapse.app.homeserver`` as a child
process listening on 127.0.0.1 only, and stops it again. The session-scoped
:func:`synapse` fixture runs one server for the whole test session; tests keep
out of each other's way by registering users with unique names
(:meth:`SynapseServer.register_user` adds a counter suffix).

The configuration trades everything a production server needs (federation,
rate limits, strong password hashing, metrics, presence) for a fast start and
a server that never says "slow down" to a test.

Set ``SYNAPSE_TEST_KEEP_FILES=1`` to keep the server's directory (config,
SQLite database and ``homeserver.log``) after the session for debugging; its
path is printed when the server stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

SERVER_NAME = "localhost"
HOST = "127.0.0.1"

#: Far above anything a test does, so that Synapse never answers M_LIMIT_EXCEEDED.
_UNLIMITED = {"per_second": 100_000, "burst_count": 100_000}

#: Every rate limiter this Synapse generation knows (see synapse/config/ratelimiting.py).
#: Synapse ignores keys it does not know, so listing one that an older or newer
#: release lacks is harmless.
RATE_LIMITS: dict[str, Any] = {
    "rc_message": _UNLIMITED,
    "rc_registration": _UNLIMITED,
    "rc_registration_token_validity": _UNLIMITED,
    "rc_login": {
        "address": _UNLIMITED,
        "account": _UNLIMITED,
        "failed_attempts": _UNLIMITED,
    },
    "rc_joins": {"local": _UNLIMITED, "remote": _UNLIMITED},
    "rc_joins_per_room": _UNLIMITED,
    "rc_invites": {
        "per_room": _UNLIMITED,
        "per_user": _UNLIMITED,
        "per_issuer": _UNLIMITED,
    },
    "rc_third_party_invite": _UNLIMITED,
    "rc_3pid_validation": _UNLIMITED,
    "rc_admin_redaction": _UNLIMITED,
    "rc_key_requests": _UNLIMITED,
    "rc_media_create": _UNLIMITED,
    "rc_reports": _UNLIMITED,
    "rc_room_creation": _UNLIMITED,
    "rc_presence": {"per_user": _UNLIMITED},
    "rc_delayed_event_mgmt": _UNLIMITED,
    "rc_user_directory": _UNLIMITED,
    "rc_profile": _UNLIMITED,
}

#: How long Synapse may take to answer /versions before the fixture gives up.
START_TIMEOUT = 60.0
#: How long Synapse gets to shut down after SIGTERM before it is killed.
STOP_GRACE = 5.0


class SynapseError(RuntimeError):
    """Synapse did not start, or answered an HTTP request with an error."""


@dataclass(frozen=True)
class RegisteredUser:
    """A user registered on the test server, with a logged-in device."""

    user_id: str
    access_token: str
    device_id: str
    password: str
    #: The localpart actually registered (with the uniqueness suffix).
    localpart: str
    #: The display name Synapse stored for the user.
    displayname: str


def _free_port() -> int:
    """Ask the kernel for a currently unused TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """In the child before exec: have the kernel SIGTERM Synapse if pytest itself dies.

    Without this, a pytest process killed with SIGKILL (a CI timeout, say) would leave
    an orphaned homeserver behind, holding its port and temporary directory.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


class SynapseServer:
    """One Synapse homeserver process with its own configuration and data directory.

    Typical use is through the :func:`synapse` fixture; standalone::

        server = SynapseServer()
        server.start()
        try:
            alice = server.register_user("alice")
        finally:
            server.stop()
    """

    def __init__(self, directory: Path | None = None, *, keep_files: bool = False) -> None:
        """Prepare (but do not start) a server.

        Args:
            directory: where config, database, media and logs go; a fresh temporary
                directory by default, removed again by :meth:`stop`.
            keep_files: do not remove the directory in :meth:`stop`.
        """
        self._owns_directory = directory is None
        self.directory = Path(directory or tempfile.mkdtemp(prefix="synapse-test-"))
        self.keep_files = keep_files
        self.server_name = SERVER_NAME
        self.port = 0
        self.registration_shared_secret = secrets.token_hex(32)
        self.process: subprocess.Popen[bytes] | None = None
        #: Seconds from spawning the process to the first successful /versions.
        self.start_seconds: float | None = None
        self._user_numbers = itertools.count(1)

    # -- paths -------------------------------------------------------------------

    @property
    def config_path(self) -> Path:
        return self.directory / "homeserver.yaml"

    @property
    def log_path(self) -> Path:
        """Synapse's own log (WARNING and above)."""
        return self.directory / "homeserver.log"

    @property
    def console_path(self) -> Path:
        """stdout and stderr of the process: crashes before logging is set up land here."""
        return self.directory / "console.log"

    @property
    def base_url(self) -> str:
        """The homeserver URL to give to clients, e.g. ``http://127.0.0.1:41234``."""
        return f"http://{HOST}:{self.port}"

    # -- configuration -------------------------------------------------------------

    def config(self) -> dict[str, Any]:
        """The homeserver configuration as a dictionary (written as YAML)."""
        directory = self.directory
        return {
            "server_name": self.server_name,
            "public_baseurl": f"{self.base_url}/",
            "pid_file": str(directory / "homeserver.pid"),
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": [HOST],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    # "client" also serves the admin API and authenticated media;
                    # no federation: this server talks to nobody but the tests.
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": {
                "name": "sqlite3",
                "args": {"database": str(directory / "homeserver.db")},
            },
            "log_config": str(directory / "log_config.yaml"),
            "media_store_path": str(directory / "media_store"),
            "signing_key_path": str(directory / "signing.key"),
            "registration_shared_secret": self.registration_shared_secret,
            # Given explicitly so that Synapse derives and writes nothing at start-up.
            "macaroon_secret_key": secrets.token_hex(32),
            "form_secret": secrets.token_hex(32),
            "report_stats": False,
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "enable_registration": False,
            "enable_metrics": False,
            "url_preview_enabled": False,
            "use_frozen_dicts": False,
            "presence": {"enabled": False},
            # bcrypt's default of 12 rounds costs ~0.25 s per registration and login.
            # (Older releases documented this as password_config.bcrypt_rounds; the
            # key Synapse actually reads is the top-level one.)
            "bcrypt_rounds": 4,
            # A fresh database has little to migrate: do it without pauses.
            "background_updates": {"sleep_enabled": False},
            **RATE_LIMITS,
        }

    def _log_config(self) -> dict[str, Any]:
        """Python logging config for Synapse: WARNING and above, to a file only."""
        return {
            "version": 1,
            "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
            "handlers": {
                "file": {
                    "class": "logging.FileHandler",
                    "formatter": "plain",
                    "filename": str(self.log_path),
                    "encoding": "utf8",
                }
            },
            "root": {"level": "WARNING", "handlers": ["file"]},
            "disable_existing_loggers": False,
        }

    def write_config(self) -> None:
        """Write ``homeserver.yaml``, the logging config and (once) a signing key."""
        # Imported here: both come with matrix-synapse, which not every test run needs.
        from signedjson.key import generate_signing_key, write_signing_keys

        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "media_store").mkdir(exist_ok=True)
        signing_key = self.directory / "signing.key"
        if not signing_key.exists():
            # Writing the key ourselves saves a second Synapse start (--generate-keys).
            with signing_key.open("w") as key_file:
                write_signing_keys(key_file, [generate_signing_key("a_test")])
        (self.directory / "log_config.yaml").write_text(
            yaml.safe_dump(self._log_config(), sort_keys=False)
        )
        self.config_path.write_text(yaml.safe_dump(self.config(), sort_keys=False))

    # -- lifecycle -----------------------------------------------------------------

    def start(self, timeout: float = START_TIMEOUT, attempts: int = 3) -> None:
        """Start Synapse and wait until it answers ``GET /_matrix/client/versions``.

        The free port is chosen just before Synapse binds it, so another process may
        take it in between; that case is retried on a new port.

        Raises:
            SynapseError: with the end of Synapse's logs, if it exits or does not
                answer within ``timeout`` seconds.
        """
        if self.process is not None:
            raise SynapseError("Synapse is already running")
        for attempt in range(1, attempts + 1):
            self.port = _free_port()
            self.write_config()
            try:
                self._spawn_and_wait(timeout)
                return
            except SynapseError:
                self._terminate()
                port_taken = "Address already in use" in self.log_tail()
                if not port_taken or attempt == attempts:
                    raise

    def _spawn_and_wait(self, timeout: float) -> None:
        started = time.monotonic()
        with self.console_path.open("ab") as console:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "synapse.app.homeserver", "-c", str(self.config_path)],
                cwd=self.directory,
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
                # Its own process group: a Ctrl-C in the terminal reaches pytest only,
                # and pytest's teardown then stops Synapse in an orderly way.
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        deadline = started + timeout
        while time.monotonic() < deadline:
            if (code := self.process.poll()) is not None:
                raise SynapseError(
                    f"Synapse exited with code {code} during start-up.\n{self.log_tail()}"
                )
            if self._answers_versions():
                self.start_seconds = time.monotonic() - started
                return
            time.sleep(0.1)
        raise SynapseError(
            f"Synapse did not answer on {self.base_url} within {timeout:.0f} s.\n{self.log_tail()}"
        )

    def _answers_versions(self) -> bool:
        try:
            with urllib.request.urlopen(
                f"{self.base_url}/_matrix/client/versions", timeout=2
            ) as response:
                return bool(response.status == 200)
        except (OSError, urllib.error.URLError):
            return False

    def stop(self, grace: float = STOP_GRACE) -> None:
        """Stop Synapse (SIGTERM, then SIGKILL after ``grace`` seconds) and clean up."""
        self._terminate(grace)
        if self.keep_files or not self._owns_directory:
            print(f"\nSynapse test files kept in {self.directory}")
        else:
            shutil.rmtree(self.directory, ignore_errors=True)

    def _terminate(self, grace: float = STOP_GRACE) -> None:
        """Stop the process by its own pid; only ever this one process."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=grace)

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of Synapse's console output and log, for error messages."""
        parts = []
        for path in (self.console_path, self.log_path):
            if path.exists():
                tail = path.read_text(errors="replace").splitlines()[-lines:]
                if tail:
                    parts.append(f"--- {path.name} (last {len(tail)} lines) ---")
                    parts.extend(tail)
        return "\n".join(parts) or "(Synapse wrote no output)"

    # -- HTTP ----------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        access_token: str | None = None,
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """Make a JSON request to the server and return the decoded response body.

        Handy for admin or client API calls that nio does not wrap. Blocking: in
        async code use ``await asyncio.to_thread(server.request, ...)``.

        Raises:
            SynapseError: for any non-2xx answer, with Synapse's errcode and error.
        """
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base_url}{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if access_token:
            request.add_header("Authorization", f"Bearer {access_token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return dict(json.loads(response.read() or b"{}"))
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            raise SynapseError(f"{method} {path} -> HTTP {error.code}: {detail}") from None

    # -- users ---------------------------------------------------------------------

    def register_user(
        self,
        localpart: str,
        password: str | None = None,
        admin: bool = False,
        displayname: str | None = None,
        *,
        unique: bool = True,
    ) -> RegisteredUser:
        """Register a user through the shared-secret admin API and return its login.

        Args:
            localpart: the wanted name, e.g. ``"alice"``. With ``unique`` (the
                default) a counter suffix is added (``alice-7``), so that tests sharing
                the session's server never collide.
            password: a random one by default; it is returned in the result.
            admin: make the user a server admin.
            displayname: defaults to ``localpart`` as given (without the suffix), so
                that the bot and other members see "alice".
            unique: set to False to register ``localpart`` exactly.

        Blocking; from async code use :meth:`aregister_user`.
        """
        username = f"{localpart}-{next(self._user_numbers)}" if unique else localpart
        password = password or secrets.token_urlsafe(16)
        displayname = displayname or localpart
        # Nonces are single-use and expire after a minute: fetch one per registration.
        nonce = self.request("GET", "/_synapse/admin/v1/register")["nonce"]
        mac = hmac.new(self.registration_shared_secret.encode(), digestmod=hashlib.sha1)
        mac.update(b"\x00".join([nonce.encode(), username.encode(), password.encode()]))
        mac.update(b"\x00admin" if admin else b"\x00notadmin")
        answer = self.request(
            "POST",
            "/_synapse/admin/v1/register",
            {
                "nonce": nonce,
                "username": username,
                "password": password,
                "displayname": displayname,
                "admin": admin,
                "mac": mac.hexdigest(),
            },
        )
        return RegisteredUser(
            user_id=answer["user_id"],
            access_token=answer["access_token"],
            device_id=answer["device_id"],
            password=password,
            localpart=username,
            displayname=displayname,
        )

    async def aregister_user(
        self,
        localpart: str,
        password: str | None = None,
        admin: bool = False,
        displayname: str | None = None,
        *,
        unique: bool = True,
    ) -> RegisteredUser:
        """:meth:`register_user` without blocking the event loop (a bot may be syncing)."""
        return await asyncio.to_thread(
            self.register_user, localpart, password, admin, displayname, unique=unique
        )


# -- fixtures ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def synapse() -> Iterator[SynapseServer]:
    """A running Synapse homeserver, started once per test session.

    Register users with ``synapse.register_user("alice")``; connect clients to
    ``synapse.base_url``. Nothing is reset between tests: use fresh users and rooms.
    """
    server = SynapseServer(keep_files=os.environ.get("SYNAPSE_TEST_KEEP_FILES") == "1")
    try:
        server.start()
    except SynapseError as error:
        server.stop()
        pytest.fail(str(error), pytrace=False)
    try:
        yield server
    finally:
        server.stop()
