"""Commands: what people ask for, and what the clock says is due.

A :class:`Request` is one person's action in one chat. The action is what the
chat language parser (``language``) makes of their words, a button or a
reaction; adapters build the same actions, so every way in ends here.

Timer events (:class:`DeadlineDue`, :class:`NudgeDue`, …) come from stored timers
when they fall due. They carry the round they were set for, so a timer made
stale by an extension or an amendment does nothing.

Deadlines stay as the words people typed ("Friday 5pm") until ``decide`` reads
them against the group's time zone and the ``now`` it is given: parsing stays
pure and a deadline can never silently depend on when a message was parsed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# -- who and where ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Actor:
    identity: str  # "telegram:123", "matrix:@sam:example.org", "console:Sam"
    name: str
    handle: str | None = None  # platform username, without "@"
    language: str | None = None  # the platform's language code, when known


# -- proposals -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Propose:
    title: str
    details: str = ""
    process: str | None = None  # None: the group's default
    deadline: str | None = None  # "Friday 5pm", or a duration: see ``duration``
    duration: str | None = None  # "3 days"
    questions: str | None = None  # a questions round of this length ("1 day")
    quorum: int | None = None
    anonymous: bool = False
    hide_results: bool = False
    needs: tuple[str, ...] = ()  # required voices, as typed ("@mum", "Sam")
    review: str | None = None
    options: tuple[str, ...] = ()  # choice: options; time: date-times as typed
    multi: bool = False
    draft: bool = False
    target: int | None = None  # signup: how many people are needed
    on: str | None = None  # signup: the day it is for, as typed ("15 December")


@dataclass(frozen=True, slots=True)
class Start:
    """Open a draft."""

    number: int | None


@dataclass(frozen=True, slots=True)
class Respond:
    number: int | None  # None: the proposal replied to, or the only open one
    word: str  # as typed or pressed; the process decides what it means
    reason: str = ""
    choices: tuple[int, ...] = ()
    maybe: tuple[int, ...] = ()
    proxy_for: str | None = None  # "for @mum consent #7"


@dataclass(frozen=True, slots=True)
class Unrespond:
    """Take one's response back (an emoji reaction removed)."""

    number: int | None
    word: str
    choices: tuple[int, ...] = ()  # a poll: only these picks are taken back


@dataclass(frozen=True, slots=True)
class Ask:
    number: int | None
    question: str


@dataclass(frozen=True, slots=True)
class AnswerQuestion:
    number: int | None
    text: str
    question: int | None = None  # which question; None: the latest unanswered


@dataclass(frozen=True, slots=True)
class Amend:
    number: int | None
    text: str  # the new details; a first line ending in ":" is not special


@dataclass(frozen=True, slots=True)
class Withdraw:
    number: int | None


@dataclass(frozen=True, slots=True)
class WithdrawObjection:
    number: int | None


@dataclass(frozen=True, slots=True)
class Extend:
    number: int | None
    deadline: str


@dataclass(frozen=True, slots=True)
class Close:
    number: int | None


@dataclass(frozen=True, slots=True)
class Reopen:
    number: int | None
    deadline: str | None = None


@dataclass(frozen=True, slots=True)
class RecordOutcome:
    number: int | None
    text: str


@dataclass(frozen=True, slots=True)
class SetReview:
    number: int | None
    date: str


@dataclass(frozen=True, slots=True)
class AskReview:
    """``review #7 now``: everyone is asked about an agreed decision now."""

    number: int | None


@dataclass(frozen=True, slots=True)
class CheckIn:
    """``review #7 keep`` / ``change`` / ``stop``, with an optional reason: one
    person's answer to a review's check-in (``checkins``)."""

    number: int | None
    answer: str  # "keep", "change" or "stop"
    reason: str = ""
    proxy_for: str | None = None  # "for Mum review #7 keep": someone added by name


# -- actions after a decision ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddAction:
    """``action #7 Alex buys the shower chair by Friday``: something to do after a
    decision. The first words may name who does it; an empty text on a sign-up
    makes an action of it for each person who signed up."""

    number: int | None
    text: str = ""
    due: str | None = None  # as typed ("Friday")


