"""The domain: groups, members, proposals, versions, rounds and responses.

Everything here is an immutable dataclass. The core never changes a value in
place: it builds a new group from the old one. That gives two guarantees for
free: a refused command leaves the state exactly as it was (the caller still
holds the old object), and storage can tell what changed by identity
(``new.proposals[7] is not old.proposals[7]``).

Times are timezone-aware ``datetime`` values in UTC; time zones belong to the
people and the group and are only applied when text is written for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from enum import StrEnum

# -- members -------------------------------------------------------------------------------


class Role(StrEnum):
    MEMBER = "member"
    FACILITATOR = "facilitator"


class MemberStatus(StrEnum):
    ACTIVE = "active"
    LEFT = "left"  # said "leave" or left the chat: not counted, not nudged
    # Taken off by a facilitator: like LEFT, but only a facilitator brings them back;
    # joining the chat again or saying "join" does not (docs/design-notes.md).
    REMOVED = "removed"
    FORGOTTEN = "forgotten"  # said "forgetme": shown as "a former member"


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Hours in the member's own time zone when no private nudge is sent."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end  # e.g. 21:00-08:00


# Everyone has quiet hours until they choose their own: a reminder at 23:00 or
# 06:00 is unkind. "quiet off" is kept as hours that start and end together
# (they contain no moment), so a member's "off" is told apart from "never set".
DEFAULT_QUIET = QuietHours(time(21, 0), time(8, 0))
NO_QUIET = QuietHours(time(0, 0), time(0, 0))


@dataclass(frozen=True, slots=True)
class Member:
    id: int
    name: str
    identities: tuple[str, ...] = ()  # "telegram:123", "matrix:@sam:example.org"
    handle: str | None = None  # a platform username, without "@"
    role: Role = Role.MEMBER
    status: MemberStatus = MemberStatus.ACTIVE
    language: str | None = None  # None: the group's language
    timezone: str | None = None  # None: the group's time zone
    quiet: QuietHours | None = None
    reminders: bool = True
    added_by: int | None = None  # someone added by name, who answers through a proxy
    joined_at: datetime | None = None
    # The platform private reminders go to ("telegram", "matrix"), as the member chose
    # with "reminders on telegram"; None: the one they used last (``identities[0]``).
    reminders_on: str | None = None

    @property
    def active(self) -> bool:
        return self.status is MemberStatus.ACTIVE

    @property
    def quiet_hours(self) -> QuietHours | None:
        """The hours kept quiet for this member: their own, else the default; None if off."""
        hours = DEFAULT_QUIET if self.quiet is None else self.quiet
        return None if hours.start == hours.end else hours

    @property
    def is_facilitator(self) -> bool:
        return self.active and self.role is Role.FACILITATOR

    @property
    def private_identities(self) -> tuple[str, ...]:
        """The member's accounts in the order private messages try them: the platform
        they chose for reminders first, then the one they used last (the identities
        are kept with the one used last first)."""
        if self.reminders_on is None:
            return self.identities
        chosen = tuple(i for i in self.identities if i.split(":", 1)[0] == self.reminders_on)
        return (*chosen, *(i for i in self.identities if i not in chosen))


@dataclass(frozen=True, slots=True)
class AccountCode:
    """A short code a member asked for privately (``me``) to link their account on
    another platform: said there privately (``me CODE``) before ``expires``, that
    account becomes theirs. Never a name: only the person holds the code."""

    member: int
    platform: str  # where the code was given; it works only on another platform
    expires: datetime


# -- group -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupSettings:
    timezone: str = "Europe/London"
    language: str = "en"
    process: str = "consent"
    quorum: int = 50  # percent of members who must respond
    min_deadline: timedelta = timedelta(hours=1)
    nudge_before: timedelta = timedelta(hours=24)
    questions: timedelta | None = None  # None: the process's default
    duration: timedelta | None = None  # None: the process's default
    resolve: timedelta = timedelta(days=2)  # how long objections may be worked on
    digest: bool = False  # a weekly post of what is open


@dataclass(frozen=True, slots=True)
class WebLink:
    """A private link to the group's web page. Only the digest of its secret is
    kept (the key it is stored under); the link itself went to the facilitator
    who asked for it."""

    made_by: int  # the member who asked for it
    made_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    name: str = ""
    chats: tuple[str, ...] = ()
    settings: GroupSettings = field(default_factory=GroupSettings)
    members: Mapping[int, Member] = field(default_factory=dict)
    proposals: Mapping[int, Proposal] = field(default_factory=dict)
    link_codes: Mapping[str, datetime] = field(default_factory=dict)  # code -> expiry
    web_links: Mapping[str, WebLink] = field(default_factory=dict)  # digest -> link
    account_codes: Mapping[str, AccountCode] = field(default_factory=dict)  # ``me`` codes
    objection_explained: bool = False  # the word is explained the first time a group sees it
    # The proposal whose card explains it (the group's first consent card), kept
    # by number: that card may be closed and out of memory (``bot.core.resident``)
    # when a later card is drawn. None with ``objection_explained``: a group from
    # before the number was kept whose first card is gone; no card explains it.
    explained_on: int | None = None
    # The highest proposal number ever given. Numbers are never given twice, even
    # once old proposals are purged: cards, buttons and the audit log name them.
    numbered: int = 0

    # Lookups used everywhere; derived, never stored.

    def member_by_identity(self, identity: str) -> Member | None:
        for member in self.members.values():
            if identity in member.identities:
                return member
        return None

    def active_members(self) -> list[Member]:
        return [m for m in self.members.values() if m.active]

    def facilitators(self) -> list[Member]:
        return [m for m in self.members.values() if m.is_facilitator]

    def next_member_id(self) -> int:
        return max(self.members, default=0) + 1

    def next_proposal_number(self) -> int:
        return max(self.numbered, max(self.proposals, default=0)) + 1

    def with_member(self, member: Member) -> Group:
        return replace(self, members={**self.members, member.id: member})

    def with_proposal(self, proposal: Proposal) -> Group:
        number = proposal.number
        numbered = self.numbered if self.numbered >= number else number
        return replace(self, proposals={**self.proposals, number: proposal}, numbered=numbered)


# -- proposals -------------------------------------------------------------------------------


class Stage(StrEnum):
    """Where a proposal is in its life; transitions live in ``lifecycle``."""

    DRAFT = "draft"
    QUESTIONS = "questions"
    OPEN = "open"
    RESOLVING = "resolving"
    AGREED = "agreed"
    NOT_AGREED = "not_agreed"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"  # for-information proposals end here: nothing was decided
    REVIEW_DUE = "review_due"


class RoundKind(StrEnum):
    QUESTIONS = "questions"
    RESPONSES = "responses"
    # A check-in on an agreed decision (keep, change or stop; ``checkins``). It
    # comes after the decision, so it is never the round that decided it.
    REVIEW = "review"


@dataclass(frozen=True, slots=True)
class Version:
    number: int
    title: str
    details: str
    by: int
    at: datetime


@dataclass(frozen=True, slots=True)
class ResponseRecord:
    """One response given, in the order given; the latest per member counts.

    In anonymous proposals ``member`` is ``None``: no name is ever stored with
    the response. ``recorded_by`` is set for proxy responses.
    """

    seq: int
    member: int | None
    response: str
    reason: str
    at: datetime
    recorded_by: int | None = None
    choices: tuple[int, ...] = ()  # choice: the options; time: the slots that suit ("yes")
    maybe: tuple[int, ...] = ()  # time: the slots that would do "if need be"


@dataclass(frozen=True, slots=True)
class Round:
    index: int
    kind: RoundKind
    version: int
    opened_at: datetime
    deadline: datetime
    eligible: frozenset[int]  # members at the start of the round: quorum counts against them
    history: tuple[ResponseRecord, ...] = ()
    participants: frozenset[int] = frozenset()  # who has responded (kept apart from what)
    closed_at: datetime | None = None

    def current(self) -> dict[int, ResponseRecord]:
        """Each member's current response (named proposals only)."""
        latest: dict[int, ResponseRecord] = {}
        for record in self.history:
            if record.member is not None:
                if record.response == WITHDRAWN_RESPONSE:
                    latest.pop(record.member, None)
                else:
                    latest[record.member] = record
        return latest

    def response_of(self, member: int) -> ResponseRecord | None:
        """``current().get(member)`` without building the dict: the member's
        latest record, unless that record took the response back."""
        for record in reversed(self.history):
            if record.member == member:
                return None if record.response == WITHDRAWN_RESPONSE else record
        return None

    def current_records(self) -> list[ResponseRecord]:
        """Every current response, named or anonymous."""
        anonymous = [r for r in self.history if r.member is None]
        return [*anonymous, *self.current().values()]


