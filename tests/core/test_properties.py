"""Property tests: random conversations never break the rules.

Hypothesis plays random sequences of commands and clock moves by a small team
and checks, after every step, what must always hold.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import commands as c
from bot.core.model import Stage
from bot.core.outcomes import (
    missing_required,
    needed,
    quorum_met,
    signed_up,
    standing_objections,
    tally,
)
from bot.core.processes import PROCESSES, Rule
from tests.core.conversation import Conversation

NAMES = ("Sam", "Alex", "Jo", "Kim")
WORDS = sorted(
    {
        "consent",
        "concern",
        "object",
        "ok",
        "support",
        "agree",
        "abstain",
        "disagree",
        "block",
        "vote",
        "seen",
        "advice",
        "noadvice",
        "✅",
        "✋",
        "🟡",
        "can",
        "cannot",
        "nonsense",
    }
)

numbers = st.one_of(st.none(), st.integers(1, 4))
reasons = st.sampled_from(["", "", "too early", "not safe for Mum"])

actions = st.one_of(
    st.builds(
        c.Propose,
        title=st.sampled_from(["Visit at 10", "New kettle"]),
        process=st.sampled_from([None, "consent", "lazy", "consensus", "advice", "ack"]),
        duration=st.sampled_from([None, "2 days", "5 hours"]),
        anonymous=st.booleans(),
        hide_results=st.booleans(),
        quorum=st.sampled_from([None, 0, 50, 100]),
        needs=st.sampled_from([(), ("Kim",)]),
    ),
    st.builds(
        c.Propose,
        title=st.just("Which day?"),
        process=st.just("choice"),
        options=st.just(("Monday", "Tuesday", "Friday")),
        multi=st.booleans(),
    ),
    st.builds(
        c.Propose,
        title=st.just("Meeting"),
        process=st.just("time"),
        options=st.just(("Tuesday 10:00", "Wednesday 14:00")),
    ),
    st.builds(
        c.Respond,
        number=numbers,
        word=st.sampled_from(WORDS),
        reason=reasons,
        choices=st.sampled_from([(), (1,), (2,), (1, 3)]),
        maybe=st.sampled_from([(), (2,)]),
    ),
    st.builds(c.Respond, number=numbers, word=st.just("consent"), proxy_for=st.just("Mum")),
    st.builds(c.Unrespond, number=numbers, word=st.sampled_from(["✅", "✋"])),
    st.builds(c.WithdrawObjection, number=numbers),
    st.builds(c.Amend, number=numbers, text=st.sampled_from(["Visit at 10:30", "Visit at 11"])),
    st.builds(c.Extend, number=numbers, deadline=st.sampled_from(["in 6 days", "in 1 hour"])),
    st.builds(c.Close, number=numbers),
    st.builds(c.Withdraw, number=numbers),
    st.builds(c.Reopen, number=numbers),
    st.builds(c.RecordOutcome, number=numbers, text=st.just("We go ahead")),
    st.builds(c.Ask, number=numbers, question=st.just("Why?")),
    st.just(c.Leave()),
    st.just(c.Join()),
    st.just(c.Status()),
    st.builds(
        c.Propose,
        title=st.just("We need people for the visit"),
        process=st.just("signup"),
        target=st.integers(1, 3),
        on=st.sampled_from([None, "in 4 days"]),
    ),
    st.builds(
        c.AddAction,
        number=numbers,
        text=st.sampled_from(["", "Alex buys a chair", "I ring the GP", "book a taxi"]),
        due=st.sampled_from([None, "in 2 days", "in 3 hours"]),
    ),
    st.builds(c.ActionDone, number=numbers, item=st.integers(1, 3)),
    st.builds(c.MoveAction, number=numbers, item=st.integers(1, 3), due=st.just("in 5 days")),
    st.builds(c.TakeAction, number=numbers, item=st.integers(1, 3)),
)

steps = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(NAMES), actions),
        st.tuples(st.just("wait"), st.integers(1, 100)),  # hours
    ),
    max_size=40,
)


def check(conv: Conversation) -> None:
    group = conv.group
    for proposal in group.proposals.values():
        process = PROCESSES[proposal.process]
        for round_ in proposal.rounds:
            current = round_.current()
            # One current response per member, and the tally counts exactly those.
            assert tally(round_).total == len(round_.current_records())
            if not proposal.options.anonymous:
                assert set(current) == set(round_.participants)
            else:
                assert all(r.member is None for r in round_.history)
            # Nothing is responded after a round has closed.
            if round_.closed_at is not None:
                assert all(r.at <= round_.closed_at for r in round_.history)
        # A sign-up never keeps more people than it needs.
        if process.rule is Rule.SIGNUP and proposal.round is not None:
            if proposal.stage is Stage.AGREED:
                assert len(signed_up(proposal, group)) == needed(proposal)
            elif proposal.stage is Stage.OPEN:
                assert len(signed_up(proposal, group)) < needed(proposal)
        # Actions are numbered 1, 2, … in the order they were added.
        assert [a.id for a in proposal.actions] == list(range(1, len(proposal.actions) + 1))
        if proposal.stage is Stage.AGREED and process.rule in (
            Rule.CONSENT,
            Rule.LAZY,
            Rule.CONSENSUS,
        ):
            assert not standing_objections(proposal)
            assert not missing_required(proposal, group)
            if process.rule is not Rule.LAZY:
                assert quorum_met(proposal, group)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_random_conversations_keep_every_rule(script: list[tuple[str, object]]) -> None:
    conv = Conversation()
    for name in NAMES:
        conv.by(name, c.Join())
    conv.by("Sam", c.AddPerson("Mum"))
    for who, what in script:
        if who == "wait":
            assert isinstance(what, int)
            conv.wait(timedelta(hours=what))
        else:
            before = conv.group
            decision = conv.by(who, what)  # type: ignore[arg-type]
            if decision.refused:
                assert conv.group is before  # a refusal changes nothing
        check(conv)
