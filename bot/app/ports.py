"""The application's ports: what it expects of storage and of a chat platform.

The application (``bot.app.application``) is written against these protocols
only; ``storage`` implements :class:`Storage`, each of ``adapters`` implements
:class:`Adapter`. Neither side imports the other.

**Storage.** SQLite (``storage.sqlite``) implements it first; a PostgreSQL
backend can implement the same protocol later. Everything that must be atomic
is one call: :meth:`Storage.commit` stores a command's whole result — inbox
entry, new state, audit entry, timers and outbox deliveries — in one
transaction, or nothing at all. That includes forgetting a person (a
``Forget`` among the effects): the audit log's entries they sent are redacted,
the messages that name them erased or rewritten, and adapters' memory about
them deleted, with the ``forgetme`` itself or not at all.

The application holds each group's **resident** part in memory (members,
settings, the proposals still being decided; see ``bot.core.resident``) and
commits the change from one resident state to the next: proposals absent from
both ``group_before`` and ``group_after`` are left as stored. Reads beyond it go
through :meth:`Storage.read_proposals`.

**Adapter.** An adapter turns platform events into calls to
:meth:`Application.submit` and turns deliveries from the outbox into platform
messages. It is thin: no decision is made in an adapter, only translation; what
it needs to know or remember it asks the application, never storage.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal, NotRequired, Protocol, TypedDict

from bot.core.commands import Command, TimerEvent
from bot.core.effects import Effect, Message
from bot.core.model import Group, Proposal

if TYPE_CHECKING:
    from bot.app.application import Application


class StorageError(Exception):
    """A problem with the database that a person must fix; the message says how."""


class DatabaseInUse(StorageError):
    """Another process is running the bot on the same database: stop it first."""


class StaleGroup(StorageError):
    """The group changed since it was read (another writer committed, or the state
    in memory went astray): nothing was stored. Read it again and decide again."""


@dataclass(frozen=True, slots=True)
class StoredGroup:
    """A group as stored, with the version it is stored at.

    Every commit that stores a group moves its version on by one, so a writer
    that read version 7 can say so when it commits (``version=7``): if another
    writer committed in between, the stored version is 8, and the commit is
    refused (:class:`StaleGroup`) instead of overwriting what the other one did.
    A group that is not stored yet is at version 0."""

    group: Group
    version: int


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message effect to one target.

    ``target`` is a chat ("telegram:-100123", "matrix:!room:example.org",
    "console:main") or, for private messages, "dm:" + an identity
    ("dm:telegram:42"). One effect may have several deliveries (a post to a
    group with two linked chats); each is retried on its own, so a platform
    that is down does not hold up the others."""

    id: int
    group_id: str
    target: str
    effect: Message
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    key: str  # stable across retries: the idempotency key (Matrix transaction id)


@dataclass(frozen=True, slots=True)
class Timer:
    key: str
    group_id: str
    due: datetime
    event: TimerEvent


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    group_id: str
    at: datetime
    command: Command
    summary: str
    # When the entry was rewritten because its sender was forgotten: the only change
    # the append-only log allows, once.
    redacted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Pruned:
    """What a prune deleted: messages done with, update keys no longer needed, and
    the rows of timers that fired (a deleted row never fires)."""

    messages: int
    updates: int
    timers: int = 0


@dataclass(frozen=True, slots=True)
class Outgoing:
    """An effect to store with the targets it must reach (none for timers)."""

    effect: Effect
    targets: tuple[str, ...] = ()
    # A reply to a gesture: stored held for its update until the adapter confirms
    # or releases it (:meth:`Storage.confirm_held`), never sent while held.
    held: bool = False


@dataclass(frozen=True, slots=True)
class Remember:
    """A value an adapter remembers (its own memory: a prompt answered, a person's
    private group), written in the transaction of the command it comes with.

    ``about`` is the identity of the person the value is about ("telegram:42"), so
    that forgetting them deletes it; once given, it stays with the row."""

    key: str
    value: str
    about: str | None = None
    # Kept only when the core accepted the command: a prompt stays open after a
    # refused answer (too long, say), for another try.
    if_accepted: bool = False


# Tokens are made for one use each: a button's callback data, or the payload of a
# deep link that opens a private chat. Either one is useless as the other.
TokenKind = Literal["button", "deep link"]
# Link codes, likewise: "chat" (``link CODE``: a chat joins the group) or "account"
# (``me CODE``: a member's account on another platform becomes theirs).
CodeKind = Literal["chat", "account"]


class Commit(TypedDict):
    """The arguments of one :meth:`Storage.commit`, for :meth:`Storage.commit_many`."""

    group_before: Group | None
    group_after: Group
    command: Command
    now: datetime
    summary: str
    outgoing: Sequence[Outgoing]
    update_key: str | None
    fired_timer: str | None
    # The stored version ``group_before`` is at (see ``Storage.commit``); in a
    # list, a group's next commit is at the version the one before leaves it at.
    version: NotRequired[int | None]
    # The adapter's memory that changes with the command (see ``Storage.commit``).
    remember: NotRequired[Sequence[Remember]]


