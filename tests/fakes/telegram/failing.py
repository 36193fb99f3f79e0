"""Faults on demand: a test asks for the next calls to fail or be slow (the server inflicts
them, as Telegram's front does when busy or broken), and the bot is held to Telegram's flood
limits when a test turns them on.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable

from .faults import Fault, FaultKind
from .objects import ApiError, Params
from .state import TelegramState


class Failing(TelegramState):
    """Forced faults, slow calls and flood limits."""

    def fail_next(
        self,
        method: str,
        kind: FaultKind | str,
        count: int = 1,
        *,
        retry_after: int = 1,
        after_processing: bool = False,
        hold: float = 30.0,
    ) -> None:
        """Make the next ``count`` calls of ``method`` ("*" for any) fail with ``kind``.

        ``after_processing`` performs the call before failing (the answer is lost, the message
        is sent). A TIMEOUT holds the request until the client gives up, the server stops, or
        ``hold`` seconds pass. Faults never touch the test-side API.
        """
        fault = Fault(FaultKind(kind), retry_after, after_processing, hold)
        self._fault_plan.fail_next(method, fault, count)

    def faults(
        self,
        rate: float = 0.2,
        kinds: Iterable[FaultKind | str] = tuple(FaultKind),
        seed: int = 0,
        *,
        methods: Iterable[str] | None = None,
        retry_after: int = 1,
    ) -> None:
        """Fail each call (of ``methods``, or all) with probability ``rate``; ``rate=0`` stops."""
        self._fault_plan.set_rate(rate, kinds, seed, methods, retry_after)

    def clear_faults(self) -> None:
        self._fault_plan.clear()
        self._slow.clear()

    def slow_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Make the next ``count`` calls of ``method`` reach the server ``seconds`` late, as on
        a slow or busy network: they are counted against the limits (and handled) only then."""
        self._slow.setdefault(method.lower(), deque()).extend([seconds] * count)

    def _check_limits(self, method: str, params: Params) -> None:
        if not self.enforce_limits or not self._limiter.counts(method):
            return
        chat_id = params.chat_id()
        if not isinstance(chat_id, int):
            return
        chat = self.chats.get(chat_id)
        is_group = chat.is_group if chat is not None else chat_id < 0
        retry_after = self._limiter.check(chat_id, is_group, time.monotonic())
        if retry_after is not None:
            self.rate_limited_count += 1
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
