"""The sync loop: read what happened on the homeserver, act on it, then move on.

Each ``/sync`` answer is handled completely — invites, then every room's new
events in order, then rooms the bot was removed from — before its
``next_batch`` token is saved. A crash anywhere in between means the next
start syncs from the old token and sees the same events again, and the
application recognises each of them by its event id: nothing is lost, nothing
counts twice.

Events from before the bot joined a room are history, not commands: on the
very first start no timeline is acted on at all, and in a room the bot has just
joined only what comes after its own join counts.

Every start syncs with ``full_state`` once, so that nio knows each room's
members and whether it is encrypted, although the sync token is not new. The
saved token is passed as ``since``, never set as nio's own token beforehand:
nio drops an answer whose token equals its own, and after a quiet spell the
first answer's token is the saved one, so the bot would know none of its rooms
(and could send nothing to them) until someone spoke there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import nio

from adapters.matrix import ids
from adapters.matrix.events import Events
from adapters.matrix.memory import Memory
from adapters.matrix.rooms import Rooms, TryAgain
from adapters.matrix.send import NETWORK_ERRORS
from bot.app import Application, StorageError
from bot.core.commands import Actor, ChatGone, Join
from bot.core.model import Group

log = logging.getLogger("deciding_together.matrix")

T = TypeVar("T")

# Synapse returns 10 timeline events per room unless asked for more; a burst of
# reactions between two syncs must not be cut short.
SYNC_FILTER: dict[str, Any] = {
    "room": {
        "timeline": {"limit": 500},
        "state": {"lazy_load_members": False},
        "ephemeral": {"not_types": ["*"]},  # typing and read receipts: not needed
    },
    "presence": {"not_types": ["*"]},
}
LONG_POLL_MS = 30_000
MAX_PAUSE = 60.0  # seconds between tries when the homeserver keeps failing
# An event whose handling fails this often (a bug, not the database or the
# network) is logged and skipped, so one bad event cannot hold up every later one.
MAX_TRIES = 3


class Stopped(Exception):
    """The adapter is stopping."""


def after_own_join(events: list[nio.Event], me: str) -> list[nio.Event]:
    """The events after the bot's own (latest) join, or all when it joined before."""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if (
            isinstance(event, nio.RoomMemberEvent)
            and event.state_key == me
            and event.membership == "join"
            and event.prev_membership != "join"  # not just a new display name
        ):
            return events[index + 1 :]
    return events


