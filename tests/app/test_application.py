"""The application around the core: one transaction per event, timers, delivery."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import Application, Delivery, DeliveryFailed, Outgoing, Scheduler, SystemClock
from bot.core.commands import Actor, ChatGone, DeadlineDue, Request
from bot.core.decide import decide
from bot.core.effects import Post, SetTimer
from bot.core.model import Group, GroupSettings, Stage
from storage.sqlite import SqliteStorage
from tests.harness import running_app

CHAT = "console:group"
SAM, ALEX = Actor("console:sam", "Sam"), Actor("console:alex", "Alex")


class Recorder:
    """An adapter that records what it is given, and can be made to fail."""

    def __init__(
        self, platform: str = "console", failures: int = 0, retry_after: float | None = None
    ) -> None:
        self.platform = platform
        self.failures = failures
        self.retry_after = retry_after
        self.sent: list[Delivery] = []
        self.tries = 0
        self.encrypted = False

    async def start(self, app: Application) -> None:
        return None

    async def stop(self) -> None:
        return None

    def ready_in(self, target: str) -> float:
        return 0.0

    def end_to_end_encrypted(self, chat: str) -> bool:
        return self.encrypted

    async def deliver(self, delivery: Delivery) -> str | None:
        self.tries += 1
        if self.failures:
            self.failures -= 1
            raise DeliveryFailed("the platform is busy", self.retry_after)
        self.sent.append(delivery)
        return f"m{len(self.sent)}"


async def test_the_same_update_three_times_changes_nothing_after_the_first(tmp_path: Path) -> None:
    async with running_app(tmp_path / "db") as run:
        first = await run.app.submit(
            chat=CHAT, actor=SAM, text="propose Buy a kettle", update_key="telegram:update:1"
        )
        assert first.decision is not None
        for _ in range(2):
            again = await run.app.submit(
                chat=CHAT, actor=SAM, text="propose Buy a kettle", update_key="telegram:update:1"
            )
            assert again.duplicate and again.decision is None
        group = await run.storage.load_group(CHAT)
        assert group is not None and list(group.proposals) == [1]
        assert len(await run.storage.audit(CHAT)) == 1


async def test_overdue_timers_fire_once_after_a_restart_oldest_first(tmp_path: Path) -> None:
    db = tmp_path / "db"
    async with running_app(db) as run:
        await run.app.submit(chat=CHAT, actor=SAM, text="join")
        await run.app.submit(chat=CHAT, actor=ALEX, text="join")
        await run.app.submit(chat=CHAT, actor=SAM, text="propose Second\nin 3 days")
        await run.app.submit(chat=CHAT, actor=SAM, text="propose First\nin 2 days")
    # The bot is down while both deadlines pass; a new process starts later.
    async with running_app(db, start=datetime(2026, 12, 20, 9, 0, tzinfo=UTC)) as run:
        assert await run.app.run_due_timers() == 4  # two nudges, then two deadlines
        assert await run.app.run_due_timers() == 0
        fired = [
            e.command.number
            for e in await run.storage.audit(CHAT)
            if isinstance(e.command, DeadlineDue)
        ]
        assert fired == [2, 1]  # the earlier deadline first
        group = await run.app.whole_group(CHAT)  # closed: read from storage
        assert group is not None
        assert {p.stage for p in group.proposals.values()} == {Stage.NOT_AGREED}
        # A nudge whose deadline has already passed is not sent.
        assert not [
            o
            for o in await run.storage.pending_deliveries(run.clock.now())
            if o.target.startswith("dm:")
        ]


async def test_delivery_retries_with_the_pause_the_platform_asks_for(tmp_path: Path) -> None:
    async with running_app(tmp_path / "db") as run:
        adapter = Recorder(failures=2, retry_after=30)
        run.app.adapters["console"] = adapter
        await run.app.submit(chat=CHAT, actor=SAM, text="propose Buy a kettle")
        assert await run.delivery.run_once() == 0
        assert await run.delivery.run_once() == 0  # not due again yet: waiting 30 s
        assert adapter.tries == 1
        run.clock.advance(timedelta(seconds=31))
        await run.delivery.run_once()
        run.clock.advance(timedelta(seconds=31))
        await run.delivery.run_once()
        cards = [d for d in adapter.sent if isinstance(d.effect, Post) and d.effect.card]
        assert len(cards) == 1
        assert await run.storage.card_messages(CHAT, 1) == {CHAT: "m1"}


async def test_a_platform_that_is_down_does_not_hold_up_another(tmp_path: Path) -> None:
    async with running_app(tmp_path / "db") as run:
        down = Recorder("telegram", failures=10**6)
        up = Recorder("console")
        run.app.adapters.update(telegram=down, console=up)
        await run.app.submit(chat=CHAT, actor=SAM, text="join")
        group = await run.app.group(CHAT)
        assert group is not None
        # Link a Telegram chat to the same group.
        await run.app.submit(chat=CHAT, actor=SAM, text="link")
        code = next(iter((await run.app.group(CHAT)).link_codes))  # type: ignore[union-attr]
        await run.app.submit(
            chat="telegram:-100", actor=Actor("telegram:1", "Sam"), text=f"link {code}"
        )
        await run.app.submit(chat=CHAT, actor=SAM, text="propose Buy a kettle")
        await run.delivery.run_once()
        assert any(isinstance(d.effect, Post) and d.effect.card == 1 for d in up.sent)
        assert down.tries >= 1 and not down.sent
        pending = await run.storage.pending_deliveries(run.clock.now() + timedelta(hours=1))
        assert pending and all(d.target.startswith("telegram:") for d in pending)


async def test_a_fresh_chat_starts_its_own_group_with_its_first_member_as_facilitator(
    tmp_path: Path,
) -> None:
    async with running_app(tmp_path / "db") as run:
        await run.app.submit(chat=CHAT, actor=SAM, text="join", chat_title="Mum's care team")
        group = await run.app.group(CHAT)
        assert group is not None and group.name == "Mum's care team"
        assert [m.name for m in group.facilitators()] == ["Sam"]


async def test_private_words_from_a_stranger_are_answered_and_stored_nowhere(
    tmp_path: Path,
) -> None:
    async with running_app(tmp_path / "db") as run:
        result = await run.app.submit(
            chat="dm:console:zed",
            actor=Actor("console:zed", "Zed"),
            text="status",
            private=True,
            present=False,
        )
        assert result.decision is None and result.direct
        assert await run.storage.group_ids() == []


async def test_the_record_replays_from_the_audit_log(tmp_path: Path) -> None:
    """The core is deterministic: the audit log's commands rebuild the same state."""
    async with running_app(tmp_path / "db") as run:
        for actor, text in [
            (SAM, "join"),
            (ALEX, "join"),
            (SAM, "propose Buy a kettle"),
            (ALEX, "concern #1 the old one works"),
            (SAM, "consent #1"),
        ]:
            await run.app.submit(chat=CHAT, actor=actor, text=text)
        await run.wait(timedelta(days=4))
        entries = await run.storage.audit(CHAT)
        group = Group(id=CHAT, chats=(CHAT,), settings=GroupSettings())
        for entry in entries:
            group = decide(group, entry.command, entry.at).group
        assert group == await run.storage.load_group(CHAT)
        assert isinstance(entries[0].command, Request)


