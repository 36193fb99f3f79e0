"""What a group holds in memory, and what a command reads beyond it.

A team that has decided for a year has hundreds of closed proposals, each with
its whole history of responses. Deciding needs almost none of it: the members,
the settings and the proposals something can still happen to. That part is the
**resident** group; the rest of the record stays in storage and is read when a
command asks for it (``decisions``, ``export``, ``show #3``…).

Both rules live here and nowhere else:

- :func:`stays_resident` says which proposals the resident group holds. Storage
  keeps its answer with each proposal, so it can read the resident group alone.
  Work that gives closed proposals more to do (actions on an agreed decision, a
  review round) extends this function, and nothing else.
- :func:`reads` says which proposals a command reads beyond the resident ones:
  the one it names by number, or the whole record.

The core itself never knows whether a group is resident or whole: it decides
on the group it is given. The application gives it what :func:`reads` asks for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Literal

from bot.core import commands as c
from bot.core.lifecycle import ACTIVE
from bot.core.model import Group, Proposal, Stage


def stays_resident(proposal: Proposal) -> bool:
    """Whether the resident group holds ``proposal``: it is still being decided,
    or a review is pending (a review date ahead of an agreed decision, or a review
    that is due and waits for the group), or an action after it is not done yet
    (reminders and "Done?" questions still come for it)."""
    if proposal.stage in ACTIVE or proposal.stage is Stage.REVIEW_DUE:
        return True
    if any(not action.done for action in proposal.actions):
        return True
    return proposal.stage is Stage.AGREED and proposal.review_at is not None


def resident(group: Group) -> Group:
    """``group`` with only the proposals that stay resident (the very same group
    object when it holds nothing else)."""
    kept = {n: p for n, p in group.proposals.items() if stays_resident(p)}
    if len(kept) == len(group.proposals):
        return group
    return replace(group, proposals=kept)


def with_proposals(group: Group, proposals: Mapping[int, Proposal]) -> Group:
    """``group`` with ``proposals`` read from storage added; the group's own
    proposals win (they are the newest state). The same group object when
    nothing is added."""
    added = {n: p for n, p in proposals.items() if n not in group.proposals}
    if not added:
        return group
    return replace(group, proposals=dict(sorted({**group.proposals, **added}.items())))


# Commands that read the whole record: every proposal, closed ones too.
# ``forgetme``, a confirmed account and an account linked with ``me CODE`` (two
# members become one) rewrite every proposal that names the person; a chat leaves
# its group only when the group has no proposal at all; the weekly digest tells
# what was decided this week (once a week a group).
_READS_EVERYTHING = (
    c.Decisions,
    c.Export,
    c.MyData,
    c.ForgetMe,
    c.ConfirmPerson,
    c.ThisIsMe,
    c.MoveChat,
    c.DigestDue,
)

Everything = Literal["everything"]
EVERYTHING: Everything = "everything"


def reads(command: c.Command) -> tuple[int, ...] | Everything:
    """The proposals ``command`` reads beyond the resident group: the number it
    names, or :data:`EVERYTHING`; ``()`` when the resident group is enough."""
    action = command.action if isinstance(command, c.Request) else command
    if isinstance(action, _READS_EVERYTHING):
        return EVERYTHING
    number = getattr(action, "number", None)
    return (number,) if isinstance(number, int) else ()
