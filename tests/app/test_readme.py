"""The README shows what the bot really says: its example conversation is played
through the demo and compared, word for word, so the two cannot drift apart."""

from __future__ import annotations

from pathlib import Path

from bot.demo import play_script

README = Path(__file__).resolve().parents[2] / "README.md"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "holiday-cover.txt"
LEAD = "Here is the start of the first"


def readme_conversation() -> list[str]:
    """The lines of the conversation the README shows (its ```text block)."""
    text = README.read_text(encoding="utf-8")
    after = text[text.index(LEAD) :]
    block = after[after.index("```text\n") + len("```text\n") :]
    return block[: block.index("```")].rstrip("\n").split("\n")


def said_by_people(conversation: list[str]) -> list[str]:
    """The people's lines (with their continuation lines): the script the demo plays."""
    script, bot = [], False
    for line in conversation:
        if not line[:1].isspace():
            bot = line.startswith("bot:")
        if not bot:
            script.append(line)
    return script


def example_before(first: str) -> list[str]:
    """The example's lines before the README's first: everyone joining."""
    lines = [line for line in EXAMPLE.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    return lines[: lines.index(first)]


async def test_the_readmes_conversation_is_what_the_demo_says(tmp_path: Path) -> None:
    shown = readme_conversation()
    script = said_by_people(shown)
    assert script and script[0].startswith("Sam: propose")
    before = example_before(script[0])
    assert before == ["Sam: join", "Alex: join", "Jo: join"]
    transcript: list[str] = []
    await play_script([*before, *script], db=tmp_path / "db", write=transcript.append)
    lines = "\n".join(transcript).split("\n")
    start = lines.index(script[0])
    assert lines[start:] == shown
