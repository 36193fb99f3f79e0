"""The JSON form of core values: what storage, the outbox and the audit log keep.

A value must come back exactly as it went in, after a trip through real JSON
text, so that a restart loses nothing and the audit log can be replayed.
"""

from __future__ import annotations

import json
import typing
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from bot.core import commands as c
from bot.core.codec import decode, encode
from bot.core.decide import Decision, decide
from bot.core.effects import CancelTimer, EditCard, Effect, SetTimer
from bot.core.model import Group, GroupSettings, Member, QuietHours, Role
from tests.core.care_team import DAY, HOUR
from tests.core.conversation import CHAT, START, Conversation


def through_json(value: Any, hint: Any = Any) -> Any:
    return decode(json.loads(json.dumps(encode(value))), hint)


@dataclass
class RecordedConversation(Conversation):
    """A conversation that keeps its audit log: every command, with when it came."""

    log: list[str] = field(default_factory=list)

    def run(self, command: c.Command) -> Decision:
        self.log.append(json.dumps({"now": self.now.isoformat(), "command": encode(command)}))
        return super().run(command)


def busy_week() -> RecordedConversation:
    """A week of a care team: settings, people, questions, votes, a time poll, an objection."""
    conv = RecordedConversation()
    for name in ("Sam", "Alex", "Jo"):
        conv.by(name, c.Join())
    conv.by("Sam", c.AddPerson("Mum"))
    conv.by("Jo", c.MySetting("quiet", "22:00-07:00"))
    conv.by("Jo", c.MySetting("timezone", "Europe/Warsaw"))
    conv.by("Sam", c.GroupSetting("digest", "on"))
    conv.by("Sam", c.GroupSetting("resolve", "3 days"))
    conv.by("Sam", c.LinkStart("k3y"))
    conv.by(
        "Sam",
        c.Propose(
            "Move the morning visit to 10:00",
            "Mum sleeps badly before 9",
            questions="1 day",
            needs=("Mum",),
            quorum=60,
            review="in 30 days",
        ),
    )
    conv.by("Alex", c.Ask(1, "What about Tuesdays?"))
    conv.by("Sam", c.AnswerQuestion(1, "Physio is at 11"))
    conv.wait(DAY)
    conv.by("Alex", c.Respond(1, "consent", proxy_for="Mum"))
    conv.by("Jo", c.Respond(1, "object", reason="Tuesdays clash"))
    conv.by(
        "Sam",
        c.Propose(
            "Team meeting",
            process="time",
            options=("Tuesday 10:00", "Wednesday 14:00"),
            anonymous=True,
            hide_results=True,
        ),
    )
    conv.by("Alex", c.Respond(2, "vote", choices=(1,), maybe=(2,)))
    conv.by("Sam", c.Propose("Lunch", process="choice", options=("Soup", "Salad"), multi=True))
    conv.by("Jo", c.Respond(3, "vote", choices=(1, 2)))
    conv.wait(4 * DAY)
    conv.by("Sam", c.Amend(1, "10:00, except Tuesdays at 11:00"))
    conv.by("Jo", c.Export())
    return conv


def test_a_whole_group_comes_back_exactly_from_json() -> None:
    conv = busy_week()
    group = conv.group
    assert group.proposals[1].round is not None and group.proposals[1].round.index == 3
    assert through_json(group, Group) == group


def test_every_effect_and_timer_comes_back_exactly_from_json() -> None:
    conv = busy_week()
    sent = [*conv.said, *conv.timers.values()]
    kinds = {type(e).__name__ for e in sent}
    assert {"Post", "EditCard", "Reply", "SendFile", "SetTimer"} <= kinds
    for effect in sent:
        assert through_json(effect, Effect) == effect


def test_the_audit_log_replayed_through_decide_gives_the_same_group() -> None:
    conv = busy_week()
    group = Group(id=CHAT, chats=(CHAT,), settings=GroupSettings())
    effects: list[Effect] = []
    for line in conv.log:
        entry = json.loads(line)
        decision = decide(
            group, decode(entry["command"], c.Command), datetime.fromisoformat(entry["now"])
        )
        group = decision.group
        effects.extend(decision.effects)
    assert group == conv.group
    # The conversation draws cards as it goes; the core itself leaves that to delivery.
    said = [replace(e, document=None) if isinstance(e, EditCard) else e for e in conv.said]
    assert [e for e in effects if not isinstance(e, SetTimer | CancelTimer)] == said


