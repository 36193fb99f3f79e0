"""SIGKILL a Matrix bot while a care team responds: nothing is lost, and nothing shows twice.

The bot runs as ``deciding-together run`` does, in a process of its own,
against the test Synapse, with real nio clients as the people. It is killed at
random moments (seeded) and started again on the same database and store. The
sync token is saved only after the events it covers are committed, so a
killed bot sees those events again and the inbox drops the repeats; every send
carries its delivery's key as the transaction id, so a message sent again
after a kill is the same event, not a second one — which this test asserts.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from bot.core.commands import DeadlineDue
from bot.core.model import Stage
from storage.sqlite import SqliteStorage
from tests.matrix.people import People, Person
from tests.matrix.synapse_server import SynapseServer
from tests.reliability import database
from tests.reliability.process import BotProcess, until

KILLS = 4
TRIALS = (2, 3)


def write_config(
    path: Path, synapse: SynapseServer, user_id: str, password: str, inviter: str, db: Path
) -> Path:
    path.write_text(
        "[matrix]\n"
        f'homeserver = "{synapse.base_url}"\n'
        f'user_id = "{user_id}"\n'
        f'password = "{password}"\n'
        f'store_path = "{path.parent / "matrix-store"}"\n'
        f'allowed_inviters = ["{inviter}"]\n'
        "encrypted_direct_rooms = false\n"
        f'\n[storage]\npath = "{db}"\n\n[logging]\nlevel = "DEBUG"\n',
        encoding="utf-8",
    )
    return path


async def room_events(synapse: SynapseServer, person: Person, room: str) -> list[dict[str, Any]]:
    """Every event of the room's timeline, oldest first, as the homeserver keeps it."""
    answer = await asyncio.to_thread(
        synapse.request,
        "GET",
        f"/_matrix/client/v3/rooms/{quote(room)}/messages?dir=b&limit=1000",
        access_token=person.user.access_token,
    )
    return list(reversed(answer["chunk"]))


async def crash_at_a_random_moment(bot: BotProcess, db: Path, rng: random.Random) -> None:
    """Kill the bot after it recorded a few more commands, or after a random spell."""
    if rng.random() < 0.5:
        target = len(database.summaries(db)) + rng.randint(1, 4)
        with contextlib.suppress(TimeoutError):
            await until(lambda: len(database.summaries(db)) >= target, "progress", timeout=5)
    else:
        with contextlib.suppress(TimeoutError):
            await until(lambda: not bot.running, "a random moment", timeout=rng.uniform(0.5, 3.0))
    await bot.kill()


