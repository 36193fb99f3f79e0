"""The weekly digest: one post a week of what the group decided, what is still
open, what is to be done, and which reviews are coming.

It comes on Monday at 09:00 in the group's own time zone, the start of a
working week, whatever time of day the digest was turned on and however late
the bot fired the last one: each post sets the next from the calendar, never
"a week after now", so it cannot drift into the night. A week with nothing to
tell posts nothing.

It shows titles, dates and outcomes only, which every member may always see
(``visibility``): never an answer, a reason or a name beside one.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core import commands as c
from bot.core import doing, rounds
from bot.core.cards import title_line
from bot.core.document import Block, Document, Strong, bullets, para
from bot.core.effects import Post, SetTimer
from bot.core.i18n import Translate
from bot.core.lifecycle import ACTIVE
from bot.core.model import Group, Proposal, Stage
from bot.core.turn import Turn

WEEK = timedelta(days=7)
DIGEST_DAY = 0  # Monday (``datetime.weekday``)
DIGEST_TIME = time(9, 0)  # in the group's time zone


def next_digest_at(group: Group, now: datetime) -> datetime:
    """The next Monday 09:00 in the group's time zone, after ``now``."""
    zone = ZoneInfo(group.settings.timezone)
    local = now.astimezone(zone)
    day = local.date() + timedelta(days=(DIGEST_DAY - local.weekday()) % 7)
    moment = datetime.combine(day, DIGEST_TIME, tzinfo=zone)
    if moment <= local:
        moment = datetime.combine(day + WEEK, DIGEST_TIME, tzinfo=zone)
    return moment.astimezone(now.tzinfo)


def schedule_digest(turn: Turn) -> None:
    """Set the next digest (a timer with one key per group: setting it again moves it)."""
    at = next_digest_at(turn.group, turn.now)
    turn.emit(SetTimer(f"{turn.group.id}|digest", at, c.DigestDue()))


def digest_due(turn: Turn, event: c.DigestDue) -> None:
    if not turn.group.settings.digest:
        return  # turned off: the timer is not set again
    schedule_digest(turn)
    blocks = week_blocks(turn, turn.group_t)
    if blocks:
        turn.emit(Post(Document(tuple(blocks))))


def week_blocks(turn: Turn, _: Translate) -> list[Block]:
    """The digest's sections, each only if it has something in it."""
    now = turn.now
    proposals = sorted(turn.group.proposals.values(), key=lambda p: p.number)
    sections: list[tuple[str, list[str]]] = [
        (_("Decided this week:"), [_decided(p, _) for p in proposals if _decided_since(p, now)]),
        (_("Still open:"), [_open(turn, p, _) for p in proposals if p.stage in ACTIVE]),
        (
            _("Things to do this week:"),
            [
                doing.describe(turn, p, item, _)
                for p in proposals
                for item in doing.open_actions(p)
                if item.due is not None and item.due < now + WEEK
            ],
        ),
        (_("Reviews coming up:"), [line for p in proposals if (line := _review(turn, p, _))]),
    ]
    blocks: list[Block] = []
    for heading, items in sections:
        if items:
            blocks += [para(Strong(heading)), bullets(items)]
    if blocks:
        blocks.insert(0, para(Strong(_("Our week, in short."))))
    return blocks


def _decided_since(proposal: Proposal, now: datetime) -> bool:
    outcome = proposal.outcome
    return outcome is not None and now - WEEK <= outcome.at <= now and proposal.stage not in ACTIVE


def _decided(proposal: Proposal, _: Translate) -> str:
    assert proposal.outcome is not None
    return f"{title_line(proposal, _)} — {proposal.outcome.summary}"


def _open(turn: Turn, proposal: Proposal, _: Translate) -> str:
    line = title_line(proposal, _)
    if proposal.round is not None and proposal.stage is not Stage.DRAFT:
        line += " — " + _("until {deadline}").format(
            deadline=rounds.spell(turn, proposal.round.deadline)
        )
    return line


def _review(turn: Turn, proposal: Proposal, _: Translate) -> str | None:
    """A review in the coming week, or a check-in open now."""
    check_in = proposal.check_in
    if check_in is not None:
        return (
            title_line(proposal, _)
            + " — "
            + _("please say what you think by {date}").format(
                date=rounds.spell(turn, check_in.deadline)
            )
        )
    at = proposal.review_at
    if proposal.stage is Stage.AGREED and at is not None and turn.now <= at < turn.now + WEEK:
        return title_line(proposal, _) + " — " + rounds.spell(turn, at)
    return None