# A member taking their response back (an un-react) is recorded, not erased.
WITHDRAWN_RESPONSE = "withdrawn"


@dataclass(frozen=True, slots=True)
class Question:
    id: int
    by: int
    text: str
    at: datetime
    answers: tuple[Answer, ...] = ()


@dataclass(frozen=True, slots=True)
class Answer:
    by: int
    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ProposalOptions:
    anonymous: bool = False
    hide_results: bool = False
    quorum: int | None = None  # None: the process's or group's default
    required: frozenset[int] = frozenset()  # members whose voice is needed to pass
    choices: tuple[str, ...] = ()  # choice: the options; time: the date-time slots (ISO)
    multi: bool = False  # choice: more than one option may be picked
    target: int = 0  # signup: how many people are needed
    on: datetime | None = None  # signup: the day it is for ("on 15 December")


@dataclass(frozen=True, slots=True)
class Outcome:
    stage: Stage
    summary: str  # what the bot concluded, in words
    at: datetime
    decision: str = ""  # what the people recorded with "outcome #n"
    recorded_by: int | None = None
    winners: tuple[int, ...] = ()  # choice / time: the winning options, 1-based


@dataclass(frozen=True, slots=True)
class LogEntry:
    """Something done to a proposal that is not a response: kept for history."""

    at: datetime
    by: int | None
    what: str  # an event name: "proposed", "amended", "extended", "closed", …
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ActionItem:
    """Something to do after a decision ("action #7 Alex buys the shower chair by
    Friday"), named ``#7.1`` after its decision. Nothing is erased: a new date or
    a new person is a new copy, and the proposal's log keeps what changed."""

    id: int  # 1, 2, … within the proposal
    text: str  # what is to be done, as typed ("buys the shower chair")
    who: int | None  # the member doing it; None: nobody yet, anyone may take it on
    due: datetime | None  # when it should be done by
    by: int  # who added it
    at: datetime
    done_at: datetime | None = None
    done_by: int | None = None

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass(frozen=True, slots=True)
class Proposal:
    number: int
    process: str
    proposer: int
    stage: Stage
    created_at: datetime
    versions: tuple[Version, ...]
    rounds: tuple[Round, ...] = ()
    options: ProposalOptions = field(default_factory=ProposalOptions)
    questions: tuple[Question, ...] = ()
    outcome: Outcome | None = None
    review_at: datetime | None = None
    follows: int | None = None  # the proposal this one reopens
    planned_deadline: datetime | None = None  # the response deadline asked for at the start
    log: tuple[LogEntry, ...] = ()
    actions: tuple[ActionItem, ...] = ()  # what people do after the decision

    @property
    def version(self) -> Version:
        return self.versions[-1]

    @property
    def title(self) -> str:
        return self.version.title

    @property
    def round(self) -> Round | None:
        """The round the group decided in (or is deciding in): the last one that
        is not a review's check-in."""
        for round_ in reversed(self.rounds):
            if round_.kind is not RoundKind.REVIEW:
                return round_
        return None

    @property
    def check_in(self) -> Round | None:
        """The review's check-in now open, if there is one (``checkins``)."""
        last = self.rounds[-1] if self.rounds else None
        if last is None or last.kind is not RoundKind.REVIEW or last.closed_at is not None:
            return None
        return last

    @property
    def check_ins(self) -> tuple[Round, ...]:
        """Every review's check-in, oldest first."""
        return tuple(r for r in self.rounds if r.kind is RoundKind.REVIEW)

    def logged(self, entry: LogEntry) -> Proposal:
        return replace(self, log=(*self.log, entry))
