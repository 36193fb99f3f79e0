"""Which commands a stage takes: the table in ``decide`` (``STAGES``), beside ``PERMISSIONS``."""

from __future__ import annotations

import dataclasses

import pytest

from bot.core import commands as c
from bot.core.decide import PERMISSIONS, STAGES
from bot.core.endings import ENDINGS, Trigger
from bot.core.lifecycle import ACTIVE, RESPONDING
from bot.core.model import Stage
from bot.core.rounds import ACTIONABLE, STAGE_REFUSALS
from tests.reliability.test_authorization import attempt, msgid

# One of each command in the table, about #1, by its facilitator: a steward, so any
# refusal is about the stage, never about who asks.
TRIED: dict[type, c.Action] = {
    c.Start: c.Start(1),
    c.Respond: c.Respond(1, "consent"),
    c.Unrespond: c.Unrespond(1, "consent"),
    c.WithdrawObjection: c.WithdrawObjection(1),
    c.Ask: c.Ask(1, "Has anyone asked Mum?"),
    c.Extend: c.Extend(1, "in 10 days"),
    c.Close: c.Close(1),
    c.Reopen: c.Reopen(1, "in 5 days"),
    c.SetReview: c.SetReview(1, "in 6 months"),
    c.AskReview: c.AskReview(1),
    c.CheckIn: c.CheckIn(1, "keep"),
    c.AddAction: c.AddAction(1, "Sam tells the agency", "in 6 days"),
}


def test_the_table_holds_commands_about_a_proposal_and_agrees_with_the_lifecycle() -> None:
    assert set(STAGES) == set(TRIED)
    for kind in STAGES:
        assert kind in PERMISSIONS
        assert "number" in {f.name for f in dataclasses.fields(kind)}
    assert STAGES[c.Respond].stages == RESPONDING
    assert STAGES[c.Ask].stages == ACTIVE
    assert STAGES[c.Close].stages == {s for s, row in ENDINGS.items() if Trigger.CLOSE in row}
    assert STAGES[c.Reopen].stages == frozenset(Stage) - ACTIVE
    assert STAGES[c.AddAction].stages == ACTIONABLE


REFUSED = [
    pytest.param(kind, stage, id=f"{kind.__name__} in {stage.value}")
    for kind, accepted in STAGES.items()
    for stage in Stage
    if stage not in accepted.stages
]


@pytest.mark.parametrize(("kind", "stage"), REFUSED)
def test_a_command_in_a_stage_that_does_not_take_it_is_refused_with_the_stages_words(
    kind: type, stage: Stage
) -> None:
    decision = attempt("facilitator", TRIED[kind], stage)
    assert decision.refused, decision.summary
    assert msgid(decision) == (STAGES[kind].refusal or STAGE_REFUSALS[stage])


TAKEN = [
    pytest.param(kind, stage, id=f"{kind.__name__} in {stage.value}")
    for kind, accepted in STAGES.items()
    for stage in sorted(accepted.stages)
]


@pytest.mark.parametrize(("kind", "stage"), TAKEN)
def test_a_command_in_a_stage_that_takes_it_is_never_refused_for_the_stage(
    kind: type, stage: Stage
) -> None:
    decision = attempt("facilitator", TRIED[kind], stage)
    refusals = {*STAGE_REFUSALS.values(), *(a.refusal for a in STAGES.values() if a.refusal)}
    assert not decision.refused or msgid(decision) not in refusals, decision.summary
