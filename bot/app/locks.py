"""Who may decide what at the same time: one group at a time, many groups at once.

A group's commands must be decided one after another, each on the state the
one before it stored: that is what makes its history a sequence. Different
groups share nothing the core decides on, so while one group's command is
being written to disk, another group's can be decided. One lock for the whole
application made every team wait for every other team's disk write.

A few things do reach across groups: which chat belongs to which group (a
chat linked, moved or gone, a new group started), and the retention purge,
which deletes proposals of many groups and empties the memory of them. Those
take :meth:`GroupLocks.everything`, which waits until no group is busy and
keeps new work out until it is done.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager


class GroupLocks:
    """A lock per group, under a shared lock that one holder can take whole."""

    def __init__(self) -> None:
        self._groups: dict[str, asyncio.Lock] = {}
        # Held briefly by each entrant, and for the whole of an ``everything``:
        # asyncio's locks are first come, first served, so once ``everything``
        # is waiting, nobody who came after it gets in before it.
        self._door = asyncio.Lock()
        self._inside = 0
        self._empty = asyncio.Event()
        self._empty.set()

    @asynccontextmanager
    async def shared(self) -> AsyncIterator[None]:
        """Be inside: no ``everything`` runs meanwhile; other groups may."""
        async with self._door:
            self._inside += 1
            self._empty.clear()
        try:
            yield
        finally:
            self._inside -= 1
            if self._inside == 0:
                self._empty.set()

    @asynccontextmanager
    async def groups(self, group_ids: Iterable[str]) -> AsyncIterator[None]:
        """Have these groups to oneself (call inside :meth:`shared`).

        Taken in sorted order, so two holders of overlapping sets never wait
        for each other in a circle."""
        held: list[asyncio.Lock] = []
        try:
            for group_id in sorted(set(group_ids)):
                lock = self._groups.setdefault(group_id, asyncio.Lock())
                await lock.acquire()
                held.append(lock)
            yield
        finally:
            for lock in reversed(held):
                lock.release()

    def busy(self, group_id: str) -> bool:
        """Whether a command of the group is being decided (or waits to be)."""
        lock = self._groups.get(group_id)
        return lock is not None and lock.locked()

    @asynccontextmanager
    async def everything(self) -> AsyncIterator[None]:
        """Have every group to oneself: waits for the groups in use to finish."""
        async with self._door:
            await self._empty.wait()
            yield
