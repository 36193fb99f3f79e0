"""Every benchmark case at its smallest size, so that a broken benchmark fails the suite.

Nothing here is timed or held against a target (the figures of so small a run
mean nothing): each case must run to its end and report the figures it
promises, with their pairs where it measures a ratio. The Matrix case runs
beside the other Matrix tests (``tests/matrix/test_bench_smoke.py``), on the
suite's Synapse.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bench import coop, core, deadlines, fanout, markdown, scale, storage, telegram
from bench.results import Figure, Report


def figures(report: Report, section: str) -> dict[str, Figure]:
    found = {f.name: f for f in report.figures if f.section == section}
    assert found, f"no figures in {section}"
    for figure in found.values():
        assert math.isfinite(figure.value), figure
    return found


def named(found: dict[str, Figure], *words: str) -> Figure:
    (figure,) = [f for name, f in found.items() if all(w in name for w in words)]
    return figure


def test_the_core_reports_decide_alone_and_with_the_card(tmp_path: Path) -> None:
    report = Report(quick=True)
    core.run(report, 0.05, pairs=2)
    found = figures(report, "1 core")
    alone = named(found, "decide alone")
    assert alone.target == core.TARGET and len(alone.values) == 2
    drawn = named(found, "card drawn")
    assert len(drawn.pairs) == 2 and drawn.baseline_name == "decide alone"
    report.write(tmp_path / "results.json")
    written = json.loads((tmp_path / "results.json").read_text())
    assert [f["name"] for f in written["figures"]] == [f.name for f in report.figures]
    assert written["figures"][1]["pair_ratios"] == drawn.pairs
    rows = markdown.table(written).splitlines()
    assert len(rows) == 2 + len(report.figures) and "decide alone" in rows[2]


async def test_storage_is_paired_with_a_bare_loop_of_the_same_statements() -> None:
    report = Report(quick=True)
    await storage.run(report, 40, pairs=1)
    found = figures(report, "2 storage")
    for durability in ("full", "normal"):
        stored = named(found, "responses stored,", durability)
        assert stored.baseline_name == "bare SQLite loop" and len(stored.pairs) == 1
    assert named(found, "stored and delivered").target_is_ratio
    details = report.details["storage"]
    # The loop replays what ours wrote: one transaction per response.
    assert details["normal"]["recorded_run"]["transactions"] == 40
    assert details["full"]["recorded_run"]["syncs"] >= 1
    assert details["normal"]["recorded_run"]["syncs"] == 0


async def test_telegram_takes_turns_with_the_bare_bot() -> None:
    report = Report(quick=True)
    await telegram.run(report, 1, pairs=1)
    figure = named(figures(report, "3 telegram"), "presses")
    assert len(figure.pairs) == 1 and figure.baseline_name == "bare PTB bot"
    assert report.details["telegram"]["presses"] == 10 * 11


async def test_deadlines_and_a_restart_in_a_new_process() -> None:
    report = Report(quick=True)
    await deadlines.run(report, 0.5, 20, lateness_teams=2)
    found = figures(report, "4 deadlines")
    assert named(found, "restart", "overdue").notes.startswith("a new process; 20 fired")
    assert named(found, "fired twice").value == 0
    restart = report.details["deadlines_restart"]
    assert restart["fired_once"] == restart["audit_firings"] == 20


async def test_scale_big_groups_and_a_year_old_coop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(coop, "CACHE", tmp_path / "cache")
    report = Report(quick=True)
    await scale.run(report, 2, sizes=(1, 2, 3))
    await scale.big_groups(report, 7, responses=120)
    await scale.year_old(report, {3: 200.0}, 30.0, closed=2)
    found = figures(report, "5 scale")
    assert named(found, "year-old co-op, 3 teams", "memory").notes.startswith("3 teams")
    assert named(found, "5,000 responses").target == scale.BIG_GROUP_TARGET
    assert report.details["big_groups"]["responses_on_the_long_proposal_after"] == 127
    # Built once, then found in the cache.
    path, seconds = await coop.coop(3, closed=2)
    assert seconds == 0.0 and path.parent == tmp_path / "cache"


async def test_the_disk_case_counts_every_table() -> None:
    report = Report(quick=True)
    await coop.disk(report, closed=2)
    figures(report, "9 disk")
    assert "responses" in report.details["disk"]["mb_per_1000_by_table"]


async def test_fan_out_and_one_busy_group() -> None:
    report = Report(quick=True)
    await fanout.run(report, 3)
    await fanout.one_group(report, 3, shrink=60.0)
    found = figures(report, "6 fan-out")
    # Whether a 429 came is the benchmark's finding, not this test's.
    assert named(found, "429", "one group").target == 0
    assert report.details["fanout_one_group"]["messages"] >= 6
