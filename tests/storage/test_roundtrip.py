"""A group comes back from storage exactly as it was committed, and a commit
writes only what changed."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.model import Member, MemberStatus, ResponseRecord
from storage import SqliteStorage
from storage.changes import RESPONSE_INSERT, ROUND_UPDATE, group_writes
from storage.rows import numbers_json, stamp, to_json
from tests.backends import Database

from .examples import NOW, at, commit, rich_group, with_response


async def test_rich_group_comes_back_equal_after_reopening(
    storage: SqliteStorage, database: Database
) -> None:
    group = rich_group()
    assert await commit(storage, None, group)
    assert await storage.load_group("g1") == group
    await storage.close()

    reopened = await database.open()
    try:
        assert await reopened.load_group("g1") == group
    finally:
        await reopened.close()


def _fields_left_at_default(value: Any, found: dict[type, set[str]]) -> None:
    """Fill ``found`` with, per dataclass met inside ``value``, the fields that
    hold their default everywhere they were met."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        if type(value) not in found:
            found[type(value)] = {f.name for f in fields}
        for f in fields:
            held = getattr(value, f.name)
            if f.default is not dataclasses.MISSING:
                default: Any = f.default
            elif f.default_factory is not dataclasses.MISSING:
                default = f.default_factory()
            else:
                default = dataclasses.MISSING
            if held != default:
                found[type(value)].discard(f.name)
            _fields_left_at_default(held, found)
    elif isinstance(value, Mapping):
        for item in value.values():
            _fields_left_at_default(item, found)
    elif isinstance(value, tuple | frozenset):
        for item in value:
            _fields_left_at_default(item, found)


def test_the_rich_group_sets_every_field_so_the_round_trip_covers_it() -> None:
    # A field that the example leaves at its default would come back "equal" even
    # if storage dropped it: a proposal's planned deadline once went unsaved that way.
    found: dict[type, set[str]] = {}
    _fields_left_at_default(rich_group(), found)
    assert {cls.__name__: names for cls, names in found.items() if names} == {}


async def test_unknown_group_loads_as_none(storage: SqliteStorage) -> None:
    assert await storage.load_group("nobody") is None


async def test_one_more_response_writes_one_response_row(
    storage: SqliteStorage, database: Database
) -> None:
    before = rich_group()
    await commit(storage, None, before)
    counts = database.row_counts()

    after = with_response(before, 2, ResponseRecord(3, None, "vote", "", at(0.1), choices=(3,)))
    assert await commit(storage, before, after, update_key="telegram:update:7")

    grew = {t: n - counts[t] for t, n in database.row_counts().items() if n != counts[t]}
    assert grew == {"responses": 1, "inbox": 1, "audit": 1}
    assert await storage.load_group("g1") == after


def test_one_more_response_plans_its_round_and_itself_only() -> None:
    before = rich_group()
    after = with_response(before, 2, ResponseRecord(3, None, "vote", "", at(0.1), choices=(3,)))
    writes = group_writes(before, after)
    assert len(writes) == 2
    # The round is stored already: updated in place; the response is new.
    assert [statement for statement, _ in writes] == [ROUND_UPDATE, RESPONSE_INSERT]
    assert writes.rows(ROUND_UPDATE)[0][:3] == ("g1", 2, 0)
    assert writes.rows(RESPONSE_INSERT)[0][:4] == ("g1", 2, 0, 2)


async def test_other_groups_are_untouched(storage: SqliteStorage) -> None:
    one, two = rich_group("g1"), rich_group("g2")
    await commit(storage, None, one)
    await commit(storage, None, two)
    renamed = replace(two, name="Dad's team", members={})
    await commit(storage, two, renamed)
    assert await storage.load_group("g1") == one
    assert await storage.load_group("g2") == renamed
    assert await storage.group_ids() == ["g1", "g2"]


async def test_a_changed_member_and_a_removed_one(storage: SqliteStorage) -> None:
    before = rich_group()
    await commit(storage, None, before)
    sam = before.members[1]
    members = dict(before.members)
    members[1] = replace(sam, identities=("matrix:@sam:example.org",), quiet=None)
    del members[4]
    members[6] = Member(6, "Jo", ("console:Jo",), joined_at=NOW)
    after = replace(before, members=members)
    await commit(storage, before, after)
    assert await storage.load_group("g1") == after
    assert await storage.groups_for_identity("telegram:101") == []
    assert await storage.groups_for_identity("console:Jo") == ["g1"]


async def test_history_rewritten_by_forgetting_is_stored(storage: SqliteStorage) -> None:
    """Forgetting a member rewrites their records in place; nothing else moves."""
    before = rich_group()
    await commit(storage, None, before)
    proposal = before.proposals[1]
    rounds = tuple(
        replace(r, history=tuple(replace(x, reason="") if x.member == 3 else x for x in r.history))
        for r in proposal.rounds
    )
    members = {**before.members, 3: replace(before.members[3], name="", identities=(),
                                            status=MemberStatus.FORGOTTEN)}  # fmt: skip
    after = replace(before.with_proposal(replace(proposal, rounds=rounds)), members=members)
    await commit(storage, before, after)
    assert await storage.load_group("g1") == after


async def test_shortened_history_and_removed_proposal_are_stored(storage: SqliteStorage) -> None:
    before = rich_group()
    await commit(storage, None, before)
    first = before.proposals[1]
    shorter = replace(first, versions=first.versions[:1], rounds=first.rounds[:2],
                      questions=(), log=first.log[:1], outcome=None)  # fmt: skip
    proposals = {**before.proposals, 1: shorter}
    del proposals[3]
    after = replace(before, proposals=proposals)
    await commit(storage, before, after)
    assert await storage.load_group("g1") == after


async def test_committing_a_known_group_as_new_replaces_it(storage: SqliteStorage) -> None:
    await commit(storage, None, rich_group())
    fresh = replace(rich_group(), proposals={}, members={}, link_codes={}, chats=("console:main",))
    await commit(storage, None, fresh)
    assert await storage.load_group("g1") == fresh
    assert await storage.group_for_chat("telegram:-100g1") is None


@given(st.frozensets(st.integers(min_value=-(10**12), max_value=10**12)))
def test_member_sets_are_written_as_the_codec_writes_them(members: frozenset[int]) -> None:
    assert numbers_json(members) == to_json(members)


@given(st.lists(st.integers(min_value=-(10**12), max_value=10**12)).map(tuple))
def test_option_numbers_are_written_as_the_codec_writes_them(numbers: tuple[int, ...]) -> None:
    assert numbers_json(numbers) == to_json(numbers)


def test_the_same_instant_in_any_zone_is_stamped_alike() -> None:
    here = NOW.astimezone(timezone(timedelta(hours=5, minutes=30)))
    assert stamp(here) == stamp(NOW) == "2025-03-03T09:30:00.000000+00:00"
    with pytest.raises(ValueError, match="timezone-aware"):
        stamp(NOW.replace(tzinfo=None))
