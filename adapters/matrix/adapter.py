"""The Matrix adapter: the bot's account, its sync loop, and its deliveries.

``start`` logs in (see ``login``), cross-signs the bot's device when it does
end-to-end encryption (see ``crosssigning``), wires the parts together and
starts the sync loop in the background; ``stop`` ends the loop and closes the HTTP
session without logging out, so the next start is the same device.

The parts, one job each:

* ``sync``: reads the homeserver's news and saves the sync token after it;
* ``events``: turns messages, reactions, redactions and membership into
  submissions to the application;
* ``rooms``: invites, room upgrades, direct rooms;
* ``deliver`` with ``render`` and ``send``: effects out, as Matrix messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import nio

from adapters.matrix import ids
from adapters.matrix.crosssigning import DeviceSigning, cross_sign
from adapters.matrix.deliver import Deliveries
from adapters.matrix.events import Events
from adapters.matrix.login import LoginFailed, log_in, make_client, password_login
from adapters.matrix.memory import Memory
from adapters.matrix.rooms import Rooms
from adapters.matrix.send import Sender
from adapters.matrix.settings import MatrixSettings
from adapters.matrix.sync import LONG_POLL_MS, SyncLoop
from adapters.matrix.threads import ThreadedReplies
from adapters.quiet import NotedFirst
from bot.app import Application, Delivery, DeliveryFailed
from bot.reaching import NotReached
from bot.supervising import keep_alive

log = logging.getLogger("deciding_together.matrix")

# Seconds the sync loop gets to finish the events in hand when the bot stops; what
# is not finished is synced again at the next start (its token was not saved).
STOP_GRACE = 1.0


class MatrixAdapter:
    platform = ids.PLATFORM

    def __init__(self, settings: MatrixSettings, *, long_poll_ms: int = LONG_POLL_MS) -> None:
        self.settings = settings
        self.long_poll_ms = long_poll_ms
        self.client: nio.AsyncClient | None = None
        self.sync: SyncLoop | None = None
        self._deliveries: Deliveries | None = None
        self._task: asyncio.Task[None] | None = None
        # How cross-signing went at the last start (None: no encryption, or not tried).
        self.cross_signing: DeviceSigning | None = None
        self._events: Events | None = None

    @property
    def undecryptable(self) -> int:
        """How many messages the bot could not decrypt since it started."""
        return self._events.unreadable.count if self._events is not None else 0

    async def start(self, app: Application) -> None:
        client = make_client(self.settings)
        try:
            await log_in(client, self.settings)
        except BaseException:
            await client.close()
            raise
        self.client = client
        if client.olm is not None:
            self.cross_signing = await self._cross_sign(client)
        user_id = str(client.user_id)
        memory = Memory(app, user_id)
        rooms = Rooms(client, memory, app, self.settings, encrypted=client.olm is not None)
        noting, threads = NotedFirst(), ThreadedReplies()
        self._events = Events(app, client, memory, rooms, noting, threads)
        self.sync = SyncLoop(
            client,
            app,
            memory,
            rooms,
            self._events,
            long_poll_ms=self.long_poll_ms,
            log_in_again=self._log_in_again,
        )
        sender = Sender(client, room_known=self.sync.room_known)
        self._deliveries = Deliveries(app, sender, rooms, memory, noting, threads)
        # Supervised: a failure the loop did not foresee starts it again, from the saved token.
        self._task = asyncio.create_task(
            keep_alive("the Matrix sync", self.sync.run, self.sync.stopping), name="matrix sync"
        )
        log.info("Matrix: %s on %s, device %s", user_id, self.settings.homeserver, client.device_id)

    async def _cross_sign(self, client: nio.AsyncClient) -> DeviceSigning | None:
        """Have the bot's device signed by its own account, so Element trusts it.

        Trouble here never stops the bot: it works on, its device unverified."""
        try:
            if client.should_upload_keys:
                await client.keys_upload()  # a new device's keys must be there to be signed
            return await cross_sign(client, self.settings.store_path, self.settings.password)
        except Exception:
            log.exception("cross-signing the bot's device failed; it works on, unverified")
            return None

    async def _log_in_again(self) -> None:
        """The server forgot the bot's access token (someone ended its session)."""
        if self.client is None or not self.settings.password:
            log.error(
                "the homeserver no longer accepts the bot's access token: make a new one "
                "(see docs/matrix.md) or give the bot its password, then restart it"
            )
            return
        try:
            await password_login(self.client, self.settings)
        except LoginFailed as problem:
            log.error("logging in again failed: %s", problem)
        except NotReached as problem:  # the sync tries again, and so this
            log.warning("%s", problem.sentence)

    async def stop(self) -> None:
        """Stop syncing and close the connection; the login stays valid for next time."""
        self._deliveries = None  # what is still in the outbox waits for the next start
        if self.sync is not None:
            self.sync.stopping.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, STOP_GRACE)
            except TimeoutError:
                log.warning("the Matrix sync loop did not stop in time; cancelling it")
            except Exception:
                log.exception("the Matrix sync loop ended with an error")
            self._task = None
        if self.client is not None:
            with contextlib.suppress(Exception):
                await self.client.close()

    def ready_in(self, target: str) -> float:
        return 0.0  # card edits are paced as they are sent (``adapters.matrix.send``)

    def end_to_end_encrypted(self, chat: str) -> bool:
        """Whether the room has encryption on, as the bot's client knows it."""
        room = self.client.rooms.get(ids.room_of(chat)) if self.client is not None else None
        return bool(room is not None and room.encrypted)

    async def deliver(self, delivery: Delivery) -> str | None:
        if self._deliveries is None:
            raise DeliveryFailed("the Matrix adapter is not running")
        return await self._deliveries.deliver(delivery)
