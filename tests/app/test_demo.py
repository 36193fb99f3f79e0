"""The demo as a newcomer uses it: the example scripts, a bad script, a kept database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def play(script: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    assert main(["demo", "--script", str(script), *extra]) == 0
    return capsys.readouterr().out


def test_holiday_cover_example_reads_like_a_conversation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = play(EXAMPLES / "holiday-cover.txt", capsys)
    assert "Sam: propose Alex covers the Tuesday visit while Jo is on holiday" in out
    assert "Please give your answer by Friday 11 December, 17:00 UK time." in out
    assert "Jo — Object: Alex has not used the hoist on her own yet" in out
    assert "#1 has changed. Please respond again to the new version." in out
    assert "It is agreed. Everyone has answered, and no one objects." in out
    assert "Traceback" not in out


def test_new_carer_example_shows_proxy_and_private_reminder(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = play(EXAMPLES / "new-carer-after-trial.txt", capsys)
    assert "Sam gave this answer for Mum on #1: Consent." in out
    assert "bot → Kim (private): Hello Kim. We have not heard from you yet about:" in out
    assert "Mum — Consent (recorded by Sam)" in out  # in the history
    assert "It is agreed" in out


def test_new_routine_example_reaches_its_review(capsys: pytest.CaptureFixture[str]) -> None:
    out = play(EXAMPLES / "new-routine-for-a-month.txt", capsys)
    assert "It is agreed. No one objected by the deadline. We will review it on" in out
    assert "Time to review #1" in out
    assert "#1 is open again as #2." in out
    assert "Only Sam, who asked for #1, or a facilitator, can do that." in out


def test_a_script_line_that_makes_no_sense_is_explained(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "bad.txt"
    script.write_text("Sam: join\nwait for ever\n", encoding="utf-8")
    assert main(["demo", "--script", str(script)]) == 2
    err = capsys.readouterr().err
    assert "line 2" in err and "wait 2d" in err


def test_a_missing_script_is_explained(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--script", str(tmp_path / "nope.txt")]) == 2
    assert "couldn't read the script" in capsys.readouterr().err


def test_unclear_words_get_a_friendly_correction(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "typo.txt"
    script.write_text("Sam: join\nSam: propse Buy a kettle\n", encoding="utf-8")
    out = play(script, capsys)
    assert "propose" in out.split("Sam: propse Buy a kettle", 1)[1]


def test_a_kept_database_remembers_between_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "team.db"
    first = tmp_path / "one.txt"
    first.write_text("Sam: join\nSam: propose Buy a kettle\n", encoding="utf-8")
    play(first, capsys, "--db", str(db))
    second = tmp_path / "two.txt"
    second.write_text("Sam: status\n", encoding="utf-8")
    assert "Buy a kettle" in play(second, capsys, "--db", str(db))


def test_a_corrupt_database_is_refused_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "broken.db"
    db.write_bytes(b"this is not a database" * 100)
    script = tmp_path / "one.txt"
    script.write_text("Sam: join\n", encoding="utf-8")
    assert main(["demo", "--script", str(script), "--db", str(db)]) == 2
    assert "database" in capsys.readouterr().err.lower()
    assert db.read_bytes().startswith(b"this is not a database")  # left as it was


def test_interactive_demo_welcomes_a_newcomer() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        input="propose Buy a kettle\nquit\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    assert "Welcome to Deciding Together" in result.stdout
    assert "Proposal #1: Buy a kettle" in result.stdout


def test_python_dash_m_bot_shows_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    assert "demo" in result.stdout and "check-config" in result.stdout


def test_the_demo_piped_into_a_reader_that_stops_early_ends_without_a_traceback(
    tmp_path: Path,
) -> None:
    """``deciding-together demo | head``: the reader goes away, the demo ends quietly."""
    demo = subprocess.Popen(
        [sys.executable, "-m", "bot", "demo", "--db", str(tmp_path / "db")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert demo.stdout is not None and demo.stdin is not None
    demo.stdout.readline()
    demo.stdout.close()  # as head does after its lines
    _, errors = demo.communicate(b"join\npropose Buy a kettle\nconsent #1\nquit\n", timeout=60)
    assert demo.returncode == 0
    assert b"Traceback" not in errors
