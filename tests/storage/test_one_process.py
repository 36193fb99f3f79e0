"""One process per database: a second copy of the bot is refused at start, in words.

Real processes, as a volunteer would start them: ``deciding-together demo --db``
in one terminal, then ``demo --db`` or ``run`` on the same file in another.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import DatabaseInUse
from bot.cli import EXIT_IN_USE
from bot.core.model import Group
from storage import SqliteStorage
from storage.one_process import held_elsewhere, lock_path

from .examples import commit

ROOT = Path(__file__).resolve().parents[2]
REFUSAL = "Another copy of the bot is already using this database"
SOON = 20.0  # seconds for a Python process to start and open the database


def command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "bot", *map(str, args)]


def play(db: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """A scripted demo on ``db``: a whole, short run of the bot."""
    script = tmp_path / "script.txt"
    script.write_text("Sam: status\n", encoding="utf-8")
    return subprocess.run(
        command("demo", "--db", db, "--script", script),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def first_copy(db_path: Path) -> Iterator[subprocess.Popen[str]]:
    """An interactive demo on the database, waiting for its person to type."""
    process = subprocess.Popen(
        command("demo", "--db", db_path),
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + SOON
    while not (lock_path(db_path).exists() and held_elsewhere(db_path)):
        assert process.poll() is None, f"the first copy ended: {process.stderr.read()}"  # type: ignore[union-attr]
        assert time.monotonic() < deadline, "the first copy never opened the database"
        time.sleep(0.05)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        for pipe in (process.stdin, process.stderr):
            if pipe is not None:
                pipe.close()


def test_a_second_copy_is_refused_until_the_first_is_killed(
    first_copy: subprocess.Popen[str], db_path: Path, tmp_path: Path
) -> None:
    second = play(db_path, tmp_path)
    assert second.returncode == EXIT_IN_USE
    assert f"{REFUSAL}: {db_path}. Stop it first." in second.stderr
    assert "Traceback" not in second.stderr

    # SIGKILL gives the first copy no chance to tidy up: the system lets go of the lock.
    os.kill(first_copy.pid, signal.SIGKILL)
    first_copy.wait(10)
    third = play(db_path, tmp_path)
    assert third.returncode == 0, third.stderr
    assert "bot: Nothing is open" in third.stdout


def test_run_is_refused_on_a_database_a_demo_is_using(
    first_copy: subprocess.Popen[str], db_path: Path, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        "[telegram]\n"
        'token = "123456789:AAHk-fake-token-for-tests-only_abcdef"\n'
        'base_url = "http://127.0.0.1:9/bot"\n'
        "[storage]\n"
        f"path = {str(db_path)!r}\n",
        encoding="utf-8",
    )
    config.chmod(0o600)
    started = time.monotonic()
    second = subprocess.run(
        command("run", "--config", config),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert second.returncode == EXIT_IN_USE, second.stderr
    assert REFUSAL in second.stderr and "Traceback" not in second.stderr
    assert time.monotonic() - started < 30  # refused at start, before any network


async def test_the_lock_file_is_the_owners_alone_and_lets_go_when_closed(
    db_path: Path,
) -> None:
    storage = await SqliteStorage.open(db_path)
    try:
        assert stat.S_IMODE(lock_path(db_path).stat().st_mode) == 0o600
        with pytest.raises(DatabaseInUse, match=REFUSAL):
            await SqliteStorage.open(db_path)
    finally:
        await storage.close()
    again = await SqliteStorage.open(db_path)  # closed: free to open again
    await again.close()


async def test_a_link_in_place_of_the_lock_file_is_not_followed(
    db_path: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "someone-elses-file"
    elsewhere.write_text("keep me", encoding="utf-8")
    lock_path(db_path).symlink_to(elsewhere)
    with pytest.raises(Exception, match="lock file") as refused:
        await SqliteStorage.open(db_path)
    assert "Traceback" not in str(refused.value)
    assert elsewhere.read_text(encoding="utf-8") == "keep me"


async def test_an_export_may_read_beside_a_running_bot(db_path: Path) -> None:
    bot = await SqliteStorage.open(db_path)
    try:
        await commit(bot, None, Group(id="g1", name="Care team"))
        reader = await SqliteStorage.open(db_path, only_reading=True)
        try:
            group = await reader.load_group("g1")
            assert group is not None and group.name == "Care team"
        finally:
            await reader.close()
        # The reader took nothing away: the bot still holds the database.
        with pytest.raises(DatabaseInUse):
            await SqliteStorage.open(db_path)
    finally:
        await bot.close()
