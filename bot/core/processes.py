"""The decision processes, as one table of data.

A process is not a class: it is a row that says which responses people may
give, which of them need a reason, which of them stop a proposal, how long the
rounds last, and which outcome rule applies at the end. The rules themselves
live in ``outcomes``; this table only names them.

Words people type are matched forgivingly: each response has synonyms, and a
word means a response only in the processes where it is unambiguous ("yes" is
consent in a consent proposal and "yes, that slot suits me" in a time poll).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from bot.core.i18n import N_
from bot.core.model import WITHDRAWN_RESPONSE


class Rule(StrEnum):
    """The outcome rule a process uses (see ``outcomes``)."""

    CONSENT = "consent"
    LAZY = "lazy"
    ADVICE = "advice"
    CONSENSUS = "consensus"
    CHOICE = "choice"
    TIME = "time"
    ACK = "ack"
    SIGNUP = "signup"


@dataclass(frozen=True, slots=True)
class ResponseKind:
    name: str  # the word stored and typed: "consent", "object", …
    label: str  # the response in words, for people (translated): "Consent", "Object"
    emoji: str  # a reaction that means this response; it leads the label on buttons
    needs_reason: bool = False
    blocks: bool = False  # stops the proposal while it stands
    synonyms: tuple[str, ...] = ()

    def button(self, _: Callable[[str], str]) -> str:
        """The words on its button: the emoji, then the label in the reader's words."""
        return f"{self.emoji} {_(self.label)}"


@dataclass(frozen=True, slots=True)
class Process:
    name: str
    title: str  # how the process is named to people
    responses: tuple[ResponseKind, ...]
    rule: Rule
    duration: timedelta  # the response round
    questions: timedelta | None = None  # an optional questions round first
    resolve: bool = False  # objections at the deadline go to a resolve stage
    early_close: bool = True  # may end as soon as every member has responded
    default_quorum: int | None = None  # None: the group's quorum
    needs_options: bool = False  # choice and time polls list options
    # A sign-up ends as soon as enough people say they can: the target is met,
    # whoever else has not answered yet.
    ends_when_full: bool = False
    # Every word, synonym and emoji, with the response it stands for (the first
    # that has it): derived from ``responses``, as every response looks one up.
    words: Mapping[str, ResponseKind] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        words: dict[str, ResponseKind] = {}
        for kind in self.responses:
            for word in (kind.name, *kind.synonyms, kind.emoji):
                words.setdefault(word, kind)
        object.__setattr__(self, "words", words)  # a frozen class sets its own this way

    def response(self, word: str) -> ResponseKind | None:
        """The response a typed word or emoji stands for in this process."""
        return self.words.get(word)

    def label_of(self, word: str) -> str:
        """The label (a message id, to translate) of a stored response word; a
        response taken back has its own words."""
        if word == WITHDRAWN_RESPONSE:
            return N_("Took back their response")
        kind = self.response(word)
        return kind.label if kind is not None else word

    @property
    def blocking(self) -> frozenset[str]:
        return frozenset(k.name for k in self.responses if k.blocks)


_DAY = timedelta(days=1)