@dataclass(frozen=True, slots=True)
class ActionDone:
    """``done #7.1``"""

    number: int | None
    item: int


@dataclass(frozen=True, slots=True)
class MoveAction:
    """``action #7.1 by Monday``: a new date for an action."""

    number: int | None
    item: int
    due: str


@dataclass(frozen=True, slots=True)
class TakeAction:
    """``I'll do it #7.1``: take an action on."""

    number: int | None
    item: int


# -- reading the record ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Status:
    pass


@dataclass(frozen=True, slots=True)
class Decisions:
    pass


@dataclass(frozen=True, slots=True)
class Show:
    number: int | None
    printable: bool = False  # an Easy Read page to print
    calendar: bool = False  # its dates as a calendar file


@dataclass(frozen=True, slots=True)
class History:
    number: int | None


@dataclass(frozen=True, slots=True)
class Export:
    pass


@dataclass(frozen=True, slots=True)
class Help:
    topic: str = ""


# -- people and settings ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Join:
    # True when the platform lists the person as already in the chat as the group
    # starts (Matrix): they are counted in without a welcome each, said to no one.
    already_there: bool = False
    # True when the platform says the person runs the chat (a Matrix moderator or
    # admin, with ``facilitators_from_power_levels``): they are a facilitator. Only
    # an adapter sets it; typed words never do.
    runs_the_chat: bool = False


@dataclass(frozen=True, slots=True)
class Leave:
    # True when the platform says the person left the chat (rather than typing
    # "leave"): they are gone, so facilitation is handed on instead of refused.
    left_chat: bool = False


@dataclass(frozen=True, slots=True)
class AddPerson:
    """Add someone who is not in the chat and answers through a proxy."""

    name: str


@dataclass(frozen=True, slots=True)
class RemovePerson:
    name: str


@dataclass(frozen=True, slots=True)
class MakeFacilitator:
    name: str


@dataclass(frozen=True, slots=True)
class ConfirmPerson:
    """``this is Mum @mary``: a facilitator confirms that a chat account is a person
    who was added by name, so the two become one member with one history. A name
    alone never makes an account someone else."""

    name: str  # the person added by name, as typed
    account: str  # the chat account, as typed ("@mary", "@mary:example.org")


@dataclass(frozen=True, slots=True)
class MySetting:
    """A personal setting: language, quiet, reminders, timezone."""

    key: str
    value: str


@dataclass(frozen=True, slots=True)
class GroupSetting:
    """``settings <key> <value>``: facilitators change the group's settings."""

    key: str
    value: str


@dataclass(frozen=True, slots=True)
class ShowSettings:
    pass


@dataclass(frozen=True, slots=True)
class LinkStart:
    """``link``: make a code that joins another chat to this group.

    The code is a secret made by the application (the core makes no random
    numbers), and is valid for a day."""

    code: str


@dataclass(frozen=True, slots=True)
class LinkChat:
    """``link CODE`` said in another chat: join that chat to this group."""

    code: str
    chat: str
    # ``link CODE confirm``: linked even though it mixes end-to-end encrypted chats
    # with others (the person was warned first).
    confirmed: bool = False
    # Filled in by the application, never by words: the group would then have chats
    # that are end-to-end encrypted (a Matrix room) and chats that are not.
    mixes_encryption: bool = False


@dataclass(frozen=True, slots=True)
class MoveChat:
    """A chat leaves its group to join another (``link CODE`` said there).

    Decided in the group the chat belongs to now, before the other group takes
    it in with :class:`LinkChat`: a chat never changes group unless a facilitator
    of that group says so."""

    chat: str
    to_group: str


@dataclass(frozen=True, slots=True)
class WebLinkStart:
    """``weblink``: a private link to the group's web page (facilitators).

    The application makes the link's secret (the core makes no random numbers)
    and passes in what the core keeps, the secret's ``digest``, and what it
    sends privately, the ``link`` itself. The link is never written down: the
    audit log keeps the digest only (``secret`` fields are blanked by the codec),
    so a replayed record makes the same state and knows no working link."""

    digest: str
    link: str = field(default="", metadata={"secret": True})
    days: int = 90  # how long the link works