class Storage(Protocol):
    # -- the one transaction per command --------------------------------------------------

    async def commit(
        self,
        *,
        group_before: Group | None,
        group_after: Group,
        command: Command,
        now: datetime,
        summary: str,
        outgoing: Sequence[Outgoing],
        update_key: str | None = None,
        fired_timer: str | None = None,
        version: int | None = None,
        remember: Sequence[Remember] = (),
        durable: bool = True,
    ) -> bool:
        """Store a command's result atomically.

        ``remember`` is the adapter's memory that changes with the command (a
        prompt it answers, the group a button chose): written in the same
        transaction, before any ``Forget`` among the effects, as :meth:`set_value`
        would write it.

        ``version`` is the version ``group_before`` was read at (from
        :meth:`read_group`, 0 for a group not stored yet) or that the writer's
        last commit of it left (one more than it committed from). When the
        stored group is at another version, :class:`StaleGroup` is raised and
        nothing is stored: the caller reads the group again and decides the
        command again. ``None`` skips the check (a writer that is alone by
        construction, such as a test); the version moves on all the same.

        Returns False and stores nothing when ``update_key`` (a platform's
        update id, e.g. "telegram:update:123") was stored before: duplicates
        change nothing. ``fired_timer`` is marked fired in the same
        transaction, so a timer fires exactly once even across a crash; when
        it is no longer set and due (fired, cancelled or moved since it was
        read), False is returned and nothing is stored.

        A ``Forget`` in ``outgoing`` is carried out where it stands (see
        ``storage.forgetting``); messages after it to the forgotten person's
        private chat are delivered, then erased.

        Returns once the commit would survive a power cut (with durability
        "full"); with ``durable=False`` as soon as it is stored, and the caller
        awaits :meth:`durable` before acknowledging anything, which lets commits
        made meanwhile share one sync of the disk."""
        ...

    async def durable(self) -> None:
        """Return once every write made so far would survive a power cut."""
        ...

    async def commit_many(self, commits: Sequence[Commit], *, durable: bool = True) -> bool:
        """Store several commands' results, in order, in one transaction (one durable
        write for all of them): each ``group_before`` is the group as the commits
        before it in the list leave it. Returns False and stores nothing at all when
        any ``update_key`` was stored before (commit them one by one then), and
        raises :class:`StaleGroup`, storing nothing, when any group is not at its
        ``version``. ``durable`` as for :meth:`commit`."""
        ...

    async def seen_update(self, update_key: str) -> bool: ...

    # -- groups --------------------------------------------------------------------------

    async def read_group(self, group_id: str) -> StoredGroup | None:
        """The **resident** group and its version, read together (one snapshot); None
        if not stored.

        Resident: the group's own fields, chats, link codes and members, and only
        the proposals ``bot.core.resident.stays_resident`` keeps (still being
        decided, or a review pending). The storage keeps that rule's answer with
        each proposal whenever it writes the proposal (a ``resident`` column), so
        this read never touches a closed proposal's rows: its cost does not grow
        with the group's history. What a command needs beyond it, the application
        reads with :meth:`read_proposals`."""
        ...

    async def read_proposals(
        self, group_id: str, numbers: Collection[int] | None = None
    ) -> dict[int, Proposal]:
        """The group's proposals as stored, by number, resident or not: those in
        ``numbers`` (a number not stored is left out), or every one when None.
        Empty for a group not stored. For commands that read the record beyond
        the resident group (``decisions``, ``show #3``, ``export``…); the
        application adds them to the resident group it holds."""
        ...

    async def load_group(self, group_id: str) -> Group | None:
        """The whole group, every proposal in it, for readers that never commit it
        (an export made offline, tests)."""
        ...

    async def group_version(self, group_id: str) -> int | None:
        """The version alone (None if not stored): whether a group read before is still
        what is stored, at the cost of one small read (for several workers)."""
        ...

    async def group_for_chat(self, chat: str) -> str | None: ...

    async def groups_for_identity(self, identity: str) -> list[str]: ...

    async def group_with_link_code(self, code: str, kind: CodeKind = "chat") -> str | None: ...

    async def group_with_web_link(self, digest: str) -> str | None: ...

    async def group_ids(self) -> list[str]: ...

    # -- timers --------------------------------------------------------------------------

    async def next_timer_due(self) -> datetime | None: ...

    async def due_timers(self, now: datetime, limit: int = 100) -> list[Timer]:
        """Unfired timers due at or before ``now``, oldest first. A timer whose row
        cannot be read is left out, logged and moved later, never lost."""
        ...

    async def postpone_timer(self, group_id: str, key: str, until: datetime) -> None:
        """Move an unfired timer to ``until``: it failed, and is tried again then."""
        ...

    # -- outbox --------------------------------------------------------------------------

    async def pending_deliveries(self, now: datetime, limit: int = 100) -> list[Delivery]:
        """Undelivered, due for an attempt, oldest first."""
        ...

    async def pending_deliveries_elsewhere(
        self, now: datetime, limit: int, busy: Collection[str]
    ) -> list[Delivery]:
        """:meth:`pending_deliveries`, leaving out every delivery to a target in ``busy``."""
        ...

    async def next_delivery_due(self) -> datetime | None: ...

    async def delivered(self, delivery_id: int, platform_ref: str | None = None) -> None:
        """Mark a delivery done; one that must not outlive its sending (the answer to a
        forgotten person) is erased with its message instead."""
        ...

    async def delivered_many(self, done: Sequence[tuple[int, str | None]]) -> None:
        """:meth:`delivered` for each (delivery id, platform ref), in one transaction."""
        ...

    async def delivery_failed(self, delivery_id: int, error: str, retry_at: datetime) -> None: ...

    async def confirm_held(self, *held: str) -> None:
        """The replies held for these update keys were shown another way (a pop-up, a
        card's tally): delivered, never posted. Need not be durable on return: a hold
        still there at the next start is released."""
        ...

    async def release_held(self, *held: str) -> None:
        """The replies held for these update keys are sent as usual."""
        ...

    # -- where a card is, per chat --------------------------------------------------------

    async def save_card_message(self, group_id: str, number: int, chat: str, ref: str) -> None: ...

    async def card_messages(self, group_id: str, number: int) -> dict[str, str]: ...

    async def card_for_message(self, chat: str, ref: str) -> tuple[str, int] | None: ...

    # -- opaque button ids ----------------------------------------------------------------

    async def action_token(self, group_id: str, command: str, kind: TokenKind = "button") -> str:
        """A short random token for a button (or a deep link), the same each time for the
        same command and kind."""
        ...

    async def action_for_token(
        self, token: str, kind: TokenKind = "button"
    ) -> tuple[str, str] | None:
        """(group id, command) for a token of ``kind``, or None for a forged or unknown one,
        or one made for another kind: a deep link's payload never works as a button,
        nor a button's token as a deep link."""
        ...

    # -- adapters' own small state (sync tokens, remembered refusals) ---------------------

    async def get_value(self, key: str) -> str | None: ...

    async def set_value(self, key: str, value: str, about: str | None = None) -> None:
        """Remember ``value`` under ``key``. ``about`` is the identity of the person the
        row is about ("telegram:42"), so that forgetting them deletes it; once given, it
        stays with the row."""
        ...

    async def memory_about(self, identity: str) -> dict[str, str]:
        """Every value remembered about ``identity`` (``set_value``'s ``about``), by key:
        what ``mydata`` gives back of the adapters' memory."""
        ...

    # -- the record -----------------------------------------------------------------------

    async def audit(self, group_id: str) -> list[AuditEntry]: ...

    async def audit_of(self, identity: str) -> list[AuditEntry]:
        """Every entry of every group whose command ``identity`` sent, oldest first."""
        ...

    async def purge_closed(self, before: datetime) -> int:
        """Delete closed proposals that ended before ``before``; returns how many."""
        ...

    async def prune(self, before: datetime) -> Pruned:
        """Delete sent messages and update keys no longer needed, made before ``before``,
        and the rows of timers fired before it."""
        ...

    async def close(self) -> None: ...


