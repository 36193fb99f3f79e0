"""A bot process for the crash tests: ``deciding-together run``, started and killed by a test.

    python -m tests.reliability.runner CONFIG [HOURS_AHEAD]

It runs :func:`bot.runtime.run` with the configuration file, as the command
does, with two differences a test needs:

* Telegram's pacing is off: a burst at one message a second in a chat (and
  twenty a minute in a group) would take minutes, and pacing has tests of
  its own (``tests/telegram/test_pacing.py``);
* the clock runs ``HOURS_AHEAD`` hours ahead of the system's, so a test can
  let hours pass while the bot is down, and deadlines come due on restart.

It logs at the configuration's level to standard error, secrets masked, as
``deciding-together run`` does. SIGTERM stops it cleanly; SIGKILL is the crash.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.telegram import TelegramAdapter
from adapters.telegram.pacing import Limits, Window
from bot import runtime
from bot.app import Adapter
from bot.config import load_config
from bot.logs import setup_logging

UNPACED = Limits(
    per_chat=Window(10_000, 1.0),
    per_group=Window(10_000, 1.0),
    overall=Window(10_000, 1.0),
    margin=0.0,
)
POLL_TIMEOUT = 1  # seconds: an idle long poll ends soon, so confirmations go out soon


class AheadClock:
    """The system clock, ``ahead`` in the future."""

    def __init__(self, ahead: timedelta) -> None:
        self.ahead = ahead

    def now(self) -> datetime:
        return datetime.now(UTC) + self.ahead


def main(argv: list[str]) -> None:
    config = load_config(Path(argv[0]), env={})
    ahead = timedelta(hours=float(argv[1])) if len(argv) > 1 else timedelta()
    setup_logging(config.logging.level, secrets=config.secrets())
    adapters: list[Adapter] = []
    if config.telegram is not None:
        adapters.append(TelegramAdapter(config.telegram, limits=UNPACED, poll_timeout=POLL_TIMEOUT))
    if config.matrix is not None:
        from adapters.matrix import MatrixAdapter

        adapters.append(MatrixAdapter(config.matrix))
    asyncio.run(runtime.run(config, clock=AheadClock(ahead), adapters=adapters))


if __name__ == "__main__":
    main(sys.argv[1:])
