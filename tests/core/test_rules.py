"""The rules a care team relies on, each with its own test."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core import commands as c
from bot.core.effects import AskReason, DirectMessage, EditCard, Post, Reply, SetTimer
from bot.core.model import WITHDRAWN_RESPONSE, Stage
from tests.core.conversation import Conversation

DAY = timedelta(days=1)


def team(*names: str) -> Conversation:
    conv = Conversation()
    for name in names:
        conv.by(name, c.Join())
    return conv


def consent_proposal(conv: Conversation, **options: object) -> int:
    conv.by("Sam", c.Propose("Move the morning visit to 10:00", "Mum sleeps badly", **options))  # type: ignore[arg-type]
    return max(conv.group.proposals)


def unchanged(conv: Conversation, action: c.Action, name: str = "Sam", **kw: object) -> str:
    """Run a refused action; assert nothing changed; return the reply's text."""
    before = conv.group
    decision = conv.by(name, action, **kw)  # type: ignore[arg-type]
    assert decision.refused, decision.summary
    assert conv.group is before
    replies = [e for e in decision.effects if isinstance(e, Reply)]
    assert len(replies) == 1 and decision.effects == tuple(replies)
    return conv.last_text()


# -- consent ---------------------------------------------------------------------------------


def test_silence_is_never_consent() -> None:
    conv = team("Sam", "Alex", "Jo", "Kim")
    n = consent_proposal(conv)
    conv.by("Alex", c.Respond(n, "consent"))
    conv.wait(4 * DAY)
    proposal = conv.proposal(n)
    assert proposal.stage is Stage.NOT_AGREED
    assert "Silence is not consent" in proposal.outcome.summary  # type: ignore[union-attr]


def test_silence_is_not_consent_even_with_no_quorum() -> None:
    conv = team("Sam", "Alex")
    n = consent_proposal(conv, quorum=0)
    conv.wait(4 * DAY)
    assert conv.proposal(n).stage is Stage.NOT_AGREED


def test_objection_needs_a_reason_and_is_not_recorded_without_one() -> None:
    conv = team("Sam", "Alex")
    n = consent_proposal(conv)
    before = conv.group
    decision = conv.by("Alex", c.Respond(n, "object"))
    assert conv.group is before
    asks = [e for e in decision.effects if isinstance(e, AskReason)]
    assert len(asks) == 1 and asks[0].number == n and asks[0].word == "object"
    assert "I only keep your answer once you do" in conv.last_text()


def test_objection_blocks_until_withdrawn() -> None:
    conv = team("Sam", "Alex", "Jo")
    n = consent_proposal(conv)
    conv.by("Alex", c.Respond(n, "object", reason="Tuesday clashes with physio"))
    conv.by("Jo", c.Respond(n, "consent"))
    conv.by("Sam", c.Respond(n, "consent"))
    assert conv.proposal(n).stage is Stage.OPEN  # everyone answered, but an objection stands
    conv.wait(4 * DAY)
    assert conv.proposal(n).stage is Stage.RESOLVING
    conv.by("Alex", c.WithdrawObjection(n))
    proposal = conv.proposal(n)
    assert proposal.stage is Stage.AGREED
    # The reason stays on record as a concern.
    current = proposal.round.current()[conv.member_id("Alex")]  # type: ignore[union-attr]
    assert (current.response, current.reason) == ("concern", "Tuesday clashes with physio")


def test_objection_still_standing_at_the_end_of_resolve_stops_the_proposal() -> None:
    conv = team("Sam", "Alex")
    n = consent_proposal(conv)
    conv.by("Alex", c.Respond(n, "object", reason="Not safe"))
    conv.by("Sam", c.Respond(n, "consent"))
    conv.wait(4 * DAY)
    assert conv.proposal(n).stage is Stage.RESOLVING
    conv.wait(3 * DAY)
    proposal = conv.proposal(n)
    assert proposal.stage is Stage.NOT_AGREED
    assert "objection still stands" in proposal.outcome.summary  # type: ignore[union-attr]


