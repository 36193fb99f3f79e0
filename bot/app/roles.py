"""Roles: the jobs that only one worker may do at a time.

Deciding is every worker's job: any worker takes a command, decides it and
commits it, and the group's version keeps two workers from overwriting each
other. A few jobs must have exactly one doer, though, or they go wrong:

- firing timers (one firing per deadline is kept by the commit, but two
  schedulers would race for every one of them);
- sending to Telegram, one per bot: the pacing that keeps to Telegram's
  30 messages a second and its per-chat limits lives in the sender's memory;
- polling Telegram: Telegram allows one ``getUpdates`` at a time per bot;
- syncing and sending for Matrix, one per bot device: the device's
  encryption store may be used by one client only.

A worker asks to :meth:`Roles.hold` each such role, with what to do when it
is given the role (``taken``) and when it no longer has it (``lost``). With
one process (SQLite) every role is its own at once (:class:`EveryRole`); with
several workers on PostgreSQL, a role is a lock the database lets go of when
its holder's connection ends, so another worker takes it over within seconds
(``storage.postgres_roles``).

Workers also tell each other that something changed that another worker's
role may be waiting for (a timer set, a message to send): :meth:`Roles.tell`.
That is a hint to wake sooner; each role's holder also looks by itself every
few seconds, so a lost hint costs a delay, never a message.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

log = logging.getLogger("deciding_together.roles")

Taken = Callable[[], Awaitable[None]]
Lost = Callable[[], Awaitable[None]]

# What changed, for :meth:`Roles.tell`: a timer set or cancelled, a message to send.
TIMERS_CHANGED = "timers"
OUTBOX_CHANGED = "outbox"

# The role of firing timers (the other roles are named after the account they serve).
TIMERS = "timers"
# The role of the daily deletions (sent messages done with, proposals past retention):
# one worker at a time, so that two never delete the same rows side by side.
HOUSEKEEPING = "housekeeping"


def sending(platform: str, account: str) -> str:
    """The role of sending for one account of a platform ("telegram sending 1234")."""
    return f"{platform} sending {account}"


def telegram_polling(bot_id: str) -> str:
    """The role of fetching a Telegram bot's updates with ``getUpdates``."""
    return f"telegram polling {bot_id}"


def matrix_device(user_id: str, device_id: str) -> str:
    """The role of syncing and sending for the bot's Matrix device (and its encryption store)."""
    return f"matrix {user_id} {device_id}"


async def nothing() -> None:
    """A ``lost`` for a role that needs no undoing (its work is asked for each time)."""


class Roles(Protocol):
    # Whether this process is alone on its database (then every role is its own).
    alone: bool

    async def hold(self, role: str, taken: Taken, lost: Lost) -> None:
        """Hold ``role`` whenever this worker can: ``taken()`` runs when the role
        becomes this worker's, ``lost()`` when it stops being so (the worker
        stops, or lost its hold). Returns once the role is asked for; with
        :class:`EveryRole`, once ``taken()`` has run."""
        ...

    def holds(self, role: str) -> bool:
        """Whether this worker holds ``role`` now (its ``taken`` has run)."""
        ...

    def tell(self, change: str) -> None:
        """Tell the other workers that ``change`` happened (:data:`TIMERS_CHANGED`,
        :data:`OUTBOX_CHANGED`): a hint, which may be lost."""
        ...

    def listen(self, change: str, heard: Callable[[], None]) -> None:
        """Call ``heard()`` when another worker tells of ``change``."""
        ...

    async def close(self) -> None:
        """Let go of every role (each one's ``lost`` runs, newest first)."""
        ...


class EveryRole:
    """One process on its own: every role is its own at once, and nobody else listens.

    This is how the bot runs on SQLite, where one process holds the database
    (``storage.one_process``)."""

    alone = True

    def __init__(self) -> None:
        self._held: dict[str, Lost] = {}

    async def hold(self, role: str, taken: Taken, lost: Lost) -> None:
        await taken()  # a failure goes to the caller, as a failed start always has
        self._held[role] = lost

    def holds(self, role: str) -> bool:
        return role in self._held

    def tell(self, change: str) -> None:
        pass  # nobody else to tell

    def listen(self, change: str, heard: Callable[[], None]) -> None:
        pass  # nobody else tells

    async def close(self) -> None:
        for role, lost in reversed(list(self._held.items())):
            del self._held[role]
            try:
                await lost()
            except Exception:
                log.exception("letting go of the role %r failed", role)
