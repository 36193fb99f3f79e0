"""``python -m bench [--quick] [--only SECTION ...]``: measure, print the table, write the JSON."""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench import coop, core, deadlines, fanout, matrix, scale, storage, telegram, workers
from bench.results import Report

RESULTS = Path(__file__).with_name("results.json")

# Each section with its size: (quick, full).
SECTIONS: dict[str, Callable[[Report, bool], Awaitable[None] | None]] = {
    "core": lambda r, q: core.run(r, 2.0 if q else 10.0),
    "storage": lambda r, q: storage.run(r, 600 if q else 2000),
    "telegram": lambda r, q: telegram.run(r, 4 if q else 20),
    "deadlines": lambda r, q: deadlines.run(r, 3.0 if q else 10.0, 1000 if q else 10_000),
    "scale": lambda r, q: scale.run(r, 20 if q else 200),
    "coop": lambda r, q: scale.year_old(
        r, {50: 200.0, 200: 400.0} if q else scale.COOP_TARGETS, 30.0 if q else 60.0
    ),
    "biggroups": lambda r, q: scale.big_groups(r, 35 if q else 210),
    "fanout": lambda r, q: fanout.run(r, 150 if q else 1000),
    "onegroup": lambda r, q: fanout.one_group(r, 25, 10.0 if q else 4.0),
    "matrix": lambda r, q: matrix.run(r, 5 if q else 10),
    "disk": lambda r, q: coop.disk(r),
    "workers": lambda r, q: workers.run(r, 3.0 if q else 10.0),
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run (a few minutes)")
    parser.add_argument("--only", nargs="+", choices=sorted(SECTIONS), help="run these sections")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the JSON")
    args = parser.parse_args()
    # The bot's own warnings (a paced send put off, say) are part of the load, not the report.
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("apscheduler").setLevel(logging.CRITICAL)
    report = Report(quick=args.quick)
    failed: dict[str, str] = {}
    for name in args.only or SECTIONS:
        print(f"… {name}", flush=True)
        started = time.perf_counter()
        try:
            outcome = SECTIONS[name](report, args.quick)
            if outcome is not None:
                asyncio.run(outcome)  # type: ignore[arg-type]
        except Exception as error:  # one broken section must not lose the others' figures
            traceback.print_exc()
            failed[name] = f"{type(error).__name__}: {error}"
        report.seconds[name] = round(time.perf_counter() - started, 1)
    if failed:
        report.details["failed_sections"] = failed
    print()
    print(report.table())
    report.write(args.out)
    print(f"\nwritten to {args.out}")
    if "coop" in (args.only or SECTIONS):
        print(f"the year-old co-ops' databases are kept in {coop.CACHE}")
    if failed:
        raise SystemExit(f"these sections failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