def test_amendment_starts_a_fresh_round_where_everyone_is_asked_again() -> None:
    conv = team("Sam", "Alex", "Jo")
    n = consent_proposal(conv)
    conv.by("Alex", c.Respond(n, "consent"))
    conv.by("Jo", c.Respond(n, "object", reason="Tuesdays clash"))
    conv.by("Sam", c.Amend(n, "10:00, but 11:00 on Tuesdays"))
    proposal = conv.proposal(n)
    assert proposal.stage is Stage.OPEN
    assert len(proposal.versions) == 2 and len(proposal.rounds) == 2
    assert proposal.round.participants == frozenset()  # type: ignore[union-attr]
    assert proposal.round.version == 2  # type: ignore[union-attr]
    assert any(isinstance(e, Post) and e.card == n for e in conv.last.effects)  # type: ignore[union-attr]


def test_concern_is_recorded_and_shown_but_does_not_block() -> None:
    conv = team("Sam", "Alex")
    n = consent_proposal(conv)
    conv.by("Alex", c.Respond(n, "concern", reason="Watch her breakfast time"))
    assert "Watch her breakfast time" in conv.card_text()  # the updated card shows it
    conv.by("Sam", c.Respond(n, "consent"))
    assert conv.proposal(n).stage is Stage.AGREED


def test_early_pass_only_when_every_member_has_responded() -> None:
    conv = team("Sam", "Alex", "Jo", "Kim")
    n = consent_proposal(conv)
    for name in ("Sam", "Alex", "Jo"):
        conv.by(name, c.Respond(n, "consent"))
        assert conv.proposal(n).stage is Stage.OPEN
    conv.by("Kim", c.Respond(n, "ok"))
    assert conv.proposal(n).stage is Stage.AGREED


def test_quorum_counts_the_members_at_the_start_of_the_round() -> None:
    conv = team("Sam", "Alex", "Jo", "Kim")
    n = consent_proposal(conv)
    for late in ("Lee", "Max", "Ned", "Oli"):
        conv.by(late, c.Join())
    conv.by("Sam", c.Respond(n, "consent"))
    conv.by("Alex", c.Respond(n, "consent"))  # 2 of the 4 at the start: 50%
    conv.wait(4 * DAY)
    assert conv.proposal(n).stage is Stage.AGREED


def test_required_voices_must_have_responded_for_a_pass() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.AddPerson("Mum"))
    n = consent_proposal(conv, needs=("Mum",))
    conv.by("Sam", c.Respond(n, "consent"))
    conv.by("Alex", c.Respond(n, "consent"))
    conv.wait(4 * DAY)
    proposal = conv.proposal(n)
    assert proposal.stage is Stage.NOT_AGREED
    assert "Mum" in proposal.outcome.summary  # type: ignore[union-attr]


def test_proxy_response_counts_and_is_attributed() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.AddPerson("Mum"))
    n = consent_proposal(conv, needs=("Mum",))
    conv.by("Alex", c.Respond(n, "consent", proxy_for="Mum"))
    record = conv.proposal(n).round.history[-1]  # type: ignore[union-attr]
    assert record.recorded_by == conv.member_id("Alex")
    assert "recorded by Alex" in conv.last_text()
    conv.by("Sam", c.Respond(n, "consent"))
    conv.by("Alex", c.Respond(n, "consent"))
    assert conv.proposal(n).stage is Stage.AGREED


def test_anonymous_proposals_keep_no_name_with_a_response() -> None:
    conv = team("Sam", "Alex", "Jo")
    n = consent_proposal(conv, anonymous=True)
    conv.by("Alex", c.Respond(n, "concern", reason="Too early"))
    proposal = conv.proposal(n)
    assert all(r.member is None for r in proposal.round.history)  # type: ignore[union-attr]
    card = conv.card_text()
    assert "Alex" not in card and "Still to respond" not in card
    assert "Too early" in card
    text = unchanged(conv, c.Respond(n, "consent"), name="Alex")
    assert "anonymous" in text
    conv.by("Sam", c.Amend(n, "Visit at 10:30"))
    assert conv.proposal(n).options.anonymous  # never made non-anonymous


