"""The Matrix benchmark case at its smallest size, on the suite's Synapse (see
``tests/bench/test_smoke.py``)."""

from __future__ import annotations

from bench import matrix
from bench.results import Report
from tests.matrix.synapse_server import SynapseServer


async def test_the_matrix_case_takes_turns_with_a_plain_round_trip(
    synapse: SynapseServer,
) -> None:
    report = Report(quick=True)
    await matrix.run(report, 2, server=synapse, pause=0.1, least=2)
    (figure,) = report.figures
    assert figure.baseline_name == "nio round trip" and len(figure.pairs) == 2