# -- the chat platform's side ---------------------------------------------------------


class DeliveryFailed(Exception):
    """A delivery did not go through this time; it will be tried again.

    ``retry_after`` is what the platform asked for (Telegram's ``retry_after``,
    Matrix's ``retry_after_ms``), in seconds."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Undeliverable(Exception):
    """A delivery can never go through (the bot was removed from the chat).

    It is recorded as such in the outbox, never silently dropped."""


class Adapter(Protocol):
    platform: str  # the prefix of its chats and identities: "telegram", "matrix", "console"

    async def start(self, app: Application) -> None: ...

    async def stop(self) -> None: ...

    async def deliver(self, delivery: Delivery) -> str | None:
        """Send one delivery; return the platform's id of what was posted (a card's
        message id), or None. Raise DeliveryFailed or Undeliverable."""
        ...

    def ready_in(self, target: str) -> float:
        """Seconds until the platform's pacing lets a message go to ``target``; 0 for a
        platform without one. The delivery loop waits that long before it draws a
        card's edit, rather than draw it and then wait."""
        ...

    def end_to_end_encrypted(self, chat: str) -> bool:
        """Whether messages in ``chat`` are end-to-end encrypted (a Matrix room with
        encryption on), so that linking it with a chat that is not needs a warning."""
        ...


def platform_of(target: str) -> str:
    """ "telegram:-100" → "telegram"; "dm:matrix:@sam:x" → "matrix"."""
    if target.startswith("dm:"):
        target = target[3:]
    return target.split(":", 1)[0]
