"""One person, one voice through the application: the code is made with a good random
source and stored with its kind and expiry, found again after a restart, and only
by ``me CODE``; chats leave with ``unlink``; an end-to-end encrypted room is linked
to a Telegram group only once a warned facilitator confirms."""

from __future__ import annotations

import re
from pathlib import Path

from bot.app import Application, Submitted
from bot.app.ports import Delivery
from bot.core.commands import Actor
from bot.core.document import plain_text
from bot.core.effects import DirectMessage, Post, Reply
from tests.harness import running_app

TELEGRAM, MATRIX = "telegram:-100", "matrix:!family:example.org"
SAM = Actor("telegram:1", "Sam")
JO_TG, JO_MX = Actor("telegram:2", "Jo"), Actor("matrix:@jo:example.org", "Jo")
KIM = Actor("matrix:@kim:example.org", "Kim")


class Platform:
    """A platform that takes every delivery, and says whether its chats are encrypted."""

    def __init__(self, platform: str, *, encrypted: bool = False) -> None:
        self.platform = platform
        self.encrypted = encrypted
        self.sent: list[Delivery] = []

    async def start(self, app: Application) -> None:
        return None

    async def stop(self) -> None:
        return None

    def ready_in(self, target: str) -> float:
        return 0.0

    def end_to_end_encrypted(self, chat: str) -> bool:
        return self.encrypted

    async def deliver(self, delivery: Delivery) -> str | None:
        self.sent.append(delivery)
        return f"m{len(self.sent)}"


def said(submitted: Submitted) -> str:
    if submitted.decision is None:  # answered without a group: nothing stored
        return "\n".join(plain_text(document) for document in submitted.direct)
    return "\n".join(
        plain_text(e.document)
        for e in submitted.decision.effects
        if isinstance(e, Post | Reply | DirectMessage)
    )


def code_in(text: str, word: str) -> str:
    found = re.findall(rf"^{word} (\S+)$", text, re.MULTILINE)  # the line to copy
    assert found, text
    return str(found[-1])


async def linked_chats(app: Application) -> None:
    """Sam's Telegram group and Kim's Matrix room, linked into one group."""
    await app.submit(chat=TELEGRAM, actor=SAM, text="join")
    code = code_in(said(await app.submit(chat=TELEGRAM, actor=SAM, text="link")), "link")
    linked = await app.submit(chat=MATRIX, actor=KIM, text=f"link {code}")
    assert linked.decision is not None and not linked.decision.refused, said(linked)


async def test_me_then_me_code_on_the_other_app_makes_one_member_kept_after_a_restart(
    tmp_path: Path,
) -> None:
    db = tmp_path / "db"
    async with running_app(db) as run:
        await linked_chats(run.app)
        await run.app.submit(chat=TELEGRAM, actor=JO_TG, text="join")
        await run.app.submit(chat=MATRIX, actor=JO_MX, text="join")
        asked = await run.app.submit(chat="dm:telegram:2", actor=JO_TG, text="me", private=True)
        code = code_in(said(asked), "me")
        assert re.fullmatch(r"[0-9a-f]{8}", code)  # made by the application, at random
        group = await run.app.group(TELEGRAM)
        assert group is not None and code in group.account_codes
        assert code not in group.link_codes
    # The code outlives a restart: it is stored with its kind, member and expiry.
    async with running_app(db) as run:
        done = await run.app.submit(
            chat="dm:matrix:@jo:example.org", actor=JO_MX, text=f"me {code}", private=True
        )
        assert "This account is now linked to you" in said(done)
        group = await run.app.group(TELEGRAM)
        assert group is not None
        jos = [m for m in group.members.values() if m.name == "Jo" and m.active]
        assert len(jos) == 1
        assert set(jos[0].identities) == {JO_TG.identity, JO_MX.identity}
        assert group.account_codes == {}
        stored = await run.storage.load_group(TELEGRAM)
        assert stored == group
        audit = await run.storage.audit(TELEGRAM)
        assert "merged into member" in audit[-1].summary