@pytest.mark.slow
async def test_sigkill_the_matrix_bot_loses_nothing_and_shows_nothing_twice(
    synapse: SynapseServer, people: People, tmp_path: Path, figures: list[str]
) -> None:
    rng = random.Random(20261208)
    names = ("alice", "bob", "carol", "dan", "erin", "fay", "gus")
    alice, bob, carol, dan, erin, fay, gus = [await people.new(name) for name in names]
    account = await synapse.aregister_user("bot", displayname="Deciding Together")
    db = tmp_path / "deciding-together.db"
    config = write_config(
        tmp_path / "config.toml", synapse, account.user_id, account.password, alice.user_id, db
    )
    bot = BotProcess(config, tmp_path / "logs")
    try:
        await bot.start()
        room = await people.make_room(alice, bob, carol, dan, erin, fay, gus, name="Care team")
        await alice.invite(room, account.user_id)
        await alice.wait_for_members(room, [account.user_id])
        said = await alice.say(room, "!propose Buy a new kettle\nThe old one leaks.\nin 3 days")
        card = (
            await alice.wait_for_message(room, "Proposal #1", sender=account.user_id, after=said)
        ).event_id
        events = [said]
        for number in TRIALS:
            events.append(await alice.say(room, f"!propose Trial week {number}\nin 2 hours"))
        # The burst: reactions and typed words; more come between the kills, some of
        # them while the bot is down, one saying again what is already recorded.
        for person in (bob, carol, dan, erin):
            events.append(await person.react(room, card, "✅"))
        events.append(await fay.say(room, "!consent #1"))
        later = [
            lambda: fay.react(room, card, "✅"),
            lambda: carol.say(room, "!consent #1"),
            lambda: gus.say(room, "!status"),
            lambda: bob.say(room, "!show #1"),
        ]

        hours_ahead = 0.0
        for kill in range(KILLS):
            await crash_at_a_random_moment(bot, db, rng)
            events.append(await later[kill]())
            stages = database.proposal_stages(db, f"matrix:{room}")
            if not hours_ahead and all(n in stages for n in TRIALS):
                hours_ahead = 3.0  # the trials' two hours pass while the bot is down
            await bot.start(hours_ahead)
        await bot.until_running()

        keys = {f"matrix:{event}" for event in events}

        def finished() -> bool:
            bot.check_alive()
            stages = database.proposal_stages(db, f"matrix:{room}")
            trials_over = all(stages.get(n) == Stage.NOT_AGREED for n in TRIALS)
            handled = database.seen(db, keys) == keys
            return hours_ahead > 0 and trials_over and handled and database.pending(db) == 0

        await until(finished, "every event handled and every delivery made", timeout=90)
        await bot.stop()
    finally:
        await bot.close()

    group_id = f"matrix:{room}"
    storage = await SqliteStorage.open(db)
    try:
        group = await storage.load_group(group_id)
        assert group is not None
        audit = await storage.audit(group_id)
        cards = {n: (await storage.card_messages(group_id, n))[group_id] for n in (1, *TRIALS)}
    finally:
        await storage.close()

    # Each reaction and each typed response is recorded once; each person has one response.
    said_by = Counter(
        e.summary.removeprefix("Respond by matrix:")
        for e in audit
        if e.summary.startswith("Respond by ")
    )
    assert said_by == Counter(
        {p.user_id: 1 for p in (bob, dan, erin)} | {carol.user_id: 2, fay.user_id: 2}
    )
    kettle = group.proposals[1]
    assert kettle.round is not None and kettle.stage is Stage.OPEN
    members = Counter(
        group.members[r.member].identities[0] for r in kettle.round.history if r.member
    )
    assert members == Counter(f"matrix:{p.user_id}" for p in (bob, carol, dan, erin, fay))

    # Every deadline that came due fired once.
    fired = Counter(e.command.number for e in audit if isinstance(e.command, DeadlineDue))
    assert fired == Counter(TRIALS)

    # What the room shows: every message of the bot is one delivery, none is there twice.
    timeline = await room_events(synapse, alice, room)
    from_bot = [
        e for e in timeline if e["sender"] == account.user_id and e["type"] == "m.room.message"
    ]
    sent = database.deliveries(db)
    assert [s for s in sent if s.status == "pending"] == []
    made = {s.platform_ref for s in sent if s.platform_ref} | set(cards.values())
    assert [e["event_id"] for e in from_bot if e["event_id"] not in made] == []
    assert len({e["event_id"] for e in from_bot}) == len(from_bot)
    edits = [e for e in from_bot if relates_to_event(e) == cards[1]]
    assert edits, "the card was never edited"
    latest = edits[-1]["content"]["m.new_content"]["body"]
    assert "✅ Consent 5" in latest, latest

    line = (
        f"Matrix crash test: {bot.kills} SIGKILLs, {len(from_bot)} bot events in the room, "
        "0 duplicates (transaction ids)"
    )
    print(line)
    figures.append(line)


def relates_to_event(event: dict[str, Any]) -> str | None:
    content = event.get("content")
    relation = content.get("m.relates_to") if isinstance(content, dict) else None
    if isinstance(relation, dict) and relation.get("rel_type") == "m.replace":
        return str(relation.get("event_id"))
    return None
