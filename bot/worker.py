"""One worker's jobs, each under the role that says whether this worker does it now.

Every worker decides: it takes the commands its adapters receive and commits
them. The jobs that must have one doer (see ``bot.app.roles``) run here only
while this worker holds their role:

- firing timers: a :class:`Scheduler` made when the role is taken, stopped when
  it is lost (its firing in hand finishes; a commit marks each timer fired once);
- sending to a platform: the delivery loop leaves out the chats of a platform
  whose sending role another worker holds;
- a whole adapter (Matrix: its sync and its sending share one device and its
  encryption store): started when the role is taken, stopped when it is lost.

What one worker stores another may have to act on (a timer set, a message to
send): it wakes its own loops, and tells the other workers (a hint, which may
be lost). With several workers, each role's holder also looks by itself every
few seconds (:meth:`Worker.look_every`): the safety net under the hints.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.app import Adapter, Application, DeliveryLoop, Roles, Scheduler
from bot.app.roles import OUTBOX_CHANGED, TIMERS, TIMERS_CHANGED

log = logging.getLogger("deciding_together")

# Seconds between a role holder's own looks for timers and messages, when hints
# from the other workers may have been lost.
SAFETY_NET = 5.0


class Worker:
    def __init__(self, app: Application, roles: Roles, *, stop_grace: float = 1.0) -> None:
        self.app = app
        self.roles = roles
        self.stop_grace = stop_grace
        self.scheduler: Scheduler | None = None  # while this worker fires the timers
        self._senders: dict[str, str] = {}  # platform → the role of sending to it
        self.delivery = DeliveryLoop(app, sends_to=self.sends_to)
        app.roles = roles
        app.shared = not roles.alone
        app.on_outbox_changed = self._outbox_changed
        app.on_timers_changed = self._timers_changed
        roles.listen(OUTBOX_CHANGED, self.delivery.wake)
        roles.listen(TIMERS_CHANGED, self._look_at_timers)

    # -- what changed -------------------------------------------------------------------

    def _outbox_changed(self) -> None:
        self.delivery.wake()
        self.roles.tell(OUTBOX_CHANGED)

    def _timers_changed(self) -> None:
        self._look_at_timers()
        self.roles.tell(TIMERS_CHANGED)

    def _look_at_timers(self) -> None:
        if self.scheduler is not None:
            self.scheduler.timers_changed()

    async def look_every(self, stop: asyncio.Event, seconds: float = SAFETY_NET) -> None:
        """Look for due timers and messages every ``seconds`` until ``stop``: what a
        lost hint would have woken this worker for is done a little later."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), seconds)
            self._look_at_timers()
            self.delivery.wake()

    # -- timers ---------------------------------------------------------------------------

    async def fire_timers(self) -> None:
        """Fire the timers whenever this worker holds their role. With one process, at
        once: the timers that came due while the bot was down fire before this returns."""
        await self.roles.hold(TIMERS, self._take_timers, self._lose_timers)

    async def _take_timers(self) -> None:
        scheduler = Scheduler(self.app)
        self.scheduler = scheduler
        await scheduler.start()

    async def _lose_timers(self) -> None:
        scheduler, self.scheduler = self.scheduler, None
        if scheduler is not None:
            scheduler.stop()
            await scheduler.finish_firing(self.stop_grace)

    # -- sending and adapters -------------------------------------------------------------

    def sends_to(self, platform: str) -> bool:
        """Whether this worker sends to ``platform`` now."""
        role = self._senders.get(platform)
        return role is None or self.roles.holds(role)

    async def send_for(self, platform: str, role: str) -> None:
        """Send to ``platform`` only while this worker holds ``role``."""
        self._senders[platform] = role

        async def changed() -> None:
            self.delivery.sending_changed()

        await self.roles.hold(role, changed, changed)

    async def run_as_role(self, adapter: Adapter, role: str) -> None:
        """Run ``adapter`` (and send through it) only while this worker holds ``role``."""
        self._senders[adapter.platform] = role

        async def taken() -> None:
            try:
                await adapter.start(self.app)
            except BaseException:
                await adapter.stop()  # what the start opened is closed again
                raise
            log.info("%s runs on this worker", adapter.platform)
            self.delivery.sending_changed()

        async def lost() -> None:
            self.delivery.sending_changed()
            await adapter.stop()

        await self.roles.hold(role, taken, lost)