def test_hidden_results_stay_hidden_until_close() -> None:
    conv = team("Sam", "Alex")
    n = consent_proposal(conv, hide_results=True)
    conv.by("Alex", c.Respond(n, "concern", reason="secret worry"))
    card = conv.card_text()
    assert "secret worry" not in card and "Responses so far: 1" in card
    conv.by("Sam", c.Respond(n, "consent"))
    final_card = [e for e in conv.last.effects if isinstance(e, EditCard)][-1]  # type: ignore[union-attr]
    from bot.core.document import plain_text

    assert "secret worry" in plain_text(final_card.document)


def test_only_members_act() -> None:
    conv = team("Sam")
    n = consent_proposal(conv)
    text = unchanged(conv, c.Respond(n, "consent"), name="Stranger", private=True, present=False)
    assert "Only members" in text


def test_telegram_anonymous_admin_is_never_a_member() -> None:
    conv = team("Sam")
    n = consent_proposal(conv)
    before = conv.group
    actor = c.Actor(identity="telegram:1087968824", name="Group")
    decision = conv.run(c.Request(actor, "console:group", c.Respond(n, "consent")))
    assert decision.refused and conv.group is before


@pytest.mark.parametrize(
    "action",
    [
        c.Amend(1, "new text"),
        c.Extend(1, "in 5 days"),
        c.Close(1),
        c.Withdraw(1),
        c.SetReview(1, "in 3 months"),
    ],
)
def test_only_the_proposer_or_a_facilitator_steers_a_proposal(action: c.Action) -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Alex", c.Propose("Alex's idea"))
    text = unchanged(conv, action, name="Jo")
    assert "who asked for" in text
    assert not conv.by("Sam", action).refused  # Sam is the first member: a facilitator


def test_a_closed_proposal_takes_no_responses() -> None:
    conv = team("Sam", "Alex")
    n = consent_proposal(conv)
    conv.by("Sam", c.Withdraw(n))
    text = unchanged(conv, c.Respond(n, "consent"), name="Alex")
    assert "withdrawn" in text


def test_every_response_change_is_kept_in_history() -> None:
    conv = team("Sam", "Alex", "Jo")
    n = consent_proposal(conv)
    conv.by("Alex", c.Respond(n, "concern", reason="hmm"))
    conv.by("Alex", c.Respond(n, "object", reason="no, really"))
    conv.by("Alex", c.Respond(n, "consent"))
    round_ = conv.proposal(n).round
    assert [r.response for r in round_.history] == ["concern", "object", "consent"]  # type: ignore[union-attr]
    assert round_.current()[conv.member_id("Alex")].response == "consent"  # type: ignore[union-attr]


def test_taking_back_a_reaction_withdraws_the_response() -> None:
    conv = team("Sam", "Alex", "Jo")
    n = consent_proposal(conv)
    conv.by("Alex", c.Respond(n, "✅"))
    conv.by("Alex", c.Unrespond(n, "✅"))
    round_ = conv.proposal(n).round
    assert round_.history[-1].response == WITHDRAWN_RESPONSE  # type: ignore[union-attr]
    assert conv.member_id("Alex") not in round_.participants  # type: ignore[union-attr]


def test_review_date_brings_a_reminder_that_offers_to_reopen_as_a_linked_proposal() -> None:
    conv = team("Sam", "Alex")
    n = consent_proposal(conv, review="in 30 days")
    conv.by("Sam", c.Respond(n, "consent"))
    conv.by("Alex", c.Respond(n, "consent"))
    assert conv.proposal(n).stage is Stage.AGREED
    assert any(t.key.endswith("|review") for t in conv.timers.values())
    conv.wait(31 * DAY)
    assert conv.proposal(n).stage is Stage.REVIEW_DUE
    reminder = conv.texts()[-1]
    assert f"Time to review #{n}" in reminder and "Sam can reopen it" in reminder
    conv.by("Sam", c.Reopen(n))
    assert conv.proposal(n).check_in is None  # reopened: the check-in ends with it
    new = conv.proposal(n + 1)
    assert new.follows == n and new.stage is Stage.OPEN and new.title == conv.proposal(n).title


