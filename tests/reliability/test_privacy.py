"""What is held about a person goes to them alone, and goes away when they ask.

``mydata`` sends a person everything held about them, as a file, in a private
message: never in the group's chat. ``forgetme`` erases them, while the record
keeps its shape: their responses stay, from "a former member". (Closed
proposals past ``retention_months`` are deleted: ``test_retention.py``.)
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from tests.reliability import database
from tests.telegram.conftest import World, joined

OURS = "telegram:-100500"
FULL_NAME = "Alexandra Quigley"


async def test_mydata_comes_as_a_file_in_a_private_chat_never_in_the_group(world: World) -> None:
    alex = world.tg.user(1002, "Alexandra", last_name="Quigley", username="alexq")
    await joined(world, "sam", "alex")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    await world.say(alex, "/object #1 It is too loud for Mum in the mornings")
    world.tg.start_private(alex)  # Alex has started a private chat with the bot
    await world.settled()

    before = world.last_id()
    await world.say(alex, "/mydata")
    (sent,) = world.tg.calls_to("sendDocument")
    assert sent.params["chat_id"] == alex.id
    (document,) = [m.document for m in world.tg.bot_messages(alex.id) if m.document]
    assert document is not None and document.filename == "my-data.json"
    held = json.loads(document.data)
    text = json.dumps(held, ensure_ascii=False)
    assert FULL_NAME in text and "alexq" in text
    assert "It is too loud for Mum in the mornings" in text
    assert "Sam" not in text  # someone else's name is not Alex's data
    # In the group: a short answer, and no file.
    in_group = [m for m in world.tg.bot_messages(world.team) if m.message_id > before]
    assert len(in_group) == 1 and in_group[0].document is None
    assert "Alexandra" not in (in_group[0].text or "").split(".", 1)[1]


async def test_mydata_for_someone_the_bot_cannot_write_to_privately_says_so(world: World) -> None:
    await joined(world, "sam", "alex")
    before = world.last_id()
    await world.say(world.alex, "/mydata")
    assert world.tg.calls_to("sendDocument")  # tried privately …
    assert not [m for m in world.tg.bot_messages(world.team) if m.document]  # … never here
    said = " ".join(world.said(after=before))
    assert "start" in said.lower() and "private" in said.lower()
    # Once, with a mention, and a link that opens a private chat with the bot.
    (told,) = [m for m in world.tg.bot_messages(world.team) if m.message_id > before and m.buttons]
    assert "mydata" in (told.text or "") and world.alex.first_name in (told.text or "")
    (link,) = [b for b in told.buttons if "url" in b]
    (token,) = parse_qs(urlsplit(link["url"]).query)["start"]
    # Alex follows it: Start asks again, and the file comes, privately.
    world.tg.start_private(world.alex, token)
    await world.settled()
    (document,) = [m.document for m in world.tg.bot_messages(world.alex.id) if m.document]
    assert document is not None and document.filename == "my-data.json"
    assert not [m for m in world.tg.bot_messages(world.team) if m.document]


async def forgotten(world: World) -> None:
    """Alexandra Quigley responds, is asked about, asks for her data, and is forgotten."""
    alex = world.tg.user(1002, "Alexandra", last_name="Quigley", username="alexq")
    await joined(world, "sam", "alex", "jo")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    await world.say(alex, "/object #1 It is too loud for Mum in the mornings")
    await world.say(world.jo, "/consent #1")
    world.tg.start_private(alex)
    await world.say(alex, "/mydata")
    await world.say(alex, "/forgetme")


async def test_forgetme_erases_the_person_and_the_record_keeps_its_shape(world: World) -> None:
    await forgotten(world)
    group = await world.running.app.group(OURS)
    assert group is not None
    assert group.member_by_identity("telegram:1002") is None
    assert all(m.name != FULL_NAME and m.handle != "alexq" for m in group.members.values())
    # The objection stands, from "a former member", and still counts.
    card = (await world.card(1)).text or ""
    assert "✋ Object 1" in card and "✅ Consent 1" in card
    assert "a former member" in card and "Alexandra" not in card, card
    round_ = group.proposals[1].round
    assert round_ is not None and len(round_.current()) == 2
    # The group's state on disk holds neither her name, nor her handle, nor her account.
    db = database.file_of(world.running.storage)
    rows = database.table_rows(db)
    state = ("groups", "members", "identities", "proposals", "responses", "proposal_log")
    for table in state:
        for row in rows[table]:
            assert FULL_NAME not in row and "alexq" not in row and "1002" not in row, table


def naming_her(world: World) -> dict[str, list[str]]:
    """Every row of every table that holds her name, her handle or her account."""
    rows = database.table_rows(database.file_of(world.running.storage))
    naming = {
        table: [row for row in found if FULL_NAME in row or "alexq" in row or "1002" in row]
        for table, found in rows.items()
    }
    return {table: found for table, found in naming.items() if found}


async def test_forgetme_leaves_nothing_that_names_the_person_anywhere(world: World) -> None:
    await forgotten(world)
    assert naming_her(world) == {}
    # The record keeps its shape: every entry is there, hers under a pseudonym.
    summaries = database.summaries(database.file_of(world.running.storage))
    assert summaries.count("Join by former:2") == 1 and "ForgetMe by former:2" in summaries


async def test_forgetme_leaves_no_old_copy_of_her_in_the_files(world: World) -> None:
    # Not just the rows: the free space of the database file and the write-ahead
    # log, where earlier versions of the pages stay unless they are wiped.
    await forgotten(world)
    db = database.file_of(world.running.storage)
    await world.settled()
    files = [db, db.with_name(db.name + "-wal")]
    for file in files:
        raw = file.read_bytes() if file.exists() else b""
        for trace in (FULL_NAME, "alexq", "telegram:1002"):
            assert trace.encode() not in raw, (file.name, trace)


async def test_forgetme_said_privately_is_answered_there_and_then_leaves_nothing(
    world: World,
) -> None:
    alex = world.tg.user(1002, "Alexandra", last_name="Quigley", username="alexq")
    await joined(world, "sam", "alex")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    await world.say(alex, "/object #1 It is too loud for Mum in the mornings")
    world.tg.start_private(alex)
    await world.settled()
    before = world.last_id(alex.id)
    await world.say(alex, "forgetme", chat=alex.id)
    (answer,) = world.said(alex.id, after=before)
    assert "forgotten" in answer
    assert naming_her(world) == {}
