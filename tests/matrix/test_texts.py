"""Matrix has no buttons: no sentence sent to a Matrix chat tells anyone to press one.

Through the real application (no homeserver needed): what it would send to a
Matrix room or direct room, beside what it sends to Telegram, which keeps its
buttons and its words for them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.commands import Actor
from bot.core.document import Document, plain_text
from bot.core.effects import Post
from tests.harness import Running, running_app

ROOM, GROUP_CHAT = "matrix:!care:example.org", "telegram:-100200"
SAM_MATRIX = Actor("matrix:@sam:example.org", "Sam")
SAM_TELEGRAM = Actor("telegram:42", "Sam")


def speaks_of_buttons(document: Document) -> bool:
    text = plain_text(document, with_actions=False).casefold()
    return "button" in text or "press" in text


@pytest.fixture
async def run(tmp_path: Path) -> AsyncIterator[Running]:
    async with running_app(tmp_path / "db") as running:
        yield running


async def test_help_in_a_matrix_room_says_to_react_not_to_press(run: Running) -> None:
    on_matrix = await run.app.submit(chat=ROOM, actor=SAM_MATRIX, text="help")
    on_telegram = await run.app.submit(chat=GROUP_CHAT, actor=SAM_TELEGRAM, text="help")

    (matrix_help,) = on_matrix.replies()
    (telegram_help,) = on_telegram.replies()
    assert not speaks_of_buttons(matrix_help)
    assert "react" in plain_text(matrix_help)
    assert "Buttons do the same thing." in plain_text(telegram_help)


async def test_the_tip_with_the_first_proposal_speaks_of_no_buttons(run: Running) -> None:
    proposed = await run.app.submit(
        chat=ROOM, actor=SAM_MATRIX, text="propose Try the new bath rota\nin 3 days"
    )
    assert proposed.decision is not None
    posts = [e.document for e in proposed.decision.effects if isinstance(e, Post)]
    (tip,) = [p for p in posts if "private reminder" in plain_text(p)]
    assert not speaks_of_buttons(tip)
    assert "reminders on" in plain_text(tip, with_actions=False)  # the words to type


async def test_someone_in_two_groups_is_not_told_of_buttons_in_a_matrix_direct_room(
    run: Running,
) -> None:
    for chat, actor in (
        (ROOM, SAM_MATRIX),
        ("matrix:!family:example.org", SAM_MATRIX),
        (GROUP_CHAT, SAM_TELEGRAM),
        ("telegram:-100300", SAM_TELEGRAM),
    ):
        await run.app.submit(chat=chat, actor=actor, text="join")

    on_matrix = await run.app.submit(
        chat="dm:matrix:@sam:example.org", actor=SAM_MATRIX, text="status", private=True
    )
    on_telegram = await run.app.submit(
        chat="dm:telegram:42", actor=SAM_TELEGRAM, text="status", private=True
    )

    (matrix_answer,) = on_matrix.replies()
    (telegram_answer,) = on_telegram.replies()
    assert "several groups" in plain_text(matrix_answer)
    assert not speaks_of_buttons(matrix_answer)
    assert "buttons" in plain_text(telegram_answer)
