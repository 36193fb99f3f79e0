"""Benchmarks, measured side by side in one run: ``python -m bench`` (``--quick`` for a short run).

Each section measures one thing the project promises (responses per second,
timers on time, memory for a year-old co-operative …) and, where there is a
baseline, measures it in the same run, ours and the baseline taking turns
(``bench.pairs``), so the ratio, the median of the pairs', means something
even on a slow or busy computer. The table is printed
and written to ``bench/results.json``. Benchmarks are not tests: nothing here
asserts a time; ``docs/performance.md`` reads the figures.
"""