async def test_the_scheduler_wakes_the_application_on_time(tmp_path: Path) -> None:
    storage = await SqliteStorage.open(tmp_path / "db")
    try:
        app = Application(storage=storage, clock=SystemClock())
        scheduler = Scheduler(app)
        app.on_timers_changed = scheduler.timers_changed
        await scheduler.start()
        group = Group(id=CHAT, chats=(CHAT,))
        timer = SetTimer(
            f"{CHAT}|1|deadline", app.clock.now() + timedelta(seconds=1), DeadlineDue(1, 1)
        )
        await storage.commit(
            group_before=None,
            group_after=group,
            command=DeadlineDue(1, 1),
            now=app.clock.now(),
            summary="test",
            outgoing=[Outgoing(timer)],
        )
        scheduler.timers_changed()
        for _ in range(100):
            fired = [e for e in await storage.audit(CHAT) if e.summary == "DeadlineDue"]
            if fired:
                break
            await asyncio.sleep(0.1)
        else:
            pytest.fail("the timer did not fire")
        assert fired[0].at >= timer.due
        assert await storage.next_timer_due() is None
        scheduler.stop()
    finally:
        await storage.close()


async def test_a_chat_the_bot_was_removed_from_and_added_back_keeps_its_decisions(
    tmp_path: Path,
) -> None:
    async with running_app(tmp_path / "db") as run:
        await run.app.submit(chat=CHAT, actor=SAM, text="join")
        await run.app.submit(chat=CHAT, actor=SAM, text="propose Buy a kettle")
        await run.app.submit(chat=CHAT, actor=SAM, action=ChatGone(CHAT), present=False)
        assert await run.storage.group_for_chat(CHAT) is None
        await run.app.submit(chat=CHAT, actor=ALEX, text="status")
        group = await run.app.group(CHAT)
        assert group is not None and CHAT in group.chats
        assert list(group.proposals) == [1] and group.proposals[1].title == "Buy a kettle"
        assert await run.storage.group_for_chat(CHAT) == CHAT


