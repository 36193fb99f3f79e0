"""Proposing and steering a proposal: propose, start, amend, withdraw, extend,
close, reopen, outcome, review, and questions with their answers."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.core import commands as c
from bot.core import endings, reviewing, rounds, signups
from bot.core.cards import member_name, mention
from bot.core.document import Document, Strong, fill, para
from bot.core.effects import AskReason, CancelTimer, Post, SetTimer
from bot.core.endings import Trigger
from bot.core.lifecycle import ACTIVE, REOPEN_AS_NEW, Move
from bot.core.model import (
    Answer,
    Proposal,
    ProposalOptions,
    Question,
    RoundKind,
    Stage,
    Version,
)
from bot.core.names import find_member
from bot.core.processes import PROCESSES, Rule
from bot.core.turn import Refusal, Turn

MAX_TITLE = 200
MAX_OPTIONS = 10
TIME_POLL_EXAMPLE = "timepoll Team meeting | Monday 10:00 | Tuesday 14:00\nin 1 day"


def propose(turn: Turn, action: c.Propose) -> None:
    member = turn.member
    assert member is not None
    process_name = action.process or turn.group.settings.process
    process = PROCESSES.get(process_name)
    if process is None:
        raise Refusal(
            "I don't know the process {name}.", example="process consent", name=process_name
        )
    title = action.title.strip()
    if not title:
        raise Refusal(
            "A proposal needs a title.", example="propose Move the morning visit to 10:00"
        )
    if len(title) > MAX_TITLE:
        raise Refusal(
            "That title is too long. Please keep it under {limit} characters and put "
            "the rest on the next lines.",
            limit=MAX_TITLE,
        )
    options = _options(turn, action, process.rule)
    number = turn.group.next_proposal_number()
    example = f"propose {title[:40]}\nby Friday 5pm"
    if process.rule is Rule.SIGNUP:
        signups.refuse_anonymous(action)
        options = replace(options, target=signups.target(action), on=signups.day(turn, action))

    if action.deadline:
        deadline = rounds.when(turn, action.deadline, example=example)
    elif action.duration:
        deadline = rounds.when(turn, action.duration, example="propose … \nin 3 days")
    else:
        deadline = None
    if deadline is not None:
        rounds.refuse_after_first_time(
            turn, process.name, options.choices, deadline, example=TIME_POLL_EXAMPLE
        )
    if options.on is not None:
        if deadline is not None:
            signups.refuse_after_its_day(turn, options.on, deadline)
        deadline = deadline or signups.closes(turn, options.on)
    questions_end = None
    if action.questions is not None:
        length = turn.group.settings.questions or process.questions or timedelta(days=1)
        questions_end = (
            rounds.when(turn, action.questions, example="questions 1 day")
            if action.questions
            else rounds.default_end(turn, turn.now, length)
        )
        if deadline is not None and deadline <= questions_end:
            raise Refusal(
                "The questions need to end before the deadline.",
                example="questions 1 day\nby Friday 5pm",
            )
    review_at = None
    if action.review:
        review_at = rounds.when(turn, action.review, example="review in 3 months")
        decided_by = deadline or rounds.usual_end(turn, process, questions_end)
        if review_at <= decided_by:
            raise Refusal(
                "Please pick a review date after {deadline}. That is when we decide.",
                example="review in 3 months",
                deadline=rounds.spell_for(turn, decided_by, turn.member),
            )

    proposal = Proposal(
        number=number,
        process=process.name,
        proposer=member.id,
        stage=Stage.DRAFT,
        created_at=turn.now,
        versions=(Version(1, title, action.details.strip(), member.id, turn.now),),
        options=options,
        review_at=review_at,
        planned_deadline=deadline,
    )
    proposal = turn.put(turn.log(proposal, "proposed"))
    if action.draft:
        rounds.post_card(turn, proposal)
        return
    if questions_end is not None:
        proposal = rounds.move(turn, proposal, Move.START_QUESTIONS)
        proposal = rounds.open_round(turn, proposal, RoundKind.QUESTIONS, questions_end)
        rounds.post_card(turn, proposal)
        return
    rounds.open_responses(turn, proposal, deadline)


def _options(turn: Turn, action: c.Propose, rule: Rule) -> ProposalOptions:
    choices = tuple(o.strip() for o in action.options if o.strip())
    if rule in (Rule.CHOICE, Rule.TIME):
        if len(choices) < 2:
            raise Refusal(
                "A poll needs at least two options, split by |.",
                example="poll Which day suits for the team meeting? | Monday | Tuesday",
            )
        if len(choices) > MAX_OPTIONS:
            raise Refusal("Please give at most {limit} options.", limit=MAX_OPTIONS)
    elif choices:
        raise Refusal(
            "Only polls have options. To make a poll, say: poll <question> | <option> | <option>",
            example="poll Which day? | Monday | Tuesday",
        )
    if rule is Rule.TIME:
        slots = []
        for choice in choices:
            moment = rounds.when(
                turn, choice, example="timepoll Team meeting | Monday 10:00 | Tuesday 14:00"
            )
            slots.append(moment.isoformat())
        choices = tuple(slots)
    required = []
    for name in action.needs:
        needed = find_member(turn.group, name)
        if needed is None:
            raise Refusal(
                "I don't know {name} in this group. If they are not in the chat, "
                "add them first: add {name}",
                example="add Mum",
                name=name.lstrip("@"),
            )
        required.append(needed.id)
    quorum = action.quorum
    if quorum is not None and not 0 <= quorum <= 100:
        raise Refusal("A quorum is a percentage from 0 to 100.", example="quorum 50%")
    return ProposalOptions(
        anonymous=action.anonymous,
        hide_results=action.hide_results,
        quorum=quorum,
        required=frozenset(required),
        choices=choices,
        multi=action.multi,
    )


def start(turn: Turn, action: c.Start) -> None:
    proposal = rounds.find(turn, action.number, example="start #7")
    rounds.require_steward(turn, proposal)
    rounds.admit(turn, proposal)
    rounds.open_responses(turn, proposal, proposal.planned_deadline)


def amend(turn: Turn, action: c.Amend) -> None:
    proposal = rounds.find(turn, action.number, example="amend #7 Visit at 10:30 instead")
    rounds.require_steward(turn, proposal)
    text = action.text.strip()
    if not text:
        raise Refusal(
            "Please write the new version after the number.",
            example="amend #7 Visit at 10:30 instead",
        )
    first, _sep, rest = text.partition("\n")
    title, details = (first.strip(), rest.strip()) if rest.strip() else (proposal.title, text)
    if len(title) > MAX_TITLE:
        title = proposal.title
        details = text
    member = turn.member
    assert member is not None
    version = Version(proposal.version.number + 1, title, details, member.id, turn.now)
    if version.title == proposal.title and version.details == proposal.version.details:
        raise Refusal("That is the same as the current version, so nothing changed.")
    was = proposal.stage
    proposal = rounds.move(turn, proposal, Move.AMEND)
    proposal = turn.put(
        turn.log(
            replace(proposal, versions=(*proposal.versions, version)),
            "amended",
            f"version {version.number}",
        )
    )
    _ = turn.group_t
    if was in (Stage.OPEN, Stage.RESOLVING):
        # A new version is a new question: everyone is asked again, from scratch.
        deadline = max(
            proposal.round.deadline,  # type: ignore[union-attr]
            rounds.usual_end(turn, PROCESSES[proposal.process]),
        )
        proposal = rounds.open_round(turn, proposal, RoundKind.RESPONSES, deadline)
        rounds.post_card(
            turn,
            proposal,
            intro=_("#{number} has changed. Please respond again to the new version.").format(
                number=proposal.number
            ),
        )
    else:
        rounds.refresh_card(turn, proposal)
        rounds.announce(
            turn, _("#{number} has been changed.").format(number=proposal.number), proposal
        )


def withdraw(turn: Turn, action: c.Withdraw) -> None:
    proposal = rounds.find(turn, action.number, example="withdraw #7")
    rounds.require_steward(turn, proposal)
    name = member_name(turn.group, turn.member.id if turn.member else None, turn.group_t)
    rounds.conclude(
        turn, proposal, Move.WITHDRAW, turn.group_t("Withdrawn by {name}.").format(name=name)
    )


def extend(turn: Turn, action: c.Extend) -> None:
    proposal = rounds.find(turn, action.number, example="extend #7 Monday 5pm")
    rounds.require_steward(turn, proposal)
    rounds.admit(turn, proposal)
    assert proposal.round is not None  # every stage that takes an extension has a round
    deadline = rounds.when(turn, action.deadline, example=f"extend #{proposal.number} Monday 5pm")
    rounds.refuse_after_first_time(
        turn,
        proposal.process,
        proposal.options.choices,
        deadline,
        example=f"close #{proposal.number}",
    )
    signups.refuse_after_its_day(turn, proposal.options.on, deadline)
    if deadline <= proposal.round.deadline:
        raise Refusal(
            "Please choose a later time. The deadline now is {deadline}.",
            example=f"extend #{proposal.number} in 2 days",
            deadline=rounds.spell_for(turn, proposal.round.deadline, turn.member),
        )
    proposal = rounds.move(turn, proposal, Move.EXTEND)
    proposal = rounds.set_deadline(
        turn, turn.log(proposal, "extended", deadline.isoformat()), deadline
    )
    rounds.refresh_card(turn, proposal)
    _ = turn.group_t
    rounds.announce(
        turn,
        _("More time: the new deadline is {deadline}.").format(
            deadline=rounds.spell(turn, deadline)
        ),
        proposal,
    )


def close(turn: Turn, action: c.Close) -> None:
    """Close early: the round ends as if its deadline were now (``endings``)."""
    proposal = rounds.find(turn, action.number, example="close #7")
    rounds.require_steward(turn, proposal)
    rounds.admit(turn, proposal)
    event = "questions_closed" if proposal.stage is Stage.QUESTIONS else "closed_early"
    endings.end(turn, turn.put(turn.log(proposal, event)), Trigger.CLOSE)


def reopen(turn: Turn, action: c.Reopen) -> None:
    proposal = rounds.find(turn, action.number, example="reopen #7 Friday 5pm")
    rounds.require_steward(turn, proposal)
    rounds.admit(turn, proposal)
    deadline = (
        rounds.when(turn, action.deadline, example=f"reopen #{proposal.number} in 3 days")
        if action.deadline
        else None
    )
    _ = turn.group_t
    if proposal.stage in REOPEN_AS_NEW:
        # An agreed decision is part of the record: a new proposal follows it.
        member = turn.member
        assert member is not None
        new = rounds.follow(
            turn, proposal, title=proposal.title, details=proposal.version.details, by=member.id
        )
        turn.put(turn.log(reviewing.put_off(turn, proposal), "reopened_as", f"#{new.number}"))
        turn.emit(CancelTimer(rounds.timer_key(turn, proposal.number, "review")))
        rounds.announce(
            turn, _("#{old} is open again as #{new}.").format(old=proposal.number, new=new.number)
        )
        rounds.open_responses(turn, new, deadline)
        return
    proposal = rounds.move(turn, proposal, Move.REOPEN)
    proposal = turn.put(turn.log(replace(proposal, outcome=None), "reopened"))
    proposal = rounds.open_round(
        turn,
        proposal,
        RoundKind.RESPONSES,
        deadline or rounds.usual_end(turn, PROCESSES[proposal.process]),
    )
    rounds.post_card(
        turn, proposal, intro=_("#{number} is open again.").format(number=proposal.number)
    )


def record_outcome(turn: Turn, action: c.RecordOutcome) -> None:
    proposal = rounds.find(turn, action.number, example="outcome #7 We start on Monday")
    rounds.require_steward(turn, proposal)
    text = action.text.strip()
    if not text:
        raise Refusal(
            "Please write what was decided after the number.",
            example="outcome #7 We start on Monday",
        )
    _ = turn.group_t
    if PROCESSES[proposal.process].rule is Rule.ADVICE and proposal.stage in ACTIVE:
        if proposal.stage is not Stage.RESOLVING:
            raise Refusal(
                "Please wait for the advice: the deadline for #{number} has not passed yet.",
                number=proposal.number,
            )
        name = member_name(turn.group, turn.member.id if turn.member else None, _)
        rounds.conclude(
            turn,
            proposal,
            Move.PASS,
            _("{name} heard the advice and decided.").format(name=name),
            decision=text,
        )
        return
    if proposal.stage in ACTIVE or proposal.outcome is None:
        raise Refusal(
            "#{number} is still open. Record the outcome when it has closed.",
            number=proposal.number,
        )
    outcome = replace(
        proposal.outcome, decision=text, recorded_by=turn.member.id if turn.member else None
    )
    proposal = turn.put(turn.log(replace(proposal, outcome=outcome), "outcome", text))
    rounds.refresh_card(turn, proposal)
    rounds.announce(turn, _("We wrote down what was decided: {text}").format(text=text), proposal)


def set_review(turn: Turn, action: c.SetReview) -> None:
    proposal = rounds.find(turn, action.number, example="review #7 in 3 months")
    rounds.require_steward(turn, proposal)
    rounds.admit(turn, proposal)
    review_at = rounds.when(turn, action.date, example=f"review #{proposal.number} in 3 months")
    if (
        proposal.round is not None
        and proposal.stage in ACTIVE
        and review_at <= proposal.round.deadline
    ):
        raise Refusal(
            "Please pick a review date after {deadline}. That is when we decide.",
            example=f"review #{proposal.number} in 3 months",
            deadline=rounds.spell_for(turn, proposal.round.deadline, turn.member),
        )
    if proposal.stage is Stage.REVIEW_DUE:
        proposal = rounds.move(turn, reviewing.put_off(turn, proposal), Move.REVIEW_LATER)
    proposal = turn.put(
        turn.log(replace(proposal, review_at=review_at), "review_set", review_at.isoformat())
    )
    if proposal.stage is Stage.AGREED:
        turn.emit(
            SetTimer(
                rounds.timer_key(turn, proposal.number, "review"),
                review_at,
                c.ReviewDue(proposal.number),
            )
        )
    turn.reply(
        para(
            turn.t("We will review #{number} on {date}.").format(
                number=proposal.number,
                date=rounds.spell_for(turn, review_at, turn.member),
            )
        )
    )


# -- questions -----------------------------------------------------------------------------

MAX_TEXT = 1000


def ask(turn: Turn, action: c.Ask) -> None:
    proposal = rounds.find(turn, action.number, example="ask #7 What time would Mum get up?")
    rounds.admit(turn, proposal)
    member = turn.member
    assert member is not None
    text = action.question.strip()
    if not text:
        turn.emit(
            AskReason(
                chat=turn.request.chat if turn.request else "",
                member=member.id,
                name=member.name,
                identities=member.identities,
                number=proposal.number,
                word="ask",
                document=Document(
                    (
                        para(
                            turn.t(
                                "{name}, what is your question about #{number}? "
                                "Reply to this message."
                            ).format(name=member.name, number=proposal.number)
                        ),
                    )
                ),
            )
        )
        return
    if len(text) > MAX_TEXT:
        raise Refusal(
            "That is too long. Please keep a question under {limit} characters.", limit=MAX_TEXT
        )
    question = Question(len(proposal.questions) + 1, member.id, text, turn.now)
    proposal = turn.put(replace(proposal, questions=(*proposal.questions, question)))
    _ = turn.group_t
    proposer = turn.group.members[proposal.proposer]
    if not proposer.active:  # the proposer left or was forgotten: anyone may answer
        proposer = member
    turn.emit(
        Post(
            Document(
                (
                    para(
                        Strong(
                            _("Question {id} about #{number}").format(
                                id=question.id, number=proposal.number
                            )
                        )
                    ),
                    para(*fill(_("{name} asks: {question}"), name=member.name, question=text)),
                    para(
                        *fill(
                            _("{name}, you can answer with: answer #{number} and your answer."),
                            name=mention(proposer),
                            number=proposal.number,
                        )
                    ),
                )
            )
        )
    )


def answer(turn: Turn, action: c.AnswerQuestion) -> None:
    proposal = rounds.find(turn, action.number, example="answer #7 She gets up at 9")
    member = turn.member
    assert member is not None
    text = action.text.strip()
    if not text:
        raise Refusal(
            "Please write your answer after the number.", example="answer #7 She gets up at 9"
        )
    if len(text) > MAX_TEXT:
        raise Refusal(
            "That is too long. Please keep an answer under {limit} characters.", limit=MAX_TEXT
        )
    if not proposal.questions:
        raise Refusal("Nobody has asked a question about #{number} yet.", number=proposal.number)
    if action.question is not None:
        matches = [q for q in proposal.questions if q.id == action.question]
        if not matches:
            raise Refusal(
                "There is no question {id} about #{number}.",
                id=action.question,
                number=proposal.number,
            )
        question = matches[0]
    else:
        unanswered = [q for q in proposal.questions if not q.answers]
        question = unanswered[0] if unanswered else proposal.questions[-1]
    updated = replace(question, answers=(*question.answers, Answer(member.id, text, turn.now)))
    questions = tuple(updated if q.id == question.id else q for q in proposal.questions)
    proposal = turn.put(replace(proposal, questions=questions))
    _ = turn.group_t
    turn.emit(
        Post(
            Document(
                (
                    para(
                        Strong(
                            _("Answer to question {id} about #{number}").format(
                                id=question.id, number=proposal.number
                            )
                        )
                    ),
                    para(*fill(_("Question: {question}"), question=question.text)),
                    para(*fill(_("{name} answers: {answer}"), name=member.name, answer=text)),
                )
            )
        )
    )
