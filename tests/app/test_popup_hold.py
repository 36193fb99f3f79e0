"""A gesture's reply is held in the outbox until the adapter settles it.

A button press is answered in its pop-up, a reaction by the card's tally: the
core's reply to either is stored held (``submit(gesture=True)``), never sent
while held, then confirmed (never posted) or released (posted as usual). A hold
the bot stopped before settling is released when it starts again."""

from __future__ import annotations

from bot.core.commands import Actor, Respond
from bot.core.effects import AskReason, EditCard, Reply
from tests.app.test_application import ALEX, CHAT, SAM, Recorder
from tests.backends import Database
from tests.harness import Running, running_app

PRESS = "telegram:update:7"


async def _proposed(run: Running) -> Recorder:
    adapter = Recorder()
    run.app.adapters["console"] = adapter
    for who in (SAM, ALEX):
        await run.app.submit(chat=CHAT, actor=who, text="join")
    await run.app.submit(chat=CHAT, actor=SAM, text="propose Buy a kettle\nin 3 days")
    await run.delivery.run_once()
    adapter.sent.clear()
    return adapter


async def _press(run: Running, actor: Actor = ALEX, key: str = PRESS) -> str:
    submitted = await run.app.submit(
        chat=CHAT, actor=actor, action=Respond(1, "consent"), update_key=key, gesture=True
    )
    assert submitted.decision is not None and not submitted.decision.refused
    assert any(isinstance(e, Reply) for e in submitted.decision.effects)
    assert submitted.held == key
    return submitted.held


def _replies(adapter: Recorder) -> list[Reply]:
    return [d.effect for d in adapter.sent if isinstance(d.effect, Reply)]


def _statuses(database: Database) -> list[tuple[str, str | None]]:
    """(status, held_for) of every delivery of a reply, as stored."""
    return database.rows(
        "SELECT d.status, d.held_for FROM deliveries AS d JOIN outbox AS o "
        "ON o.id = d.outbox_id WHERE o.effect LIKE '%\"Reply\"%' ORDER BY d.id"
    )


async def test_a_held_reply_is_not_sent_while_held(database: Database) -> None:
    async with running_app(database.open) as run:
        adapter = await _proposed(run)
        await _press(run)
        await run.delivery.run_once()
        # The card's new tally goes out; the thank-you waits for the pop-up.
        assert any(isinstance(d.effect, EditCard) for d in adapter.sent)
        assert _replies(adapter) == []
        assert ("pending", PRESS) in _statuses(database)


async def test_a_confirmed_reply_is_never_sent(database: Database) -> None:
    async with running_app(database.open) as run:
        adapter = await _proposed(run)
        await run.app.confirm_held(await _press(run))
        await run.delivery.run_once()
        assert _replies(adapter) == []
        assert await run.storage.pending_deliveries(run.clock.now()) == []
    # Counted as delivered: a restart does not post it either.
    async with running_app(database.open) as run:
        adapter = Recorder()
        run.app.adapters["console"] = adapter
        await run.delivery.run_once()
        assert adapter.sent == []
    assert ("delivered", None) in _statuses(database)
    assert all(held is None for _, held in _statuses(database))


async def test_a_released_reply_is_sent(database: Database) -> None:
    async with running_app(database.open) as run:
        adapter = await _proposed(run)
        woken: list[bool] = []
        run.app.on_outbox_changed = lambda: woken.append(True)
        await run.app.release_held(await _press(run))
        assert woken  # the delivery loop is told at once
        await run.delivery.run_once()
        (reply,) = _replies(adapter)
        assert reply.chat == CHAT


async def test_a_reply_still_held_at_a_restart_is_sent(database: Database) -> None:
    """A crash between the commit and the pop-up: nothing goes unsaid."""
    async with running_app(database.open) as run:
        await _proposed(run)
        await _press(run)
    assert ("pending", PRESS) in _statuses(database)
    async with running_app(database.open) as run:
        adapter = Recorder()
        run.app.adapters["console"] = adapter
        await run.delivery.run_once()
        assert len(_replies(adapter)) == 1


async def test_only_the_settled_gestures_replies_change(database: Database) -> None:
    """Two presses held at once: confirming one leaves the other held."""
    async with running_app(database.open) as run:
        adapter = await _proposed(run)
        first = await _press(run, ALEX, "telegram:update:8")
        await _press(run, SAM, "telegram:update:9")
        await run.app.confirm_held(first)
        await run.delivery.run_once()
        assert _replies(adapter) == []
        await run.app.release_held("telegram:update:9")
        await run.delivery.run_once()
        assert len(_replies(adapter)) == 1


async def test_a_question_for_a_reason_is_never_held(database: Database) -> None:
    """ "Object" by button asks why: that question needs an answer in the chat."""
    async with running_app(database.open) as run:
        adapter = await _proposed(run)
        asked = await run.app.submit(
            chat=CHAT,
            actor=ALEX,
            action=Respond(1, "object"),
            update_key="telegram:update:10",
            gesture=True,
        )
        assert asked.decision is not None
        assert any(isinstance(e, AskReason) for e in asked.decision.effects)
        await run.delivery.run_once()
        assert any(isinstance(d.effect, AskReason) for d in adapter.sent)


async def test_words_that_are_not_a_gesture_are_never_held(database: Database) -> None:
    async with running_app(database.open) as run:
        adapter = await _proposed(run)
        typed = await run.app.submit(
            chat=CHAT, actor=ALEX, text="consent #1", update_key="telegram:update:11"
        )
        assert typed.held is None
        await run.delivery.run_once()
        assert len(_replies(adapter)) == 1
