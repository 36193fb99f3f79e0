"""A bot process for the crash test: plays a fixed burst of events into the
application and says "ack <key>" after each one is stored.

Run again after being killed, it plays the same events from the start, as a
platform does with updates it has not seen confirmed; the inbox makes the
repeats change nothing.
"""

from __future__ import annotations

import asyncio
import os
import sys
import traceback
from datetime import timedelta
from pathlib import Path

from bot.app import Application, ManualClock
from bot.core.commands import Actor
from storage.sqlite import SqliteStorage
from tests.harness import START

CHAT = "console:group"
MEMBERS = 30
PROPOSALS = 6


def actor(i: int) -> Actor:
    return Actor(identity=f"console:m{i}", name=f"Member {i}")


async def main(db: Path) -> None:
    storage = await SqliteStorage.open(db)
    clock = ManualClock(START)
    app = Application(storage=storage, clock=clock)
    events: list[tuple[str, int, str]] = [(f"join-{i}", i, "join") for i in range(MEMBERS)]
    events += [
        (f"propose-{n}", 0, f"propose Test {n}\nin 2 hours") for n in range(1, PROPOSALS + 1)
    ]
    events += [(f"respond-{i}", i, "consent #1") for i in range(MEMBERS)]
    for key, who, text in events:
        await app.submit(chat=CHAT, actor=actor(who), text=text, update_key=key)
        print(f"ack {key}", flush=True)
    clock.advance(timedelta(hours=3))
    fired = await app.run_due_timers()
    print(f"fired {fired}", flush=True)
    await storage.close()
    print("done", flush=True)


if __name__ == "__main__":
    try:
        asyncio.run(main(Path(sys.argv[1])))
    except BaseException:
        # Say what went wrong and end at once: the database's worker thread would
        # otherwise keep the process alive, and the test would only see a time-out.
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)
