"""Nobody gets in sideways: other groups' proposals, anonymous senders, uninvited invites.

* A private message names a proposal by number only, and numbers start at #1
  in every group: privately, ``consent #1`` must reach the writer's own group's
  #1 and never another group's.
* Telegram's anonymous group admin (1087968824), its service account
  (777000, a linked channel's posts) and the account shown for posts in a
  channel's name (136817688) speak for nobody: they never become members.
* On Matrix, the bot accepts invites only from ``allowed_inviters``
  (end to end: ``tests/matrix/test_adapter.py::test_only_allowed_inviters_bring_the_bot_in``).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from adapters.matrix.settings import inviter_allowed
from bot.core import commands as c
from bot.core.decide import ANONYMOUS_SENDERS, decide
from tests.fakes.telegram import FakeChat
from tests.reliability.test_authorization import ACTIONS, ON_THE_GROUP, Stage, group_at
from tests.telegram.conftest import World, joined

OURS = "telegram:-100500"
THEIRS = "telegram:-100777"


async def two_groups(world: World) -> FakeChat:
    """Our team (Sam, Alex) with #1, and Dana's team next door with a #1 of its own."""
    dana = world.tg.user(2001, "Dana")
    theirs = world.tg.group(-100777, "Dad's care team", supergroup=True, members=[dana])
    world.people["dana"] = dana
    await joined(world, "sam", "alex")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    await world.say(dana, "/join", chat=theirs)
    await world.say(dana, "/propose Sell the car\nin 3 days", chat=theirs)
    return theirs


async def responses(world: World, group_id: str) -> int:
    group = await world.running.app.group(group_id)
    assert group is not None
    round_ = group.proposals[1].round
    return len(round_.history) if round_ is not None else 0


async def test_consent_1_said_privately_reaches_only_the_writers_own_group(world: World) -> None:
    theirs = await two_groups(world)
    recorded = len(await world.running.storage.audit(THEIRS))
    await world.say(world.alex, "/consent #1", chat=world.alex.id)
    assert world.said(world.alex.id)[-1].startswith("Thank you, Alex")
    assert await responses(world, OURS) == 1
    assert await responses(world, THEIRS) == 0
    assert len(await world.running.storage.audit(THEIRS)) == recorded
    assert "✅ Consent 0" in ((await world.card(1, theirs)).text or "")


async def test_another_groups_link_does_not_make_its_proposals_yours(world: World) -> None:
    """Alex opens Dana's group's reminders link (forwarded to her): her private words then go
    to that group, which refuses them, and her own group's #1 is not touched either."""
    theirs = await two_groups(world)
    tip = next(m for m in world.tg.bot_messages(theirs) if m.buttons and "url" in m.buttons[0])
    (token,) = parse_qs(urlsplit(tip.buttons[0]["url"]).query)["start"]
    ours_before = len(await world.running.storage.audit(OURS))
    theirs_before = await responses(world, THEIRS)

    world.tg.start_private(world.alex, token)
    await world.settled()
    await world.say(world.alex, "/consent #1", chat=world.alex.id)
    assert len(world.said(world.alex.id)) == 2  # each answered, privately
    audit = await world.running.storage.audit(THEIRS)
    assert [e.summary.split(":")[0] for e in audit[-2:]] == [
        "refused MySetting",  # "reminders on", from the link
        "refused Respond",
    ]
    assert await responses(world, THEIRS) == theirs_before
    group = await world.running.app.group(THEIRS)
    assert group is not None and group.member_by_identity(f"telegram:{world.alex.id}") is None
    assert len(await world.running.storage.audit(OURS)) == ours_before


async def test_a_member_of_two_groups_is_asked_to_say_it_in_the_groups_chat(world: World) -> None:
    theirs = await two_groups(world)
    await world.say(world.alex, "/join", chat=theirs)
    await world.say(world.alex, "/consent #1", chat=world.alex.id)
    (answer,) = world.said(world.alex.id)
    assert answer.startswith("You are in several groups")
    assert await responses(world, OURS) == 0 and await responses(world, THEIRS) == 0


async def test_anonymous_admins_and_channels_never_become_members(world: World) -> None:
    await joined(world, "sam")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    tg = world.tg
    tg.send_as_anonymous_admin(world.team, "/join")
    tg.send_as_anonymous_admin(world.team, "/consent #1")
    tg.send_as_anonymous_admin(world.team, "/mydata")
    tg.automatic_forward(world.team, -100999, "/join")
    tg.join(world.team, tg.anonymous_admin)
    tg.join(world.team, tg.telegram_service)
    await world.settled()
    group = await world.running.app.group(OURS)
    assert group is not None
    assert [m.name for m in group.members.values()] == ["Sam"]
    assert await responses(world, OURS) == 0
    assert not any(m.document for m in tg.bot_messages(world.team))


@pytest.mark.parametrize("identity", sorted(ANONYMOUS_SENDERS))
def test_no_action_by_an_anonymous_account_makes_it_a_member(identity: str) -> None:
    conv = group_at(Stage.OPEN)
    actions = [*ACTIONS.values(), *(action for action, _ in ON_THE_GROUP.values())]
    for action in actions:
        request = c.Request(c.Actor(identity, "Group"), "console:group", action)
        decision = decide(conv.group, request, conv.now)
        assert decision.group.member_by_identity(identity) is None, type(action).__name__
        assert decision.group.members == conv.group.members or not decision.refused


@pytest.mark.parametrize(
    ("allowed", "inviter", "accepted"),
    [
        (["@sam:example.org"], "@sam:example.org", True),
        (["@sam:example.org"], "@sam:example.org.evil.net", False),
        (["@sam:example.org"], "@Sam:example.org", False),  # user ids are exact
        (["@sam:example.org"], "@mallory:example.org", False),
        ([":example.org"], "@anyone:example.org", True),
        (["example.org"], "@anyone:EXAMPLE.org", True),  # server names are not
        ([":example.org"], "@mallory:evil-example.org", False),
        ([":example.org"], "@mallory:example.org.evil.net", False),
        ([":example.org"], "@mallory:sub.example.org", False),
        ([":example.org"], "", False),
        ([], "@sam:example.org", False),
        ([" @sam:example.org "], "@sam:example.org", True),
    ],
)
def test_only_allowed_inviters_may_bring_the_matrix_bot_in(
    allowed: list[str], inviter: str, accepted: bool
) -> None:
    assert inviter_allowed(allowed, inviter) is accepted