def test_a_deadline_fires_once_and_a_stale_timer_does_nothing() -> None:
    conv = team("Sam", "Alex")
    n = consent_proposal(conv)
    deadline = conv.timers[f"{conv.group.id}|{n}|deadline"]
    conv.by("Sam", c.Extend(n, "in 6 days"))
    conv.now = deadline.due
    decision = conv.run(deadline.event)  # the old timer, fired late
    assert decision.effects == () and conv.proposal(n).stage is Stage.OPEN
    conv.wait(7 * DAY)
    assert conv.proposal(n).stage is Stage.NOT_AGREED
    again = conv.run(deadline.event)
    assert again.effects == ()


# -- nudges ----------------------------------------------------------------------------------


def test_nudges_go_only_to_members_who_have_not_responded() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Jo", c.MySetting("reminders", "off"))
    n = consent_proposal(conv)
    conv.by("Sam", c.Respond(n, "consent"))
    conv.wait(2 * DAY + timedelta(hours=9))  # Wednesday 18:00, a day before Thursday 17:00
    nudges = [e for e in conv.said if isinstance(e, DirectMessage)]
    assert [e.name for e in nudges] == ["Alex"]
    assert "not heard from you" in conv.texts()[-1]


def test_nudges_wait_for_the_end_of_quiet_hours() -> None:
    conv = team("Sam", "Alex")
    conv.by("Alex", c.MySetting("quiet", "16:00-20:00"))  # the nudge falls at 17:00 UK time
    n = consent_proposal(conv)
    conv.by("Sam", c.Respond(n, "consent"))
    conv.wait(2 * DAY + timedelta(hours=8, minutes=1))
    assert not [e for e in conv.said if isinstance(e, DirectMessage)]
    assert any(k.endswith("nudge-" + str(conv.member_id("Alex"))) for k in conv.timers)
    conv.wait(3 * timedelta(hours=1))
    nudges = [e for e in conv.said if isinstance(e, DirectMessage)]
    assert [e.name for e in nudges] == ["Alex"]
    assert conv.proposal(n).stage is Stage.OPEN


def test_no_nudge_for_a_round_shorter_than_the_nudge_window() -> None:
    conv = team("Sam", "Alex")
    consent_proposal(conv, duration="12 hours")
    assert not [t for t in conv.timers if t.endswith("|nudge")]


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "says"),
    [
        (c.Respond(9, "consent"), "There is no proposal #9"),
        (c.Propose("Trip", deadline="yesterday 5pm"), "passed"),
        (c.Propose("Trip", deadline="in 10 minutes"), "too soon"),
        (c.Propose("x" * 500), "too long"),
        (c.Respond(1, "consent", reason="x" * 2000), "too long"),
        (c.Respond(1, "vote", choices=(1,)), "you can respond with"),
        (c.Propose("Trip", needs=("Nobody",)), "don't know Nobody"),
        (c.Propose("Pick", process="choice", options=("only one",)), "at least two options"),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(action: c.Action, says: str) -> None:
    conv = team("Sam", "Alex")
    consent_proposal(conv)
    assert says in unchanged(conv, action)


def test_which_proposal_is_asked_when_several_are_open() -> None:
    conv = team("Sam", "Alex")
    consent_proposal(conv)
    consent_proposal(conv)
    assert "Which proposal" in unchanged(conv, c.Respond(None, "consent"), name="Alex")


def test_timers_are_set_for_deadline_and_nudge() -> None:
    conv = team("Sam", "Alex")
    n = consent_proposal(conv)
    keys = {t.key for t in conv.timers.values() if isinstance(t, SetTimer)}
    assert {f"{conv.group.id}|{n}|deadline", f"{conv.group.id}|{n}|nudge"} <= keys
