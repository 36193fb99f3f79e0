"""Calendar files (.ics), made with icalendar, for the dates a decision has.

A proposal's deadline, a time poll's chosen slot and a decision's review date
each become a calendar entry, so people can add them to their phone's calendar
with one tap instead of copying them by hand.

Files are offered where they are least noisy: the chosen slot of a time poll
comes with the announcement of the result (everyone needs it, once), and any
proposal's dates come on request, with ``show #7 calendar``. A file with every
card would be one more message for every proposal in every chat, which is what
people who are tired of their phones ask us not to do; the tip posted with a
group's first card, and ``help``, say how to ask for one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.core.deadlines import valid_timezone
from bot.core.effects import SendFile
from bot.core.i18n import N_, Translate, translator
from bot.core.lifecycle import ACTIVE
from bot.core.model import Group, Proposal, Stage
from bot.core.processes import PROCESSES, Rule
from bot.core.turn import Turn

SLOT_LENGTH = timedelta(hours=1)
CALENDAR_MIME = "text/calendar"

DEADLINE_TITLE = N_("Deadline for #{number}: {title}")
REVIEW_TITLE = N_("Look again at #{number}: {title}")
HOW_TO_SEE_IT = N_("To see it in the group chat, say: show #{number}")


@dataclass(frozen=True, slots=True)
class Entry:
    """One calendar entry: a moment (with a length), or a whole day."""

    uid: str
    summary: str
    start: datetime | date
    length: timedelta | None = None
    description: str = ""


def calendar_text(entries: list[Entry], stamp: datetime) -> str:
    """An .ics file holding ``entries``. ``stamp`` is when it was made."""
    calendar = Calendar()
    calendar.add("prodid", "-//Deciding Together//EN")
    calendar.add("version", "2.0")
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("summary", entry.summary)
        event.add("dtstart", entry.start)
        if isinstance(entry.start, datetime) and entry.length is not None:
            event.add("dtend", entry.start + entry.length)
        elif not isinstance(entry.start, datetime):
            event.add("dtend", entry.start + timedelta(days=1))
        event.add("dtstamp", stamp)
        if entry.description:
            event.add("description", entry.description)
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


def event_file(uid: str, title: str, start: datetime, description: str = "") -> str:
    """An .ics file with one hour-long entry starting at ``start``."""
    return calendar_text([Entry(uid, title, start, SLOT_LENGTH, description)], start)


def _uid(group: Group, proposal: Proposal, what: str) -> str:
    return f"{group.id}-{proposal.number}-{what}@deciding-together"


def _chosen_slot(proposal: Proposal) -> datetime | None:
    outcome = proposal.outcome
    if (
        PROCESSES[proposal.process].rule is not Rule.TIME
        or proposal.stage is not Stage.AGREED
        or outcome is None
        or not outcome.winners
    ):
        return None
    return datetime.fromisoformat(proposal.options.choices[outcome.winners[0] - 1])


def entries(group: Group, proposal: Proposal, _: Translate) -> list[Entry]:
    """The dates of a proposal worth a calendar entry: the deadline while it is
    open, the chosen slot of a time poll, and the review date of a decision."""
    found: list[Entry] = []
    words = {"number": proposal.number, "title": proposal.title}
    description = _(HOW_TO_SEE_IT).format(number=proposal.number)
    if proposal.stage in ACTIVE and proposal.round is not None:
        found.append(
            Entry(
                _uid(group, proposal, f"deadline-{proposal.round.index}"),
                _(DEADLINE_TITLE).format(**words),
                proposal.round.deadline,
                timedelta(0),
                description,
            )
        )
    slot = _chosen_slot(proposal)
    if slot is not None:
        found.append(
            Entry(_uid(group, proposal, "slot"), proposal.title, slot, SLOT_LENGTH, description)
        )
    if proposal.review_at is not None and proposal.stage in (Stage.AGREED, *ACTIVE):
        # A whole day: a review is a day to talk it over, not an appointment.
        zone = ZoneInfo(valid_timezone(group.settings.timezone) or "UTC")
        day = proposal.review_at.astimezone(zone).date()
        found.append(
            Entry(
                _uid(group, proposal, "review"),
                _(REVIEW_TITLE).format(**words),
                day,
                None,
                description,
            )
        )
    return found


def proposal_calendar(group: Group, proposal: Proposal, now: datetime, language: str) -> str | None:
    """The .ics file of a proposal's dates, in ``language``; None if it has none."""
    found = entries(group, proposal, translator(language))
    return calendar_text(found, now) if found else None


def outcome_files(turn: Turn, proposal: Proposal) -> list[SendFile]:
    """The calendar entry for a time poll's chosen slot; nothing otherwise."""
    slot = _chosen_slot(proposal)
    if slot is None:
        return []
    content = event_file(
        f"{turn.group.id}-{proposal.number}@deciding-together", proposal.title, slot
    )
    return [
        SendFile(filename=f"proposal-{proposal.number}.ics", mime=CALENDAR_MIME, content=content)
    ]
