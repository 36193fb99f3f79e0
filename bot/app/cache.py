"""The groups held in memory: the resident part of each, the least recently used
let go when they hold more than a bound.

Storage is the truth and every change is committed before it is held here, so
letting a group go loses nothing: its next command reads it again
(``Storage.read_group``). What is held is the resident group
(``bot.core.resident``): members, settings and the proposals still being decided,
never a team's whole history.

The bound counts **records**, not groups: a member, a proposal's version, log
entry or question, and each response given are one each. A 12-person team with
ten open proposals (half answered) is about 100; a 100-person group deciding a
proposal with 5,000 responses is 5,000 and more. Measured on CPython 3.11 (1,000
such teams held: 47 MB for 103,000 records), a resident group takes about 0.46 KB
per record, so the default bound of 250,000 records holds about 115 MB of
groups, and a co-op's idle teams leave memory as busy ones come in.

A group with a command being decided is never let go (``busy``): its command
commits from the state held here, at the version held here.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.model import Group

DEFAULT_RECORDS = 250_000


def records(group: Group) -> int:
    """How much the group holds, in records (see the module's docstring). Counted
    from the lengths of its tuples, so it costs the same for a proposal with 5
    responses as for one with 5,000."""
    count = 1 + len(group.members)
    for proposal in group.proposals.values():
        count += 1 + len(proposal.versions) + len(proposal.log) + len(proposal.questions)
        for round_ in proposal.rounds:
            count += 1 + len(round_.history)
    return count


@dataclass(slots=True)
class _Held:
    group: Group
    version: int | None  # the stored version (``Storage.commit``); None: not known
    records: int


class GroupCache:
    """Resident groups by id, least recently used first."""

    def __init__(
        self, limit: int = DEFAULT_RECORDS, busy: Callable[[str], bool] = lambda _: False
    ) -> None:
        self.limit = limit
        self._busy = busy
        self._held: OrderedDict[str, _Held] = OrderedDict()
        self._records = 0

    def get(self, group_id: str) -> Group | None:
        """The group held, now the most recently used; None if not held."""
        held = self._held.get(group_id)
        if held is None:
            return None
        self._held.move_to_end(group_id)
        return held.group

    def version(self, group_id: str) -> int | None:
        """The stored version of the group held; None if not known (or not held)."""
        held = self._held.get(group_id)
        return None if held is None else held.version

    def put(self, group: Group, version: int | None) -> None:
        """Hold ``group`` as stored at ``version``, then let idle groups go while
        the groups held are over the bound."""
        old = self._held.pop(group.id, None)
        if old is not None:
            self._records -= old.records
        held = _Held(group, version, records(group))
        self._held[group.id] = held
        self._records += held.records
        if self._records > self.limit:
            self._let_go(keep=group.id)

    def put_new(self, group: Group, version: int) -> Group:
        """Hold a group just read from storage, unless a command stored a newer
        state while it was read: then that one stays. Returns the group held."""
        held = self._held.get(group.id)
        if held is not None:
            self._held.move_to_end(group.id)
            return held.group
        self.put(group, version)
        return group

    def drop(self, group_id: str) -> None:
        """Let the group go: the next read takes it from storage."""
        held = self._held.pop(group_id, None)
        if held is not None:
            self._records -= held.records

    def clear(self) -> None:
        self._held.clear()
        self._records = 0

    def __contains__(self, group_id: object) -> bool:
        return group_id in self._held

    def __len__(self) -> int:
        return len(self._held)

    @property
    def held_records(self) -> int:
        return self._records

    def _let_go(self, keep: str) -> None:
        """Least recently used first; never ``keep`` (just used) or a busy group.
        Costs what it lets go and skips, not what stays held."""
        skipped: list[tuple[str, _Held]] = []
        while self._records > self.limit and self._held:
            group_id, held = self._held.popitem(last=False)
            if group_id == keep or self._busy(group_id):
                skipped.append((group_id, held))
                continue
            self._records -= held.records
        for group_id, held in reversed(skipped):  # back where they were, oldest first
            self._held[group_id] = held
            self._held.move_to_end(group_id, last=False)
