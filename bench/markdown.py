"""The results table of ``docs/performance.md``: ``python -m bench.markdown [results.json]``.

Prints one Markdown row per figure of a results file: its target, its median
and range, its baseline, the median and range of the interleaved pairs'
ratios, whether the target is met, and how the figure's cost grows with the
work (said here, once, so that a new run's table says it too).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

# How each figure's cost grows, by the first of these its name holds.
GROWTH = {
    "responses decided (decide alone)": "O(members) per response (the early-pass check); "
    "O(history) for the round's new tuple, small",
    "responses decided and their card": "O(members + responses with reasons) per card drawn",
    "responses stored,": "O(1) rows per response (about 12 statements, 14 pages); "
    "O(members) bytes for the round's row",
    "CPU per response": "as above",
    "responses stored and delivered": "O(1) per response, plus O(1) per message sent",
    "responses stored one at a time": "one sync of the disk per response",
    "button presses": "O(1) per press; card edits paced at 20 a minute per group",
    "lateness": "O(timers due at once)",
    "restart:": "O(overdue timers): a decision and a commit each; pending ones are found "
    "on an index",
    "resident memory": "O(teams held × their open proposals)",
    "start-up,": "O(teams loaded)",
    "response with": "O(1) in other teams (every statement finds its rows by index)",
    "tally with": "O(1) in other teams",
    "status with": "O(1) in other teams",
    "until the first answer": "O(1) in teams and history: no team is loaded until "
    "needed, and the whole file is checked only after an unclean stop (was O(file))",
    "every team heard from": "O(teams held × open proposals), the teams held bounded by "
    "the cache (was O(teams × history))",
    "one response, 100 members": "O(members) per response",
    "one response, 5,000 responses": "O(responses on the proposal) per response (the "
    "history tuple copied; small)",
    "database per 1,000": "O(commands + responses): the audit log's entry per command "
    "is 70 % of it",
    "429 answers": "—",
    "messages sent": "O(messages) at Telegram's 30 a second",
    "one group:": "20 messages a minute in one group, whatever the load",
    "reaction → edited tally": "O(1) per reaction; the edit paced at one a second per room",
}


def growth(name: str) -> str:
    for words, how in GROWTH.items():
        if words in name:
            return how
    return ""


def _number(value: float | None) -> str:
    if value is None:
        return ""
    if abs(value) >= 100 or value == int(value):
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def row(figure: dict[str, Any]) -> str:
    unit = f" {figure['unit']}" if figure["unit"] else ""
    value = f"{_number(figure['value'])}{unit}"
    if len(figure["values"]) >= 2:
        value += f" ({_number(min(figure['values']))}–{_number(max(figure['values']))})"
    target = ""
    if figure["target"] is not None:
        sign = "≥" if figure["higher_is_better"] else "≤"
        what = "× baseline" if figure["target_is_ratio"] else figure["unit"]
        target = f"{sign} {_number(figure['target'])} {what}".strip()
    baseline = ""
    if figure["baseline"]:
        baseline = f"{_number(figure['baseline'])} ({figure['baseline_name']})"
    ratio = "" if figure["ratio"] is None else f"{figure['ratio']:.2f}"
    pairs = figure["pair_ratios"]
    if len(pairs) >= 2:
        ratio += f" ({min(pairs):.2f}–{max(pairs):.2f}, {len(pairs)} pairs)"
    met = {True: "yes", False: "**no**", None: ""}[figure["met"]]
    cells = (
        figure["section"], figure["name"], target, value, baseline, ratio, met,
        growth(figure["name"]),
    )  # fmt: skip
    return "| " + " | ".join(cells) + " |"


def table(results: dict[str, Any]) -> str:
    header = (
        "| section | figure | target | median (range) | baseline (same run) "
        "| ratio: median (range) | met | how its cost grows |\n"
        "|---|---|---|---|---|---|---|---|"
    )
    # In the order of the sections' numbers, each section's figures as they came.
    figures = sorted(results["figures"], key=lambda f: f["section"].split()[0])
    return "\n".join([header, *(row(f) for f in figures)])


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("results.json")
    print(table(json.loads(path.read_text(encoding="utf-8"))))
