"""SIGKILL a Telegram bot a dozen times in the middle of a burst: nothing answered is lost.

The bot runs as ``deciding-together run`` does, in a process of its own (see
:mod:`tests.reliability.runner`), against the fake Telegram server in this
process, and is killed at random moments — seeded, so every run kills at the
same points of the story — and started again on the same database. Telegram
keeps every update until the bot confirms it, so what a killed bot did not
finish comes again; the inbox makes the repeats change nothing.

What Telegram cannot promise is that a message is sent once: when the bot dies
after Telegram posted a message but before the outbox heard so, the next run
sends it again. Those duplicates are counted and reported, not hidden.
"""

from __future__ import annotations

import contextlib
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.core.commands import DeadlineDue
from bot.core.model import Stage
from storage.sqlite import SqliteStorage
from tests.fakes.telegram import FakeTelegram, FakeUser, StoredMessage
from tests.reliability import database
from tests.reliability.process import BotProcess, until

TEAM_ID = -100500
GROUP = f"telegram:{TEAM_ID}"
MEMBERS = 30
SILENT = 4  # the last members never press: the card names them as still to respond
TWICE = 8  # members who press Consent a second time
KILLS = 12
TRIALS = (2, 3, 4)  # proposals whose deadline passes while the bot is down
# Calls that are the bot's work, not its start-up or its polling.
WORK = frozenset({"sendmessage", "editmessagetext", "answercallbackquery", "senddocument"})


def write_config(path: Path, tg: FakeTelegram, db: Path) -> Path:
    path.write_text(
        f'[telegram]\ntoken = "{tg.token}"\nbase_url = "{tg.base_url}"\nmode = "polling"\n'
        f'\n[storage]\npath = "{db}"\n\n[logging]\nlevel = "DEBUG"\n',
        encoding="utf-8",
    )
    return path


def work_done(tg: FakeTelegram) -> int:
    return sum(1 for call in tg.calls if call.method.lower() in WORK)


def card_in_chat(tg: FakeTelegram, team: int) -> StoredMessage | None:
    """The first card of proposal #1 in the chat, once the bot has posted it."""
    return next(
        (
            m
            for m in tg.bot_messages(team)
            if (m.text or "").startswith("Proposal #1: Buy a new kettle") and m.buttons
        ),
        None,
    )


@dataclass(frozen=True)
class Press:
    person: FakeUser
    query: str  # the callback query, to find the bot's answer
    update_key: str  # the update, as the inbox knows it


def press_burst(
    tg: FakeTelegram, team: int, card: StoredMessage, people: list[FakeUser], rng: random.Random
) -> list[Press]:
    """Everyone but the silent few presses Consent, some of them twice, in a shuffled order."""
    consent = next(b["callback_data"] for b in card.buttons if "Consent" in b["text"])
    pressing = people[: MEMBERS - SILENT]
    order = [*pressing, *rng.sample(pressing, TWICE)]
    rng.shuffle(order)
    presses = []
    for person in order:
        action = tg.press_button(team, person, card.message_id, consent)
        assert action.callback_query_id is not None
        presses.append(
            Press(person, action.callback_query_id, f"telegram:update:{action.update_id}")
        )
    return presses


def answered_but_not_stored(tg: FakeTelegram, db: Path, presses: list[Press]) -> set[str]:
    """Presses the bot answered (so it said they were taken) that the database lacks."""
    answered = {press.update_key for press in presses if tg.answer_for(press.query)}
    return answered - database.seen(db, answered)


async def crash_at_a_random_moment(bot: BotProcess, tg: FakeTelegram, rng: random.Random) -> None:
    """Kill the bot after a few pieces of its work, or after a random spell of time
    (which may fall while it starts, or while it fires overdue deadlines)."""
    if rng.random() < 0.75:
        target = work_done(tg) + rng.randint(2, 10)
        # When the work runs out first, the bot is killed idle: a crash while idle is one too.
        with contextlib.suppress(TimeoutError):
            await tg.wait_for(lambda: work_done(tg) >= target, timeout=3, what="the bot's work")
    else:
        with contextlib.suppress(TimeoutError):
            await tg.wait_for(lambda: not bot.running, timeout=rng.uniform(0.3, 2.0))
    await bot.kill()


