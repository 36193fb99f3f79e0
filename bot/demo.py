"""``deciding-together demo``: the console chat on an embedded SQLite file."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from adapters.console import ConsoleAdapter, ConsoleSession
from adapters.console.files import FOLDER
from adapters.console.session import WELCOME
from bot.app import Application, ManualClock
from bot.core.model import GroupSettings
from bot.translations import install_translations
from storage.sqlite import SqliteStorage

TEMPORARY_FILES = """\
Files the bot sends are saved in {folder} until you leave.
To keep them, start the demo with --files and a folder of your own."""

# Scripts start at a fixed moment, so a transcript is the same on every run:
# a Monday morning, 09:00 in London.
SCRIPT_START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@contextlib.asynccontextmanager
async def console_session(
    *,
    db: Path | None,
    start: datetime,
    write: Callable[[str], None],
    settings: GroupSettings | None = None,
    speaker: str = "Sam",
    files: Path | None = None,
    keep_files: bool = False,
) -> AsyncIterator[ConsoleSession]:
    """A ready console chat, on ``db`` or on a temporary file removed afterwards.

    With ``keep_files``, the files the bot sends are written into ``files``, or
    into ``demo-files`` beside the database (gone with a temporary one); else
    only their names are shown."""
    install_translations()
    with tempfile.TemporaryDirectory(prefix="deciding-together-") as scratch:
        path = db if db is not None else Path(scratch) / "demo.db"
        folder = (files or path.parent / FOLDER) if keep_files else None
        storage = await SqliteStorage.open(path)
        try:
            clock = ManualClock(start)
            adapter = ConsoleAdapter(write, files=folder)
            app = Application(storage=storage, clock=clock, defaults=settings or GroupSettings())
            app.adapters[adapter.platform] = adapter
            await adapter.start(app)
            yield ConsoleSession(app, adapter, clock, write, speaker=speaker)
        finally:
            await storage.close()


async def play_script(
    lines: Iterable[str],
    *,
    db: Path | None = None,
    settings: GroupSettings | None = None,
    write: Callable[[str], None] = print,
    files: Path | None = None,
    keep_files: bool = False,
) -> None:
    async with console_session(
        db=db,
        start=SCRIPT_START,
        write=write,
        settings=settings,
        files=files,
        keep_files=keep_files,
    ) as session:
        await session.play(lines)


def interactive(
    *,
    db: Path | None,
    settings: GroupSettings | None = None,
    speaker: str = "Sam",
    files: Path | None = None,
    keep_files: bool = True,
    read: Callable[[str], str] = input,
) -> None:
    """Chat in the terminal until quit, Ctrl-D or Ctrl-C.

    ``read`` (``input``) waits outside the event loop, so Ctrl-C interrupts it at
    once; each line is then acted on in the loop. Ctrl-C while a line is acted on
    ends that line's work; what it committed stays, and the database is closed."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    with asyncio.Runner() as runner:
        chat = console_session(
            db=db,
            start=now,
            write=print,
            settings=settings,
            speaker=speaker,
            files=files,
            keep_files=keep_files,
        )
        session = runner.run(chat.__aenter__())
        try:
            print(WELCOME.format(name=session.speaker))
            if db is None and files is None and session.adapter.folder is not None:
                # The practice chat's folder goes when it ends, and its files with it.
                print(TEMPORARY_FILES.format(folder=session.adapter.folder))
            _converse(runner, session, read)
        except KeyboardInterrupt:
            print()
        finally:
            runner.run(chat.__aexit__(None, None, None))


def _converse(runner: asyncio.Runner, session: ConsoleSession, read: Callable[[str], str]) -> None:
    pending: list[str] = []
    while True:
        try:
            text = read(f"{session.speaker}> " if not pending else "... ")
        except EOFError:
            print()
            return
        if text.endswith("\\"):
            pending.append(text[:-1])
            continue
        message = "\n".join([*pending, text])
        pending = []
        try:
            if not runner.run(session.line(message)):
                return
        except Exception as problem:  # a demo must never end in a stack trace
            print(f"(that did not work: {problem})", file=sys.stderr)
