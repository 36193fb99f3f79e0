"""Reaching a chat platform at start: try until it answers, wait longer each time.

Both adapters begin by asking their platform who they are (Telegram: whose
bot token is this; Matrix: whose login is this). When the network or the
platform is down, that is waited out: one plain sentence in the log for each
try ("I can't reach Telegram. Is this computer online? Trying again in 30 s."),
never a stack trace, and the same growing pause on every platform.

A platform that answers and says no (a wrong token or password) is different:
trying again cannot help, so the adapter raises :class:`AccessRefused` and the run
ends with its own exit code (see ``bot.cli``).

Stopping is by cancellation: ``run`` cancels a start that is still waiting
when it is asked to stop, and a pause ends at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

log = logging.getLogger("deciding_together")

T = TypeVar("T")

FIRST_PAUSE = 2.0  # seconds before the second try
MAX_PAUSE = 60.0  # the pause doubles up to this


class AccessRefused(Exception):
    """The platform answered and said no (a wrong token or password): trying again
    will not help. The message says what to change."""


class NotReached(Exception):
    """The platform could not be reached, or could not answer properly, this time.

    ``sentence`` says so in plain words; ``wait`` is the pause the platform asked
    for (seconds), if it asked for one."""

    def __init__(self, sentence: str, wait: float | None = None) -> None:
        super().__init__(sentence)
        self.sentence = sentence
        self.wait = wait


def pauses(first: float = FIRST_PAUSE, most: float = MAX_PAUSE) -> Callable[[], float]:
    """A source of pauses that double from ``first`` up to ``most``, for any retry loop."""
    pause = first / 2

    def following() -> float:
        nonlocal pause
        pause = min(pause * 2, most)
        return pause

    return following


async def patiently(
    attempt: Callable[[], Awaitable[T]],
    *,
    first: float = FIRST_PAUSE,
    most: float = MAX_PAUSE,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """``attempt()`` until it answers. Each :class:`NotReached` is said in the log
    with the pause that follows; anything else (a :class:`AccessRefused`) goes to the caller."""
    following = pauses(first, most)
    while True:
        try:
            return await attempt()
        except NotReached as problem:
            wait = problem.wait if problem.wait is not None else following()
            log.warning("%s Trying again in %s.", problem.sentence.rstrip(), spell_pause(wait))
            await sleep(wait)


def spell_pause(wait: float) -> str:
    """ "30 s", "2 min": a pause as people read it in a log."""
    if wait < 90:
        return f"{max(1, round(wait))} s"
    return f"{round(wait / 60)} min"
