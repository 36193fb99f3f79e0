"""Commits one response after another until it is killed (see test_crash)."""

from __future__ import annotations

import asyncio
import sys

from bot.core.model import Group, ResponseRecord
from storage import SqliteStorage

from .examples import at, commit, rich_group, with_response


def state(responses: int) -> Group:
    """The group after ``responses`` more responses to proposal #2."""
    group = rich_group()
    for k in range(responses):
        record = ResponseRecord(10 + k, None, "vote", f"reason {k}", at(k / 1000), choices=(1,))
        group = with_response(group, 2, record)
    return group


async def main(path: str) -> None:
    storage = await SqliteStorage.open(path)
    group = rich_group()
    await commit(storage, None, group)
    print("ready", flush=True)
    k = 0
    while True:
        record = ResponseRecord(10 + k, None, "vote", f"reason {k}", at(k / 1000), choices=(1,))
        after = with_response(group, 2, record)
        await commit(storage, group, after, update_key=f"update:{k}")
        group, k = after, k + 1


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
