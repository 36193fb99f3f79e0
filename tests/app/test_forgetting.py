"""Forgetting a person, through the application: one transaction, and a record that
still replays.

The rules for rewriting are the core's (``tests/core/test_forgetting.py``); the
rows they apply to are storage's (``tests/storage/test_forgetting.py``). Here:
the whole way through, with a platform that records what it is given.
"""

from __future__ import annotations

from datetime import timedelta

from bot.app import Storage
from bot.core.commands import Actor, Request
from bot.core.decide import decide
from bot.core.effects import Reply
from bot.core.model import Group, GroupSettings, MemberStatus
from tests.app.test_application import Recorder
from tests.backends import Database
from tests.harness import Running, running_app

CHAT = "console:group"
SAM = Actor("console:sam", "Sam")
JO = Actor("console:jo", "Jo")
ALEX = Actor("console:alex", "Alexandra Quigley", handle="alexq", language="pl")


async def replay(storage: Storage) -> Group:
    """The group rebuilt from nothing but its audit log.

    The tests compare it with the group as the core left it (the application's),
    not as loaded: storage does not keep a draft's planned deadline."""
    group = Group(id=CHAT, chats=(CHAT,), settings=GroupSettings())
    for entry in await storage.audit(CHAT):
        group = decide(group, entry.command, entry.at).group
    return group


async def says(run: Running, actor: Actor, *lines: str, private: bool = False) -> None:
    for text in lines:
        chat = f"dm:{actor.identity}" if private else CHAT
        await run.app.submit(
            chat=chat, actor=actor, text=text, private=private, present=not private
        )


def naming_alex(database: Database) -> dict[str, list[str]]:
    """Every row, in every table, that names Alex (name, handle, account)."""
    found = {
        table: [r for r in rows if any(w in r for w in ("Alexandra", "alexq", "console:alex"))]
        for table, rows in database.table_rows().items()
    }
    return {table: rows for table, rows in found.items() if rows}


async def test_the_record_replays_to_the_same_group_after_a_forgetme(database: Database) -> None:
    async with running_app(database.open) as run:
        await says(run, SAM, "join", "propose Buy a kettle\nin 3 days")
        await says(run, ALEX, "join", "object #1 Too loud for Mum in the mornings")
        await says(run, JO, "join", "consent #1")
        await says(run, SAM, "propose Paint the hall", "withdraw #2")
        await says(run, ALEX, "concern #2 The smell", "forgetme")
        await says(run, SAM, "amend #1 A quiet kettle")
        await says(run, ALEX, "join")  # the same account again: a new person
        await run.wait(timedelta(days=4))
        stored = await run.app.whole_group(CHAT)
        assert stored is not None and await replay(run.storage) == stored
        # The replayed record holds the pseudonym, never her.
        entries = await run.storage.audit(CHAT)
        redacted = [e for e in entries if e.redacted_at is not None]
        assert len(redacted) == 4
        for entry in redacted:
            assert isinstance(entry.command, Request)
            assert entry.command.actor == Actor("former:2", "a former member", None, "pl")
            assert "console:alex" not in entry.summary
        # Her words stay as she typed them; her join afterwards is a new person's, kept.
        assert "Too loud for Mum in the mornings" in repr(redacted[1].command)
        (again,) = [
            e for e in entries if isinstance(e.command, Request) and e.command.actor == ALEX
        ]
        assert again.redacted_at is None and again.summary == "Join by console:alex"


async def test_someone_added_by_name_who_joined_and_was_forgotten_replays(
    database: Database,
) -> None:
    """Sam adds Alex by name; Alex speaks in the chat, Sam confirms that the account is
    the person he added (one member now), then Alex is forgotten. The record still
    replays to the same state."""
    async with running_app(database.open) as run:
        await says(run, SAM, "join", "add Alexandra Quigley", "propose Buy a kettle")
        await says(run, ALEX, "status")
        await says(run, SAM, "this is Alexandra Quigley @alexq")
        await says(run, ALEX, "consent #1", "forgetme")
        await says(run, SAM, "status")
        stored = await run.app.whole_group(CHAT)
        assert stored is not None and await replay(run.storage) == stored
        assert [m.status for m in stored.members.values()] == [
            MemberStatus.ACTIVE,
            MemberStatus.FORGOTTEN,
        ]


async def test_forgetme_leaves_no_row_naming_the_person(database: Database) -> None:
    recorder = Recorder()
    async with running_app(database.open) as run:
        run.app.adapters["console"] = recorder
        await says(run, SAM, "join", "propose Buy a kettle\nin 3 days")
        await says(run, ALEX, "join", "object #1 Too loud for Mum")
        await says(run, ALEX, "mydata", "reminders on")
        await run.settle()
        await says(run, ALEX, "forgetme")
        assert naming_alex(database) == {}
        await run.settle()
        assert naming_alex(database) == {}
        # The confirmation went out, where she asked.
        assert recorder.sent[-1].target == CHAT and isinstance(recorder.sent[-1].effect, Reply)


async def test_forgetme_said_privately_is_answered_privately_then_leaves_nothing(
    database: Database,
) -> None:
    recorder = Recorder()
    async with running_app(database.open) as run:
        run.app.adapters["console"] = recorder
        await says(run, SAM, "join", "propose Buy a kettle\nin 3 days")
        await says(run, ALEX, "join", "concern #1 The noise")
        await says(run, ALEX, "forgetme", private=True)
        # The answer waits for its delivery, to her private chat.
        waiting = database.rows("SELECT target FROM deliveries WHERE status = 'pending'")
        assert [t for (t,) in waiting if t.startswith("dm:")] == ["dm:console:alex"]
        await run.settle()
        (answer,) = [d for d in recorder.sent if d.target == "dm:console:alex"]
        assert isinstance(answer.effect, Reply) and answer.effect.private
        assert naming_alex(database) == {}


async def test_a_second_forgetme_leaves_the_others_and_the_first_as_they_were(
    database: Database,
) -> None:
    async with running_app(database.open) as run:
        await says(run, SAM, "join", "propose Buy a kettle\nin 3 days")
        await says(run, ALEX, "join", "object #1 Too loud")
        await says(run, JO, "join", "consent #1")
        await says(run, ALEX, "forgetme")
        first = await run.storage.audit(CHAT)
        await says(run, JO, "forgetme")
        second = await run.storage.audit(CHAT)
        # Alex's entries are as her forgetme left them; Jo's are Jo's no more.
        assert second[: len(first)] != first
        for before, after in zip(first, second, strict=False):
            if before.redacted_at is not None:
                assert after == before
        actors = [e.command.actor for e in second if isinstance(e.command, Request)]
        assert SAM in actors and JO not in actors and ALEX not in actors
        assert Actor("former:3", "a former member") in actors
        # Sam's rows still name Sam.
        assert any("console:sam" in row for row in database.table_rows()["audit"])
        stored = await run.app.whole_group(CHAT)
        assert stored is not None and await replay(run.storage) == stored