async def test_an_account_new_to_the_group_is_found_by_its_code(tmp_path: Path) -> None:
    async with running_app(tmp_path / "db") as run:
        await linked_chats(run.app)
        await run.app.submit(chat=TELEGRAM, actor=JO_TG, text="join")
        asked = await run.app.submit(chat="dm:telegram:2", actor=JO_TG, text="me", private=True)
        code = code_in(said(asked), "me")
        done = await run.app.submit(
            chat="dm:matrix:@jo:example.org", actor=JO_MX, text=f"me {code}", private=True
        )
        assert "now linked" in said(done)
        assert await run.storage.groups_for_identity(JO_MX.identity) == [TELEGRAM]


async def test_a_chat_code_is_no_account_code_and_an_account_code_links_no_chat(
    tmp_path: Path,
) -> None:
    async with running_app(tmp_path / "db") as run:
        await run.app.submit(chat=TELEGRAM, actor=SAM, text="join")
        made = await run.app.submit(chat=TELEGRAM, actor=SAM, text="link")
        chat_code = code_in(said(made), "link")
        asked = await run.app.submit(chat="dm:telegram:1", actor=SAM, text="me", private=True)
        account_code = code_in(said(asked), "me")
        as_account = await run.app.submit(
            chat="dm:matrix:@sam:example.org",
            actor=Actor("matrix:@sam:example.org", "Sam"),
            text=f"me {chat_code}",
            private=True,
        )
        assert "does not work" in said(as_account)
        as_chat = await run.app.submit(chat=MATRIX, actor=KIM, text=f"link {account_code}")
        assert "not valid" in said(as_chat)
        assert await run.storage.group_for_chat(MATRIX) != TELEGRAM


async def test_me_code_said_in_a_chat_is_refused_and_the_code_stops_working(
    tmp_path: Path,
) -> None:
    async with running_app(tmp_path / "db") as run:
        await linked_chats(run.app)
        await run.app.submit(chat=TELEGRAM, actor=JO_TG, text="join")
        asked = await run.app.submit(chat="dm:telegram:2", actor=JO_TG, text="me", private=True)
        code = code_in(said(asked), "me")
        shown = await run.app.submit(chat=MATRIX, actor=JO_MX, text=f"me {code}")
        assert "only in a private message" in said(shown)
        later = await run.app.submit(
            chat="dm:matrix:@jo:example.org", actor=JO_MX, text=f"me {code}", private=True
        )
        assert "does not work" in said(later)


async def test_reminders_on_an_app_are_read_from_words(tmp_path: Path) -> None:
    async with running_app(tmp_path / "db") as run:
        await linked_chats(run.app)
        await run.app.submit(chat=TELEGRAM, actor=JO_TG, text="join")
        asked = await run.app.submit(chat="dm:telegram:2", actor=JO_TG, text="me", private=True)
        code = code_in(said(asked), "me")
        await run.app.submit(
            chat="dm:matrix:@jo:example.org", actor=JO_MX, text=f"me {code}", private=True
        )
        chose = await run.app.submit(chat=TELEGRAM, actor=JO_TG, text="reminders on matrix")
        assert said(chose) == "I will send your reminders on Matrix."
        group = await run.app.group(TELEGRAM)
        assert group is not None
        jo = group.member_by_identity(JO_TG.identity)
        assert jo is not None and jo.private_identities[0] == JO_MX.identity


