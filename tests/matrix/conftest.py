"""Fixtures for the Matrix adapter's end-to-end tests against a real Synapse.

* ``synapse`` (session): a running homeserver, see :mod:`.synapse_server` (registered in
  ``tests/conftest.py``, so the scenarios on every surface share the same one).
* ``people`` (per test): real nio clients playing the human members, see :mod:`.people`.
"""

import pytest

from .people import people

__all__ = ["people"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "matrix_e2e: end-to-end encrypted Matrix tests (need matrix-nio[e2e], i.e. vodozemac)",
    )
