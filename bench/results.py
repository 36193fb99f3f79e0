"""Figures, their targets and ratios, the table and the JSON file."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Figure:
    """One measured figure, with what it is held against.

    ``target`` reads as "at least" when ``higher_is_better``, else "at most".
    ``baseline`` is what the same work costs without us (a bare bot, Synapse's
    own round trip), measured in the same run; ``ratio`` is figure / baseline.

    A figure measured in interleaved pairs (ours, then the baseline, then ours
    again …, see ``bench.pairs``) keeps every pair: ``values`` and
    ``baselines`` side by side, ``value`` and ``baseline`` their medians, and
    ``ratio`` the median of the pairs' own ratios, so one slow moment of a
    shared machine moves one pair, not the figure. ``spread`` is the range of
    the values (of the pairs' ratios, for a target on the ratio)."""

    section: str
    name: str
    value: float
    unit: str
    target: float | None = None
    higher_is_better: bool = True
    baseline: float | None = None
    baseline_name: str = ""
    target_is_ratio: bool = False  # the target applies to the ratio, not the value
    notes: str = ""
    values: list[float] = field(default_factory=list)
    baselines: list[float] = field(default_factory=list)

    @property
    def pairs(self) -> list[float]:
        """Each interleaved pair's own ratio (ours / baseline)."""
        return [v / b for v, b in zip(self.values, self.baselines, strict=False) if b]

    @property
    def ratio(self) -> float | None:
        if self.pairs:
            return statistics.median(self.pairs)
        if self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline

    @property
    def spread(self) -> tuple[float, float] | None:
        """The range (lowest, highest) of what the target is held against, over the runs."""
        found = self.pairs if self.target_is_ratio or not self.values else self.values
        if self.target_is_ratio and not found:
            return None
        if len(found) < 2:
            return None
        return min(found), max(found)

    @property
    def met(self) -> bool | None:
        held = self.ratio if self.target_is_ratio else self.value
        if self.target is None or held is None:
            return None
        return held >= self.target if self.higher_is_better else held <= self.target

    def target_text(self) -> str:
        if self.target is None:
            return ""
        sign = "≥" if self.higher_is_better else "≤"
        what = "× baseline" if self.target_is_ratio else self.unit
        return f"{sign} {_number(self.target)} {what}"

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["ratio"] = self.ratio
        out["pair_ratios"] = self.pairs
        spread = self.spread
        out["range"] = list(spread) if spread else None
        out["met"] = self.met
        return out

    def ratio_text(self) -> str:
        if self.ratio is None:
            return ""
        if len(self.pairs) < 2:
            return f"{self.ratio:.2f}"
        low, high = min(self.pairs), max(self.pairs)
        return f"{self.ratio:.2f} ({low:.2f}–{high:.2f}, {len(self.pairs)} pairs)"

    def value_text(self) -> str:
        text = f"{_number(self.value)} {self.unit}".strip()
        if len(self.values) >= 2:
            text += f" ({_number(min(self.values))}–{_number(max(self.values))})"
        return text


def paired(
    section: str, name: str, ours: list[float], bare: list[float], unit: str, **more: Any
) -> Figure:
    """A figure from interleaved pairs: medians of each side, and every pair kept."""
    return Figure(
        section,
        name,
        statistics.median(ours),
        unit,
        baseline=statistics.median(bare) if bare else None,
        values=list(ours),
        baselines=list(bare),
        **more,
    )


@dataclass
class Report:
    quick: bool
    figures: list[Figure] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        return figure

    def table(self) -> str:
        header = ("section", "figure", "median (range)", "target", "baseline", "ratio", "met")
        lines = [header]
        for f in self.figures:
            baseline = f"{_number(f.baseline)} ({f.baseline_name})" if f.baseline else ""
            met = {True: "yes", False: "NO", None: ""}[f.met]
            lines.append(
                (f.section, f.name, f.value_text(), f.target_text(), baseline, f.ratio_text(), met)
            )
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        rows = [
            "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in lines
        ]
        rows.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(rows)

    def write(self, path: Path) -> None:
        data = {
            "machine": machine(),
            "quick": self.quick,
            "figures": [f.as_json() for f in self.figures],
            "details": self.details,
            "section_seconds": self.seconds,
        }
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "system": f"{platform.system()} {platform.release()}",
    }


def _number(value: float | None) -> str:
    if value is None:
        return ""
    if value >= 100 or value == int(value):
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"
