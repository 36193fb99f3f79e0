"""A small care team to talk to the core, and a check that a refusal changes nothing.

Shared by the conversation tests of people, views, steering and timers, so each
test starts from the same few people and reads like their chat.
"""

from __future__ import annotations

from datetime import timedelta

from bot.core import commands as c
from bot.core.decide import Decision
from bot.core.document import plain_text
from bot.core.effects import DirectMessage, Effect, Post, Reply, SendFile
from tests import care_team as shared
from tests.core.conversation import Conversation

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def team(*names: str) -> Conversation:
    """A group whose members joined in this order (so the first is its facilitator); the
    shared care team (``tests/care_team.py``) when no names are given."""
    conv = Conversation()
    for name in names or shared.names():
        conv.by(name, c.Join())
    return conv


def refused(conv: Conversation, action: c.Action, name: str = "Sam", **kw: bool) -> str:
    """Run an action that must be refused; assert nothing changed; return the reply's text."""
    before = conv.group
    decision = conv.by(name, action, **kw)
    assert decision.refused, decision.summary
    assert conv.group is before
    assert [type(e) for e in decision.effects] == [Reply]
    return conv.last_text()


def files(decision: Decision) -> dict[str, SendFile]:
    """The files a decision sends, by file name."""
    return {e.filename: e for e in decision.effects if isinstance(e, SendFile)}


def posts_since(conv: Conversation, start: int) -> list[str]:
    """The text of every group post made after ``start`` effects had been said."""
    return [plain_text(e.document) for e in conv.said[start:] if isinstance(e, Post)]


def direct_messages(effects: list[Effect]) -> list[tuple[str, str]]:
    """(name, text) of every private message among ``effects``."""
    return [(e.name, plain_text(e.document)) for e in effects if isinstance(e, DirectMessage)]
