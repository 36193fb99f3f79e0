"""The ``surface`` fixture: the care team in its chat on the surface a test is run on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.scenarios.surfaces import Surface, surface_on


@pytest.fixture
async def surface(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Surface]:
    """Parametrize a test with ``@pytest.mark.parametrize("surface", SURFACES, indirect=True)``.

    Synapse is started (once for the session) only when a Matrix run asks for it.
    """
    name: str = request.param
    synapse = request.getfixturevalue("synapse") if name == "matrix" else None
    async with surface_on(name, tmp_path, synapse) as started:
        yield started
