"""The demo shows the files it would send, kept private, and leaves at once on Ctrl-C or Ctrl-D."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.console.files import keep
from bot.cli import main
from tests.app.test_stopping import LIMIT, closed_cleanly

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """\
Sam: join
Alex: join
Sam: propose Buy a new kettle
show #1 printable
show #1 calendar
export
dm mydata
"""
SENT = {
    "proposal-1.html",
    "proposal-1.ics",
    "decisions.md",
    "decisions.html",
    "responses.csv",
    "record.json",
    "my-data.json",
}


@pytest.fixture
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    before = os.umask(request.param)
    yield request.param
    os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o777], indirect=True)
def test_every_file_sent_is_written_owner_only_beside_the_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], umask: int
) -> None:
    script = tmp_path / "files.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    db = tmp_path / "team.db"
    assert main(["demo", "--script", str(script), "--db", str(db)]) == 0
    out = capsys.readouterr().out

    shown = dict(re.findall(r"📎 (\S+) is saved here: (\S+)", out))
    assert set(shown) == SENT
    folder = tmp_path / "demo-files"
    for name, where in shown.items():
        path = Path(where)
        assert path == folder / name
        assert path.read_text(encoding="utf-8").strip()
        assert mode(path) == 0o600, name
    assert mode(folder) == 0o700
    assert "Buy a new kettle" in (folder / "proposal-1.html").read_text(encoding="utf-8")
    assert (folder / "proposal-1.ics").read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")


def test_files_go_where_dash_dash_files_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "files.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    folder = tmp_path / "to" / "open"
    assert main(["demo", "--script", str(script), "--files", str(folder)]) == 0
    assert f"saved here: {folder / 'proposal-1.html'}" in capsys.readouterr().out
    assert {p.name for p in folder.iterdir()} == SENT


def test_a_file_name_never_leads_out_of_the_folder_nor_through_a_link(tmp_path: Path) -> None:
    folder = tmp_path / "demo-files"
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me", encoding="utf-8")
    assert keep(folder, "../../precious.txt", "x") == folder / "precious.txt"
    (folder / "proposal-1.html").symlink_to(outside)

    written = keep(folder, "proposal-1.html", "<p>the page</p>")

    assert outside.read_text(encoding="utf-8") == "keep me"
    assert not written.is_symlink() and written.read_text(encoding="utf-8") == "<p>the page</p>"


async def interactive_demo(db: Path) -> asyncio.subprocess.Process:
    """The demo in a process of its own, once it waits at its first prompt."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "demo",
        "--db",
        str(db),
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    seen = b""
    async with asyncio.timeout(60):
        while not seen.endswith(b"Sam> "):
            chunk = await process.stdout.read(1)
            assert chunk, "the demo ended before its prompt"
            seen += chunk
    return process


async def test_ctrl_c_leaves_the_demo_at_once(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    process = await interactive_demo(db)
    try:
        # The prompt is out a moment before the demo waits for the keyboard; Ctrl-C
        # in that moment would wait for the next line, as any program's would.
        await asyncio.sleep(0.3)
        process.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(process.wait(), LIMIT) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.stderr is not None
    assert b"Traceback" not in await process.stderr.read()
    assert closed_cleanly(db)


async def test_ctrl_d_leaves_the_demo_at_once(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    process = await interactive_demo(db)
    try:
        assert process.stdin is not None
        process.stdin.close()  # what Ctrl-D at an empty prompt is to the program
        assert await asyncio.wait_for(process.wait(), LIMIT) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert closed_cleanly(db)


def test_a_practice_chat_without_a_database_says_its_files_go_when_it_ends() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        input="propose Buy a kettle\nshow #1 printable\nquit\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    note = re.search(r"Files the bot sends are saved in (\S+) until you leave\.", result.stdout)
    assert note is not None
    assert "start the demo with --files" in result.stdout
    assert f"proposal-1.html is saved here: {note[1]}/proposal-1.html" in result.stdout
    assert not Path(note[1]).exists()  # gone with the practice chat
