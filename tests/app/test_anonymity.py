"""An anonymous proposal in the console demo: the group's chat never says who answered."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main


def test_a_console_conversation_never_names_who_answered_an_anonymous_proposal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "anonymous.txt"
    lines = [
        "Sam: join",
        "Alex: join",
        "Jo: join",
        "Sam: propose Move the morning visit to 10:00",
        "    anonymous",
        "Alex: object #1 The hoist is not safe yet",
        "as Jo",
        "dm concern #1 Mornings are busy",
        "Sam: history #1",
        "wait 4d",
    ]
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["demo", "--script", str(script), "--db", str(tmp_path / "db")]) == 0
    out = capsys.readouterr().out
    after_proposal = out.split("Sam: propose", 1)[1]
    said_by_bot, message = [], ""
    for line in after_proposal.splitlines():
        if line.startswith(("bot:", "bot →")):
            message = line
            said_by_bot.append(line)
        elif line.startswith(" ") and message.startswith("bot:"):
            said_by_bot.append(line)
    in_group = "\n".join(line for line in said_by_bot if not line.startswith("bot →"))
    assert "Thank you. Your answer to #1 is kept, without your name." in in_group
    assert "bot → Jo (private): Thank you. Your answer to #1 is kept, without your name: " in out
    assert "Someone — Object: The hoist is not safe yet" in in_group
    assert "Alex" not in in_group and "Jo" not in in_group
    assert "withdraw objection" not in in_group
