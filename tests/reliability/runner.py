"""A bot process for the crash tests: ``deciding-together run``, started and killed by a test.

    python -m tests.reliability.runner CONFIG [HOURS_AHEAD]

It runs :func:`bot.runtime.run` with the configuration file, as the command
does, with two differences a test needs:

* Telegram's pacing is off: a burst at one message a second in a chat (and
  twenty a minute in a group) would take minutes, and pacing has tests of
  its own (``tests/telegram/test_pacing.py``);
* the clock runs ``HOURS_AHEAD`` hours ahead of the system's, so a test can
  let hours pass while the bot is down, and deadlines come due on restart;
* with ``DT_TEST_WORKER_URL`` set in its environment, it is one of several
  workers on that PostgreSQL database (``tests/reliability/test_workers.py``).

It logs at the configuration's level to standard error, secrets masked, as
``deciding-together run`` does. SIGTERM stops it cleanly; SIGKILL is the crash.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.telegram import TelegramAdapter
from adapters.telegram.pacing import Limits, Window
from bot import runtime
from bot.app import Adapter
from bot.config import Config, load_config
from bot.logs import setup_logging
from bot.translations import install_translations
from storage.postgres import PostgresStorage
from storage.postgres_roles import PostgresRoles

UNPACED = Limits(
    per_chat=Window(10_000, 1.0),
    per_group=Window(10_000, 1.0),
    overall=Window(10_000, 1.0),
    margin=0.0,
)
# Set (to a PostgreSQL URL), the process is one of several workers on that database.
WORKER_URL = "DT_TEST_WORKER_URL"
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
    url = os.environ.get(WORKER_URL)
    if url:
        asyncio.run(worker(config, url, AheadClock(ahead), adapters))
    else:
        asyncio.run(runtime.run(config, clock=AheadClock(ahead), adapters=adapters))


async def worker(config: Config, url: str, clock: AheadClock, adapters: list[Adapter]) -> None:
    """One of several workers on the PostgreSQL database at ``url``."""
    stop = asyncio.Event()
    signals = runtime.listen_for_signals(stop)
    try:
        install_translations()
        storage = await PostgresStorage.open(url)
        try:
            roles = PostgresRoles(url)
            await roles.start()
            await runtime.serve(config, storage, roles, stop, clock, adapters)
        finally:
            await storage.close()
    finally:
        signals.close()


if __name__ == "__main__":
    main(sys.argv[1:])
