"""The Matrix adapter's memory and forgetting, without a homeserver: what it
remembers about a person goes when they are forgotten, and nothing else does."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from adapters.matrix.memory import Memory, ReactionRecord, ReasonPrompt
from bot.app import Application, ManualClock, Outgoing
from bot.core.commands import Actor, ForgetMe, Request
from bot.core.effects import Forget
from bot.core.model import Group, Member, MemberStatus
from storage.sqlite import SqliteStorage
from tests.reliability import database

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
ROOM = "!care:example.org"
ALEX, SAM = "@alexq:example.org", "@sam:example.org"


def team(alex: Member) -> Group:
    sam = Member(1, "Sam", (f"matrix:{SAM}",))
    return Group(id=f"matrix:{ROOM}", chats=(f"matrix:{ROOM}",), members={1: sam, 2: alex})


async def test_what_the_adapter_remembers_about_someone_goes_when_they_are_forgotten(
    tmp_path: Path,
) -> None:
    storage = await SqliteStorage.open(tmp_path / "db")
    try:
        memory = Memory(Application(storage, ManualClock(NOW)), "@bot:example.org")
        alex = Member(2, "Alexandra Quigley", (f"matrix:{ALEX}",), handle="alexq")
        before = team(alex)
        await storage.commit(
            group_before=None,
            group_after=before,
            command=Request(Actor(f"matrix:{SAM}", "Sam"), before.id, ForgetMe()),
            now=NOW,
            summary="set up",
            outgoing=(),
        )
        await memory.set_since("s72_1")
        for user in (ALEX, SAM):
            name = user[1:].split(":")[0]
            await memory.remember_direct_room(user, f"!dm-{name}:example.org")
            await memory.remember_prompt(ROOM, user, ReasonPrompt(1, "object", "$ask"))
            await memory.remember_reaction(
                f"$react-{name}", ReactionRecord(before.id, "$card", before.id, 1, "👍", user)
            )
        await memory.forget_prompt(ROOM, SAM)  # answered: empty, and still Sam's

        after = before.with_member(Member(2, "", (), status=MemberStatus.FORGOTTEN))
        forget = Forget(2, alex.identities, (alex.name,), ("alexq",), "a former member")
        await storage.commit(
            group_before=before,
            group_after=after,
            command=Request(Actor(f"matrix:{ALEX}", alex.name, "alexq"), before.id, ForgetMe()),
            now=NOW,
            summary=f"ForgetMe by matrix:{ALEX}",
            outgoing=(Outgoing(forget),),
        )

        assert await memory.direct_room(ALEX) is None
        assert await memory.direct_user("!dm-alexq:example.org") is None
        assert await memory.prompt(ROOM, ALEX) is None
        assert await memory.reaction("$react-alexq") is None
        # Sam's, and the adapter's own, stay.
        assert await memory.direct_room(SAM) == "!dm-sam:example.org"
        assert await memory.direct_user("!dm-sam:example.org") == SAM
        assert await memory.reaction("$react-sam") is not None
        assert await memory.since() == "s72_1"
        kv = database.table_rows(database.file_of(storage))["kv"]
        assert not [row for row in kv if "alexq" in row]
        assert [row for row in kv if "sam" in row]
    finally:
        await storage.close()
