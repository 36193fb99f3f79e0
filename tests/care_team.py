"""The care team the tests talk about, defined once.

Sam, Alex and Jo look after Mum. They join the team's chat in that order, so Sam,
the first, is its facilitator. Mum is not in the chat: someone adds her by name,
and the others answer for her. The core's conversations, the Telegram fake's
chat and people, the Matrix users and the scenarios that run on every surface all
draw their names from here, so a test reads the same wherever it runs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Carer:
    """One person of the team, as each surface knows them."""

    #: The name everyone sees, and the name the bot writes.
    name: str
    #: Lower case, for fixtures and handles: ``world.people["sam"]``, a Matrix localpart.
    key: str
    #: Their Telegram user id in the fake.
    telegram_id: int
    #: Their Telegram @username, if they have one (Jo has none, as many people do not).
    username: str | None


SAM = Carer("Sam", "sam", 1001, "sam")
ALEX = Carer("Alex", "alex", 1002, "alex")
JO = Carer("Jo", "jo", 1003, None)

#: Everyone in the chat, in the order they join.
TEAM: tuple[Carer, ...] = (SAM, ALEX, JO)
#: The first to join leads the group.
FACILITATOR = SAM
#: Who is not in the chat, added by name and answered for by the others.
ADDED_BY_NAME = "Mum"

#: The team's group chat.
TEAM_TITLE = "Mum's care team"
TELEGRAM_GROUP_ID = -100500


def names(*carers: Carer) -> tuple[str, ...]:
    """The names of ``carers`` (the whole team when none are given), in order."""
    return tuple(carer.name for carer in carers or TEAM)


def by_key(key: str) -> Carer:
    """The carer called ``key`` ("sam", "alex", "jo")."""
    return next(carer for carer in TEAM if carer.key == key)
