"""The storage tests run on both backends (``tests.backends``): each test that
takes ``storage`` (or ``database``) runs once on SQLite and once on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import Storage
from tests.backends import Database


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "deciding-together.db"


@pytest.fixture
async def storage(database: Database) -> AsyncIterator[Storage]:
    opened = await database.open()
    yield opened
    await opened.close()