# One example of every action a person can take, each field away from its default.
EVERY_ACTION: list[c.Action] = [
    c.Propose(
        "Trip",
        "Details",
        "consent",
        "Friday 5pm",
        "3 days",
        "1 day",
        60,
        True,
        True,
        ("@mum",),
        "in 3 months",
        ("a", "b"),
        True,
        True,
        2,
        "15 December",
    ),
    c.Start(7),
    c.Respond(7, "object", "Not safe", (1, 2), (3,), "@mum"),
    c.Unrespond(7, "✅"),
    c.Ask(7, "Why?"),
    c.AnswerQuestion(7, "Because", 2),
    c.Amend(7, "New text\nmore"),
    c.Withdraw(7),
    c.WithdrawObjection(None),
    c.Extend(7, "Monday 5pm"),
    c.Close(7),
    c.Reopen(7, "in 3 days"),
    c.RecordOutcome(7, "We go ahead"),
    c.SetReview(7, "in 3 months"),
    c.AskReview(7),
    c.CheckIn(7, "change", "Mum wants it later"),
    c.AddAction(7, "Alex buys the shower chair", "Friday"),
    c.ActionDone(7, 1),
    c.MoveAction(7, 1, "Monday"),
    c.TakeAction(7, 2),
    c.Status(),
    c.Decisions(),
    c.Show(7, printable=True),
    c.History(7),
    c.Export(),
    c.Help("vote"),
    c.Join(),
    c.Leave(),
    c.AddPerson("Mum"),
    c.RemovePerson("Mum"),
    c.MakeFacilitator("@alex"),
    c.ConfirmPerson("Mum", "@mary"),
    c.MySetting("quiet", "21:00-08:00"),
    c.GroupSetting("quorum", "60%"),
    c.ShowSettings(),
    c.LinkStart("k3y"),
    c.LinkChat("k3y", "telegram:-100", confirmed=True, mixes_encryption=True),
    c.WebLinkStart("9f86d081884c7d65", days=30),  # its link is secret: never written down
    c.WebLinkOff(),
    c.MoveChat("telegram:-100", "telegram:-200"),
    c.MyCode("k3y"),
    c.ThisIsMe("k3y"),
    c.Unlink(),
    c.MyData(),
    c.ForgetMe(),
    c.ChatMoved("telegram:-1", "telegram:-100"),
    c.ChatGone("telegram:-1"),
    c.Unclear("I didn't understand '{word}'.", (("word", "consnet"),), "consent #7"),
]


def test_the_examples_cover_every_kind_of_action() -> None:
    assert {type(a) for a in EVERY_ACTION} == set(typing.get_args(c.Action))


@pytest.mark.parametrize("action", EVERY_ACTION, ids=lambda a: type(a).__name__)
def test_every_request_comes_back_exactly_from_json(action: c.Action) -> None:
    request = c.Request(
        actor=c.Actor("telegram:123", "Sam Jones", handle="samj", language="cy"),
        chat="telegram:-100",
        action=action,
        private=True,
        present=False,
    )
    assert through_json(request, c.Command) == request


@pytest.mark.parametrize(
    "event",
    [
        c.DeadlineDue(7, 2),
        c.NudgeDue(7, 2),
        c.NudgeDue(7, 2, member=3),
        c.ReviewDue(7),
        c.CheckInDue(7, 2),
        c.DigestDue(),
        c.ActionReminderDue(7, 1, "2026-12-11T17:00:00+00:00"),
        c.ActionDue(7, 1, "2026-12-11T17:00:00+00:00"),
    ],
    ids=repr,
)
def test_every_timer_event_comes_back_exactly_from_json(event: c.TimerEvent) -> None:
    assert through_json(event, c.Command) == event


def test_the_json_form_is_plain_and_stable() -> None:
    member = Member(
        id=3,
        name="Jo",
        identities=("telegram:9",),
        role=Role.FACILITATOR,
        quiet=QuietHours(time(22, 0), time(7, 30)),
        joined_at=START,
    )
    data = encode(member)
    assert data["@"] == "Member" and data["role"] == "facilitator"
    assert data["quiet"] == {"@": "QuietHours", "start": "22:00:00", "end": "07:30:00"}
    assert data["joined_at"] == "2026-12-07T09:00:00+00:00"
    assert encode(frozenset({3, 1, 2})) == [1, 2, 3]  # sets in a fixed order: same text
    assert encode({2: "b", 1: "a"}) == [[2, "b"], [1, "a"]]  # keys that are not strings
    assert encode(timedelta(hours=36)) == 36 * 3600


def test_a_value_stored_before_a_field_existed_gets_the_fields_default() -> None:
    stored = {"@": "Member", "id": 1, "name": "Sam", "identities": ["console:sam"]}
    assert decode(stored, Member) == Member(1, "Sam", ("console:sam",))


def test_settings_with_optional_lengths_come_back() -> None:
    settings = GroupSettings(questions=None, duration=5 * DAY, nudge_before=12 * HOUR)
    assert through_json(settings, GroupSettings) == settings
    assert through_json(datetime(2027, 1, 6, 9, tzinfo=UTC), datetime) == datetime(
        2027, 1, 6, 9, tzinfo=UTC
    )


def compact_through_json(value: Any, hint: Any = Any) -> Any:
    return decode(json.loads(json.dumps(encode(value, compact=True))), hint)


def test_the_compact_form_leaves_out_empty_defaults_and_comes_back_exactly() -> None:
    """What is recorded many times over (commands, messages, timers) leaves out the
    fields at an empty default; every one comes back as it went in."""
    conv = busy_week()
    for line in conv.log:
        command = decode(json.loads(line)["command"], c.Command)
        assert compact_through_json(command, c.Command) == command
    for effect in [*conv.said, *conv.timers.values()]:
        assert compact_through_json(effect, Effect) == effect
    consent = c.Request(c.Actor("telegram:1", "Sam"), "telegram:-100", c.Respond(7, "consent"))
    short, full = json.dumps(encode(consent, compact=True)), json.dumps(encode(consent))
    assert "null" not in short and "[]" not in short and '""' not in short
    assert '"number": 7' in short and len(short) < 0.7 * len(full)


def test_the_compact_form_keeps_values_that_only_look_empty() -> None:
    """A zero or a True default is no empty default: kept, so a value never changes."""
    member = Member(id=0, name="", reminders=False, role=Role.MEMBER)
    assert compact_through_json(member, Member) == member
    assert '"reminders": false' in json.dumps(encode(member, compact=True))
    assert '"id": 0' in json.dumps(encode(member, compact=True))