@pytest.mark.slow
async def test_sigkill_a_dozen_times_loses_no_answered_press_and_fires_each_deadline_once(
    tg: FakeTelegram, tmp_path: Path, figures: list[str]
) -> None:
    rng = random.Random(20261207)
    db = tmp_path / "deciding-together.db"
    bot = BotProcess(write_config(tmp_path / "config.toml", tg, db), tmp_path / "logs")
    people = [tg.user(5000 + n, f"Carer{n:02d}") for n in range(MEMBERS)]
    team = tg.group(TEAM_ID, "Mum's care team", supergroup=True, members=people)
    proposer = people[0]

    # The story so far, waiting at Telegram: everyone joins, one proposal to answer
    # over three days, and three trials whose two hours will pass while the bot is down.
    for person in people:
        tg.send_text(team, person, "/join")
    tg.send_text(team, proposer, "/propose Buy a new kettle\nThe old one leaks.\nin 3 days")
    for number in TRIALS:
        tg.send_text(team, proposer, f"/propose Trial week {number}\nin 2 hours")

    presses: list[Press] = []
    hours_ahead = 0.0
    try:
        for kill in range(KILLS):
            card = card_in_chat(tg, team.id)
            if not presses and card is not None:
                presses = press_burst(tg, team.id, card, people, rng)
            stages = database.proposal_stages(db, GROUP)
            if not hours_ahead and presses and all(n in stages for n in TRIALS) and kill > 2:
                hours_ahead = 3.0  # three hours pass while the bot is down
            await bot.start(hours_ahead)
            await crash_at_a_random_moment(bot, tg, rng)
            # Whatever the moment, a press answered before the kill is in the database.
            assert answered_but_not_stored(tg, db, presses) == set()
        assert presses, "the card never came: the bot made no progress between kills"
        assert hours_ahead, "the trials were never stored: the bot made no progress"

        # The last run is left to finish everything, then stopped cleanly.
        await bot.start(hours_ahead)
        await bot.until_running()
        await tg.wait_for(
            lambda: all(tg.answer_for(press.query) for press in presses),
            timeout=60,
            what="every press answered",
        )
        await tg.wait_until_consumed(timeout=30)

        def finished() -> bool:
            bot.check_alive()
            stages = database.proposal_stages(db, GROUP)
            trials_over = all(stages.get(n) == Stage.NOT_AGREED for n in TRIALS)
            return trials_over and database.pending(db) == 0

        await until(finished, "the deadlines and every delivery", timeout=60)
        await bot.stop()
    finally:
        await bot.close()

    storage = await SqliteStorage.open(db)
    try:
        group = await storage.load_group(GROUP)
        assert group is not None
        audit = await storage.audit(GROUP)
        cards = {n: int((await storage.card_messages(GROUP, n))[GROUP]) for n in (1, *TRIALS)}
    finally:
        await storage.close()
    by_identity = {f"telegram:{p.id}": p for p in people}

    # Every press was answered, and every answered press is stored exactly once:
    # one audit entry per press, one response per person in the round.
    assert answered_but_not_stored(tg, db, presses) == set()
    pressed = Counter(f"telegram:{press.person.id}" for press in presses)
    recorded = Counter(
        summary.removeprefix("Respond by ")
        for summary in (entry.summary for entry in audit)
        if summary.startswith("Respond by ")
    )
    assert recorded == pressed
    kettle = group.proposals[1]
    assert kettle.stage is Stage.OPEN and kettle.round is not None
    responses = Counter(
        group.members[r.member].identities[0] for r in kettle.round.history if r.member
    )
    assert responses == Counter(set(pressed))
    assert {r.response for r in kettle.round.history} == {"consent"}

    # The card's tally is what is stored: the number who consented, and who is left.
    card_text = tg.message(team, cards[1]).text or ""
    assert f"✅ Consent {len(pressed)}" in card_text, card_text
    silent = sorted(p.first_name for i, p in by_identity.items() if i not in pressed)
    listed = re.search(r"Still to respond: (.*)", card_text)
    assert listed is not None and sorted(listed.group(1).split(", ")) == silent

    # Every deadline that came due fired exactly once, across all the restarts.
    fired = Counter(e.command.number for e in audit if isinstance(e.command, DeadlineDue))
    assert fired == Counter(TRIALS)
    for number in TRIALS:
        outcome = group.proposals[number].outcome
        assert outcome is not None
        assert outcome.summary in (tg.message(team, cards[number]).text or "")

    # No announcement was lost: every delivery went out, none was given up on …
    sent = database.deliveries(db)
    assert [s for s in sent if s.status == "pending"] == []
    assert [s for s in sent if (s.platform_ref or "").startswith("undeliverable")] == []
    shown = {m.message_id: m for m in tg.bot_messages(team)}
    refs = [s.platform_ref or "" for s in sent if s.target == GROUP]
    made = {int(ref) for ref in refs if ref.isdigit()}
    made |= set(cards.values())
    assert made <= set(shown)
    # … and what Telegram shows beyond that are repeats, as first sent, of a message it
    # also shows as delivered: a kill between Telegram's answer and the outbox's record.
    repeats = [m for i, m in shown.items() if i not in made]
    first_sent = Counter(shown[i].original_text for i in made)
    assert [m.original_text for m in repeats if not first_sent[m.original_text]] == []
    stale_cards = [m for m in repeats if m.buttons]
    # Thirteen runs logged at DEBUG, and never once the bot's token.
    assert tg.token.split(":")[1] not in bot.log_text()
    answered_in_chat = sum(1 for m in shown.values() if (m.text or "").startswith("Thank you"))
    line = (
        f"Telegram crash test: {bot.kills} SIGKILLs, {len(presses)} button presses, "
        f"{len(shown)} bot messages in the chat, {len(repeats)} duplicate(s) sent again "
        f"after a kill ({len(stale_cards)} of them a card, left with a stale tally), "
        f"{answered_in_chat} thank-you(s) posted in the chat as their pop-up died with the bot"
    )
    print(line)
    figures.append(line)
