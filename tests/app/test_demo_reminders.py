"""The demo's ``wait``: one private reminder a day, listing everything waiting."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main

SCRIPT = """\
Sam: join
Kim: join
Sam: propose Buy a new kettle
Sam: consent #1
Sam: propose Book the dentist
Sam: consent #2
Sam: propose Move the morning visit to 10:00
Sam: consent #3
wait 1d
wait 1d
wait 12h
"""


def test_a_day_of_waiting_brings_one_reminder_that_lists_everything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "three.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    assert main(["demo", "--script", str(script)]) == 0
    out = capsys.readouterr().out
    assert out.count("bot → Kim (private): Hello Kim.") == 1
    for title in ("Buy a new kettle", "Book the dentist", "Move the morning visit to 10:00"):
        assert out.count(title) >= 2  # proposed, then listed in the one reminder
    reminder = out.split("bot → Kim (private):", 1)[1]
    assert all(f"#{n}:" in reminder for n in (1, 2, 3))
