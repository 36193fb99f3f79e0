"""Property: whatever sequence of changes the core makes, storage gives back
exactly the group it was given (after every commit, and after reopening).

Changes are made the way the core makes them: by building new values from
old ones with ``replace``, so untouched parts stay the very same objects and
the identity diff in ``storage.changes`` is exercised as in production.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import Storage
from bot.core.model import (
    AccountCode,
    Answer,
    Group,
    GroupSettings,
    LogEntry,
    Member,
    MemberStatus,
    Outcome,
    Proposal,
    ProposalOptions,
    Question,
    QuietHours,
    ResponseRecord,
    Role,
    Round,
    RoundKind,
    Stage,
    Version,
    WebLink,
)
from storage import SqliteStorage
from storage.postgres import PostgresStorage
from tests.postgres import Cluster

from .examples import commit

# -- values --------------------------------------------------------------------------------

texts = st.text(max_size=8)
small = st.integers(min_value=0, max_value=6)
people = st.integers(min_value=1, max_value=5)
maybe_person = st.none() | people
times = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2030, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30))]),
)
maybe_time = st.none() | times
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400))
numbers = st.lists(small, max_size=3).map(tuple)
voters = st.frozensets(people, max_size=4)

members = st.builds(
    Member,
    id=people,
    name=texts,
    identities=st.lists(texts.map("telegram:{}".format), max_size=2).map(tuple),
    handle=st.none() | texts,
    role=st.sampled_from(Role),
    status=st.sampled_from(MemberStatus),
    language=st.none() | texts,
    timezone=st.none() | texts,
    quiet=st.none() | st.builds(QuietHours, st.times(), st.times()),
    reminders=st.booleans(),
    added_by=maybe_person,
    joined_at=maybe_time,
)
records = st.builds(
    ResponseRecord,
    seq=small,
    member=maybe_person,
    response=st.sampled_from(["consent", "concern", "object", "withdrawn", "vote"]),
    reason=texts,
    at=times,
    recorded_by=maybe_person,
    choices=numbers,
    maybe=numbers,
)
rounds = st.builds(
    Round,
    index=small,
    kind=st.sampled_from(RoundKind),
    version=small,
    opened_at=times,
    deadline=times,
    eligible=voters,
    history=st.lists(records, max_size=3).map(tuple),
    participants=voters,
    closed_at=maybe_time,
)
versions = st.builds(Version, number=small, title=texts, details=texts, by=people, at=times)
answers = st.builds(Answer, by=people, text=texts, at=times)
questions = st.builds(
    Question, id=small, by=people, text=texts, at=times,
    answers=st.lists(answers, max_size=2).map(tuple),
)  # fmt: skip
log_entries = st.builds(LogEntry, at=times, by=maybe_person, what=texts, detail=texts)
outcomes = st.builds(
    Outcome, stage=st.sampled_from(Stage), summary=texts, at=times, decision=texts,
    recorded_by=maybe_person, winners=numbers,
)  # fmt: skip
options = st.builds(
    ProposalOptions, anonymous=st.booleans(), hide_results=st.booleans(),
    quorum=st.none() | st.integers(0, 100), required=voters,
    choices=st.lists(texts, max_size=3).map(tuple), multi=st.booleans(),
)  # fmt: skip
proposals = st.builds(
    Proposal,
    number=small,
    process=st.sampled_from(["consent", "lazy", "choice", "time", "ack"]),
    proposer=people,
    stage=st.sampled_from(Stage),
    created_at=times,
    versions=st.lists(versions, min_size=1, max_size=3).map(tuple),
    rounds=st.lists(rounds, max_size=3).map(tuple),
    options=options,
    questions=st.lists(questions, max_size=2).map(tuple),
    outcome=st.none() | outcomes,
    review_at=maybe_time,
    follows=st.none() | small,
    log=st.lists(log_entries, max_size=3).map(tuple),
)
group_settings = st.builds(
    GroupSettings, timezone=texts, language=texts, quorum=st.integers(0, 100),
    min_deadline=durations, nudge_before=durations, questions=st.none() | durations,
    duration=st.none() | durations, resolve=durations, digest=st.booleans(),
)  # fmt: skip

# -- changes, made the way the core makes them -------------------------------------------

Draw = Callable[[st.SearchStrategy[Any]], Any]


def _pick(draw: Draw, mapping: Any) -> Any:
    return draw(st.sampled_from(sorted(mapping))) if mapping else None


def _append(items: tuple[Any, ...], item: Any) -> tuple[Any, ...]:
    return (*items, item)


def _change_at(draw: Draw, items: tuple[Any, ...], change: Callable[[Any], Any]) -> tuple[Any, ...]:
    if not items:
        return items
    i = draw(st.integers(0, len(items) - 1))
    return (*items[:i], change(items[i]), *items[i + 1 :])


def change_member(draw: Draw, g: Group) -> Group:
    return g.with_member(draw(members))


def remove_member(draw: Draw, g: Group) -> Group:
    gone = _pick(draw, g.members)
    return replace(g, members={k: m for k, m in g.members.items() if k != gone})


def replace_proposal(draw: Draw, g: Group) -> Group:
    return g.with_proposal(draw(proposals))


def remove_proposal(draw: Draw, g: Group) -> Group:
    gone = _pick(draw, g.proposals)
    return replace(g, proposals={n: p for n, p in g.proposals.items() if n != gone})


def change_proposal(draw: Draw, g: Group) -> Group:
    """One change inside one proposal: what commands do every day."""
    number = _pick(draw, g.proposals)
    if number is None:
        return replace_proposal(draw, g)
    p: Proposal = g.proposals[number]
    kind = draw(st.sampled_from([
        "respond", "rewrite", "round", "new_round", "amend", "ask", "answer", "log",
        "outcome", "trim",
    ]))  # fmt: skip
    if kind == "respond":
        new = replace(p, rounds=_change_at(
            draw, p.rounds, lambda r: replace(r, history=_append(r.history, draw(records))),
        ))  # fmt: skip
    elif kind == "rewrite":  # forgetting someone rewrites their records in place
        new = replace(p, rounds=_change_at(draw, p.rounds, lambda r: replace(
            r, history=_change_at(draw, r.history, lambda x: replace(x, member=None, reason="")),
        )))  # fmt: skip
    elif kind == "round":
        new = replace(p, rounds=_change_at(draw, p.rounds, lambda r: replace(
            r, deadline=draw(times), closed_at=draw(maybe_time), participants=draw(voters),
        )))  # fmt: skip
    elif kind == "new_round":
        new = replace(p, rounds=_append(p.rounds, draw(rounds)))
    elif kind == "amend":
        new = replace(
            p, versions=_append(p.versions, draw(versions)), stage=draw(st.sampled_from(Stage))
        )
    elif kind == "ask":
        new = replace(p, questions=_append(p.questions, draw(questions)))
    elif kind == "answer":
        new = replace(p, questions=_change_at(
            draw, p.questions, lambda q: replace(q, answers=_append(q.answers, draw(answers))),
        ))  # fmt: skip
    elif kind == "log":
        new = p.logged(draw(log_entries))
    elif kind == "outcome":
        new = replace(p, stage=draw(st.sampled_from(Stage)), outcome=draw(st.none() | outcomes),
                      review_at=draw(maybe_time))  # fmt: skip
    else:  # shorter tuples: rows past the end must go
        new = replace(
            p, versions=p.versions[: draw(st.integers(1, len(p.versions)))],
            rounds=p.rounds[: draw(st.integers(0, len(p.rounds)))],
            questions=p.questions[: draw(st.integers(0, len(p.questions)))],
            log=p.log[: draw(st.integers(0, len(p.log)))],
        )  # fmt: skip
    return g.with_proposal(new)


account_codes = st.builds(
    AccountCode, st.integers(1, 9), st.sampled_from(("telegram", "matrix")), times
)


def change_group(draw: Draw, g: Group) -> Group:
    links = draw(st.dictionaries(texts, times, max_size=2))
    accounts = draw(st.dictionaries(texts, account_codes, max_size=2))
    return replace(
        g,
        name=draw(texts),
        settings=draw(st.just(g.settings) | group_settings),
        objection_explained=draw(st.booleans()),
        chats=tuple(f"{g.id}:{c}" for c in draw(st.lists(texts, max_size=3, unique=True))),
        link_codes=links,
        # Both kinds share one table: a code is of one kind (random codes never clash).
        account_codes={k: v for k, v in accounts.items() if k not in links},
        web_links=draw(
            st.dictionaries(texts, st.builds(WebLink, st.integers(1, 9), times, times), max_size=2)
        ),
    )


CHANGES = (
    change_member, change_member, remove_member, replace_proposal, remove_proposal,
    change_proposal, change_proposal, change_proposal, change_proposal, change_group,
)  # fmt: skip


@st.composite
def histories(draw: Draw) -> list[tuple[Group | None, Group]]:
    """(before, after) commits for two groups, interleaved."""
    current: dict[str, Group | None] = {"a": None, "b": None}
    steps = []
    for _ in range(draw(st.integers(1, 12))):
        gid = draw(st.sampled_from(sorted(current)))
        before = current[gid]
        if before is None:
            after = change_group(draw, Group(id=gid))
        else:
            after = draw(st.sampled_from(CHANGES))(draw, before)
        steps.append((before, after))
        current[gid] = after
    return steps


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_any_sequence_of_changes_comes_back_exactly(
    steps: list[tuple[Group | None, Group]],
) -> None:
    asyncio.run(_replay(steps))


# Fewer on PostgreSQL: each example takes a database of its own from the cluster.
# Without NUL characters, which PostgreSQL's text cannot hold: the core takes every
# control character out of what people type (``bot.core.typed``), and the storage
# refuses one that gets past it (``test_postgres``).
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories().filter(lambda steps: "\\x00" not in repr(steps)))
def test_any_sequence_of_changes_comes_back_exactly_on_postgresql(
    postgres: Cluster, steps: list[tuple[Group | None, Group]]
) -> None:
    with postgres.database() as url:
        asyncio.run(_replay(steps, lambda: PostgresStorage.open(url)))


async def _replay(
    steps: list[tuple[Group | None, Group]],
    opening: Callable[[], Awaitable[Storage]] | None = None,
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "property.db"

        def reopen() -> Awaitable[Storage]:
            return SqliteStorage.open(path) if opening is None else opening()

        if opening is None:
            storage: Storage = await SqliteStorage.open(path, synchronous="normal")
        else:
            storage = await opening()
        latest: dict[str, Group] = {}
        try:
            for before, after in steps:
                assert await commit(storage, before, after)
                latest[after.id] = after
                assert await storage.load_group(after.id) == after
        finally:
            await storage.close()
        reopened = await reopen()
        try:
            for gid, group in latest.items():
                assert await reopened.load_group(gid) == group
        finally:
            await reopened.close()
