"""Fixtures for the Matrix adapter's end-to-end tests against a real Synapse.

* ``synapse`` (session): a running homeserver, see :mod:`.synapse_server`.
* ``people`` (per test): real nio clients playing the human members, see :mod:`.people`.
"""

import pytest

from .people import people
from .synapse_server import synapse

__all__ = ["people", "synapse"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "matrix_e2e: end-to-end encrypted Matrix tests (need matrix-nio[e2e], i.e. vodozemac)",
    )
