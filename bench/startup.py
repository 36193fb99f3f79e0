"""A bot's start with many teams, in a process of its own: ``python -m bench.startup DB``.

Prints one JSON line: seconds to open the database and start the scheduler,
seconds until every team is loaded into memory too, and resident memory
(VmRSS) before and after.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

# What a bot running both platforms has imported before it opens its database.
import adapters.matrix
import adapters.telegram  # noqa: F401
from bot.app import Application, Scheduler, SystemClock
from storage.sqlite import SqliteStorage


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def main(path: str) -> dict[str, float]:
    before = rss_mb()
    started = time.perf_counter()
    storage = await SqliteStorage.open(path)
    app = Application(storage=storage, clock=SystemClock())
    scheduler = Scheduler(app)
    app.on_timers_changed = scheduler.timers_changed
    await scheduler.start()
    opened = time.perf_counter() - started
    for group_id in await storage.group_ids():
        await app.group(group_id)
    loaded = time.perf_counter() - started
    result = {"open_s": opened, "startup_s": loaded, "rss_before_mb": before, "rss_mb": rss_mb()}
    scheduler.stop()
    await storage.close()
    return result


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1]))))
