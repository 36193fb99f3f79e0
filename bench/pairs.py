"""Interleaved pairs: ours and its baseline taking turns in one run.

The machine is shared, and its speed moves by tens of percent from one minute
to the next. A figure measured once and its baseline measured a minute later
can differ by that much for no reason of their own. So each ratio comes from
pairs measured back to back, which of the two goes first alternating from
pair to pair (a pair's second run finds the disk's and processor's caches as
the first left them); the figure is the median of the pairs' ratios, with
their range beside it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

PAIRS = 5  # at least five pairs in every run, quick or full


async def interleave(
    pairs: int,
    ours: Callable[[], Awaitable[float]],
    bare: Callable[[], Awaitable[float]],
) -> tuple[list[float], list[float]]:
    """Run ``ours`` and ``bare`` ``pairs`` times each, taking turns; their results in order."""
    mine: list[float] = []
    theirs: list[float] = []
    for n in range(pairs):
        if n % 2 == 0:
            mine.append(await ours())
            theirs.append(await bare())
        else:
            theirs.append(await bare())
            mine.append(await ours())
    return mine, theirs
