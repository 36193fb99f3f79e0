"""Settings shared by the whole test suite."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

# One Synapse for the whole session, shared by the Matrix tests and the scenarios.
from tests.matrix.synapse_server import synapse

__all__ = ["synapse"]


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The command line sets up logging for the whole process; put it back after each
    test so one test's handler (on a captured stream) never outlives the test."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
