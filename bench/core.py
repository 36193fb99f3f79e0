"""1. The pure core: responses decided per second, in one process, no I/O.

A team of 12 with 10 open proposals; 11 of them respond to every proposal
(the 12th stays silent, so nothing passes early), alternately consenting and
raising a concern with a reason. Each response is a real change: a new
history entry, a new tally, a new card. After each full round of responses
the team starts again from the same state, so histories stay the length a
real round has.

Two figures, measured in interleaved pairs (``bench.pairs``):

* **decide alone**: what every response costs the core. *The 50,000/s target
  is about this one.* ``decide`` only says that a card changed (``EditCard``).
* **decide + drawing the card**: as if every response's card were drawn
  (``cards.card``), the cost of a response when the card is drawn for each.
  In the running bot the card is drawn when its edit is sent, by the
  delivery loop: superseded edits are never drawn, and Telegram's pacing lets
  a group's card be edited about once every three seconds, so a busy group
  draws far fewer cards than it gets responses. This figure is the ceiling
  of that cost, not the usual one.
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import statistics
import time
from datetime import datetime, timedelta
from io import StringIO

from bench.pairs import PAIRS, interleave
from bench.results import Report, paired
from bench.workload import PEOPLE, PROPOSALS, START, actor, make_team
from bot.core import commands as c
from bot.core.cards import card
from bot.core.decide import decide
from bot.core.effects import EditCard
from bot.core.model import Group

TARGET = 50_000  # responses per second


def requests(number_of_people: int = PEOPLE - 1) -> list[c.Request]:
    chat = "console:bench"
    out = []
    for person in range(number_of_people):
        for proposal in range(1, PROPOSALS + 1):
            consent = (person + proposal) % 2 == 0
            word, reason = ("consent", "") if consent else ("concern", "it is a long way to go")
            action = c.Respond(number=proposal, word=word, reason=reason)
            out.append(c.Request(actor=actor(person), chat=chat, action=action))
    return out


def run(report: Report, seconds: float, pairs: int = PAIRS) -> None:
    """``seconds``: about how long the core is measured in all, both figures together."""
    team = make_team("console:bench")
    base, now, batch = team.group, START + timedelta(hours=1), requests()
    # Each must be a real response that redraws the card.
    group = base
    for request in batch:
        decision = decide(group, request, now)
        assert any(isinstance(e, EditCard) for e in decision.effects), decision.summary
        group = decision.group

    def decide_for(duration: float, *, drawing: bool) -> float:
        done, started = 0, time.perf_counter()
        while time.perf_counter() - started < duration:
            group = base
            if drawing:
                for request in batch:
                    decision = decide(group, request, now)
                    group = decision.group
                    _draw(group, decision.effects, now)
            else:
                for request in batch:
                    group = decide(group, request, now).group
            done += len(batch)
        return done / (time.perf_counter() - started)

    decide_for(min(1.0, seconds / 8), drawing=True)  # warm the caches
    each = seconds / (2 * pairs)

    async def alone() -> float:
        return decide_for(each, drawing=False)

    async def drawn() -> float:
        return decide_for(each, drawing=True)

    deciding, drawing = asyncio.run(interleave(pairs, alone, drawn))
    report.add(
        paired(
            "1 core", "responses decided (decide alone)", deciding, [], "/s",
            target=TARGET, notes="one process, no I/O; the target is about this figure",
        )
    )  # fmt: skip
    report.add(
        paired(
            "1 core", "responses decided and their card drawn", drawing, deciding, "/s",
            baseline_name="decide alone",
            notes="every response's card drawn (the bot draws only the edits it sends)",
        )
    )  # fmt: skip
    rate = statistics.median(deciding)
    report.details["core"] = {
        "decide_alone_per_second": deciding,
        "decide_and_card_per_second": drawing,
        "microseconds_per_response": 1e6 / rate,
        "microseconds_per_card": 1e6 / statistics.median(drawing) - 1e6 / rate,
        "where_the_time_goes": _profile(base, batch, now),
    }


def _draw(group: Group, effects: tuple[object, ...], now: datetime) -> None:
    for effect in effects:
        if isinstance(effect, EditCard):
            card(group, group.proposals[effect.number], now)


# The steps of a response whose share of the time is reported (cumulative, so a
# step includes what it calls): (file, function) -> what it does.
STEPS = {
    ("decide.py", "_identify"): "finding the person",
    ("responding.py", "_open_proposal"): "finding the proposal",
    ("responding.py", "_append"): "recording it: copies of round, proposal, group",
    ("responding.py", "_acknowledge"): "the thank-you reply",
    ("responding.py", "after_change"): "the early-pass check and the card edit",
}


def _profile(base: object, batch: list[c.Request], now: object) -> dict[str, float]:
    """Share of the core's time in each step of a response (cProfile, which
    makes small calls look dearer than they are: the shares are a guide)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(10):
        group = base
        for request in batch:
            group = decide(group, request, now).group  # type: ignore[arg-type]
    profiler.disable()
    stats = pstats.Stats(profiler, stream=StringIO())
    total = sum(v[3] for k, v in stats.stats.items() if k[2] == "decide")  # type: ignore[attr-defined]
    shares: dict[str, float] = {}
    for (path, _line, name), value in stats.stats.items():  # type: ignore[attr-defined]
        step = STEPS.get((path.rsplit("/", 1)[-1], name))
        if step is not None:
            shares[step] = round(value[3] / total, 3)
    return shares
