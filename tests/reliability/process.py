"""A bot in a process of its own, which a test starts, kills with SIGKILL, and starts again.

Each start runs :mod:`tests.reliability.runner` on the same configuration and
database (or, with ``cli``, the command itself: ``python -m bot --log-level DEBUG
run``); its log goes to a file of its own (``run-01.log``, …), so a failing test
can show what the bot said, and a test can search every line it ever logged.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]
STOP_TIMEOUT = 20.0  # seconds a clean stop may take


class BotDied(AssertionError):
    """The bot process ended by itself, which it must never do."""


class BotProcess:
    def __init__(self, config: Path, logs: Path, *, cli: bool = False) -> None:
        self.config = config
        self.logs = logs
        self.cli = cli
        self.starts = 0
        self.kills = 0
        self._process: asyncio.subprocess.Process | None = None
        self._log: IO[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def start(self, hours_ahead: float = 0.0) -> None:
        """Start the bot, its clock ``hours_ahead`` hours in the future."""
        assert not self.running, "the bot is already running"
        self.starts += 1
        self.logs.mkdir(parents=True, exist_ok=True)
        self._log = (self.logs / f"run-{self.starts:02d}.log").open("wb")
        if self.cli:
            assert not hours_ahead, "the command runs on the system's clock"
            command = ["bot", "--log-level", "DEBUG", "run", "--config", str(self.config)]
        else:
            command = ["tests.reliability.runner", str(self.config), str(hours_ahead)]
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            *command,
            cwd=ROOT,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
        )

    async def until_running(self, timeout: float = 30.0) -> None:
        """Wait until this run says its adapters are running (``<platform> is running``)."""
        log = self.logs / f"run-{self.starts:02d}.log"

        def says_so() -> bool:
            self.check_alive()
            return " is running" in log.read_text(encoding="utf-8", errors="replace")

        await until(says_so, "the bot to start", timeout)

    def check_alive(self) -> None:
        """Fail, with the bot's last words, if it ended by itself."""
        if self._process is not None and self._process.returncode is not None:
            raise BotDied(f"the bot exited with {self._process.returncode}:\n{self.tail()}")

    async def kill(self) -> None:
        """The crash: SIGKILL, no chance to finish anything."""
        self.check_alive()
        assert self._process is not None
        self._process.send_signal(signal.SIGKILL)
        await self._process.wait()
        self.kills += 1
        self._closed()

    async def stop(self) -> None:
        """A clean stop (SIGTERM), which must end the process with exit code 0."""
        self.check_alive()
        assert self._process is not None
        self._process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self._process.wait(), STOP_TIMEOUT)
        self._closed()
        assert code == 0, f"the bot stopped with exit code {code}:\n{self.tail()}"

    async def close(self) -> None:
        """Make sure nothing is left running (after a failed test)."""
        if self.running:
            assert self._process is not None
            self._process.send_signal(signal.SIGKILL)
            await self._process.wait()
        self._closed()

    def _closed(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_text(self) -> str:
        """Everything every run logged, in order."""
        return "".join(
            path.read_text(encoding="utf-8", errors="replace")
            for path in sorted(self.logs.glob("run-*.log"))
        )

    def tail(self, lines: int = 40) -> str:
        runs = sorted(self.logs.glob("run-*.log"))
        if not runs:
            return "(no log)"
        text = runs[-1].read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


async def until(
    condition: Callable[[], object], what: str, timeout: float = 30.0, every: float = 0.05
) -> None:
    """Wait until ``condition()`` holds (a look into a database, say); fail after ``timeout``.

    For conditions nothing announces: the fake Telegram server's own ``wait_for``
    wakes on its changes instead and is preferred where it can answer."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(every)
