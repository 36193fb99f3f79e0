"""The resident group: memory holds what deciding needs, the record stays in storage.

A closed proposal leaves memory once nothing more can happen to it by itself;
every command that reads it (``show``, ``history``, ``decisions``, ``export``,
``reopen``, ``forgetme``…) reads it from storage through the application, and
decides exactly as it would on the whole group (``bot.core.resident``).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.app import Submitted
from bot.core.cards import OBJECTION_EXPLAINED
from bot.core.commands import Actor
from bot.core.document import plain_text
from bot.core.effects import DirectMessage, Post, Reply, SendFile
from bot.core.model import Group, Stage
from bot.core.resident import resident
from tests.app.test_forgetting import replay
from tests.harness import Running, running_app

CHAT = "console:group"
SAM, ALEX = Actor("console:sam", "Sam"), Actor("console:alex", "Alexandra Quigley")


async def say(run: Running, actor: Actor, text: str) -> Submitted:
    return await run.app.submit(chat=CHAT, actor=actor, text=text)


def replied(submitted: Submitted) -> str:
    assert submitted.decision is not None
    return "\n".join(
        plain_text(e.document) for e in submitted.decision.effects if isinstance(e, Reply)
    )


async def agreed_kettle(run: Running) -> None:
    """#1 agreed by everyone, with no review date: nothing more happens to it by itself."""
    await say(run, SAM, "join")
    await say(run, ALEX, "join")
    await say(run, SAM, "propose Buy a kettle\nin 3 days")
    await say(run, SAM, "consent #1")
    await say(run, ALEX, "consent #1")


async def held(run: Running) -> set[int]:
    group = await run.app.group(CHAT)
    assert group is not None
    return set(group.proposals)


async def test_a_decided_proposal_leaves_memory_and_stays_in_the_record(tmp_path: Path) -> None:
    async with running_app(tmp_path / "db") as run:
        await agreed_kettle(run)
        assert await held(run) == set()
        whole = await run.storage.load_group(CHAT)
        assert whole is not None and whole.proposals[1].stage is Stage.AGREED
        assert await run.app.proposal(CHAT, 1) == whole.proposals[1]


async def test_show_history_and_decisions_read_closed_proposals_from_storage(
    tmp_path: Path,
) -> None:
    async with running_app(tmp_path / "db") as run:
        await agreed_kettle(run)
        assert "Buy a kettle" in replied(await say(run, ALEX, "show #1"))
        assert "Buy a kettle" in replied(await say(run, ALEX, "history #1"))
        assert "Buy a kettle" in replied(await say(run, ALEX, "decisions"))
        assert "no proposal #7" in replied(await say(run, ALEX, "show #7"))
        # Reading changed nothing held: #1 is still only in storage.
        assert await held(run) == set()


async def test_export_holds_the_closed_proposals(tmp_path: Path) -> None:
    async with running_app(tmp_path / "db") as run:
        await agreed_kettle(run)
        done = await say(run, ALEX, "export")
        assert done.decision is not None
        files = [e for e in done.decision.effects if isinstance(e, SendFile)]
        assert {e.filename for e in files if "Buy a kettle" in e.content} >= {
            "decisions.md",
            "record.json",
        }


async def test_a_pending_review_keeps_a_decision_in_memory_until_it_is_reviewed(
    tmp_path: Path,
) -> None:
    async with running_app(tmp_path / "db") as run:
        await agreed_kettle(run)
        await say(run, SAM, "review #1 in 10 days")
        assert await held(run) == {1}
        await run.wait(timedelta(days=11))
        group = await run.app.group(CHAT)
        assert group is not None and group.proposals[1].stage is Stage.REVIEW_DUE


async def test_reopening_a_proposal_that_did_not_pass_brings_it_back_into_memory(
    tmp_path: Path,
) -> None:
    async with running_app(tmp_path / "db") as run:
        await say(run, SAM, "join")
        await say(run, ALEX, "join")
        await say(run, SAM, "propose Buy a kettle\nin 3 days")
        await say(run, SAM, "withdraw #1")
        assert await held(run) == set()
        # Refused as the whole group would refuse it: #1 is there, and withdrawn.
        refusal = replied(await say(run, ALEX, "consent #1"))
        assert "#1" in refusal and "no proposal" not in refusal
        await say(run, SAM, "reopen #1 in 2 days")
        group = await run.app.group(CHAT)
        assert group is not None and group.proposals[1].stage is Stage.OPEN
        assert group == resident(await run.storage.load_group(CHAT) or group)


