"""Who may act, through the application: linking chats across groups, and a timer
that fails failing alone."""

from __future__ import annotations

import logging
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import Submitted
from bot.core.commands import Actor
from bot.core.document import plain_text
from bot.core.effects import Post, Reply
from bot.core.model import Stage
from tests.harness import running_app

TEAM, FAMILY, MIAS = "console:team", "console:family", "console:mia"
SAM, MIA, KIM = (
    Actor("console:sam", "Sam"),
    Actor("console:mia", "Mia"),
    Actor("console:kim", "Kim"),
)


def said(submitted: Submitted) -> str:
    assert submitted.decision is not None
    return "\n".join(
        plain_text(e.document) for e in submitted.decision.effects if isinstance(e, Post | Reply)
    )


def code_in(submitted: Submitted) -> str:
    return said(submitted).split("link ")[-1].strip()


async def test_a_member_cannot_take_the_teams_chat_into_a_group_of_her_own(
    tmp_path: Path,
) -> None:
    async with running_app(tmp_path / "db") as run:
        await run.app.submit(chat=TEAM, actor=SAM, text="join")
        await run.app.submit(chat=TEAM, actor=MIA, text="join")
        await run.app.submit(chat=TEAM, actor=SAM, text="propose Move the visit to 10:00")
        # Mia starts a group in her own chat, where she is the facilitator …
        made = await run.app.submit(chat=MIAS, actor=MIA, text="link")
        code = code_in(made)
        # … and uses its code in the team's chat, where she is not.
        tried = await run.app.submit(chat=TEAM, actor=MIA, text=f"link {code}")
        assert tried.decision is not None and tried.decision.refused
        assert "Only a facilitator" in said(tried)
        team, mias = await run.app.group(TEAM), await run.app.group(MIAS)
        assert team is not None and mias is not None
        assert team.chats == (TEAM,) and mias.chats == (MIAS,)
        assert await run.storage.group_for_chat(TEAM) == TEAM
        # The real facilitator still runs the team.
        closed = await run.app.submit(chat=TEAM, actor=SAM, text="close #1")
        assert closed.decision is not None and not closed.decision.refused


async def test_a_chat_joins_another_group_when_facilitators_of_both_say_so(
    tmp_path: Path,
) -> None:
    async with running_app(tmp_path / "db") as run:
        await run.app.submit(chat=TEAM, actor=SAM, text="join")
        await run.app.submit(chat=FAMILY, actor=KIM, text="join")  # Kim runs the family chat
        code = code_in(await run.app.submit(chat=TEAM, actor=SAM, text="link"))
        linked = await run.app.submit(chat=FAMILY, actor=KIM, text=f"link {code}")
        assert linked.decision is not None and not linked.decision.refused
        assert "Kim added another chat to this group" in said(linked)
        team, family = await run.app.group(TEAM), await run.app.group(FAMILY)
        assert team is not None and family is not None
        assert team.chats == (TEAM, FAMILY)
        assert family.chats == ()  # the old group no longer lists the chat
        assert await run.storage.group_for_chat(FAMILY) == TEAM
        # Both chats hear of it.
        stored = await run.storage.pending_deliveries(run.clock.now())
        told = {d.target for d in stored if "added another chat" in repr(d.effect)}
        assert told == {TEAM, FAMILY}


async def test_a_chat_with_its_own_decisions_is_not_moved(tmp_path: Path) -> None:
    async with running_app(tmp_path / "db") as run:
        await run.app.submit(chat=TEAM, actor=SAM, text="join")
        await run.app.submit(chat=FAMILY, actor=KIM, text="propose Buy a kettle")
        code = code_in(await run.app.submit(chat=TEAM, actor=SAM, text="link"))
        tried = await run.app.submit(chat=FAMILY, actor=KIM, text=f"link {code}")
        assert "already has its own decisions" in said(tried)
        assert await run.storage.group_for_chat(FAMILY) == FAMILY
        team = await run.app.group(TEAM)
        assert team is not None and team.chats == (TEAM,) and code in team.link_codes


def _damage(db: Path, statement: str, *params: object) -> None:
    with sqlite3.connect(db) as raw:
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute(statement, params)


async def test_one_groups_broken_timer_does_not_stop_another_groups_deadline(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "db"
    async with running_app(db) as run:
        for chat in (TEAM, FAMILY):
            await run.app.submit(chat=chat, actor=SAM, text="propose Buy a kettle\nin 2 days")
        start = run.clock.now()
    # One group's proposal is damaged (a process no version knows), and one timer of
    # the other kind is unreadable: the other group's deadline must still close it.
    _damage(db, "UPDATE proposals SET process = 'gone' WHERE group_id = ?", TEAM)
    async with running_app(db, start=start) as run:
        with caplog.at_level(logging.ERROR, "deciding_together.app"):
            await run.wait(timedelta(days=3))
        family = await run.app.whole_group(FAMILY)
        assert family is not None and family.proposals[1].stage is not Stage.OPEN
        # The broken one is logged with its group, and still owed: moved on, not lost.
        assert any(TEAM in r.getMessage() for r in caplog.records)
        due = await run.storage.next_timer_due()
        assert due is not None and due > run.clock.now()


async def test_an_unreadable_timer_is_moved_on_and_the_others_still_fire(tmp_path: Path) -> None:
    db = tmp_path / "db"
    async with running_app(db) as run:
        for chat in (TEAM, FAMILY):
            await run.app.submit(chat=chat, actor=SAM, text="propose Buy a kettle\nin 2 days")
        start = run.clock.now()
    _damage(db, "UPDATE timers SET event = '{not json' WHERE group_id = ?", TEAM)
    async with running_app(db, start=start) as run:
        await run.wait(timedelta(days=3))
        family = await run.app.whole_group(FAMILY)
        assert family is not None and family.proposals[1].stage is not Stage.OPEN
        with sqlite3.connect(db) as raw:
            kept = raw.execute(
                "SELECT count(*) FROM timers WHERE group_id = ? AND fired_at IS NULL", (TEAM,)
            ).fetchone()[0]
        assert kept >= 1