async def test_unlink_takes_the_chat_out_and_every_chat_is_told(tmp_path: Path) -> None:
    async with running_app(tmp_path / "db") as run:
        await linked_chats(run.app)
        await run.app.submit(chat=MATRIX, actor=KIM, text="join")
        refused = await run.app.submit(chat=MATRIX, actor=KIM, text="unlink")
        assert "Only a facilitator" in said(refused)
        start = len(await run.storage.pending_deliveries(run.clock.now(), 500))
        # A facilitator says it in the chat that leaves.
        await run.app.submit(chat=TELEGRAM, actor=SAM, text="facilitator Kim")
        left = await run.app.submit(chat=MATRIX, actor=KIM, text="unlink")
        assert "This chat has left the group" in said(left)
        group = await run.app.group(TELEGRAM)
        assert group is not None and group.chats == (TELEGRAM,)
        assert await run.storage.group_for_chat(MATRIX) is None
        pending = (await run.storage.pending_deliveries(run.clock.now(), 500))[start:]
        told = {d.target for d in pending if "took one chat out" in repr(d.effect)}
        here = {d.target for d in pending if "has left the group" in repr(d.effect)}
        assert told == {TELEGRAM} and here == {MATRIX}
        home = await run.app.submit(chat=TELEGRAM, actor=SAM, text="unlink")
        assert "where the group started" in said(home)


async def test_an_encrypted_room_is_linked_to_telegram_only_after_a_warning_and_a_yes(
    tmp_path: Path,
) -> None:
    async with running_app(tmp_path / "db") as run:
        run.app.adapters.update(
            telegram=Platform("telegram"), matrix=Platform("matrix", encrypted=True)
        )
        await run.app.submit(chat=TELEGRAM, actor=SAM, text="join")
        code = code_in(said(await run.app.submit(chat=TELEGRAM, actor=SAM, text="link")), "link")
        warned = await run.app.submit(chat=MATRIX, actor=KIM, text=f"link {code}")
        text = said(warned)
        assert "end-to-end encrypted" in text and f"link {code} confirm" in text
        group = await run.app.group(TELEGRAM)
        assert group is not None and group.chats == (TELEGRAM,)
        confirmed = await run.app.submit(chat=MATRIX, actor=KIM, text=f"link {code} confirm")
        assert "added another chat" in said(confirmed)
        group = await run.app.group(TELEGRAM)
        assert group is not None and group.chats == (TELEGRAM, MATRIX)


async def test_rooms_that_are_all_plain_or_all_encrypted_need_no_warning(tmp_path: Path) -> None:
    async with running_app(tmp_path / "db") as run:
        run.app.adapters.update(telegram=Platform("telegram"), matrix=Platform("matrix"))
        await run.app.submit(chat=TELEGRAM, actor=SAM, text="join")
        code = code_in(said(await run.app.submit(chat=TELEGRAM, actor=SAM, text="link")), "link")
        linked = await run.app.submit(chat=MATRIX, actor=KIM, text=f"link {code}")
        assert "added another chat" in said(linked)


async def test_linking_renumbers_the_closed_decisions_kept_only_in_storage(
    tmp_path: Path,
) -> None:
    async with running_app(tmp_path / "db") as run:
        await linked_chats(run.app)
        await run.app.submit(chat=TELEGRAM, actor=JO_TG, text="join")
        await run.app.submit(chat=MATRIX, actor=JO_MX, text="join")
        await run.app.submit(chat=TELEGRAM, actor=SAM, text="propose Buy a kettle\nprocess ack")
        group = await run.app.group(TELEGRAM)
        assert group is not None
        jo_mx = group.member_by_identity(JO_MX.identity)
        assert jo_mx is not None
        for actor, chat in ((SAM, TELEGRAM), (KIM, MATRIX), (JO_TG, TELEGRAM), (JO_MX, MATRIX)):
            await run.app.submit(chat=chat, actor=actor, text="seen #1")
        group = await run.app.group(TELEGRAM)
        assert group is not None and 1 not in group.proposals  # closed: in storage only
        asked = await run.app.submit(chat="dm:telegram:2", actor=JO_TG, text="me", private=True)
        await run.app.submit(
            chat="dm:matrix:@jo:example.org",
            actor=JO_MX,
            text=f"me {code_in(said(asked), 'me')}",
            private=True,
        )
        stored = (await run.storage.read_proposals(TELEGRAM, (1,)))[1]
        named = {r.member for round_ in stored.rounds for r in round_.history}
        assert jo_mx.id not in named  # one member now, in the closed record too
        assert len(named) == 3
