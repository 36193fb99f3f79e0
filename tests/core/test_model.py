"""The state's own helpers: the group's copies, a member's current response,
and whether everyone has answered, each held against its plain definition."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.model import (
    WITHDRAWN_RESPONSE,
    Group,
    Member,
    MemberStatus,
    Proposal,
    ResponseRecord,
    Round,
    RoundKind,
    Stage,
    Version,
)
from bot.core.outcomes import everyone_responded

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def a_round(
    history: tuple[ResponseRecord, ...] = (), participants: frozenset[int] = frozenset()
) -> Round:
    return Round(1, RoundKind.RESPONSES, 1, NOW, NOW, frozenset({1, 2, 3}), history, participants)


def a_proposal(round_: Round) -> Proposal:
    version = Version(1, "Move the morning visit", "", 1, NOW)
    return Proposal(1, "consent", 1, Stage.OPEN, NOW, (version,), (round_,))


# -- the group's copies ----------------------------------------------------------------------


def test_a_group_with_a_new_proposal_or_member_is_a_copy_and_the_original_stays() -> None:
    proposal = a_proposal(a_round())
    group = Group(id="console:team", members={1: Member(1, "Sam")}, proposals={1: proposal})
    before = dataclasses.replace(group)
    later = dataclasses.replace(proposal, number=9)
    copy = group.with_proposal(later).with_member(Member(2, "Alex"))
    assert copy.proposals == {1: proposal, 9: later} and copy.numbered == 9
    assert set(copy.members) == {1, 2}
    assert group == before and group.proposals == {1: proposal} and set(group.members) == {1}
    with pytest.raises(dataclasses.FrozenInstanceError):
        copy.numbered = 3  # type: ignore[misc]


# -- a member's current response -------------------------------------------------------------

records = st.lists(
    st.tuples(
        st.sampled_from([None, 1, 2, 3]),
        st.sampled_from(["consent", "concern", "object", WITHDRAWN_RESPONSE]),
    ),
    max_size=12,
)


@given(records)
def test_response_of_is_the_members_entry_in_current(steps: list[tuple[int | None, str]]) -> None:
    history = tuple(
        ResponseRecord(seq, member, word, "", NOW)
        for seq, (member, word) in enumerate(steps, start=1)
    )
    round_ = a_round(history)
    current = round_.current()
    for member in (1, 2, 3, 4):
        assert round_.response_of(member) == current.get(member)


# -- everyone has responded ------------------------------------------------------------------

members = st.dictionaries(
    st.integers(1, 6),
    st.sampled_from(list(MemberStatus)),
    max_size=6,
)


@given(members, st.frozensets(st.integers(1, 7)))
def test_everyone_responded_means_every_active_member_and_at_least_two(
    statuses: dict[int, MemberStatus], participants: frozenset[int]
) -> None:
    group = Group(
        id="console:team",
        members={i: Member(i, f"Person {i}", status=status) for i, status in statuses.items()},
    )
    proposal = a_proposal(a_round(participants=participants))
    active = group.active_members()
    expected = len(active) >= 2 and all(m.id in participants for m in active)
    assert everyone_responded(proposal, group) is expected
