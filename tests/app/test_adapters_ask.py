"""Adapters ask the application, never storage: what they remember goes with the command.

A prompt answered or a private group chosen changes with the command it comes
with, so it is stored in that command's transaction: with it, or not at all.
"""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

from bot.app import Outgoing, Remember
from bot.core.commands import Actor, ForgetMe, Request
from bot.core.effects import Forget
from bot.core.model import Group, Member
from storage.sqlite import SqliteStorage
from tests.harness import running_app

CHAT = "console:group"
SAM, ALEX = Actor("console:sam", "Sam"), Actor("console:alex", "Alex")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


async def test_what_an_accepted_command_remembers_is_stored_with_it(tmp_path: Path) -> None:
    async with running_app(tmp_path / "db") as run:
        await run.app.submit(chat=CHAT, actor=SAM, text="propose Buy a kettle")
        closing = Remember("console:prompt:1", "", "console:sam", if_accepted=True)
        chosen = Remember("console:dm-group:sam", CHAT, "console:sam")
        submitted = await run.app.submit(
            chat=CHAT, actor=SAM, text="agree #1", update_key="u1", remember=(closing, chosen)
        )
        assert submitted.decision is not None and not submitted.decision.refused
        assert await run.app.recall("console:prompt:1") == ""
        assert await run.app.recall("console:dm-group:sam") == CHAT
        assert await run.storage.memory_about("console:sam") == {
            "console:dm-group:sam": CHAT,
            "console:prompt:1": "",
        }


async def test_a_refused_command_leaves_what_waits_for_acceptance(tmp_path: Path) -> None:
    async with running_app(tmp_path / "db") as run:
        await run.app.remember(Remember("console:prompt:1", "asked", "console:sam"))
        closing = Remember("console:prompt:1", "", if_accepted=True)
        chosen = Remember("console:dm-group:sam", CHAT, "console:sam")
        submitted = await run.app.submit(
            chat=CHAT, actor=SAM, text="withdraw #7", remember=(closing, chosen)
        )
        assert submitted.decision is not None and submitted.decision.refused
        assert await run.app.recall("console:prompt:1") == "asked"  # open for another try
        assert await run.app.recall("console:dm-group:sam") == CHAT


async def test_a_duplicate_update_remembers_nothing(tmp_path: Path) -> None:
    async with running_app(tmp_path / "db") as run:
        await run.app.submit(chat=CHAT, actor=SAM, text="propose Tea", update_key="u1")
        again = await run.app.submit(
            chat=CHAT,
            actor=SAM,
            text="propose Tea",
            update_key="u1",
            remember=(Remember("console:late", "x"),),
        )
        assert again.duplicate
        assert await run.app.recall("console:late") is None


async def test_words_that_store_nothing_still_remember_what_is_not_waiting(
    tmp_path: Path,
) -> None:
    async with running_app(tmp_path / "db") as run:
        await run.app.submit(chat=CHAT, actor=SAM, text="propose Tea")
        ignored = await run.app.submit(
            chat=CHAT,
            actor=SAM,
            text="lovely weather",
            explicit=False,
            remember=(
                Remember("console:seen", "yes"),
                Remember("console:closed", "", if_accepted=True),
            ),
        )
        assert ignored.decision is None and not ignored.duplicate
        assert await run.app.recall("console:seen") == "yes"
        assert await run.app.recall("console:closed") is None


async def test_a_commit_that_is_refused_stores_none_of_its_memory(tmp_path: Path) -> None:
    storage = await SqliteStorage.open(tmp_path / "db")
    try:
        group = Group(id=CHAT, chats=(CHAT,))
        command = Request(SAM, CHAT, ForgetMe())
        common = {"group_after": group, "command": command, "now": NOW, "summary": "s"}
        assert await storage.commit(group_before=None, outgoing=(), update_key="u1", **common)
        stored = await storage.commit(
            group_before=group,
            outgoing=(),
            update_key="u1",  # seen before: nothing of it is stored
            remember=(Remember("console:k", "v"),),
            **common,
        )
        assert stored is False
        assert await storage.get_value("console:k") is None
    finally:
        await storage.close()


async def test_memory_about_someone_forgotten_in_the_same_command_is_gone(
    tmp_path: Path,
) -> None:
    storage = await SqliteStorage.open(tmp_path / "db")
    try:
        alex = Member(2, "Alex", ("console:alex",))
        group = Group(id=CHAT, chats=(CHAT,), members={2: alex})
        await storage.commit(
            group_before=None,
            group_after=group,
            command=Request(SAM, CHAT, ForgetMe()),
            now=NOW,
            summary="set up",
            outgoing=(),
        )
        await storage.commit(
            group_before=group,
            group_after=Group(id=CHAT, chats=(CHAT,)),  # Alex is in no group any more
            command=Request(ALEX, CHAT, ForgetMe()),
            now=NOW,
            summary="forget Alex",
            outgoing=(Outgoing(Forget(2, ("console:alex",), ("Alex",), (), "a former member")),),
            remember=(Remember("console:prompt:alex", "", "console:alex"),),
        )
        assert await storage.memory_about("console:alex") == {}
        assert await storage.get_value("console:prompt:alex") is None
    finally:
        await storage.close()


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _storage_calls(path: Path) -> list[int]:
    """Lines where a module reaches for ``.storage`` (``self.app.storage.x``)."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute) and node.attr == "storage"
    ]


def test_adapters_import_and_call_no_storage() -> None:
    for path in sorted((ROOT / "adapters").rglob("*.py")):
        imported = _imports(path)
        assert not {m for m in imported if m == "storage" or m.startswith("storage.")}, path
        assert not _storage_calls(path), (path, _storage_calls(path))


def test_no_import_runs_back_up() -> None:
    wiring = {"bot.cli", "bot.runtime", "bot.demo", "bot.config"}
    for path in sorted((ROOT / "bot" / "app").rglob("*.py")):
        for module in _imports(path):
            top = module.split(".")[0]
            assert top not in ("storage", "adapters"), (path, module)
            assert not any(module == w or module.startswith(w + ".") for w in wiring), path
    for path in sorted((ROOT / "bot" / "core").rglob("*.py")):
        for module in _imports(path):
            assert module.split(".")[0] not in ("storage", "adapters"), (path, module)
            assert not module.startswith("bot.") or module.startswith("bot.core"), (path, module)
