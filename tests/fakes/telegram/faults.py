"""Forced faults and Telegram's flood limits for the fake Telegram server.

Two independent tools for reliability tests:

* :class:`FaultPlan` decides whether a Bot API call fails on purpose, either because a test asked
  for the next N calls of a method to fail (:meth:`FaultPlan.fail_next`) or at a seeded random
  rate (:meth:`FaultPlan.set_rate`).
* :class:`RateLimiter` answers whether a message may be sent now under Telegram's documented
  limits, and if not, after how many seconds it may.

Neither touches the network; the server applies their verdicts.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class FaultKind(StrEnum):
    """How a forced fault shows itself to the client."""

    #: 429 Too Many Requests with ``parameters.retry_after``; PTB raises ``RetryAfter``.
    RETRY_AFTER = "429"
    #: 500 Internal Server Error with a JSON body; PTB raises ``NetworkError``.
    SERVER_ERROR = "500"
    #: 502 Bad Gateway with an HTML body, as the real front proxy sends; PTB raises
    #: ``NetworkError``.
    BAD_GATEWAY = "502"
    #: No answer until the client gives up; PTB raises ``TimedOut``.
    TIMEOUT = "timeout"
    #: The connection is closed without an answer; PTB raises ``NetworkError``.
    DROP = "drop"


@dataclass(frozen=True)
class Fault:
    """One fault to inflict on one call."""

    kind: FaultKind
    #: Seconds announced in a 429's ``retry_after``.
    retry_after: int = 1
    #: Perform the call before failing, as when the answer (not the request) is lost: the
    #: message is sent but the client never learns it. Tests of duplicate sends need this.
    after_processing: bool = False
    #: How long a TIMEOUT holds the request at most if the client never gives up.
    hold: float = 30.0


#: Method name that matches every method in :meth:`FaultPlan.fail_next`.
ANY_METHOD = "*"


@dataclass
class FaultPlan:
    """Which calls fail: queued faults first, then the random rate."""

    _queued: dict[str, deque[Fault]] = field(default_factory=dict)
    _rate: float = 0.0
    _kinds: tuple[FaultKind, ...] = ()
    _methods: frozenset[str] | None = None
    _random: random.Random = field(default_factory=lambda: random.Random(0))
    _retry_after: int = 1

    def fail_next(self, method: str, fault: Fault, count: int = 1) -> None:
        """Make the next ``count`` calls of ``method`` (or of any method, ``"*"``) fail."""
        self._queued.setdefault(method.lower(), deque()).extend([fault] * count)

    def set_rate(
        self,
        rate: float,
        kinds: Iterable[FaultKind | str],
        seed: int,
        methods: Iterable[str] | None = None,
        retry_after: int = 1,
    ) -> None:
        """Fail each call with probability ``rate`` with a kind drawn from ``kinds``."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        self._rate = rate
        self._kinds = tuple(FaultKind(kind) for kind in kinds)
        if rate and not self._kinds:
            raise ValueError("kinds must not be empty")
        self._methods = frozenset(m.lower() for m in methods) if methods is not None else None
        self._random = random.Random(seed)
        self._retry_after = retry_after

    def clear(self) -> None:
        self._queued.clear()
        self._rate = 0.0

    def pick(self, method: str) -> Fault | None:
        """The fault for this call of ``method``, if any; consumes a queued fault."""
        for key in (method.lower(), ANY_METHOD):
            queue = self._queued.get(key)
            if queue:
                return queue.popleft()
        if self._rate and (self._methods is None or method.lower() in self._methods):
            # Draw both numbers every time so a seed gives the same sequence of faults.
            roll, choice = self._random.random(), self._random.choice(self._kinds)
            if roll < self._rate:
                return Fault(choice, retry_after=self._retry_after)
        return None


@dataclass(frozen=True)
class Rule:
    """At most ``count`` messages in any window of ``period`` seconds."""

    count: int
    period: float


@dataclass(frozen=True)
class RateLimits:
    """Telegram's documented broadcast limits (core.telegram.org/bots/faq).

    The real server tolerates short bursts above "one message per second in a chat" and its
    exact algorithm is not public. The fake is deliberately strict and simple: each rule is a
    sliding window, so a bot that passes here also stays within the documented limits.
    """

    #: More than one message per second in one chat is flood.
    per_chat: Rule = Rule(1, 1.0)
    #: More than 20 messages per minute in one group is flood.
    per_group: Rule = Rule(20, 60.0)
    #: More than about 30 messages per second overall is flood.
    overall: Rule = Rule(30, 1.0)
    #: The calls that count as "a message". Edits count too: Telegram floods edits as well.
    methods: frozenset[str] = frozenset(
        {"sendmessage", "senddocument", "editmessagetext", "editmessagereplymarkup"}
    )


class RateLimiter:
    """Sliding-window flood control over the calls that :class:`RateLimits` counts."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self._sent: dict[tuple[str, int], deque[float]] = {}

    def counts(self, method: str) -> bool:
        return method.lower() in self.limits.methods

    def check(self, chat_id: int, is_group: bool, now: float) -> int | None:
        """Record a message sent now, or return the whole seconds to wait before retrying."""
        windows = [(("chat", chat_id), self.limits.per_chat), (("all", 0), self.limits.overall)]
        if is_group:
            windows.append((("group", chat_id), self.limits.per_group))
        wait = 0.0
        for key, rule in windows:
            sent = self._sent.setdefault(key, deque())
            while sent and sent[0] <= now - rule.period:
                sent.popleft()
            if len(sent) >= rule.count:
                wait = max(wait, sent[0] + rule.period - now)
        if wait > 0:
            return max(1, math.ceil(wait))
        for key, _rule in windows:
            self._sent[key].append(now)
        return None
