"""Sign-ups with a target (joint planning): who can cover the Tuesday visit.

    signup We need 1 person for the Tuesday visit on 15 December
    signup We need 2 people to help Mum move rooms on Saturday by Thursday

A sign-up is a proposal of the ``signup`` process (``processes``): members
press "I can do it" or "I can't", and its rule (``outcomes``) ends it as soon
as enough people can, or at its deadline, naming who signed up. What is its
own is read here: how many people it needs, the day it is for, and when it
closes if no deadline is given (the day before, at the end of the working day,
so there is time to plan).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core import commands as c
from bot.core import deadlines, rounds
from bot.core.i18n import Phrase
from bot.core.turn import Refusal, Turn
from bot.core.zones import valid_timezone

EXAMPLE = "signup We need 1 person for the Tuesday visit on 15 December"
MAX_TARGET = 50


def target(action: c.Propose) -> int:
    """How many people are needed: as typed, else one."""
    wanted = 1 if action.target is None else action.target
    if not 1 <= wanted <= MAX_TARGET:
        raise Refusal(
            "A sign-up can ask for 1 to {limit} people.", example=EXAMPLE, limit=MAX_TARGET
        )
    return wanted


def day(turn: Turn, action: c.Propose) -> datetime | None:
    """The day the sign-up is for, if the words after "on" are a date; a day gone by is
    refused, and words that are no date ("on the bus") are just part of the title."""
    if not action.on:
        return None
    settings = turn.group.settings
    moment = deadlines.resolve_deadline(
        action.on,
        now=turn.now,
        timezone=settings.timezone,
        language=turn.language_of(turn.member),
    )
    if isinstance(moment, Phrase):
        if moment.msgid.startswith("That time has already passed"):
            raise Refusal(
                "That day has already passed. Please choose a day that is still to come.",
                example=EXAMPLE,
            )
        return None
    return moment


def closes(turn: Turn, on: datetime | None) -> datetime | None:
    """When a sign-up without a deadline closes: 17:00 the day before its day, so
    there is time to plan; if that is too soon, at its day. None: the usual length."""
    if on is None:
        return None
    settings = turn.group.settings
    zone = ZoneInfo(valid_timezone(settings.timezone) or "UTC")
    day_before = on.astimezone(zone).date() - timedelta(days=1)
    moment = datetime.combine(day_before, deadlines.END_OF_DAY, tzinfo=zone)
    earliest = turn.now + settings.min_deadline
    for candidate in (moment, on):
        if candidate >= earliest:
            return candidate
    return None


def refuse_after_its_day(turn: Turn, on: datetime | None, deadline: datetime) -> None:
    """A sign-up closes by the day it is for: asked later, nobody can plan with it."""
    if on is not None and deadline > on:
        raise Refusal(
            "The sign-up needs to close by {day}, the day it is for.",
            example=EXAMPLE + " by Friday",
            day=rounds.spell_for(turn, on, turn.member),
        )


def refuse_anonymous(action: c.Propose) -> None:
    """A sign-up is a list of names the team plans with: never anonymous or hidden."""
    if action.anonymous or action.hide_results:
        raise Refusal(
            "A sign-up shows who can help, so it can't be anonymous or hidden.",
            example=EXAMPLE,
        )
