"""The application's clock: the real one, or one a person moves by hand.

The core never reads a clock; the application passes it ``clock.now()``. The
console demo and the tests use :class:`ManualClock` so that ``wait 2d`` moves
time forward at once and transcripts are the same on every run.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, by: timedelta) -> None:
        self._now += by
