"""``mydata`` through the application: everything kept about a person, in every
group, as one file.

The core writes what its one group holds (``tests/core/test_views.py``); the
application adds the person's other groups, the audit entries of what they
typed, and the adapters' memory about them.
"""

from __future__ import annotations

import json
from typing import Any

from bot.core.commands import Actor
from bot.core.effects import SendFile
from tests.backends import Database
from tests.harness import Running, running_app

HOME = "console:group"
OTHER = "console:other"
SAM = Actor("console:sam", "Sam")
ALEX = Actor("console:alex", "Alex")
JO = Actor("console:jo", "Jo")


async def says(run: Running, actor: Actor, chat: str, *lines: str) -> Any:
    submitted = None
    for text in lines:
        submitted = await run.app.submit(chat=chat, actor=actor, text=text)
    return submitted


async def my_file(run: Running, chat: str) -> dict[str, Any]:
    submitted = await says(run, ALEX, chat, "mydata")
    assert submitted is not None and submitted.decision is not None
    (sent,) = [e for e in submitted.decision.effects if isinstance(e, SendFile)]
    assert sent.filename == "my-data.json"
    data: dict[str, Any] = json.loads(sent.content)
    return data


async def test_mydata_holds_every_group_what_was_typed_and_what_adapters_remember(
    database: Database,
) -> None:
    async with running_app(database.open) as run:
        await says(run, SAM, HOME, "join", "propose Buy a kettle\nA quiet one, please.\nin 3 days")
        await says(run, ALEX, HOME, "join", "propose Paint the hall\nBlue, like the sea.")
        await says(run, SAM, OTHER, "join", "propose Move the visit\nhide results\nin 3 days")
        await says(run, ALEX, OTHER, "join", "object #1 Mum sleeps until ten")
        await says(run, JO, OTHER, "join", "concern #1 Jo's own worry")
        await run.storage.set_value("telegram:private:alex", "open", about="console:alex")
        await run.storage.set_value("telegram:private:jo", "open", about="console:jo")

        data = await my_file(run, HOME)

        groups = {part["group"]: part for part in data["groups"]}
        assert list(groups) == [HOME, OTHER]  # the group asked in first, then the others
        home, other = groups[HOME], groups[OTHER]
        assert home["member"]["name"] == "Alex" and other["member"]["name"] == "Alex"
        # The text of the proposal she wrote, not only its number.
        (painted,) = home["proposed"]
        assert painted["versions"][0]["title"] == "Paint the hall"
        assert painted["versions"][0]["details"] == "Blue, like the sea."
        # Her own reason, even while the results are hidden from everyone else.
        (objection,) = other["responses"]
        assert objection["reason"] == "Mum sleeps until ten"
        # What she typed, in every group, from the audit log.
        typed = json.dumps(data["typed"], ensure_ascii=False)
        assert {entry["group"] for entry in data["typed"]} == {HOME, OTHER}
        assert "Paint the hall" in typed and "Mum sleeps until ten" in typed
        assert "Buy a kettle" not in typed  # Sam typed that
        # What the chat adapters remember about her, and nobody else's.
        assert data["chat_app_memory"] == {"telegram:private:alex": "open"}
        everything = json.dumps(data, ensure_ascii=False)
        assert "Jo's own worry" not in everything
