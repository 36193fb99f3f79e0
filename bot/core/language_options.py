"""Reading a new proposal, poll or time poll: its title, option lines and details.

    propose Move the morning visit to 10:00
    Sam starts at 9:30 now, so 10:00 gives time to get there.
    by Friday 5pm
    needs @mum

The first line is the title. Every following line is either an option (each
on its own line, anywhere after the title) or part of the details. Option
lines are matched forgivingly ("- By friday 5pm", "• Anonymous"), but a line
is only taken for an option when it looks like one: a short "by …" line, an
"in …" line that is a length of time, a "needs …" line of names. So "By the
way, Sam is away in May" stays in the details where it belongs.

A poll's options follow its question after "|" bars, and then the lines below
are details; or, without bars, the lines below are the options, one a line
("1. Monday", "- Tuesday").
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.commands import Propose
from bot.core.deadlines import MAX_YEARS, looks_like_length, parse_duration
from bot.core.i18n import N_, Phrase
from bot.core.language_words import (
    MAX_DETAILS,
    MAX_SHORT,
    MAX_TITLE,
    NotUnderstood,
    key,
    over,
    phrase_key,
    tidy,
    visible,
)
from bot.core.names import fold
from bot.core.processes import PROCESS_NAMES

MIN_OPTIONS, MAX_OPTIONS = 2, 10
# A date or a length of time is a few words; a longer "by …" line is a sentence.
_MAX_OPTION_WORDS = 6

EXAMPLES = {
    "propose": "propose Move the morning visit to 10:00",
    "poll": "poll Which day suits you? | Monday | Tuesday",
    "timepoll": "timepoll Team meeting | Monday 10:00 | Tuesday 14:00",
    "signup": "signup We need 1 person for the Tuesday visit on 15 December",
}
# Refusals of an option line show the line inside a whole command, ready to copy.
PROCESS_EXAMPLE = "propose Try the new morning routine for a month\nprocess lazy consensus"
QUORUM_EXAMPLE = "propose Try the new morning routine for a month\nquorum 50%"

# Lines that are an option by themselves.
_FLAGS: dict[str, str] = {
    **dict.fromkeys(("anonymous", "anon", "anonymously", "secret ballot"), "anonymous"),
    **dict.fromkeys(
        ("hide results", "hidden results", "hide the results", "results hidden", "hide votes",
         "hide responses"),
        "hide_results",
    ),
    **dict.fromkeys(("draft", "as draft", "as a draft", "save as draft", "draft only"), "draft"),
    **dict.fromkeys(
        ("multi", "multiple", "multiple choice", "multichoice", "multi choice", "several",
         "pick several", "more than one"),
        "multi",
    ),
}  # fmt: skip

# Lines that start with a word and carry a value: "by Friday 5pm".
_LEADS: dict[str, str] = {
    **dict.fromkeys(("by", "deadline", "until", "till", "before", "closes"), "deadline"),
    **dict.fromkeys(("in", "for", "lasts", "duration"), "duration"),
    **dict.fromkeys(("process", "method"), "process"),
    "quorum": "quorum",
    **dict.fromkeys(("needs", "need", "required", "requires"), "needs"),
    "review": "review",
    **dict.fromkeys(("questions", "question"), "questions"),
}

# Which options each kind of proposal takes.
_ALLOWED = {
    "propose": frozenset(
        {"deadline", "duration", "process", "quorum", "anonymous", "hide_results", "needs",
         "review", "questions", "draft"}
    ),
    "poll": frozenset(
        {"deadline", "duration", "quorum", "anonymous", "hide_results", "needs", "draft", "multi"}
    ),
    # A sign-up names its people (never anonymous) and ends when it has enough.
    "signup": frozenset({"deadline", "duration", "draft"}),
    # Time polls let people pick several times anyway: "multi" is accepted and changes nothing.
    "timepoll": frozenset(
        {"deadline", "duration", "quorum", "anonymous", "hide_results", "needs", "draft", "multi"}
    ),
}  # fmt: skip

# Words that turn up in sentences but never in a date or a list of names: a
# "by …", "review …" or "needs …" line with one of them is details, not an
# option ("By 10am she needs breakfast", "Needs to be agreed before Sam leaves").
_SENTENCE_WORDS = frozenset(
    {"i", "me", "my", "you", "he", "him", "his", "she", "her", "we", "us", "our", "they",
     "them", "their", "it", "its", "myself", "yourself", "himself", "herself", "ourselves",
     "themselves", "is", "are", "was", "were", "be", "been", "will", "would", "should", "can",
     "could", "must", "may", "might", "has", "have", "had", "do", "does", "did", "need",
     "needs", "get", "gets", "go", "goes", "and", "but", "so", "because", "if", "way", "then",
     "now", "phone", "email", "text", "post", "hand", "car", "bus", "train", "taxi"}
)  # fmt: skip
_NOT_NAMES = _SENTENCE_WORDS | {
    "to", "the", "a", "an", "of", "more", "some", "this", "that", "when", "before", "after",
    "not", "help", "doing", "done", "in", "on", "at", "for", "with", "from", "by",
}  # fmt: skip
_NAME = re.compile(r"@?[\w.'\-:]+")
_BULLET = re.compile(r"^\s*(?:[-•*·–>]+\s*)")
_NUMBERING = re.compile(r"^\s*(?:\d{1,2}[.)]|\(?[a-j]\)|[-•*·–]+)\s+")

Value = str | int | bool | tuple[str, ...]
Reading = tuple[str, Value] | NotUnderstood | None


@dataclass(frozen=True, slots=True)
class _Line:
    """An option line: the folded first word(s) and the value as typed."""

    lead: str
    value: str


def _split_lead(line: str) -> _Line | None:
    text = _BULLET.sub("", line).strip()
    parts = text.split(None, 1)
    if not parts:
        return None
    return _Line(key(parts[0]), parts[1].strip(" :=\t") if len(parts) > 1 else "")


def _short(value: str) -> bool:
    """Short enough to be a date or a length, and not a sentence."""
    words = phrase_key(value).split()
    return (
        0 < len(value) <= 40
        and len(words) <= _MAX_OPTION_WORDS
        and not (_SENTENCE_WORDS.intersection(words))
    )


def _deadline(value: str) -> Reading:
    process = PROCESS_NAMES.get(phrase_key(value))
    if process is not None:  # "by consent", "by lazy consensus"
        return "process", process
    value = tidy(value)
    return ("deadline", value) if _short(value) else None


def _duration(value: str) -> Reading:
    value = tidy(value)
    if not _short(value):
        return None
    if parse_duration(value):
        return "duration", value
    if looks_like_length(value):  # "in -3 days", "in 0 days", "in 500 years"
        return NotUnderstood(
            Phrase(
                N_("I can't use 'in {text}' as a deadline. Please give a time from now, "
                   "up to {years} years."),
                {"text": value[:40], "years": MAX_YEARS},
            ),
            "propose Try the new morning routine for a month\nin 3 days",
        )  # fmt: skip
    return None


def _process(value: str) -> Reading:
    name = phrase_key(value).removesuffix(" process").strip()
    if name in PROCESS_NAMES:
        return "process", PROCESS_NAMES[name]
    if len(name.split()) > 3:
        return None  # a sentence that starts with "process"
    names = ", ".join(sorted(set(PROCESS_NAMES.values())))
    return NotUnderstood(
        Phrase(N_("I don't know the process '{name}'. You can use: {names}."),
               {"name": tidy(value)[:40], "names": names}),
        PROCESS_EXAMPLE,
    )  # fmt: skip


def _quorum(value: str) -> Reading:
    text = " ".join(fold(tidy(value)).split())
    match = re.fullmatch(r"(\d{1,9})\s*(?:%|percent|per cent|pc)?", text)
    if match is not None and int(match[1]) <= 100:
        return "quorum", int(match[1])
    if len(text.split()) > 3:
        return None
    return NotUnderstood(
        Phrase(
            N_(
                "A quorum is how many people must answer. "
                "Give it as a number from 0 to 100, with %."
            )
        ),
        QUORUM_EXAMPLE,
    )


def _needs(value: str) -> Reading:
    """Names or @handles, separated by commas, spaces or "and"."""
    names = [n for n in re.split(r"[,;&+\s]+", tidy(value)) if n and key(n) not in ("and", "")]
    if not 0 < len(names) <= 8:
        return None
    for name in names:
        if not _NAME.fullmatch(name) or key(name) in _NOT_NAMES:
            return None
    return "needs", tuple(name.rstrip(".:") for name in names)


def _review(value: str) -> Reading:
    value = tidy(re.sub(r"^(?:date|on)\b[\s:]*", "", value, flags=re.IGNORECASE))
    return ("review", value) if _short(value) else None


def _questions(value: str) -> Reading:
    value = tidy(re.sub(r"^(?:round|first)\b\s*", "", value, flags=re.IGNORECASE))
    return ("questions", value) if _short(value) and parse_duration(value) else None


_READERS: dict[str, Callable[[str], Reading]] = {
    "deadline": _deadline,
    "duration": _duration,
    "process": _process,
    "quorum": _quorum,
    "needs": _needs,
    "review": _review,
    "questions": _questions,
}


def read_option(line: str, kind: str) -> Reading:
    """The option a line sets, as (field, value); a refusal; or None for a detail line."""
    flag = _FLAGS.get(phrase_key(_BULLET.sub("", line)))
    if flag is not None:
        return (flag, True) if flag in _ALLOWED[kind] else None
    parts = _split_lead(line)
    if parts is None or parts.lead not in _LEADS or not parts.value:
        return None
    field = _LEADS[parts.lead]
    if field not in _ALLOWED[kind]:
        return None
    reading = _READERS[field](parts.value)
    if isinstance(reading, tuple) and reading[0] not in _ALLOWED[kind]:
        return None  # "by consent" in a poll
    return reading


# -- the whole proposal --------------------------------------------------------------------


def read_proposal(kind: str, body: str) -> Propose | NotUnderstood:
    """A ``propose``, ``poll`` or ``timepoll`` message, after its command word."""
    first, *lines = body.split("\n")
    fields: dict[str, Value] = {}
    others: list[str] = []
    for line in lines:
        reading = read_option(line, kind)
        if isinstance(reading, NotUnderstood):
            return reading
        if reading is None:
            others.append(line.rstrip())
        else:
            fields[reading[0]] = reading[1]
    title = first.strip().lstrip(":-–—").strip()
    if not visible(title):  # nothing to read: blank, or only invisible marks
        title = ""
    if not title:  # "propose" on its own line, the title below
        while others and not others[0].strip():
            others.pop(0)
        title = others.pop(0).strip() if others else ""
        title = title if visible(title) else ""
    if kind in ("propose", "signup"):
        return _proposal(title, others, fields, kind)
    return _poll(kind, title, others, fields)


def _missing_title(kind: str) -> NotUnderstood:
    problem = {
        "propose": N_("Please write what you propose after the word propose."),
        "signup": N_("Please write what you need people for, after the word signup."),
        "poll": N_("Please write the question after the word poll, then the options."),
        "timepoll": N_("Please write what the time poll is for, then the times."),
    }[kind]
    return NotUnderstood(Phrase(problem), EXAMPLES[kind])


def _details(lines: list[str]) -> str:
    return textwrap.dedent("\n".join(lines)).strip("\n").rstrip()


def _proposal(
    title: str, others: list[str], fields: dict[str, Value], kind: str = "propose"
) -> Propose | NotUnderstood:
    if not title:
        return _missing_title(kind)
    details = _details(others)
    refusal = over(title, "title", MAX_TITLE, EXAMPLES[kind]) or over(
        details, "details", MAX_DETAILS, EXAMPLES[kind]
    )
    return refusal or Propose(title=title, details=details, **fields)  # type: ignore[arg-type]


def _poll(
    kind: str, title: str, others: list[str], fields: dict[str, Value]
) -> Propose | NotUnderstood:
    question, *options = (part.strip() for part in title.split("|"))
    details = ""
    if options:  # options on the first line: the lines below are details
        details = _details(others)
    else:  # options one per line, maybe numbered or bulleted
        for line in others:
            options += [_NUMBERING.sub("", part).strip() for part in line.split("|")]
    options = [option for option in options if option]
    example = EXAMPLES[kind]
    if not question:
        return _missing_title(kind)
    if len(options) < MIN_OPTIONS:
        problem = N_("A poll needs at least {count} options, separated by | or one on each line.")
        return NotUnderstood(Phrase(problem, {"count": MIN_OPTIONS}), example)
    if len(options) > MAX_OPTIONS:
        problem = N_("A poll can have at most {count} options. Please leave some out.")
        return NotUnderstood(Phrase(problem, {"count": MAX_OPTIONS}), example)
    if len({key(" ".join(option.split())) for option in options}) < len(options):
        problem = N_("Two options are the same. Please give each option only once.")
        return NotUnderstood(Phrase(problem), example)
    for option in options:
        if refusal := over(option, "option", MAX_SHORT, example):
            return refusal
    refusal = over(question, "title", MAX_TITLE, example) or over(
        details, "details", MAX_DETAILS, example
    )
    if refusal:
        return refusal
    if kind == "timepoll":
        fields.pop("multi", None)
    return Propose(
        title=question,
        details=details,
        process="choice" if kind == "poll" else "time",
        options=tuple(options),
        **fields,  # type: ignore[arg-type]
    )
