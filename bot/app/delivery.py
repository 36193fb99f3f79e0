"""The delivery loop: from the outbox to the chats, at least once.

Each delivery (one message effect to one chat) is sent through the adapter of
its platform and marked delivered only after the platform accepted it, so a
crash in between sends it again (at least once; Matrix's transaction ids make
that repeat invisible). Failures are retried with a growing pause, honouring
the pause a platform asks for. Deliveries to different chats go side by side,
so a platform that is down holds up nobody else; within one chat they go in
order, so a card is posted before it is edited.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta

from bot.app.application import Application
from bot.app.ports import Delivery, DeliveryFailed, Undeliverable, platform_of
from bot.core.effects import EditCard, Post, Reply

log = logging.getLogger("deciding_together.delivery")

MAX_PAUSE = timedelta(minutes=5)
FOREVER = timedelta(days=3650)
SEND_TIMEOUT = 60.0  # seconds one send may take before it counts as failed
COALESCE = 0.02  # seconds to gather commits and finished chats before looking for more
IDLE_CHECK = 30.0  # seconds between looks when nothing woke the loop


def backoff(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s … up to five minutes between tries."""
    return min(timedelta(seconds=2 ** min(attempts, 10)), MAX_PAUSE)


def everywhere(platform: str) -> bool:
    return True


