"""A throw-away PostgreSQL cluster for the tests, started and removed by the suite.

:class:`Cluster` finds the server's programs (``initdb``, ``pg_ctl``, ``postgres``)
on the PATH or in Debian's ``/usr/lib/postgresql/<version>/bin``, and installs
Debian's ``postgresql`` package when they are missing and the suite runs as root
(a fresh machine, CI): the PostgreSQL tests are never skipped, and fail loudly
when the server cannot start.

PostgreSQL refuses to run as root, so when the suite runs as root the cluster is
made and run by an unprivileged user (``postgres`` when the package made it,
else ``nobody``), in a temporary folder given to that user. It listens on a free
port of the loopback interface and on a Unix socket in that folder, with
``fsync`` on: durability is part of what the tests check. The superuser's
password is random and connections over TCP must give it, so another user of
the machine cannot reach the test data while the suite runs.

Each test gets a database of its own, copied from a template (fast), and
dropped after the test.

Set ``POSTGRES_TEST_KEEP_FILES=1`` to keep the cluster's folder (and its
``server.log``) after the session for debugging.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import psycopg

HOST = "127.0.0.1"
SUPERUSER = "dt"
PROGRAMS = ("initdb", "pg_ctl", "postgres")
# Debian's package: the server of the release's own PostgreSQL version.
PACKAGE = "postgresql"
# The unprivileged users to run the server as, when the suite runs as root.
RUN_AS = ("postgres", "nobody")
# The template every test's database is copied from.
TEMPLATE = "dt_template"
# Each cluster's folder in the temporary folder, and the file naming its session.
PREFIX = "dt-postgres-"
OWNER = "session.pid"


class ClusterFailed(RuntimeError):
    """The throw-away cluster could not be made or started (the message says why)."""


def find_programs() -> Path:
    """The folder holding initdb, pg_ctl and postgres; installs them when missing."""
    found = _programs_folder()
    if found is None:
        _install_server()
        found = _programs_folder()
    if found is None:
        raise ClusterFailed(
            f"PostgreSQL's server programs ({', '.join(PROGRAMS)}) were not found on the PATH "
            f"or in /usr/lib/postgresql/*/bin. Install Debian's '{PACKAGE}' package."
        )
    return found


def _programs_folder() -> Path | None:
    on_path = [shutil.which(name) for name in PROGRAMS]
    if all(on_path):
        return Path(str(on_path[0])).parent
    # Debian keeps the server out of the PATH: the newest version installed.
    folders = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda folder: [int(part) for part in Path(folder).parent.name.split(".")],
    )
    for folder in reversed(folders):
        if all((Path(folder) / name).exists() for name in PROGRAMS):
            return Path(folder)
    return None


def _install_server() -> None:
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise ClusterFailed(
            f"PostgreSQL's server is not installed, and it can only be installed for you "
            f"as root on Debian or Ubuntu. Install the '{PACKAGE}' package and run again."
        )
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update", "-q"],
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", PACKAGE],
    ):
        done = subprocess.run(command, env=environment, capture_output=True, text=True)
        if done.returncode != 0:
            raise ClusterFailed(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")


def _remove_abandoned(programs: Path) -> None:
    """Stop and remove the clusters of test sessions that were killed before they could
    (their owner's process is gone): a server left running would hold its port and
    memory, and its folder the disk, until the machine restarts."""
    for folder in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
        try:
            owner = int((folder / OWNER).read_text())
        except (OSError, ValueError):
            continue  # not made by this module, or not finished being made
        if _alive(owner):
            continue
        stop = [str(programs / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate", "stop"]
        data_owner = _owner_of(folder / "data")
        if data_owner is not None and data_owner != os.geteuid() and os.geteuid() == 0:
            stop = ["runuser", "-u", pwd.getpwuid(data_owner).pw_name, "--", *stop]
        subprocess.run(stop, capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _owner_of(path: Path) -> int | None:
    try:
        return path.stat().st_uid
    except OSError:
        return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class Cluster:
    """One PostgreSQL cluster in a temporary folder, for one test session."""

    def __init__(self) -> None:
        self.programs = find_programs()
        _remove_abandoned(self.programs)
        self.folder = Path(tempfile.mkdtemp(prefix=PREFIX))
        # Whose cluster it is: a session killed outright leaves it for the next to remove.
        (self.folder / OWNER).write_text(str(os.getpid()))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = _free_port()
        self.password = secrets.token_urlsafe(16)
        self._user = _unprivileged_user()
        self._names = itertools.count(1)
        self._spare: list[str] = []  # emptied databases for the next tests
        self._template: object = None  # the template's schema, once read
        self.started = False

    # -- the server ------------------------------------------------------------------------

    def start(self) -> None:
        if self._user is not None:
            os.chown(self.folder, self._user.pw_uid, self._user.pw_gid)
            reach = ["runuser", "-u", self._user.pw_name, "--", "test", "-w", str(self.folder)]
            if subprocess.run(reach, capture_output=True).returncode != 0:
                raise ClusterFailed(
                    f"The user {self._user.pw_name}, who runs the test server, cannot reach "
                    f"{self.folder}: a folder above it is closed to other users. Set TMPDIR "
                    "to a folder every user may pass through, like /tmp."
                )
        password_file = self.folder / "password"
        password_file.write_text(self.password + "\n")
        if self._user is not None:
            os.chown(password_file, self._user.pw_uid, self._user.pw_gid)
        password_file.chmod(0o600)
        try:
            self._run(
                "initdb",
                "-D", str(self.data),
                "-U", SUPERUSER,
                f"--pwfile={password_file}",
                "--auth-local=trust",  # the socket's folder is the server user's alone
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",  # on every system; the schema compares bytes anyway
                # The cluster is thrown away; its commits are still synced (fsync on).
                "--no-sync",
            )  # fmt: skip
        finally:
            password_file.unlink()
        options = " ".join(
            [
                f"-p {self.port}",
                f"-k {self.folder}",
                f"-c listen_addresses={HOST}",
                "-c fsync=on",
                "-c synchronous_commit=on",
                "-c max_connections=300",
            ]
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                  "-o", options, "start")  # fmt: skip
        self.started = True
        with self._admin() as admin:
            admin.execute(f"CREATE DATABASE {TEMPLATE}")

    def stop(self) -> None:
        if self.started:
            with contextlib.suppress(ClusterFailed):
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            self.started = False
        if os.environ.get("POSTGRES_TEST_KEEP_FILES"):
            print(f"\nPostgreSQL test cluster kept in {self.folder}")
            return
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        command: Sequence[str] = [str(self.programs / program), *args]
        if self._user is not None:
            command = ["runuser", "-u", self._user.pw_name, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.folder, timeout=120)
        if done.returncode != 0:
            server_log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise ClusterFailed(
                f"{program} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n{server_log}"
            )

    # -- databases -------------------------------------------------------------------------

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}:{self.password}@{HOST}:{self.port}/{database}"

    @contextlib.contextmanager
    def _admin(self) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
        with psycopg.connect(self.url(), autocommit=True) as admin:
            yield admin

    def new_database(self, template: str = TEMPLATE) -> str:
        """A new database's name (copied from ``template``)."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        with self._admin() as admin:
            admin.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        return name

    def drop_database(self, name: str) -> None:
        with self._admin() as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    @contextlib.contextmanager
    def database(self, template: str = TEMPLATE) -> Iterator[str]:
        """A fresh database for one test: its URL; emptied or dropped afterwards.

        Copying a database and dropping it take a fraction of a second each with
        fsync on, so a database copied from the template is emptied after its
        test and given to the next one, when its schema is still the template's."""
        recycled = template == TEMPLATE and bool(self._spare)
        name = self._spare.pop() if recycled else self.new_database(template)
        try:
            yield self.url(name)
        finally:
            if template == TEMPLATE and self._emptied(name):
                self._spare.append(name)
            else:
                self.drop_database(name)

    def _fingerprint(self, db: psycopg.Connection[tuple[object, ...]]) -> object:
        columns = db.execute(_COLUMNS).fetchall()
        meta = db.execute("SELECT name, value FROM meta ORDER BY name").fetchall()
        return columns, meta

    def _emptied(self, name: str) -> bool:
        """Empty a used database when it still has the template's schema; True if done.

        DELETE, not TRUNCATE: for a few rows it is one commit, where TRUNCATE
        makes every table's and index's files anew, each synced (most of a second)."""
        if self._template is None:
            with psycopg.connect(self.url(TEMPLATE), autocommit=True) as template:
                self._template = self._fingerprint(template)
        try:
            with psycopg.connect(self.url(name), autocommit=True) as db:
                if self._fingerprint(db) != self._template:
                    return False
                db.execute(f"ALTER DATABASE {name} RESET ALL")  # a test's own settings
                with db.transaction():
                    # A test that left a connection open holding a lock: dropped instead.
                    db.execute("SET LOCAL lock_timeout = '2s'")
                    # Replica role: no triggers (the audit log's refuses a delete), and
                    # no foreign keys to follow.
                    db.execute("SET LOCAL session_replication_role = replica")
                    for (table,) in db.execute(_TABLES).fetchall():
                        db.execute(f"DELETE FROM {table}")
                    for (sequence,) in db.execute(_SEQUENCES).fetchall():
                        db.execute("SELECT setval(%s, 1, false)", (sequence,))
        except psycopg.Error:
            return False
        return True


_COLUMNS = """
    SELECT table_name, column_name, data_type FROM information_schema.columns
    WHERE table_schema = 'public' ORDER BY table_name, column_name
"""
_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'meta'"
_SEQUENCES = "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"


def _unprivileged_user() -> pwd.struct_passwd | None:
    """The user to run the server as: None when the suite is not root (it runs as us)."""
    if os.geteuid() != 0:
        return None
    for name in RUN_AS:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise ClusterFailed(
        "The tests run as root, and PostgreSQL refuses to; no unprivileged user "
        f"({' or '.join(RUN_AS)}) was found to run it as."
    )


@contextlib.contextmanager
def running_cluster() -> Iterator[Cluster]:
    """A started cluster, stopped and removed at the end."""
    cluster = Cluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