async def test_forgetme_rewrites_closed_proposals_too(tmp_path: Path) -> None:
    async with running_app(tmp_path / "db") as run:
        await say(run, SAM, "join")
        await say(run, ALEX, "join")
        await say(run, ALEX, "propose Buy a kettle\nin 3 days")
        await say(run, SAM, "object #1 Too loud")
        await say(run, ALEX, "withdraw #1")  # "Withdrawn by Alexandra Quigley."
        assert await held(run) == set()
        await run.app.submit(
            chat=f"dm:{ALEX.identity}", actor=ALEX, text="forgetme", private=True, present=False
        )
        whole = await run.storage.load_group(CHAT)
        assert whole is not None and whole.proposals[1].outcome is not None
        assert "Alexandra" not in whole.proposals[1].outcome.summary
        assert await run.app.whole_group(CHAT) == await replay(run.storage)


def card_posted(submitted: Submitted, number: int) -> str:
    assert submitted.decision is not None
    (card,) = [e for e in submitted.decision.effects if isinstance(e, Post) and e.card == number]
    return plain_text(card.document)


async def test_the_word_object_is_explained_on_the_first_card_only_after_it_closed(
    tmp_path: Path,
) -> None:
    async with running_app(tmp_path / "db") as run:
        await say(run, SAM, "join")
        await say(run, ALEX, "join")
        first = await say(run, SAM, "propose Buy a kettle\nin 3 days")
        assert OBJECTION_EXPLAINED in card_posted(first, 1)
        await say(run, SAM, "consent #1")
        await say(run, ALEX, "consent #1")
        assert await held(run) == set()  # the card that explained it is closed
        second = await say(run, SAM, "propose Paint the hall\nin 3 days")
        assert OBJECTION_EXPLAINED not in card_posted(second, 2)


async def test_memory_holds_what_the_whole_record_decides_to(tmp_path: Path) -> None:
    """Deciding on the resident group leaves it exactly as deciding on the whole
    group would: the audit log replayed on a whole group, made resident, is what
    memory holds."""
    async with running_app(tmp_path / "db") as run:
        await agreed_kettle(run)
        await say(run, SAM, "propose Paint the hall\nin 3 days")
        await say(run, ALEX, "object #2 The smell")
        await say(run, SAM, "propose Who cooks on Sunday\nin 2 days")
        await say(run, SAM, "review #1 in 20 days")
        await say(run, ALEX, "outcome #1 The blue one")
        await run.wait(timedelta(days=4))
        await say(run, SAM, "reopen #3 in 2 days")
        await say(run, ALEX, "decisions")
        await run.wait(timedelta(days=30))
        stored = await run.app.group(CHAT)
        assert stored is not None and stored == resident(await replay(run.storage))
        assert await run.app.whole_group(CHAT) == await replay(run.storage)


async def test_linking_two_accounts_rewrites_closed_proposals_too(tmp_path: Path) -> None:
    """Two members become one with ``me CODE``: the closed proposals that name the one
    merged away name the one kept, as on the whole group."""
    telegram, matrix = "telegram:-100", "matrix:!family:example.org"
    sam = Actor("telegram:1", "Sam")
    jo_tg, jo_mx = Actor("telegram:2", "Jo"), Actor("matrix:@jo:example.org", "Jo")
    async with running_app(tmp_path / "db") as run:
        app = run.app
        await app.submit(chat=telegram, actor=sam, text="join")
        asked = await app.submit(chat=telegram, actor=sam, text="link")
        assert asked.decision is not None
        code = next(
            line.split()[1]
            for e in asked.decision.effects
            if isinstance(e, Reply | Post)
            for line in plain_text(e.document).splitlines()
            if line.startswith("link ")
        )
        await app.submit(chat=matrix, actor=jo_mx, text=f"link {code}")
        await app.submit(chat=telegram, actor=jo_tg, text="join")
        await app.submit(chat=telegram, actor=sam, text="propose Buy a kettle\nin 3 days")
        await app.submit(chat=matrix, actor=jo_mx, text="concern #1 Too loud")
        await app.submit(chat=telegram, actor=sam, text="withdraw #1")
        assert await app.group(telegram) is not None
        assert 1 not in (await app.group(telegram) or Group(id="")).proposals
        asked = await app.submit(chat="dm:telegram:2", actor=jo_tg, text="me", private=True)
        assert asked.decision is not None
        me = next(
            line.split()[1]
            for e in asked.decision.effects
            if isinstance(e, Reply | DirectMessage)
            for line in plain_text(e.document).splitlines()
            if line.startswith("me ")
        )
        done = await app.submit(
            chat=f"dm:{jo_mx.identity}", actor=jo_mx, text=f"me {me}", private=True
        )
        assert done.decision is not None and not done.decision.refused
        whole = await app.whole_group(telegram)
        assert whole is not None
        named = {r.member for r in whole.proposals[1].rounds[-1].history}
        assert named and named <= set(whole.members)  # nobody merged away is named
        (jo,) = [m for m in whole.members.values() if m.name == "Jo" and m.active]
        assert jo.id in named
