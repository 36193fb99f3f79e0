"""The application floor: the one door between the platforms and the core.

- ``ports``: what the application expects of storage (:class:`Storage` and its
  values) and of a chat platform (:class:`Adapter`).
- ``application``: :class:`Application`, from a platform event to a stored
  decision, and what adapters ask of it.
- ``delivery``: the outbox sent to the chats; ``scheduler``: timers woken on time.
- ``locks``: one turn per group; ``clock``: the time, real or moved by hand.
- ``roles``: the jobs only one worker may do at a time (firing timers, sending,
  polling), when several workers share one database.

The core (``bot.core``) is below it and never imports it; ``storage`` and
``adapters`` implement its ports and import it; the wiring (``bot.cli``,
``bot.runtime``, ``bot.demo``) is above it and puts them together.
"""

from bot.app.application import Application, Submission, Submitted
from bot.app.clock import Clock, ManualClock, SystemClock
from bot.app.delivery import DeliveryLoop
from bot.app.locks import GroupLocks
from bot.app.ports import (
    Adapter,
    AuditEntry,
    CodeKind,
    Commit,
    DatabaseInUse,
    Delivery,
    DeliveryFailed,
    Outgoing,
    Pruned,
    Remember,
    StaleGroup,
    Storage,
    StorageError,
    StoredGroup,
    Timer,
    TokenKind,
    Undeliverable,
    platform_of,
)
from bot.app.roles import EveryRole, Roles
from bot.app.scheduler import Scheduler

__all__ = [
    "Adapter",
    "Application",
    "AuditEntry",
    "Clock",
    "CodeKind",
    "Commit",
    "DatabaseInUse",
    "Delivery",
    "DeliveryFailed",
    "DeliveryLoop",
    "EveryRole",
    "GroupLocks",
    "ManualClock",
    "Outgoing",
    "Pruned",
    "Remember",
    "Roles",
    "Scheduler",
    "StaleGroup",
    "Storage",
    "StorageError",
    "StoredGroup",
    "Submission",
    "Submitted",
    "SystemClock",
    "Timer",
    "TokenKind",
    "Undeliverable",
    "platform_of",
]
