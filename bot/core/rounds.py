"""Shared steps of a proposal's life: finding it, moving it, opening and ending rounds.

Every stage change goes through :func:`move`, which asks the lifecycle table;
every round opens through :func:`open_round`, which sets its deadline and
nudge timers and posts the card; every ending goes through :func:`conclude`,
which records the outcome, cancels what is no longer due and announces it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.core import cards, deadlines, visibility
from bot.core.calendar import outcome_files
from bot.core.commands import DeadlineDue, NudgeDue, ReviewDue
from bot.core.document import Action, Document, Strong, para
from bot.core.effects import CancelTimer, EditCard, Post, SetTimer
from bot.core.i18n import N_, Phrase
from bot.core.lifecycle import ACTIVE, RESPONDING, Move, next_stage
from bot.core.model import (
    LogEntry,
    Member,
    Outcome,
    Proposal,
    ProposalOptions,
    Round,
    RoundKind,
    Stage,
    Version,
)
from bot.core.outcomes import Verdict, signed_up
from bot.core.processes import PROCESSES, Process, Rule
from bot.core.turn import Refusal, Turn
from bot.core.when import spell_duration, spell_out

# -- finding -------------------------------------------------------------------------------


def find(turn: Turn, number: int | None, *, example: str, responding: bool = False) -> Proposal:
    """The proposal a person means: by number, else the only one open."""
    group = turn.group
    if number is not None:
        proposal = group.proposals.get(number)
        if proposal is None:
            raise Refusal(
                "There is no proposal #{number}. Say status to see what is open.",
                example="status",
                number=number,
            )
        return proposal
    stages = RESPONDING if responding else ACTIVE
    open_ = [p for p in group.proposals.values() if p.stage in stages]
    if len(open_) == 1:
        return open_[0]
    if not open_:
        raise Refusal("Nothing is open right now. Say decisions to see what was decided.")
    numbers = ", ".join(f"#{p.number}" for p in sorted(open_, key=lambda p: p.number))
    raise Refusal(
        "Which proposal do you mean? Open now: {numbers}. Add its number.",
        example=example,
        numbers=numbers,
    )


def require_steward(turn: Turn, proposal: Proposal) -> None:
    member = turn.member
    assert member is not None
    if member.id != proposal.proposer and not member.is_facilitator:
        raise Refusal(
            "Only {name}, who asked for #{number}, or a facilitator, can do that.",
            number=proposal.number,
            name=cards.member_name(turn.group, proposal.proposer, turn.t),
        )


STAGE_REFUSALS = {
    Stage.DRAFT: N_("#{number} is still a draft. Start it first: start #{number}"),
    Stage.QUESTIONS: N_("#{number} is taking questions first. Responses open after that."),
    Stage.OPEN: N_("#{number} is still open."),
    Stage.RESOLVING: N_("#{number} is working through objections."),
    Stage.AGREED: N_("#{number} is agreed. It is done."),
    Stage.NOT_AGREED: N_("#{number} is closed: it was not agreed."),
    Stage.WITHDRAWN: N_("#{number} was withdrawn."),
    Stage.CLOSED: N_("#{number} is closed."),
    Stage.REVIEW_DUE: N_("#{number} is waiting for its review."),
}


def admit(turn: Turn, proposal: Proposal) -> None:
    """Refuse the command being decided if ``proposal``'s stage does not take it
    (the table is ``decide.STAGES``; ``decide`` hands the command's row to the turn).
    Asked once the proposal is found, and after who may act on it is checked."""
    accepted = turn.accepted
    if accepted is not None and proposal.stage not in accepted.stages:
        own = accepted.by_process.get(proposal.process, {}).get(proposal.stage)
        raise Refusal(
            own or accepted.refusal or STAGE_REFUSALS[proposal.stage],
            number=proposal.number,
            name=turn.member.name if turn.member else "",
        )


# Stages of a decision that things can be done about (``action #7 …``): agreed,
# up for review, or closed with some result (a sign-up short of people).
ACTIONABLE = frozenset({Stage.AGREED, Stage.REVIEW_DUE, Stage.CLOSED})


def move(turn: Turn, proposal: Proposal, how: Move) -> Proposal:
    """The proposal in the stage ``how`` leads to; refused if the table forbids it."""
    stage = next_stage(proposal.stage, how)
    if stage is None:
        raise Refusal(STAGE_REFUSALS[proposal.stage], number=proposal.number)
    return replace(proposal, stage=stage)


# -- times ---------------------------------------------------------------------------------


def when(turn: Turn, text: str, *, example: str) -> datetime:
    """A deadline people typed, read in the group's time zone; refused if unclear,
    past, or sooner than the group's minimum."""
    settings = turn.group.settings
    duration = deadlines.parse_duration(text)
    if duration is not None:
        result: datetime | Phrase = turn.now + duration
    else:
        result = deadlines.resolve_deadline(
            text,
            now=turn.now,
            timezone=settings.timezone,
            language=turn.language_of(turn.member),
        )
    if isinstance(result, Phrase):
        raise Refusal(result.msgid, example=example, **result.params)
    if result < turn.now + settings.min_deadline:
        raise Refusal(
            "That is too soon. A deadline needs to be at least {minimum} from now.",
            example=example,
            minimum=spell_duration(settings.min_deadline, language=turn.language_of(turn.member)),
        )
    return result


def duration_of(turn: Turn, process: Process) -> timedelta:
    return turn.group.settings.duration or process.duration


def default_end(turn: Turn, start: datetime, length: timedelta) -> datetime:
    """When a usual length from ``start`` ends: 17:00 in the group's zone on the
    day it runs out (:func:`deadlines.default_deadline`)."""
    settings = turn.group.settings
    return deadlines.default_deadline(
        start, length, timezone=settings.timezone, min_deadline=settings.min_deadline
    )


def usual_end(turn: Turn, process: Process, start: datetime | None = None) -> datetime:
    """The deadline of a round given no deadline: the process's usual length
    from ``start`` (now if not given), ending at a daytime hour."""
    return default_end(turn, start or turn.now, duration_of(turn, process))


def spell(turn: Turn, moment: datetime) -> str:
    """A moment in words for the whole group: its language and time zone."""
    settings = turn.group.settings
    return spell_out(moment, timezone=settings.timezone, language=settings.language, now=turn.now)


def spell_for(turn: Turn, moment: datetime, member: Member | None) -> str:
    """A moment in words for one person: their language and time zone."""
    return spell_out(
        moment,
        timezone=turn.timezone_of(member),
        language=turn.language_of(member),
        now=turn.now,
    )


# -- timers --------------------------------------------------------------------------------


def timer_key(turn: Turn, number: int, what: str) -> str:
    return f"{turn.group.id}|{number}|{what}"


def arm_round(turn: Turn, proposal: Proposal) -> None:
    """Set the deadline timer of the current round and, if the round is long
    enough, the nudge before it."""
    round_ = proposal.round
    assert round_ is not None
    n = proposal.number
    turn.emit(
        SetTimer(timer_key(turn, n, "deadline"), round_.deadline, DeadlineDue(n, round_.index))
    )
    nudge_at = round_.deadline - turn.group.settings.nudge_before
    if round_.kind is RoundKind.RESPONSES and proposal.stage is Stage.OPEN and nudge_at > turn.now:
        turn.emit(SetTimer(timer_key(turn, n, "nudge"), nudge_at, NudgeDue(n, round_.index)))
    else:
        turn.emit(CancelTimer(timer_key(turn, n, "nudge")))


def disarm(turn: Turn, proposal: Proposal) -> None:
    for what in ("deadline", "nudge"):
        turn.emit(CancelTimer(timer_key(turn, proposal.number, what)))


# -- rounds --------------------------------------------------------------------------------


def open_round(turn: Turn, proposal: Proposal, kind: RoundKind, deadline: datetime) -> Proposal:
    """Start a round: everyone active now is asked (and counts for the quorum)."""
    previous = proposal.round
    if previous is not None and previous.closed_at is None:
        proposal = close_round(proposal, turn.now)
    round_ = Round(
        index=len(proposal.rounds) + 1,
        kind=kind,
        version=proposal.version.number,
        opened_at=turn.now,
        deadline=deadline,
        eligible=frozenset(m.id for m in turn.group.active_members()),
    )
    proposal = turn.put(replace(proposal, rounds=(*proposal.rounds, round_)))
    arm_round(turn, proposal)
    return proposal


def close_round(proposal: Proposal, now: datetime) -> Proposal:
    round_ = proposal.round
    if round_ is None or round_.closed_at is not None:
        return proposal
    return replace(proposal, rounds=(*proposal.rounds[:-1], replace(round_, closed_at=now)))


def set_deadline(turn: Turn, proposal: Proposal, deadline: datetime) -> Proposal:
    round_ = proposal.round
    assert round_ is not None
    proposal = replace(proposal, rounds=(*proposal.rounds[:-1], replace(round_, deadline=deadline)))
    proposal = turn.put(proposal)
    arm_round(turn, proposal)
    return proposal


# A time poll closes this long before its first time, so people know the time
# before it comes (a poll that closed after it could pick a time already gone).
CLOSE_BEFORE_FIRST_TIME = timedelta(hours=1)


def first_time(process: str, choices: tuple[str, ...]) -> datetime | None:
    """The earliest time a time poll offers; None for other proposals."""
    if PROCESSES[process].rule is not Rule.TIME or not choices:
        return None
    return min(datetime.fromisoformat(choice) for choice in choices)


def refuse_after_first_time(
    turn: Turn, process: str, choices: tuple[str, ...], deadline: datetime, *, example: str
) -> None:
    """A deadline a time poll cannot have: on or after its first time."""
    first = first_time(process, choices)
    if first is not None and deadline >= first:
        raise Refusal(
            "A time poll must close before its first time, {first}. "
            "Please choose an earlier deadline.",
            example=example,
            first=spell_for(turn, first, turn.member),
        )


def open_responses(turn: Turn, proposal: Proposal, deadline: datetime | None) -> Proposal:
    """Open the responses round: everyone is asked, by ``deadline`` if it is far
    enough off, else by the process's usual length from now (for a time poll, no
    later than just before its first time, and the group is told so)."""
    moved_earlier = False
    if deadline is None or deadline < turn.now + turn.group.settings.min_deadline:
        deadline = usual_end(turn, PROCESSES[proposal.process])
        first = first_time(proposal.process, proposal.options.choices)
        if first is not None and deadline > first - CLOSE_BEFORE_FIRST_TIME:
            earliest = turn.now + turn.group.settings.min_deadline
            deadline = min(max(first - CLOSE_BEFORE_FIRST_TIME, earliest), first)
            moved_earlier = True
    proposal = move(turn, proposal, Move.OPEN)
    proposal = open_round(turn, proposal, RoundKind.RESPONSES, deadline)
    # No other proposal was ever numbered: the closed ones are not in memory, but
    # the highest number given says whether there were any.
    first_card = turn.group.next_proposal_number() == 2
    post_card(turn, proposal)
    if moved_earlier:
        turn.reply_phrase(
            "Time poll #{number} ends on {deadline}. That is before its first time, "
            "so all of you know in time.",
            number=proposal.number,
            deadline=spell(turn, deadline),
        )
    if first_card:
        _ = turn.group_t
        turn.emit(
            Post(
                Document(
                    (
                        para(
                            _(
                                # Posted to every chat of the group, Matrix rooms too:
                                # words true where there is no button (``platforms``).
                                "Tip: I can send you a private reminder before a deadline. "
                                "To get them, say: reminders on. To add a deadline to "
                                "your calendar, say: show #{number} calendar"
                            ).format(number=proposal.number)
                        ),
                    ),
                    (Action("🔔 " + _("Get private reminders"), "reminders on"),),
                )
            )
        )
    return proposal


def follow(
    turn: Turn,
    proposal: Proposal,
    *,
    title: str,
    details: str,
    by: int,
    process: str | None = None,
    options: ProposalOptions | None = None,
) -> Proposal:
    """A new draft by ``by`` that follows ``proposal`` (a decision is never
    rewritten: a reopening, or a review's change or stop, is a new proposal),
    in the same process with the same options unless given others."""
    new = Proposal(
        number=turn.group.next_proposal_number(),
        process=process or proposal.process,
        proposer=by,
        stage=Stage.DRAFT,
        created_at=turn.now,
        versions=(Version(1, title[:MAX_FOLLOWER_TITLE], details, by, turn.now),),
        options=proposal.options if options is None else options,
        follows=proposal.number,
    )
    return turn.put(new.logged(LogEntry(turn.now, by, "proposed", f"follows #{proposal.number}")))


MAX_FOLLOWER_TITLE = 200  # as ``proposing.MAX_TITLE``: "Stop #7: " must not make it longer


# -- posting -------------------------------------------------------------------------------


def post_card(turn: Turn, proposal: Proposal, *, intro: str = "") -> None:
    """Post the card as a new message (a round opened, a new version)."""
    document = cards.card(turn.group, proposal, turn.now)
    if intro:
        document = Document((para(Strong(intro)), *document.blocks), document.actions)
    turn.emit(Post(document, card=proposal.number))
    if (
        PROCESSES[proposal.process].rule is Rule.CONSENT
        and proposal.stage is Stage.OPEN
        and not turn.group.objection_explained
    ):
        turn.group = replace(turn.group, objection_explained=True, explained_on=proposal.number)


def refresh_card(turn: Turn, proposal: Proposal) -> None:
    turn.emit(EditCard(proposal.number))


def announce(
    turn: Turn,
    text: str,
    proposal: Proposal | None = None,
    then: Document | None = None,
) -> None:
    """Post ``text`` to the group, under the proposal's title; ``then`` adds a
    next step, with its buttons, to the same message."""
    blocks = [para(text)]
    if proposal is not None:
        blocks.insert(0, para(Strong(cards.title_line(proposal, turn.group_t))))
    document = Document(tuple(blocks))
    if then is not None:
        document = document + then
    turn.emit(Post(document))


# -- ending --------------------------------------------------------------------------------


OBJECTIONS_STAND = N_(
    "The deadline has passed and there are objections. {name}, you can change the "
    "proposal to meet them: amend #{number} and the new text. Objectors can "
    "withdraw: withdraw objection #{number}. We have until {deadline}."
)
OBJECTIONS_STAND_ANONYMOUS = N_(
    "The deadline has passed and there are objections. {name}, you can change the "
    "proposal to meet them: amend #{number} and the new text. Then everyone is asked "
    "again, and no names are kept. We have until {deadline}."
)


def apply_verdict(turn: Turn, proposal: Proposal, verdict: Verdict) -> Proposal:
    """Carry out a verdict: conclude, go to the resolve stage, or wait."""
    if verdict.move is None:
        refresh_card(turn, proposal)
        return proposal
    _ = turn.group_t
    if verdict.move is Move.OBJECTIONS_STAND:
        proposal = move(turn, proposal, Move.OBJECTIONS_STAND)
        proposal = turn.log(proposal, "resolving")
        proposal = set_deadline(
            turn, proposal, default_end(turn, turn.now, turn.group.settings.resolve)
        )
        refresh_card(turn, proposal)
        # Only what the bot will do is offered: in an anonymous proposal nobody can
        # tell whose objection is whose, so there is no "withdraw objection" to offer.
        words = (
            OBJECTIONS_STAND
            if visibility.offers_withdraw_objection(proposal)
            else OBJECTIONS_STAND_ANONYMOUS
        )
        announce(
            turn,
            _(words).format(
                name=cards.member_name(turn.group, proposal.proposer, _),
                number=proposal.number,
                deadline=spell(turn, proposal.round.deadline),  # type: ignore[union-attr]
            ),
            proposal,
        )
        return proposal
    if verdict.move is Move.AWAIT_DECIDER:
        proposal = move(turn, proposal, Move.AWAIT_DECIDER)
        proposal = turn.put(close_round(turn.log(proposal, "advice_closed"), turn.now))
        disarm(turn, proposal)
        refresh_card(turn, proposal)
        announce(
            turn,
            verdict.reason.text(_)
            + " "
            + _("When you have decided, say: outcome #{number} and what you decided.").format(
                number=proposal.number
            ),
            proposal,
        )
        return proposal
    return conclude(turn, proposal, verdict.move, verdict.reason.text(_), verdict.winners)


def conclude(
    turn: Turn,
    proposal: Proposal,
    how: Move,
    summary: str,
    winners: tuple[int, ...] = (),
    decision: str = "",
) -> Proposal:
    """End a proposal: record the outcome, stop its timers, announce it."""
    proposal = move(turn, proposal, how)
    by = turn.member.id if turn.member else None
    outcome = Outcome(
        stage=proposal.stage,
        summary=summary,
        at=turn.now,
        decision=decision,
        recorded_by=by if decision else None,
        winners=winners,
    )
    proposal = close_round(replace(proposal, outcome=outcome), turn.now)
    # The outcome is the group's, not the last person's to answer: only a decider
    # who recorded a decision is named beside it.
    ending = LogEntry(turn.now, by if decision else None, proposal.stage.value, summary)
    proposal = turn.put(proposal.logged(ending))
    disarm(turn, proposal)
    review_at = proposal.review_at if proposal.stage is Stage.AGREED else None
    if review_at is not None and review_at <= turn.now:
        review_at = None  # the date has already gone by: no review to announce or wait for
    if review_at is not None:
        turn.emit(
            SetTimer(
                timer_key(turn, proposal.number, "review"),
                review_at,
                ReviewDue(proposal.number),
            )
        )
    refresh_card(turn, proposal)
    _ = turn.group_t
    text = summary
    if decision:
        text += " " + _("What we decided is: {decision}").format(decision=decision)
    if review_at is not None:
        text += " " + _("We will review it on {date}.").format(date=spell(turn, review_at))
    then = None
    rule = PROCESSES[proposal.process].rule
    if rule is Rule.SIGNUP:
        then = offer_action(turn, proposal)
    # A poll's result is its option, in words: there is nothing more to write down.
    elif proposal.stage is Stage.AGREED and rule not in POLLS:
        then = ask_for_the_record(turn, proposal, outcome=not decision, review=not review_at)
    announce(turn, text, proposal, then)
    turn.emit(*outcome_files(turn, proposal))
    return proposal


POLLS = frozenset({Rule.CHOICE, Rule.TIME})


def ask_for_the_record(
    turn: Turn, proposal: Proposal, *, outcome: bool, review: bool
) -> Document | None:
    """After an agreement, ask the proposer for what was decided and a date to
    look at it again, each with a one-tap answer (buttons on Telegram, the
    typed words everywhere)."""
    if not (outcome or review):
        return None
    _ = turn.group_t
    n = proposal.number
    lines: list[str] = []
    actions: list[Action] = []
    if outcome:
        name = cards.member_name(turn.group, proposal.proposer, _)
        lines.append(
            _("{name}, what did we decide? Say: outcome #{number} and a few words.").format(
                name=name, number=n
            )
        )
        actions.append(Action("✅ " + _("As proposed"), f"outcome #{n} {proposal.title}"))
    if review:
        lines.append(
            _("When should we look at it again? Say: review #{number} and a date.").format(number=n)
        )
        actions.append(Action("📅 " + _("Review in 1 month"), f"review #{n} in 1 month"))
        actions.append(Action("📅 " + _("Review in 3 months"), f"review #{n} in 3 months"))
    if outcome:
        # Collaborative implementation: who does what, asked for while the decision is fresh.
        more = _("Is there something to do now? Say: action #{number}, who does what, by when.")
        lines.append(more.format(number=n))
    return Document((para(" ".join(lines)),), tuple(actions))


def offer_action(turn: Turn, proposal: Proposal) -> Document | None:
    """After a sign-up with people in it: turn it into an action each, with one press."""
    if proposal.stage not in ACTIONABLE or not signed_up(proposal, turn.group):
        return None
    _ = turn.group_t
    n = proposal.number
    words = _("To add this to our list of things to do, say: action #{number}")
    return Document(
        (para(words.format(number=n)),),
        (Action("📋 " + _("Add to things to do"), f"action #{n}"),),
    )
