"""What the record says of the cycle after a decision: its actions (done or
not) and its reviews (the check-in's answers and what came of them).

One set of words for every view of the record: ``history``, the exports
(Markdown, JSON) and the Easy Read page. Sign-ups are proposals of their own
(the ``signup`` process), so the record shows them as it shows any proposal:
who said "I can do it", and the outcome.

Times are spelt by the caller's ``when`` (its zone and language); nothing here
reads the clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.core import checkins, visibility
from bot.core.checkins import Result
from bot.core.i18n import N_, Translate
from bot.core.model import ActionItem, Group, LogEntry, Proposal, ResponseRecord, Round, RoundKind

When = Callable[[datetime], str]

# What a review's entry says happened, for a proposal's history (the words of
# things to do are ``record.LOG_WORDS``, beside every other entry's).
LOG_WORDS = {"review_result": N_("we looked at it again")}

# Entries that are the group's, not a person's: they name no one, not even the bot.
GROUP_EVENTS = frozenset({"review_result"})

RESULT_WORDS = {
    Result.KEEP.value: N_("keep it as it is"),
    Result.CHANGE.value: N_("change it, in {number}"),
    Result.STOP.value: N_("stop it? asked in {number}"),
    Result.NO_ANSWERS.value: N_("nobody answered"),
}

# "#7.1" (and "1", "1 <new date>", as the first things to do were logged).
_ACTION_DETAIL = re.compile(r"(?:#\d+\.)?(\d+)(?: (\S+))?")
_RESULT_DETAIL = re.compile(r"(\w+)(?: (#\d+))?")


def ref(proposal: Proposal, item: ActionItem) -> str:
    """An action's name everywhere: "#7.1" (as ``doing.ref``)."""
    return f"#{proposal.number}.{item.id}"


def action_line(
    group: Group, proposal: Proposal, item: ActionItem, _: Translate, when: When
) -> str:
    """ "#7.1 Alex: buys the shower chair (by Friday 11 December) — done on …" """
    who = visibility.member_name(group, item.who, _) if item.who is not None else _("someone")
    line = f"{ref(proposal, item)} {who}: {item.text}"
    if item.due is not None:
        line += " (" + _("by {date}").format(date=when(item.due)) + ")"
    if item.done_at is not None:
        return line + " — " + _("done on {date}").format(date=when(item.done_at))
    return line + " — " + _("not done yet")


def action_lines(group: Group, proposal: Proposal, _: Translate, when: When) -> list[str]:
    return [action_line(group, proposal, item, _, when) for item in proposal.actions]


@dataclass(frozen=True, slots=True)
class Review:
    """One check-in and what came of it (None: put off, or still open)."""

    round: Round
    result: str | None


def reviews(proposal: Proposal) -> list[Review]:
    """Each check-in with its result: the result is logged at the moment it closed."""
    results = {e.at: e.detail for e in proposal.log if e.what == "review_result"}
    out = []
    for round_ in proposal.check_ins:
        closed = round_.closed_at
        out.append(Review(round_, results.get(closed) if closed is not None else None))
    return out


def result_words(detail: str, _: Translate) -> str:
    """A stored result ("keep", "change #8", "none") in words."""
    match = _RESULT_DETAIL.fullmatch(detail)
    if match is None or match[1] not in RESULT_WORDS:
        return detail
    return _(RESULT_WORDS[match[1]]).format(number=match[2] or "")


def review_lines(proposal: Proposal, _: Translate, when: When) -> list[str]:
    """ "Review of Monday 4 January: keep it as it is (Keep it: 3 · Change it: 0 · Stop it: 0)" """
    lines = []
    for review in reviews(proposal):
        heading = _("Review of {date}").format(date=when(review.round.opened_at))
        if review.result is None:
            what = _("still open") if review.round.closed_at is None else _("put off")
        else:
            what = result_words(review.result, _)
        counts = checkins.counts_line(review.round, _)
        lines.append(f"{heading}: {what} ({counts})")
    return lines


def log_detail(proposal: Proposal, entry: LogEntry, _: Translate, when: When) -> str | None:
    """The detail of a cycle's log entry in words, or None if it is not one."""
    if entry.what == "review_result":
        return result_words(entry.detail, _)
    if not entry.what.startswith("action_"):
        return None
    match = _ACTION_DETAIL.fullmatch(entry.detail)
    if match is None:
        return entry.detail
    item = next((i for i in proposal.actions if str(i.id) == match[1]), None)
    words = f"#{proposal.number}.{match[1]}"
    if item is not None:
        words += f" {item.text}"
    if match[2]:
        try:
            words += ": " + when(datetime.fromisoformat(match[2]))
        except ValueError:
            words += f": {match[2]}"
    return words


def response_line(
    group: Group, proposal: Proposal, round_: Round, record: ResponseRecord, _: Translate
) -> str:
    """A response in any round, in the words of its kind: a check-in's answer
    ("Keep it"), or a response to the proposal (``visibility.response_line``)."""
    if round_.kind is RoundKind.REVIEW:
        return checkins.answer_line(group, proposal, record, _)
    return visibility.response_line(group, proposal, record, _)