@dataclass(frozen=True, slots=True)
class WebLinkOff:
    """``weblink off``: every link to the group's web page stops working."""


@dataclass(frozen=True, slots=True)
class MyCode:
    """``me``, said privately: a code to link one's account on another platform.

    The code is a secret made by the application (the core makes no random
    numbers), and is valid for a day."""

    code: str


@dataclass(frozen=True, slots=True)
class ThisIsMe:
    """``me CODE``, said privately on another platform: this account is the person
    who asked for the code, and they count once."""

    code: str


@dataclass(frozen=True, slots=True)
class Unlink:
    """``unlink`` (facilitators): the chat where it is said leaves the group."""


@dataclass(frozen=True, slots=True)
class MyData:
    pass


@dataclass(frozen=True, slots=True)
class ForgetMe:
    pass


@dataclass(frozen=True, slots=True)
class ChatMoved:
    """The platform moved the group's chat (a Telegram group became a supergroup,
    a Matrix room was upgraded): keep everything, under the new chat id."""

    old: str
    new: str


@dataclass(frozen=True, slots=True)
class ChatGone:
    """The bot was removed from one of the group's chats."""

    chat: str


@dataclass(frozen=True, slots=True)
class Unclear:
    """Words addressed to the bot that the parser could not read: answered with
    the parser's friendly correction, and recorded like any refusal."""

    msgid: str
    params: tuple[tuple[str, str], ...] = ()
    example: str = ""


Action = (
    Propose
    | Start
    | Respond
    | Unrespond
    | Ask
    | AnswerQuestion
    | Amend
    | Withdraw
    | WithdrawObjection
    | Extend
    | Close
    | Reopen
    | RecordOutcome
    | SetReview
    | AskReview
    | CheckIn
    | AddAction
    | ActionDone
    | MoveAction
    | TakeAction
    | Status
    | Decisions
    | Show
    | History
    | Export
    | Help
    | Join
    | Leave
    | AddPerson
    | RemovePerson
    | MakeFacilitator
    | ConfirmPerson
    | MySetting
    | GroupSetting
    | ShowSettings
    | LinkStart
    | WebLinkStart
    | WebLinkOff
    | LinkChat
    | MoveChat
    | MyCode
    | ThisIsMe
    | Unlink
    | MyData
    | ForgetMe
    | ChatMoved
    | ChatGone
    | Unclear
)


@dataclass(frozen=True, slots=True)
class Request:
    """One person's action, in one chat."""

    actor: Actor
    chat: str  # where it was said: "telegram:-100123"; a private chat for DMs
    action: Action
    private: bool = False  # said in a private chat with the bot
    # The platform vouches that this person is in the chat where they acted (they
    # wrote there, or the platform confirmed their membership when they pressed or
    # reacted), so the roster may learn them. False for private messages and for
    # anything an adapter cannot vouch for: then nobody new becomes a member.
    present: bool = True


# -- timer events ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeadlineDue:
    number: int
    round: int


@dataclass(frozen=True, slots=True)
class NudgeDue:
    number: int
    round: int
    member: int | None = None  # None: everyone who has not responded


@dataclass(frozen=True, slots=True)
class ReviewDue:
    number: int


@dataclass(frozen=True, slots=True)
class CheckInDue:
    """A review's check-in is over (its round, so a later check-in is not ended)."""

    number: int
    round: int


@dataclass(frozen=True, slots=True)
class DigestDue:
    pass


@dataclass(frozen=True, slots=True)
class ActionReminderDue:
    """A day before an action's date: a private reminder to whoever does it."""

    number: int
    item: int
    due: str  # the date it was set for (ISO): a moved action's old reminder does nothing


@dataclass(frozen=True, slots=True)
class ActionDue:
    """An action's date: not done yet, the group hears it kindly and the person is asked."""

    number: int
    item: int
    due: str


TimerEvent = (
    DeadlineDue | NudgeDue | ReviewDue | CheckInDue | DigestDue | ActionReminderDue | ActionDue
)

Command = Request | TimerEvent
