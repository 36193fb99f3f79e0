"""Groups to store, built straight from the model's dataclasses."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from bot.app import Outgoing
from bot.core.commands import Actor, Request, Respond, Status
from bot.core.model import (
    AccountCode,
    ActionItem,
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

NOW = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
DAY = timedelta(days=1)
TABLES = (
    "groups", "chats", "link_codes", "web_links", "members", "identities", "proposals", "versions",
    "rounds", "responses", "questions", "answers", "proposal_log", "timers", "inbox", "outbox",
    "deliveries", "cards", "actions", "kv", "audit",
)  # fmt: skip


def at(days: float) -> datetime:
    return NOW + timedelta(days=days)


def members() -> dict[int, Member]:
    return {
        1: Member(
            1, "Sam", ("telegram:101", "matrix:@sam:example.org"), handle="sam",
            role=Role.FACILITATOR, language="en", timezone="Europe/London",
            quiet=QuietHours(time(21, 0), time(8, 0)), joined_at=at(-30),
            reminders_on="matrix",
        ),
        2: Member(2, "Mum", (), added_by=1, reminders=False, joined_at=at(-29)),
        3: Member(3, "Priya", ("telegram:103",), language="hi", timezone="Asia/Kolkata"),
        4: Member(4, "Alex", ("matrix:@alex:example.org",), status=MemberStatus.LEFT),
        5: Member(5, "", (), status=MemberStatus.FORGOTTEN),
    }  # fmt: skip


def consent_proposal() -> Proposal:
    """Agreed after a questions round, an objection, an amendment and a second round."""
    v1 = Version(1, "Move the morning visit to 10:00", "From Monday.", 1, at(-10))
    v2 = Version(2, "Move the morning visit to 10:00", "From Monday; Priya covers 9:00.", 1, at(-7))
    questions = Round(0, RoundKind.QUESTIONS, 1, at(-10), at(-9), frozenset({1, 2, 3}),
                      closed_at=at(-9))  # fmt: skip
    first = Round(
        1, RoundKind.RESPONSES, 1, at(-9), at(-7), frozenset({1, 2, 3}),
        history=(
            ResponseRecord(1, 1, "consent", "", at(-9)),
            ResponseRecord(2, 3, "object", "Clashes with my school run.", at(-8.5)),
            ResponseRecord(3, 2, "concern", "Mum prefers 9:30.", at(-8), recorded_by=1),
        ),
        participants=frozenset({1, 2, 3}), closed_at=at(-7),
    )  # fmt: skip
    second = Round(
        2, RoundKind.RESPONSES, 2, at(-7), at(-4), frozenset({1, 2, 3}),
        history=(
            ResponseRecord(1, 3, "consent", "", at(-6.5)),
            ResponseRecord(2, 1, "concern", "Watch the traffic.", at(-6)),
            ResponseRecord(3, 1, "withdrawn", "", at(-5.9)),
            ResponseRecord(4, 1, "consent", "", at(-5.8)),
            ResponseRecord(5, 2, "consent", "", at(-5), recorded_by=1),
        ),
        participants=frozenset({1, 2, 3}), closed_at=at(-5),
    )  # fmt: skip
    return Proposal(
        number=1, process="consent", proposer=1, stage=Stage.AGREED, created_at=at(-10),
        versions=(v1, v2), rounds=(questions, first, second),
        options=ProposalOptions(quorum=60, required=frozenset({2})),
        questions=(
            Question(1, 3, "Who covers 9:00?", at(-9.8), answers=(
                Answer(1, "Priya, if she can.", at(-9.7)), Answer(3, "I can.", at(-9.6)),
            )),
            Question(2, 2, "Does the carer agree?", at(-9.5)),
        ),
        outcome=Outcome(Stage.AGREED, "Agreed: no objection stands.", at(-5),
                        decision="From Monday 10 March.", recorded_by=1),
        review_at=at(25),
        log=(
            LogEntry(at(-10), 1, "proposed"), LogEntry(at(-7), 1, "amended", "version 2"),
            LogEntry(at(-5), None, "agreed"),
        ),
        actions=(
            ActionItem(1, "tells the agency", 2, at(-3), 1, at(-5), done_at=at(-4), done_by=2),
            # done by whoever took it on: all is done, so the decision may be purged
            ActionItem(2, "updates the rota", None, at(4), 3, at(-4), done_at=at(-3), done_by=3),
        ),
    )  # fmt: skip


def choice_proposal() -> Proposal:
    """An anonymous multiple-choice poll, still open."""
    round_ = Round(
        0, RoundKind.RESPONSES, 1, at(-1), at(2), frozenset({1, 2, 3}),
        history=(
            ResponseRecord(1, None, "vote", "", at(-0.5), choices=(1, 3)),
            ResponseRecord(2, None, "vote", "", at(-0.4), choices=(2,)),
        ),
        participants=frozenset({1, 3}),
    )  # fmt: skip
    return Proposal(
        number=2, process="choice", proposer=3, stage=Stage.OPEN, created_at=at(-1),
        versions=(Version(1, "Which day for the team meeting?", "", 3, at(-1)),),
        rounds=(round_,),
        options=ProposalOptions(anonymous=True, hide_results=True, multi=True,
                                choices=("Monday", "Wednesday", "Friday"),
                                # a sign-up's own, stored with every proposal's options
                                target=2, on=at(6)),
        log=(LogEntry(at(-1), 3, "proposed"),),
    )  # fmt: skip


def time_proposal() -> Proposal:
    """A time poll that found a slot."""
    slots = ("2025-03-10T10:00:00+00:00", "2025-03-11T14:00:00+00:00")
    round_ = Round(
        0, RoundKind.RESPONSES, 1, at(-4), at(-1), frozenset({1, 3}),
        history=(
            ResponseRecord(1, 1, "time", "", at(-3), choices=(1,), maybe=(2,)),
            ResponseRecord(2, 3, "time", "", at(-2), choices=(2,), maybe=(1,)),
        ),
        participants=frozenset({1, 3}), closed_at=at(-1),
    )  # fmt: skip
    return Proposal(
        number=3, process="time", proposer=1, stage=Stage.AGREED, created_at=at(-4),
        versions=(Version(1, "Review meeting", "At Mum's.", 1, at(-4)),), rounds=(round_,),
        options=ProposalOptions(choices=slots),
        outcome=Outcome(Stage.AGREED, "Monday 10 March, 10:00 suits most.", at(-1),
                        winners=(1,)),
    )  # fmt: skip


def lazy_proposal() -> Proposal:
    """A draft that follows the first proposal: no rounds yet."""
    return Proposal(
        number=4, process="lazy", proposer=2, stage=Stage.DRAFT, created_at=at(0),
        versions=(Version(1, "Try 9:30 instead", "Mum asked.", 2, at(0)),), follows=1,
        planned_deadline=at(3),  # a draft opens with the deadline asked for at the start
    )  # fmt: skip


def rich_group(group_id: str = "g1") -> Group:
    return Group(
        id=group_id,
        name="Mum's care team",
        chats=(f"telegram:-100{group_id}", f"matrix:!{group_id}:example.org"),
        settings=GroupSettings(
            timezone="Europe/Paris", language="fr", process="advice", quorum=75,
            min_deadline=timedelta(hours=2), nudge_before=timedelta(hours=12), questions=DAY,
            duration=timedelta(days=4), resolve=timedelta(days=3), digest=True,
        ),
        members=members(),
        proposals={p.number: p for p in (consent_proposal(), choice_proposal(),
                                          time_proposal(), lazy_proposal())},
        link_codes={"K3Y-42": at(1)},
        account_codes={"me-7Q": AccountCode(3, "telegram", at(1))},
        web_links={f"{group_id}-web-digest": WebLink(made_by=1, made_at=at(0), expires_at=at(90))},
        objection_explained=True,
        explained_on=1,  # the consent proposal's card
        numbered=4,  # as the core keeps it: the highest number given
    )  # fmt: skip


def before_actions(group: Group) -> Group:
    """``group`` as a database from before schema 9 held it: no actions after decisions."""
    proposals = {n: replace(p, actions=()) for n, p in group.proposals.items()}
    return replace(group, proposals=proposals)


def with_response(group: Group, number: int, record: ResponseRecord) -> Group:
    """The group after one more response in the proposal's last round."""
    proposal = group.proposals[number]
    last = proposal.rounds[-1]
    changed = replace(last, history=(*last.history, record))
    return group.with_proposal(replace(proposal, rounds=(*proposal.rounds[:-1], changed)))


def say(text: str = "status", who: str = "telegram:101") -> Request:
    action = Status() if text == "status" else Respond(2, text)
    return Request(Actor(who, "Sam"), "telegram:-100g1", action)


async def commit(
    storage: SqliteStorage,
    before: Group | None,
    after: Group,
    *,
    outgoing: tuple[Outgoing, ...] = (),
    update_key: str | None = None,
    fired_timer: str | None = None,
    now: datetime = NOW,
) -> bool:
    return await storage.commit(
        group_before=before,
        group_after=after,
        command=say(),
        now=now,
        summary="a test command",
        outgoing=outgoing,
        update_key=update_key,
        fired_timer=fired_timer,
    )


def row_counts(path: Path) -> dict[str, int]:
    """Rows per table, read by a separate connection (WAL lets it read alongside)."""
    with closing(sqlite3.connect(path)) as db:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
