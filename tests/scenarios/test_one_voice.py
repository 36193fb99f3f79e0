"""One team across Telegram and Matrix, one person, one voice: end to end.

A Telegram group (the fake Bot API, with the real python-telegram-bot adapter)
and a Matrix room (the session's real Synapse, with the real Matrix adapter)
are linked into one group, on one application and one database. Jo is in both
chats and links her accounts with a private code (``me`` on Telegram, ``me
CODE`` in a direct room on Matrix): from then on she is counted once for the
quorum, the early pass and the reminders. A press on Telegram and a reaction on
Matrix by different members both edit both cards, and the outcome is posted
once in each chat.

Everything is delivered by the one outbox: the test settles it (fires what is
due, sends what is waiting) while it waits for the Matrix adapter to read what
the people there did.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import nio

from adapters.matrix import MatrixAdapter
from bot.config import MatrixConfig
from bot.core.model import Group, Proposal
from tests.fakes.telegram import FakeTelegram
from tests.matrix.bot import LONG_POLL_MS, is_edit_of
from tests.matrix.people import People, Person
from tests.matrix.synapse_server import SynapseServer
from tests.telegram.conftest import World, joined, start_world

WAIT = 20.0  # seconds to wait for the Matrix adapter to read and answer something


@dataclass
class Linked:
    world: World
    synapse: SynapseServer
    bot_user: str
    room: str  # the Matrix room
    jo: Person  # Jo's Matrix account
    kim: Person  # only on Matrix

    @property
    def matrix_chat(self) -> str:
        return f"matrix:{self.room}"

    async def settled_until(
        self, condition: Callable[[], Awaitable[bool] | bool], what: str
    ) -> None:
        """Settle the outbox and timers until ``condition`` holds (the Matrix adapter
        reads events as they come from its sync, so this waits for it)."""
        deadline = time.monotonic() + WAIT
        while True:
            await self.world.running.settle()
            result = condition()
            if not isinstance(result, bool):
                result = await result
            if result:
                await self.world.running.settle()
                return
            assert time.monotonic() < deadline, f"the bot never got to: {what}"
            await asyncio.sleep(0.05)

    async def group(self) -> Group:
        group = await self.world.running.app.group_of_chat(self.matrix_chat)
        assert group is not None
        return group

    async def proposal(self, number: int) -> Proposal:
        """The proposal as it is now: a decided one is read from storage."""
        group = await self.group()
        found = await self.world.running.app.proposal(group.id, number)
        assert found is not None
        return found

    async def matrix_card(self, number: int) -> str:
        group = await self.group()
        refs = await self.world.running.storage.card_messages(group.id, number)
        return refs[self.matrix_chat]

    def bot_messages(self, person: Person, room: str) -> list[nio.Event]:
        """What the bot posted in ``room`` as ``person`` sees it: new messages, not edits."""
        return [
            event
            for event in person.timelines.get(room, [])
            if isinstance(event, nio.RoomMessageText | nio.RoomMessageNotice)
            and event.sender == self.bot_user
            and event.source.get("content", {}).get("m.relates_to", {}).get("rel_type")
            != "m.replace"
        ]


@contextlib.asynccontextmanager
async def linked_chats(tmp_path: Path, synapse: SynapseServer) -> AsyncIterator[Linked]:
    """Sam, Alex and Jo in the Telegram group; Jo and Kim in the Matrix room; linked."""
    async with FakeTelegram() as tg:
        worlds = start_world(tg, tmp_path / "deciding-together.db")
        world = await anext(worlds)
        people = People(synapse, tmp_path / "nio-stores")
        adapter: MatrixAdapter | None = None
        try:
            jo = await people.new("jo", displayname="Jo")
            kim = await people.new("kim", displayname="Kim")
            bot = await synapse.aregister_user("bot", displayname="Deciding Together")
            settings = MatrixConfig(
                homeserver=synapse.base_url,
                user_id=bot.user_id,
                allowed_inviters=(jo.user_id,),
                password=bot.password,
                device_id="DECIDINGTOGETHER",
                store_path=tmp_path / "bot-store",
            )
            # The Matrix adapter joins the Telegram one on the same application.
            adapter = MatrixAdapter(settings, long_poll_ms=LONG_POLL_MS)
            world.running.app.adapters[adapter.platform] = adapter
            await adapter.start(world.running.app)
            room = await people.make_room(jo, kim, name="Mum's care team on Matrix")
            await jo.invite(room, bot.user_id)
            await jo.wait_for_members(room, [bot.user_id])
            linked = Linked(world, synapse, bot.user_id, room, jo, kim)

            await joined(world, "sam", "alex", "jo")  # Sam first: the facilitator
            await world.say(world.sam, "/link")
            code = re.findall(r"^link (\S+)$", world.said()[-1], re.MULTILINE)[-1]
            await jo.say(room, f"!link {code}")

            async def both_chats() -> bool:
                group = await world.running.app.group_of_chat(linked.matrix_chat)
                return group is not None and len(group.chats) == 2

            await linked.settled_until(both_chats, "the room joining the group")
            await kim.say(room, "!join")

            async def kim_in() -> bool:
                group = await linked.group()
                return group.member_by_identity(f"matrix:{kim.user_id}") is not None

            await linked.settled_until(kim_in, "Kim joining")
            yield linked
        finally:
            if adapter is not None:
                await adapter.stop()
            await people.close()
            await worlds.aclose()


async def link_jos_accounts(linked: Linked) -> str:
    """Jo asks for a code privately on Telegram, and says it in a direct room on Matrix;
    returns that room, where the bot writes to her privately from then on."""
    world, jo = linked.world, linked.jo
    private = world.tg.private_chat(world.jo)
    await world.say(world.jo, "/me", chat=private)
    (code,) = re.findall(r"^me (\S+)$", world.said(private)[-1], re.MULTILINE)
    created = await jo.client.room_create(
        is_direct=True, invite=[linked.bot_user], preset=nio.RoomPreset.trusted_private_chat
    )
    assert isinstance(created, nio.RoomCreateResponse), created
    direct = created.room_id
    await jo.wait_for_members(direct, [linked.bot_user])
    said = await jo.say(direct, f"!me {code}")

    async def one_jo() -> bool:
        group = await linked.group()
        return len([m for m in group.active_members() if m.name == "Jo"]) == 1

    await linked.settled_until(one_jo, "Jo's accounts linked")
    await jo.wait_for_message(
        direct, "now linked to you", sender=linked.bot_user, after=said, timeout=WAIT
    )
    return direct


async def test_one_person_on_both_platforms_counts_once_and_both_cards_follow_every_answer(
    tmp_path: Path, synapse: SynapseServer
) -> None:
    async with linked_chats(tmp_path, synapse) as linked:
        world, kim, jo, room = linked.world, linked.kim, linked.jo, linked.room
        # Before linking, Jo's two accounts are two members: she would count twice.
        group = await linked.group()
        assert [m.name for m in group.active_members()] == ["Sam", "Alex", "Jo", "Jo", "Kim"]

        direct = await link_jos_accounts(linked)
        group = await linked.group()
        assert [m.name for m in group.active_members()] == ["Sam", "Alex", "Jo", "Kim"]
        (jo_member,) = [m for m in group.active_members() if m.name == "Jo"]
        assert {i.split(":")[0] for i in jo_member.identities} == {"telegram", "matrix"}

        await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")

        async def card_in_room() -> bool:
            group = await linked.group()
            refs = await world.running.storage.card_messages(group.id, 1)
            return linked.matrix_chat in refs

        await linked.settled_until(card_in_room, "the card posted in the Matrix room")
        card_event = await linked.matrix_card(1)
        telegram_card = (await world.card(1)).text or ""
        assert "Still to respond: Sam, Alex, Jo, Kim" in telegram_card
        assert "at least 2 of 4" in telegram_card  # the quorum counts Jo once

        # A press on Telegram and a reaction on Matrix, by two people: both cards show both.
        await world.press(world.sam, await world.card(1), "Consent")
        await kim.react(room, card_event, "✅")

        async def two_answers() -> bool:
            round_ = (await linked.group()).proposals[1].round
            return round_ is not None and len(round_.participants) == 2

        await linked.settled_until(two_answers, "Kim's reaction counted")
        assert "Consent 2" in ((await world.card(1)).text or "")
        edit = await kim.wait_for_event(room, is_edit_of(card_event, "Consent 2"), timeout=WAIT)
        body = edit.source["content"]["m.new_content"]["body"]
        assert "Still to respond: Alex, Jo" in body

        # A day before the deadline, each who has not answered is reminded once: Jo on
        # the app she used last (Matrix), not on Telegram too.
        private = world.tg.private_chat(world.jo)
        before = world.last_id(private)
        await world.running.wait(timedelta(days=2, hours=1))
        await jo.wait_for_message(direct, "Buy a new kettle", sender=linked.bot_user, timeout=WAIT)
        assert not [t for t in world.said(private, after=before) if "kettle" in t]
        # Alex never opened a private chat with the bot: she is named once in the group.
        card_text = (await world.card(1)).text
        in_group = [t for t in world.said() if "kettle" in t and t != card_text]
        assert len(in_group) == 1 and "Alex" in in_group[0] and "Jo" not in in_group[0]

        # Alex answers on Telegram and Jo on Matrix: everyone has, so it passes early.
        await world.press(world.alex, await world.card(1), "Consent")
        await jo.react(room, card_event, "✅")

        async def agreed() -> bool:
            return (await linked.proposal(1)).stage.value == "agreed"

        await linked.settled_until(agreed, "the early pass")
        card = (await world.card(1)).text or ""
        assert "Consent 4" in card
        outcome_on_telegram = [
            t for t in world.said() if "It is agreed" in t and "Buy a new kettle" in t
        ]
        card_text = (await world.card(1)).text
        assert len([t for t in outcome_on_telegram if t != card_text]) == 1
        await kim.wait_for_event(room, is_edit_of(card_event, "It is agreed"), timeout=WAIT)
        await kim.wait_for_message(room, "It is agreed", sender=linked.bot_user, after=card_event)
        await kim.sync()
        outcome_on_matrix = [
            e
            for e in linked.bot_messages(kim, room)
            if "It is agreed" in e.body and e.event_id != card_event
        ]
        assert len(outcome_on_matrix) == 1
