"""Only Telegram gets through the webhook: every other request is refused and stores nothing.

``tests/telegram/test_webhook.py`` proves the main case: no secret header is
refused (401), a wrong one too (403), and the right one lets the update in,
once however often it comes. Here, the near misses: secrets that are almost
right, requests that carry the right secret but no update, and the wrong
method or path. Each is refused, and the database is the same row for row.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.reliability import database
from tests.reliability.conftest import WEBHOOK_SECRET
from tests.reliability.webhook import post
from tests.telegram.conftest import World


def an_update(world: World) -> dict[str, Any]:
    """A well-formed update, as Telegram would post it: Sam proposes something."""
    return {
        "update_id": 999_001,
        "message": {
            "message_id": 77,
            "date": 1_800_000_000,
            "chat": {"id": world.team.id, "type": "supergroup", "title": "Mum's care team"},
            "from": {"id": world.sam.id, "is_bot": False, "first_name": "Sam"},
            "text": "/propose Sell the house",
            "entities": [{"type": "bot_command", "offset": 0, "length": 8}],
        },
    }


NEAR_MISSES = [
    pytest.param({"secret": ""}, 403, id="empty secret"),
    pytest.param({"secret": WEBHOOK_SECRET.upper()}, 403, id="secret in capitals"),
    pytest.param({"secret": WEBHOOK_SECRET[:-1]}, 403, id="secret cut short"),
    pytest.param({"secret": WEBHOOK_SECRET + "x"}, 403, id="secret with more"),
    pytest.param({"secret": "123456789:TEST-FAKE-TOKEN-deciding-together"}, 403, id="bot token"),
    pytest.param({"body": b"not json at all", "raw": True}, 400, id="not json"),
    pytest.param({"body": {"hello": "world"}}, 400, id="json, not an update"),
    pytest.param({"body": [1, 2, 3]}, 400, id="a list"),
    pytest.param({"method": "GET"}, 405, id="get"),
    pytest.param({"method": "PUT"}, 405, id="put"),
    pytest.param({"path": "/elsewhere"}, 404, id="another path"),
]


@pytest.mark.parametrize(("request_", "status"), NEAR_MISSES)
async def test_a_near_miss_is_refused_and_stores_nothing(
    hooked: World, request_: dict[str, Any], status: int
) -> None:
    world = hooked
    db = database.file_of(world.running.storage)
    before = database.table_rows(db)
    body = request_.get("body", an_update(world))
    answered = await post(
        world,
        body,
        request_.get("secret", WEBHOOK_SECRET),
        method=request_.get("method", "POST"),
        path=request_.get("path"),
        raw=request_.get("raw", False),
    )
    await world.running.settle()
    assert answered == status
    assert database.table_rows(db) == before
    assert world.said() == []
    # And the door still opens for Telegram: the same update with the right secret gets in.
    assert await post(world, an_update(world), WEBHOOK_SECRET) == 200
    await world.running.settle()
    assert world.said()[0].startswith("Proposal #1: Sell the house")
