"""``deciding-together demo``: the console chat on an embedded SQLite file."""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from adapters.console import ConsoleAdapter, ConsoleSession
from adapters.console.session import WELCOME
from bot.app import Application
from bot.clock import ManualClock
from bot.core.model import GroupSettings
from bot.translations import install_translations
from storage.sqlite import SqliteStorage

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
) -> AsyncIterator[ConsoleSession]:
    """A ready console chat, on ``db`` or on a temporary file removed afterwards."""
    install_translations()
    with tempfile.TemporaryDirectory(prefix="deciding-together-") as scratch:
        path = db if db is not None else Path(scratch) / "demo.db"
        storage = await SqliteStorage.open(path)
        try:
            clock = ManualClock(start)
            adapter = ConsoleAdapter(write)
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
) -> None:
    async with console_session(
        db=db, start=SCRIPT_START, write=write, settings=settings
    ) as session:
        await session.play(lines)


async def interactive(
    *, db: Path | None, settings: GroupSettings | None = None, speaker: str = "Sam"
) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    async with console_session(
        db=db, start=now, write=print, settings=settings, speaker=speaker
    ) as session:
        print(WELCOME.format(name=session.speaker))
        pending: list[str] = []
        while True:
            try:
                text = input(f"{session.speaker}> " if not pending else "... ")
            except EOFError:
                print()
                return
            if text.endswith("\\"):
                pending.append(text[:-1])
                continue
            message = "\n".join([*pending, text])
            pending = []
            try:
                if not await session.line(message):
                    return
            except Exception as problem:  # a demo must never end in a stack trace
                print(f"(that did not work: {problem})", file=sys.stderr)
