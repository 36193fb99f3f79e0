"""The example of the whole cycle, played as a newcomer plays it: plan together
(a sign-up), decide together, share the doing (actions), and look back (a
review where everyone is asked, and a change goes to consent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "shower-chair-from-plan-to-review.txt"


def test_the_whole_cycle_example_plays(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--script", str(SCRIPT)]) == 0
    out = capsys.readouterr().out
    assert "Traceback" not in out
    # Joint planning: a sign-up that is filled.
    assert "We have enough people. Signed up: Alex." in out
    # Shared decision-making, with a concern kept for the review.
    assert "It is agreed. Everyone has answered, and no one objects." in out
    # Collaborative implementation: things to do, taken on and done.
    assert "#2.1 Alex: buys the shower chair (by Friday 11 December, 17:00 UK time)" in out
    assert "Sam will do it: #2.2" in out
    assert "Done: #2.2 Sam: fits the chair and checks it is safe. Thank you, Sam!" in out
    # Continuous feedback: everyone is asked, beside the concern from the agreement.
    assert "Time to review #2: Buy a shower chair for Mum" in out
    assert (
        "Concerns when we agreed it:\n     • Alex — Concern: It must fit the small bathroom" in out
    )
    assert "The review of #2 is over. People want to change it, so #3 is a new version." in out
    assert out.count("It is agreed. Everyone has answered, and no one objects.") >= 2  # #3 too
    # The record shows the cycle.
    history = out.split("Jo: history #2")[1]
    assert "thing to do done (Sam): #2.2 fits the chair and checks it is safe" in history
    assert "Jo — Change it: Mum wants a mat under it too" in history
    assert "we looked at it again: change it, in #3" in history
