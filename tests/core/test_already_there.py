"""Someone the platform lists as already in the chat is counted in without a welcome."""

from __future__ import annotations

from bot.core import commands as c
from tests.core.care_team import team


def test_someone_already_in_the_chat_is_counted_in_quietly() -> None:
    conv = team("Sam")
    decision = conv.by("Kim", c.Join(already_there=True))
    kim = conv.group.member_by_identity(f"console:{'kim'}")
    assert kim is not None and kim.active
    assert not [e for e in decision.effects if hasattr(e, "document")]


def test_someone_who_joins_later_is_still_welcomed() -> None:
    conv = team("Sam")
    conv.by("Kim", c.Join())
    assert conv.last_text() == "Welcome, Kim. You are now a member of this group."
