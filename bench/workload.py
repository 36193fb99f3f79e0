"""Care teams to measure with: built by the real core, stored by the real storage.

A team is made once by the pure core (people join, proposals are made) and
then copied under other chat ids, so a thousand teams cost one team's
decisions plus a thousand commits. Every copy is a whole, valid group: the
same rows a team that had really talked would leave.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import Application, Outgoing
from bot.core import commands as c
from bot.core.decide import decide
from bot.core.effects import Effect, SetTimer
from bot.core.model import Group, GroupSettings
from storage.sqlite import SqliteStorage

START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday morning
PEOPLE = 12
PROPOSALS = 10


def actor(index: int, platform: str = "console") -> c.Actor:
    """Member ``index`` of every team (people may be in several teams)."""
    number = 1000 + index
    return c.Actor(f"{platform}:{number}", f"Person {index}")


@dataclass(frozen=True)
class Team:
    """A group as the core left it, and the effects its making produced."""

    group: Group
    effects: tuple[Effect, ...]


def make_team(
    chat: str,
    *,
    people: int = PEOPLE,
    proposals: int = PROPOSALS,
    at: datetime = START,
    platform: str = "console",
    spread: timedelta = timedelta(0),
    settings: GroupSettings | None = None,
) -> Team:
    """``people`` join, then person 0 makes ``proposals`` consent proposals ("in 3 days").

    Proposal k is made at ``at + spread * k / proposals``, so their deadlines are
    spread the same way."""
    group = Group(id=chat, chats=(chat,), settings=settings or GroupSettings())
    effects: list[Effect] = []
    for index in range(people):
        request = c.Request(actor=actor(index, platform), chat=chat, action=c.Join())
        decision = decide(group, request, at)
        group = decision.group
        effects.extend(decision.effects)
    for k in range(proposals):
        when = at + spread * k / max(proposals, 1)
        action = c.Propose(title=f"Proposal {k + 1}", details="Details.", duration="3 days")
        decision = decide(
            group, c.Request(actor=actor(0, platform), chat=chat, action=action), when
        )
        group = decision.group
        effects.extend(decision.effects)
    return Team(group, tuple(effects))


def copy_team(team: Team, chat: str) -> Group:
    """The same team in another chat (a group is named after its first chat)."""
    return replace(team.group, id=chat, chats=(chat,))


async def store_team(
    storage: SqliteStorage,
    group: Group,
    effects: tuple[Effect, ...] = (),
    *,
    at: datetime = START,
    keep: Callable[[Effect], bool] = lambda effect: isinstance(effect, SetTimer),
) -> None:
    """Store a whole group in one commit, with the effects ``keep`` picks (its timers)."""
    chat = group.chats[0]
    outgoing = [Outgoing(e, () if isinstance(e, SetTimer) else (chat,)) for e in effects if keep(e)]
    await storage.commit(
        group_before=None,
        group_after=group,
        command=c.Request(actor=actor(0), chat=chat, action=c.Join()),
        now=at,
        summary="set up for a benchmark",
        outgoing=outgoing,
    )


@contextmanager
def scratch() -> Iterator[Path]:
    """A folder for databases, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="dt-bench-") as folder:
        yield Path(folder)


def respond_text(proposal: int, consent: bool) -> str:
    """What a person types: consent, or a concern with its reason."""
    return f"consent #{proposal}" if consent else f"concern #{proposal} it is a long way to go"


async def warm(app: Application, chats: list[str]) -> None:
    """Load every group into the application's memory, as a busy day would."""
    for chat in chats:
        await app.group(chat)