PROCESSES: dict[str, Process] = {
    p.name: p
    for p in (
        Process(
            name="consent",
            title=N_("consent"),
            responses=(
                ResponseKind(
                    "consent",
                    N_("Consent"),
                    "✅",
                    synonyms=("ok", "okay", "yes", "agree", "fine", "👍", "consent", "i consent"),
                ),
                ResponseKind(
                    "concern",
                    N_("Concern"),
                    "🟡",
                    needs_reason=True,
                    synonyms=("worry", "worried", "unsure"),
                ),
                ResponseKind(
                    "object",
                    N_("Object"),
                    "✋",
                    needs_reason=True,
                    blocks=True,
                    synonyms=("objection", "no", "👎"),
                ),
            ),
            rule=Rule.CONSENT,
            duration=3 * _DAY,
            questions=_DAY,
            resolve=True,
        ),
        Process(
            name="lazy",
            title=N_("lazy consensus"),
            responses=(
                ResponseKind(
                    "support",
                    N_("Support"),
                    "👍",
                    synonyms=("ok", "okay", "yes", "agree", "consent", "fine"),
                ),
                ResponseKind(
                    "object",
                    N_("Object"),
                    "✋",
                    needs_reason=True,
                    blocks=True,
                    synonyms=("objection", "no", "👎"),
                ),
            ),
            rule=Rule.LAZY,
            duration=3 * _DAY,
            early_close=False,  # silence is the point of lazy consensus: wait for the deadline
            default_quorum=0,
        ),
        Process(
            name="advice",
            title=N_("advice"),
            responses=(
                ResponseKind(
                    "advice",
                    N_("Advice"),
                    "💬",
                    needs_reason=True,
                    synonyms=("advise", "suggest", "suggestion"),
                ),
                ResponseKind(
                    "noadvice",
                    N_("No advice"),
                    "👌",
                    synonyms=("none", "no advice", "ok", "okay", "fine"),
                ),
            ),
            rule=Rule.ADVICE,
            duration=3 * _DAY,
            early_close=False,  # the decider decides after the deadline
            default_quorum=0,
        ),
        Process(
            name="consensus",
            title=N_("consensus"),
            responses=(
                ResponseKind("agree", N_("Agree"), "✅", synonyms=("yes", "ok", "okay", "👍")),
                ResponseKind("abstain", N_("Abstain"), "⚪", synonyms=("pass",)),
                ResponseKind(
                    "disagree", N_("Disagree"), "❌", needs_reason=True, synonyms=("no", "👎")
                ),
                ResponseKind(
                    "block",
                    N_("Block"),
                    "✋",
                    needs_reason=True,
                    blocks=True,
                    synonyms=("object", "objection"),
                ),
            ),
            rule=Rule.CONSENSUS,
            duration=3 * _DAY,
        ),
        Process(
            name="choice",
            title=N_("poll"),
            responses=(ResponseKind("vote", N_("Vote"), "🗳", synonyms=("choose", "pick")),),
            rule=Rule.CHOICE,
            duration=3 * _DAY,
            needs_options=True,
        ),
        Process(
            name="time",
            title=N_("time poll"),
            responses=(
                ResponseKind(
                    "vote",
                    N_("Choose times"),
                    "🗓",
                    synonyms=("available", "times", "yes", "choose"),
                ),
            ),
            rule=Rule.TIME,
            duration=3 * _DAY,
            needs_options=True,
        ),
        Process(
            name="ack",
            title=N_("for information"),
            responses=(
                ResponseKind(
                    "seen",
                    N_("I've read this"),
                    "👀",
                    synonyms=("read", "ok", "okay", "seen it", "got it", "👍"),
                ),
            ),
            rule=Rule.ACK,
            duration=3 * _DAY,
            default_quorum=0,
        ),
        Process(
            name="signup",
            title=N_("sign-up"),
            responses=(
                ResponseKind(
                    "can",
                    N_("I can do it"),
                    "🙋",
                    synonyms=("yes", "ok", "okay", "available", "i can", "i can do it"),
                ),
                ResponseKind(
                    "cannot",
                    N_("I can't"),
                    "🙅",
                    synonyms=("cant", "can't", "i can't", "i cannot", "unavailable"),
                ),
            ),
            rule=Rule.SIGNUP,
            duration=3 * _DAY,
            early_close=False,  # it ends when the target is met, not when all have answered
            default_quorum=0,
            ends_when_full=True,
        ),
    )
}

# Words people use for a process when they name it in "process <name>".
PROCESS_NAMES: dict[str, str] = {
    "consent": "consent",
    "lazy": "lazy",
    "lazy consensus": "lazy",
    "advice": "advice",
    "consensus": "consensus",
    "choice": "choice",
    "poll": "choice",
    "time": "time",
    "timepoll": "time",
    "time poll": "time",
    "ack": "ack",
    "info": "ack",
    "information": "ack",
    "for information": "ack",
    "signup": "signup",
    "sign up": "signup",
    "sign-up": "signup",
}

# Every word that may start a response, in any process (the parser's vocabulary).
RESPONSE_WORDS: frozenset[str] = frozenset(
    word
    for process in PROCESSES.values()
    for kind in process.responses
    for word in (kind.name, *kind.synonyms)
    if " " not in word
)