async def test_a_draft_started_after_a_restart_keeps_the_deadline_asked_for(
    tmp_path: Path,
) -> None:
    db = tmp_path / "db"
    async with running_app(db) as run:
        await run.app.submit(chat=CHAT, actor=SAM, text="join")
        await run.app.submit(chat=CHAT, actor=ALEX, text="join")
        await run.app.submit(chat=CHAT, actor=SAM, text="propose Buy a kettle\nin 9 days\ndraft")
        asked = (await run.app.group(CHAT)).proposals[1].planned_deadline  # type: ignore[union-attr]
        assert asked is not None
    async with running_app(db) as run:  # a new process: the group comes from the file
        started = await run.app.submit(chat=CHAT, actor=SAM, text="start #1")
        assert started.decision is not None
        group = await run.app.group(CHAT)
        assert group is not None and group.proposals[1].stage is Stage.OPEN
        round_ = group.proposals[1].round
        assert round_ is not None and round_.deadline == asked


async def test_a_timer_set_while_the_scheduler_looks_for_the_next_is_armed(
    tmp_path: Path,
) -> None:
    """While the scheduler fires, changes to the timers are looked at once, when the
    firing ends; one made while it looks must still wake the application on time."""
    storage = await SqliteStorage.open(tmp_path / "db")
    try:
        app = Application(storage=storage, clock=SystemClock())
        scheduler = Scheduler(app)
        app.on_timers_changed = scheduler.timers_changed
        await scheduler.start()  # nothing is due, nothing is armed
        next_due = storage.next_timer_due
        timer = SetTimer(
            f"{CHAT}|1|deadline", app.clock.now() + timedelta(seconds=1), DeadlineDue(1, 1)
        )

        async def a_timer_is_set_meanwhile() -> datetime | None:
            found = await next_due()  # none yet
            storage.next_timer_due = next_due  # type: ignore[method-assign]
            await storage.commit(
                group_before=None,
                group_after=Group(id=CHAT, chats=(CHAT,)),
                command=DeadlineDue(1, 1),
                now=app.clock.now(),
                summary="test",
                outgoing=[Outgoing(timer)],
            )
            scheduler.timers_changed()
            return found

        storage.next_timer_due = a_timer_is_set_meanwhile  # type: ignore[method-assign]
        await scheduler._wake()  # a wake-up, as APScheduler gives: the firing starts
        for _ in range(100):
            if [e for e in await storage.audit(CHAT) if e.summary == "DeadlineDue"]:
                break
            await asyncio.sleep(0.1)
        else:
            pytest.fail("the timer set while the scheduler looked did not fire")
        scheduler.stop()
    finally:
        await storage.close()
