"""1. The pure core: responses decided per second, in one process, no I/O.

A team of 12 with 10 open proposals; 11 of them respond to every proposal
(the 12th stays silent, so nothing passes early), alternately consenting and
raising a concern with a reason. Each response is a real change: a new
history entry, a new tally, a new card. After each full round of responses
the team starts again from the same state, so histories stay the length a
real round has.
"""

from __future__ import annotations

import cProfile
import pstats
import time
from datetime import timedelta
from io import StringIO

from bench.results import Figure, Report
from bench.workload import PEOPLE, PROPOSALS, START, actor, make_team
from bot.core import commands as c
from bot.core.decide import decide
from bot.core.effects import EditCard

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


def run(report: Report, seconds: float) -> None:
    team = make_team("console:bench")
    base, now, batch = team.group, START + timedelta(hours=1), requests()
    # Each must be a real response that redraws the card.
    group = base
    for request in batch:
        decision = decide(group, request, now)
        assert any(isinstance(e, EditCard) for e in decision.effects), decision.summary
        group = decision.group

    def decide_for(duration: float) -> tuple[int, float]:
        done, started = 0, time.perf_counter()
        while time.perf_counter() - started < duration:
            group = base
            for request in batch:
                group = decide(group, request, now).group
            done += len(batch)
        return done, time.perf_counter() - started

    decide_for(min(1.0, seconds / 4))  # warm the caches
    done, elapsed = decide_for(seconds)
    rate = done / elapsed
    report.add(
        Figure("1 core", "responses decided", rate, "/s", TARGET, notes="one process, no I/O")
    )
    report.details["core"] = {
        "responses": done,
        "seconds": elapsed,
        "microseconds_per_response": 1e6 / rate,
        "where_the_time_goes": _profile(base, batch, now),
    }


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