class DeliveryLoop:
    def __init__(
        self,
        app: Application,
        *,
        batch: int = 200,
        sends_to: Callable[[str], bool] = everywhere,
    ) -> None:
        self.app = app
        self.batch = batch
        # Which platforms this worker sends to (those whose sending role it holds:
        # see ``bot.app.roles``); one process alone sends to all of them.
        self.sends_to = sends_to
        self._elsewhere: set[str] = set()  # chats another worker sends to
        self._wake = asyncio.Event()
        self._stopping = False
        self._stopped = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    def sending_changed(self) -> None:
        """This worker took or lost the sending for a platform: look at every chat again."""
        self._elsewhere.clear()
        self.wake()

    async def run_once(self) -> int:
        """Try every delivery that is due once; returns how many went through."""
        now = self.app.clock.now()
        # Everything pending, due or not: a chat whose oldest message waits for a
        # retry must not have later messages overtake it (a card before its edits).
        pending = await self.app.storage.pending_deliveries(now + FOREVER, self.batch)
        by_chat: dict[str, list[Delivery]] = defaultdict(list)
        for delivery in pending:
            by_chat[delivery.target].append(delivery)
        for target in [t for t, items in by_chat.items() if items[0].next_attempt_at > now]:
            del by_chat[target]
        results = await asyncio.gather(*(self._send_in_order(items) for items in by_chat.values()))
        return sum(results)

    async def _send_in_order(self, deliveries: list[Delivery], *, paced: bool = False) -> int:
        """Send one chat's deliveries in order; how many went.

        ``paced`` (the running loop): a card edit waits for its chat's turn
        before it is drawn, and later messages may go before it meanwhile (an
        edit adds no message to the chat, so the chat's messages keep their
        order; a card's post is always older than its edits, so it is never
        overtaken). The replies a button's pop-up showed never come here: they
        are held in the outbox and confirmed by the press. Then the chat waits,
        in memory, and is read afresh, so an edit superseded meanwhile is never
        drawn."""
        sent, now = 0, self.app.clock.now()
        turn_in = 0.0  # seconds until an edit put off for its turn may go
        unsent: list[tuple[int, str | None]] = []  # replies not sent, not yet marked
        try:
            for delivery in deliveries:
                if delivery.next_attempt_at > now:
                    break  # it waits for a retry, and nothing may overtake it
                if not self.sends_to(platform_of(delivery.target)):
                    break  # the sending moved to another worker meanwhile
                if paced and isinstance(delivery.effect, EditCard):
                    wait = turn_in or self._ready_in(delivery)
                    if wait > 0:
                        turn_in = wait
                        continue
                if not await self._send(delivery, unsent):
                    break  # keep this chat's order: the rest waits for this one
                sent += 1
        finally:
            await self._mark(unsent)
        if turn_in:
            await self._pause(turn_in)
        return sent

    async def _mark(self, done: list[tuple[int, str | None]]) -> None:
        """Mark deliveries delivered: several in one write (one durable commit)."""
        if len(done) == 1:
            await self.app.storage.delivered(*done[0])
        elif done:
            await self.app.storage.delivered_many(done)
        done.clear()

    async def _send(
        self, delivery: Delivery, unsent: list[tuple[int, str | None]] | None = None
    ) -> bool:
        storage, now = self.app.storage, self.app.clock.now()
        platform = platform_of(delivery.target)
        adapter = self.app.adapters.get(platform)
        if adapter is None:
            await storage.delivery_failed(
                delivery.id, f"{platform} is not running", now + MAX_PAUSE
            )
            return False
        if isinstance(delivery.effect, EditCard) and delivery.effect.document is None:
            drawn = await self.app.draw_card(delivery)
            if drawn is None:
                await storage.delivered(delivery.id, "undeliverable: the proposal is gone")
                return True
            delivery = drawn
        try:
            ref = await asyncio.wait_for(adapter.deliver(delivery), SEND_TIMEOUT)
        except DeliveryFailed as failure:
            pause = (
                timedelta(seconds=failure.retry_after)
                if failure.retry_after is not None
                else backoff(delivery.attempts)
            )
            log.warning(
                "waiting %.0f s before sending to %s again: %s",
                pause.total_seconds(),
                delivery.target,
                failure,
            )
            await storage.delivery_failed(delivery.id, str(failure), now + pause)
            return False
        except Undeliverable as reason:
            log.error(
                "cannot deliver to %s, recorded as undeliverable: %s", delivery.target, reason
            )
            await storage.delivered(delivery.id, f"undeliverable: {reason}")
            return True
        except (TimeoutError, OSError, RuntimeError, ValueError) as problem:
            pause = backoff(delivery.attempts)
            log.warning(
                "sending to %s failed (%s); trying again in %.0f s",
                delivery.target,
                problem or type(problem).__name__,
                pause.total_seconds(),
            )
            await storage.delivery_failed(delivery.id, repr(problem), now + pause)
            return False
        effect = delivery.effect
        if isinstance(effect, Post) and effect.card is not None and ref is not None:
            await self.app.note_card_posted(delivery.group_id, effect.card, delivery.target, ref)
        if unsent is None:
            await storage.delivered(delivery.id, ref)
            return True
        unsent.append((delivery.id, ref))
        if not (isinstance(effect, Reply) and ref is None):
            # Something went out: marked at once (with the unsent before it), so that
            # a crash sends it again only if it was the last thing sent.
            await self._mark(unsent)
        # A reply with no platform reference was not sent (the adapter had nothing to
        # post): its mark may wait for the next, and a run of them is one write.
        return True

    async def run_forever(self) -> None:
        """Deliver until stopped, each chat as soon as it has something due.

        Unlike :meth:`run_once`, a chat does not wait for the slowest chat of
        a batch: each chat's sends run in a task of their own, and a chat that
        is done makes the loop look for more at once. A chat that has to wait
        (its turn under the platform's pacing, or a retry) waits in its task,
        in memory: its deliveries are not read, drawn or written meanwhile, and
        the loop does not wake for it. The loop wakes only when something was
        stored for delivery, a chat is done, or it is stopped."""
        sending: dict[str, asyncio.Task[int]] = {}
        while not self._stopping:
            self._wake.clear()
            # Commits and finished chats come in bursts: look for more once for several.
            await asyncio.sleep(COALESCE)
            try:
                await self._start_chats(sending)
            except Exception:  # the loop must outlive any one bad delivery
                log.exception("delivery pass failed; trying again shortly")
                self._wake.set()
                await self._pause(1.0)
            with contextlib.suppress(TimeoutError):
                # Every new delivery wakes the loop; the timeout is only a safety net.
                await asyncio.wait_for(self._wake.wait(), IDLE_CHECK)
        # Sends under way finish (each is bounded by SEND_TIMEOUT) before the loop ends;
        # chats waiting for their turn stop waiting at once.
        await asyncio.gather(*sending.values(), return_exceptions=True)

    async def _start_chats(self, sending: dict[str, asyncio.Task[int]]) -> None:
        """Start a task for every chat that has something pending and none yet.

        Chats that have a task are left out of the query, so however much
        waits for them, it is not read again."""
        now = self.app.clock.now()
        pending = await self.app.storage.pending_deliveries_elsewhere(
            now + FOREVER, self.batch, sending.keys() | self._elsewhere
        )
        by_chat: dict[str, list[Delivery]] = defaultdict(list)
        for delivery in pending:
            if not self.sends_to(platform_of(delivery.target)):
                # Another worker sends there: left out of the next looks, which may
                # find more for this one behind it.
                self._elsewhere.add(delivery.target)
                self.wake()
                continue
            by_chat[delivery.target].append(delivery)
        for target, items in by_chat.items():
            task = asyncio.get_running_loop().create_task(self._chat(items))
            sending[target] = task
            task.add_done_callback(functools.partial(self._chat_done, sending, target))

    async def _chat(self, deliveries: list[Delivery]) -> int:
        """One chat's turn: wait for its oldest delivery's retry if it has one, else send."""
        wait = (deliveries[0].next_attempt_at - self.app.clock.now()).total_seconds()
        if wait > 0:
            # Nothing may overtake it; its chat is read afresh when the wait is over.
            await self._pause(wait)
            return 0
        return await self._send_in_order(deliveries, paced=True)

    def _ready_in(self, delivery: Delivery) -> float:
        """Seconds until the platform's pacing lets a message go to the delivery's chat."""
        adapter = self.app.adapters.get(platform_of(delivery.target))
        return 0.0 if adapter is None else adapter.ready_in(delivery.target)

    async def _pause(self, seconds: float) -> None:
        """Sleep, but no longer than until the loop is stopped."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopped.wait(), seconds)

    def _chat_done(
        self, sending: dict[str, asyncio.Task[int]], chat: str, task: asyncio.Task[int]
    ) -> None:
        sending.pop(chat, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("sending to %s failed", chat, exc_info=task.exception())
        self.wake()

    def stop(self) -> None:
        self._stopping = True
        self._stopped.set()
        self._wake.set()
