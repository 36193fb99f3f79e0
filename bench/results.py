"""Figures, their targets and ratios, the table and the JSON file."""

from __future__ import annotations

import json
import os
import platform
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Figure:
    """One measured figure, with what it is held against.

    ``target`` reads as "at least" when ``higher_is_better``, else "at most".
    ``baseline`` is what the same work costs without us (a bare bot, Synapse's
    own round trip), measured in the same run; ``ratio`` is figure / baseline."""

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

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline

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
        out["met"] = self.met
        return out


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
        header = ("section", "figure", "value", "target", "baseline", "ratio", "met")
        lines = [header]
        for f in self.figures:
            baseline = f"{_number(f.baseline)} ({f.baseline_name})" if f.baseline else ""
            ratio = f"{f.ratio:.2f}" if f.ratio is not None else ""
            met = {True: "yes", False: "NO", None: ""}[f.met]
            lines.append(
                (f.section, f.name, f"{_number(f.value)} {f.unit}", f.target_text(),
                 baseline, ratio, met)
            )  # fmt: skip
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