class SyncLoop:
    def __init__(
        self,
        client: nio.AsyncClient,
        app: Application,
        memory: Memory,
        rooms: Rooms,
        events: Events,
        *,
        long_poll_ms: int = LONG_POLL_MS,
        log_in_again: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.client = client
        self.app = app
        self.memory = memory
        self.rooms = rooms
        self.events = events
        self.long_poll_ms = long_poll_ms
        self.log_in_again = log_in_again
        self.stopping = asyncio.Event()
        self._synced = asyncio.Event()  # set, then replaced, after each handled sync
        self._failures: Counter[str] = Counter()

    # -- running ------------------------------------------------------------------------

    async def run(self) -> None:
        since = await self.memory.since()
        first_ever = since is None
        full_state = True
        pause = 1.0
        while not self.stopping.is_set():
            # nio falls back on the token of the last answer it saw, which may be one
            # whose events were not all handled: always say which token to sync from
            # (``since``; with none, from the start). nio's own token is otherwise left
            # as nio set it: nio ignores an answer whose token equals it, and after a
            # restart in a quiet spell the first answer carries the very token that was
            # saved, yet it is the one that tells nio the rooms (and which are encrypted).
            if since is None:
                self.client.next_batch = ""
            try:
                response = await self._until_stopped(
                    self.client.sync(
                        timeout=0 if full_state else self.long_poll_ms,
                        sync_filter=SYNC_FILTER,
                        since=since,
                        full_state=full_state or None,
                    )
                )
                if isinstance(response, nio.SyncError):
                    await self._sync_refused(response)
                    raise TryAgain(f"sync failed: {response}")
                await self.handle(response, history_only=first_ever)
                await self._share_keys()
                await self.memory.set_since(response.next_batch)
            except Stopped:
                return
            except (TryAgain, *NETWORK_ERRORS) as problem:
                log.warning("Matrix sync: %s; trying again in %.0f s", problem, pause)
                await self._pause(pause)
                pause = min(pause * 2, MAX_PAUSE)
                continue
            except Exception:  # the loop must outlive any one bad event or answer
                log.exception("handling a Matrix sync failed; trying again in %.0f s", pause)
                await self._pause(pause)
                pause = min(pause * 2, MAX_PAUSE)
                continue
            since, first_ever, full_state, pause = response.next_batch, False, False, 1.0
            self._synced.set()
            self._synced = asyncio.Event()

    async def _sync_refused(self, error: nio.SyncError) -> None:
        """The homeserver refused to sync: log in again if the login was dropped."""
        if error.status_code == "M_UNKNOWN_TOKEN" and self.log_in_again is not None:
            log.warning("the homeserver dropped the bot's login; logging in again")
            await self.log_in_again()

    async def _until_stopped(self, work: Awaitable[T]) -> T:
        """Await ``work`` unless the adapter stops first (a long poll is cut short)."""
        task = asyncio.ensure_future(work)
        stop = asyncio.ensure_future(self.stopping.wait())
        try:
            await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
        if not task.done():
            task.cancel()
            raise Stopped
        return task.result()

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), seconds)

    async def synced(self) -> None:
        """Return after the next sync answer has been handled (and its token saved)."""
        await self._synced.wait()

    async def room_known(self, room_id: str, timeout: float = 10.0) -> bool:
        """Wait (a while) until the sync loop has seen ``room_id``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while room_id not in self.client.rooms:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self._synced.wait(), remaining)
            except TimeoutError:
                return False
        return True

    # -- one sync answer ----------------------------------------------------------------

    async def handle(self, response: nio.SyncResponse, *, history_only: bool = False) -> None:
        """Act on one sync answer. With ``history_only`` (the very first start), only
        invites are acted on: everything in the timelines happened before the bot ran."""
        me = str(self.client.user_id)
        for room_id, invite in response.rooms.invite.items():
            await self.rooms.invited(room_id, invite)
        for room_id, info in response.rooms.join.items():
            if history_only:
                continue
            events = after_own_join(info.timeline.events, me)
            if info.timeline.limited and events is info.timeline.events:
                # (A room just joined is "limited" too: by the history before the join.)
                log.warning(
                    "%s: more happened than one sync returns; some events are skipped", room_id
                )
            chat = ids.chat_of(room_id)
            started = bool(events) and await self.app.group_of_chat(chat) is None
            for event in events:
                await self._one(room_id, event)
            if started and (group := await self.app.group_of_chat(chat)) is not None:
                await self._count_in_those_present(room_id, group)
        for room_id, info in response.rooms.leave.items():
            if not history_only:
                await self._left(room_id, info)

    async def _one(self, room_id: str, event: nio.Event) -> None:
        try:
            await self.events.event(room_id, event)
        except (TryAgain, StorageError, sqlite3.Error, OSError):
            raise  # the database or the network, not the event: try again, however long
        except Exception:
            self._failures[event.event_id] += 1
            if self._failures[event.event_id] >= MAX_TRIES:
                log.exception(
                    "giving up on %s in %s after %d tries", event.event_id, room_id, MAX_TRIES
                )
                return
            raise

    async def _count_in_those_present(self, room_id: str, group: Group) -> None:
        """A group has just started in this room: everyone already in it is a member.

        Matrix lists a room's members (the full-state sync gave nio each room's
        state), so people who were there before the bot are counted and reminded
        from the start, not only once they speak. Each is a ``Join``, as when
        someone joins the room later; the key keeps a repeat from counting twice."""
        room = self.client.rooms.get(room_id)
        if room is None:
            return
        me = str(self.client.user_id)
        for user_id in sorted(room.users):
            if user_id == me or user_id in room.invited_users:
                continue  # an invitation is not yet being in the room
            runs_it = await self.rooms.runs_the_room(room_id, user_id)
            known = group.member_by_identity(ids.identity_of(user_id))
            if known is not None and (not runs_it or known.is_facilitator):
                continue
            await self.app.submit(
                chat=ids.chat_of(room_id),
                actor=ids.actor(self.client, room_id, user_id),
                action=Join(already_there=True, runs_the_chat=runs_it),
                update_key=f"matrix:present:{room_id}:{user_id}",
            )

    async def _left(self, room_id: str, info: nio.RoomInfo) -> None:
        """The bot left or was removed from a room: a group's room is no longer its chat."""
        chat = ids.chat_of(room_id)
        if await self.app.group_of_chat(chat) is None:
            return  # a refused invite, a direct room, or a room nobody used the bot in
        last = info.timeline.events[-1].event_id if info.timeline.events else "left"
        me = str(self.client.user_id)
        await self.app.submit(
            chat=chat,
            actor=Actor(identity=ids.identity_of(me), name=ids.localpart(me)),
            action=ChatGone(chat),
            present=False,
            update_key=f"matrix:left:{room_id}:{last}",
        )
        log.warning("the bot left %s, so it is no longer one of its group's chats", room_id)

    async def _share_keys(self) -> None:
        """End-to-end encryption's housekeeping, which ``sync_forever`` would do."""
        client = self.client
        if client.olm is None:
            return
        if client.should_upload_keys:
            await client.keys_upload()
        if client.should_query_keys:
            await client.keys_query()
        if client.should_claim_keys:
            await client.keys_claim(client.get_users_for_key_claiming())
        await client.send_to_device_messages()
