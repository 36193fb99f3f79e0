"""Fixtures for the reliability tests, and a summary of the figures they measured.

The fixtures come from the platforms' own test folders: the fake Telegram
server and a care team on it (``tg``, ``world``), and the real Synapse with
people and bots on it (``synapse``, ``people``, ``bots``).

Some tests measure rather than only pass or fail (how many kills, how many
duplicate messages Telegram showed): they hand their figures to ``figures``,
and the figures are printed at the end of the run, whatever its verbosity.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.fakes.telegram import FakeTelegram
from tests.matrix.bot import bots
from tests.matrix.people import people
from tests.matrix.synapse_server import synapse
from tests.telegram.conftest import World, start_world, tg, world

__all__ = ["bots", "people", "synapse", "tg", "world"]

WEBHOOK_SECRET = "our-care-team-secret_42"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def hooked(tg: FakeTelegram, tmp_path: Path) -> AsyncIterator[World]:
    """The care team's world with the bot in webhook mode: Telegram posts each update,
    with :data:`WEBHOOK_SECRET`, and so can a test (:func:`tests.reliability.webhook.post`)."""
    port = free_port()
    async for started in start_world(
        tg,
        tmp_path / "deciding-together.db",
        mode="webhook",
        webhook_url=f"http://127.0.0.1:{port}/telegram",
        listen=f"127.0.0.1:{port}",
        secret_token=WEBHOOK_SECRET,
    ):
        yield started


_FIGURES: list[str] = []


@pytest.fixture
def figures() -> Iterator[list[str]]:
    """A list for a test's measured figures: each line is printed in the run's summary."""
    lines: list[str] = []
    yield lines
    _FIGURES.extend(lines)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _FIGURES:
        terminalreporter.section("reliability figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)
