"""The retention purge takes a proposal's words out of everything the bot keeps:
its messages (files included) and the audit log, down to the bytes of the files.

What storage deletes with a proposal is in ``tests/storage/test_purge.py``; here,
the whole way through, with the files people ask for and a platform that takes
every message.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.commands import Actor, Propose, Request, Respond
from storage.purge import PURGED
from tests.app.test_application import Recorder
from tests.harness import Running, running_app

CHAT = "console:group"
SAM = Actor("console:sam", "Sam")
ALEX = Actor("console:alex", "Alex")
LONG_AGO = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
LATELY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
# The purged proposal's words: its title, details, a reason with an apostrophe
# (escaped differently in HTML, JSON, CSV and Markdown) and a question.
PURGED_WORDS = (
    "Replace the stairlift",
    "knees give way on the landing",
    "it's too loud at night",
    "Who fits the hoist",
)
KEPT_WORDS = ("Buy a new kettle", "The old kettle leaks")


async def says(run: Running, actor: Actor, *lines: str, private: bool = False) -> None:
    for text in lines:
        chat = f"dm:{actor.identity}" if private else CHAT
        await run.app.submit(
            chat=chat, actor=actor, text=text, private=private, present=not private
        )
        await run.settle()


def files_holding(db: Path, words: tuple[str, ...]) -> dict[str, list[str]]:
    """The words found in the database's files, free space and journal included."""
    found = {}
    for file in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        data = file.read_bytes() if file.exists() else b""
        there = [w for w in words if w.encode() in data]
        if there:
            found[file.name] = there
    return found


async def test_after_the_purge_a_proposals_words_are_in_no_message_file_or_record(
    tmp_path: Path,
) -> None:
    db = tmp_path / "deciding-together.db"
    async with running_app(db, start=LONG_AGO) as run:
        platform = Recorder()
        run.app.adapters["console"] = platform
        await says(run, SAM, "join")
        await says(run, ALEX, "join")
        await says(
            run,
            SAM,
            "propose Replace the stairlift with a hoist\n"
            "Her knees give way on the landing.\nquestions 1 day\nin 3 days",
        )
        await says(run, ALEX, "ask #1 Who fits the hoist, and when?")
        await run.wait(timedelta(days=1, hours=1))
        await says(run, ALEX, "object #1 Mum says it's too loud at night")
        await says(run, SAM, "history #1", "show #1 printable", "show #1", "export", "decisions")
        await says(run, ALEX, "mydata", private=True)
        await says(run, SAM, "withdraw #1")
        run.clock.advance(LATELY - run.clock.now())
        await says(run, SAM, "propose Buy a new kettle\nin 3 days")
        await says(run, ALEX, "concern #2 The old kettle leaks")
        # Every word was sent: in messages, and in files (printable page, export, mydata).
        sent = repr([delivery.effect for delivery in platform.sent])
        assert all(words in sent for words in PURGED_WORDS)
        assert {"proposal-1.html", "my-data.json"} <= {
            getattr(d.effect, "filename", "") for d in platform.sent
        }
        assert files_holding(db, PURGED_WORDS)

        assert await run.app.purge_closed(LATELY - timedelta(days=30)) == 1

        assert files_holding(db, PURGED_WORDS) == {}
        assert set(files_holding(db, KEPT_WORDS)["deciding-together.db"]) | set(
            files_holding(db, KEPT_WORDS).get("deciding-together.db-wal", [])
        ) == set(KEPT_WORDS)
        # The record keeps every entry, in its place, with the words taken out.
        entries = await run.storage.audit(CHAT)
        commands = [e.command for e in entries if isinstance(e.command, Request)]
        proposals = [c.action for c in commands if isinstance(c.action, Propose)]
        assert [p.title for p in proposals] == [PURGED, "Buy a new kettle"]
        assert proposals[0].details == PURGED
        reasons = [c.action.reason for c in commands if isinstance(c.action, Respond)]
        assert reasons == [PURGED, "The old kettle leaks"]
