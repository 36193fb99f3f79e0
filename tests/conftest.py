"""Settings shared by the whole test suite."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logs import LIBRARIES
from storage.postgres import PostgresStorage
from tests.backends import BACKENDS, Database

# One Synapse for the whole session, shared by the Matrix tests and the scenarios.
from tests.matrix.synapse_server import synapse
from tests.postgres import TEMPLATE, Cluster, running_cluster

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


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """One throw-away PostgreSQL cluster for the whole session (``tests.postgres``),
    started the first time a test asks for it; every test takes a database of its own."""
    with running_cluster() as cluster:
        # The template every test's database is copied from holds the schema already.
        asyncio.run(_migrated(cluster.url(TEMPLATE)))
        yield cluster


async def _migrated(url: str) -> None:
    storage = await PostgresStorage.open(url)
    await storage.close()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only(reason): a storage test about SQLite itself, not run on PostgreSQL"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that takes ``backend`` (through ``database``) runs on each backend."""
    if "backend" in metafunc.fixturenames:
        only = metafunc.definition.get_closest_marker("sqlite_only")
        metafunc.parametrize("backend", ["sqlite"] if only else BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    """The test's own database on ``backend`` (see ``tests.backends``)."""
    if backend == "sqlite":
        yield Database(backend, str(tmp_path / "deciding-together.db"))
        return
    cluster: Cluster = request.getfixturevalue("postgres")
    with cluster.database() as url:
        yield Database(backend, url)
