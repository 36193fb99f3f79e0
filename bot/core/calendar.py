"""Calendar files (.ics) for a chosen time-poll slot, made with icalendar.

A time poll that finds a slot offers it as a calendar entry, so people can add
it to their phone's calendar with one tap instead of copying it by hand.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event

from bot.core.effects import SendFile
from bot.core.model import Proposal, Stage
from bot.core.processes import PROCESSES, Rule
from bot.core.turn import Turn

SLOT_LENGTH = timedelta(hours=1)


def event_file(uid: str, title: str, start: datetime, description: str = "") -> str:
    calendar = Calendar()
    calendar.add("prodid", "-//Deciding Together//EN")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", uid)
    event.add("summary", title)
    event.add("dtstart", start)
    event.add("dtend", start + SLOT_LENGTH)
    event.add("dtstamp", start)
    if description:
        event.add("description", description)
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


def outcome_files(turn: Turn, proposal: Proposal) -> list[SendFile]:
    """The calendar entry for a time poll's chosen slot; nothing otherwise."""
    outcome = proposal.outcome
    if (
        PROCESSES[proposal.process].rule is not Rule.TIME
        or proposal.stage is not Stage.AGREED
        or outcome is None
        or not outcome.winners
    ):
        return []
    start = datetime.fromisoformat(proposal.options.choices[outcome.winners[0] - 1])
    content = event_file(
        f"{turn.group.id}-{proposal.number}@deciding-together", proposal.title, start
    )
    return [
        SendFile(filename=f"proposal-{proposal.number}.ics", mime="text/calendar", content=content)
    ]
