"""Settings shared by the whole test suite."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.logs import LIBRARIES

# One Synapse for the whole session, shared by the Matrix tests and the scenarios.
from tests.matrix.synapse_server import synapse

__all__ = ["synapse"]


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The command line sets up logging for the whole process (the root logger, and
    the libraries' levels); put it back after each test so one test's handler (on a
    captured stream) or level never outlives the test."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    libraries = {name: logging.getLogger(name).level for name in LIBRARIES}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, was in libraries.items():
        logging.getLogger(name).setLevel(was)
