"""Files the bot writes to disk (the offline export) are its owner's only, whatever
the umask: 0600 files in folders it makes 0700."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot import runtime
from bot.config import Config, StorageConfig
from bot.core.commands import Actor
from bot.private_files import private_folder, write_private
from tests.harness import running_app

CHAT = "console:group"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextmanager
def umask(value: int) -> Iterator[None]:
    before = os.umask(value)
    try:
        yield
    finally:
        os.umask(before)


@pytest.mark.parametrize("mask", [0o022, 0o000])
async def test_the_export_is_owner_only_whatever_the_umask(tmp_path: Path, mask: int) -> None:
    db = tmp_path / "deciding-together.db"
    async with running_app(db) as run:
        sam = Actor("console:sam", "Sam")
        await run.app.submit(chat=CHAT, actor=sam, text="join")
        await run.app.submit(chat=CHAT, actor=sam, text="propose Buy a new kettle")
    out = tmp_path / "exports" / "care-team"
    with umask(mask):
        written = await runtime.export(Config(storage=StorageConfig(path=db)), CHAT, out)
    assert len(written) >= 3 and all(path.parent == out for path in written)
    assert {path.name: mode(path) for path in written} == {path.name: 0o600 for path in written}
    assert (mode(out), mode(out.parent)) == (0o700, 0o700)
    assert sorted(out.iterdir()) == sorted(written)  # nothing left over from writing
    assert any("Buy a new kettle" in path.read_text(encoding="utf-8") for path in written)


def test_a_file_written_again_is_owner_only_and_a_folder_already_there_is_left_alone(
    tmp_path: Path,
) -> None:
    tmp_path.chmod(0o755)
    old = tmp_path / "record.md"
    old.write_text("before")
    old.chmod(0o644)
    with umask(0o000):
        private_folder(tmp_path)
        write_private(old, "after")
    assert (old.read_text(), mode(old), mode(tmp_path)) == ("after", 0o600, 0o755)
