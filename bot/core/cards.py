"""The proposal card: what everyone sees, kept up to date.

A card says, in this order (screen readers read it top to bottom): what is
proposed and by whom, how to decide, by when, what people have said so far,
who has not responded yet, and the buttons — each a word with its typed
equivalent. What may be shown of the answers (anonymous proposals: counts and
reasons, never names; hidden results: only how many have responded until the
proposal closes) is decided in ``visibility``.
"""

from __future__ import annotations

from datetime import datetime

from bot.core import checkins, when
from bot.core.deadlines import default_deadline
from bot.core.document import (
    Action,
    Block,
    Document,
    Mention,
    Strong,
    bullets,
    fill,
    heading,
    para,
)
from bot.core.i18n import N_, Translate, translator
from bot.core.lifecycle import ACTIVE, RESPONDING
from bot.core.model import Group, Member, Proposal, RoundKind, Stage
from bot.core.outcomes import counted, needed, quorum_needed, signed_up, tally, waiting_for
from bot.core.processes import PROCESSES, Rule

# Names and response lines are drawn where it is decided what may be seen
# (``visibility``); views that reach them through ``cards`` keep doing so.
from bot.core.visibility import current, hidden_note, member_name, response_line, sight

KIND_TITLES = {
    Rule.CHOICE: N_("Poll #{number}: {title}"),
    Rule.TIME: N_("Time poll #{number}: {title}"),
    Rule.ACK: N_("Please read #{number}: {title}"),
    Rule.SIGNUP: N_("Sign-up #{number}: {title}"),
}

HOW_TO_DECIDE = {
    Rule.CONSENT: N_("Can you live with this? Is it safe enough to try?"),
    Rule.LAZY: N_("This will go ahead if no one objects by the deadline."),
    Rule.ADVICE: N_("{name} will decide after hearing your advice."),
    Rule.CONSENSUS: N_("Do you agree?"),
    Rule.CHOICE: N_("Pick the option you like best."),
    Rule.TIME: N_("Pick every time that suits you. Press a time again to take it back."),
    Rule.ACK: N_("Please say when you have read this."),
    Rule.SIGNUP: N_("We need {target}. Can you do it?"),
}

# A poll where several options may be picked: each press adds one.
MULTI_HOW_TO_DECIDE = N_("Pick every option you like. Press an option again to take it back.")

# What the card says of a stage; closed stages show their outcome instead.
STAGE_WORDS = {
    Stage.DRAFT: N_("This is a draft. {name} can start it with: start #{number}"),
    Stage.QUESTIONS: N_(
        "First, ask your questions. You can ask until {deadline}. "
        "Then everyone answers, by {answers}."
    ),
    Stage.RESOLVING: N_("There are objections. Let's find a better version by {deadline}."),
    Stage.REVIEW_DUE: N_("It is time to look at this decision again."),
}

# An anonymous card says so, and how to answer without anyone seeing.
ANONYMOUS_NOTE = N_(
    "This is anonymous. Answers are kept without names. "
    "You can also answer me in a private message."
)

# Telegram shows the same buttons to everyone: beside a Reopen button, the card
# says who may press it, so nobody else presses it to be refused.
REOPEN_WHO = N_("{name} can reopen it, and so can a facilitator. Ask one of them.")

OBJECTION_EXPLAINED = N_(
    "To object means: you think this would cause harm, or is not safe to try. "
    "Please say why, so we can make it better."
)


def mention(member: Member) -> Mention:
    """The member named so that each platform can notify them on their account there."""
    if not member.identities:
        return Mention(member.name)
    return Mention(member.name, member.identities[0], member.identities[1:])


def title_line(proposal: Proposal, _: Translate) -> str:
    rule = PROCESSES[proposal.process].rule
    template = KIND_TITLES.get(rule, N_("Proposal #{number}: {title}"))
    return _(template).format(number=proposal.number, title=proposal.title)


def card(group: Group, proposal: Proposal, now: datetime) -> Document:
    """The card, in the group's language.

    Screen readers read it top to bottom, so the question comes first: the
    title, the details, who asks, how to decide and by when; then the options,
    what people have said, who has not responded, and last the buttons.
    """
    settings = group.settings
    lang = settings.language
    _ = translator(lang)
    process = PROCESSES[proposal.process]
    round_ = proposal.round
    blocks: list[Block] = [heading(Strong(title_line(proposal, _)))]

    if proposal.version.details:
        blocks.append(para(proposal.version.details))
    byline = _("Proposed by {name}.").format(name=member_name(group, proposal.proposer, _))
    if len(proposal.versions) > 1:
        byline += " " + _("This is version {version}.").format(version=proposal.version.number)
    blocks.append(para(byline))
    if process.rule is Rule.SIGNUP and proposal.options.on is not None:
        blocks.append(para(*fill(_("It is for {day}."), day=Strong(_day(group, proposal, now)))))

    if proposal.stage in (Stage.OPEN,):
        how_words = HOW_TO_DECIDE[process.rule]
        if process.rule is Rule.CHOICE and proposal.options.multi:
            how_words = MULTI_HOW_TO_DECIDE
        how = _(how_words).format(
            name=member_name(group, proposal.proposer, _), target=people_needed(proposal, _)
        )
        blocks.append(para(how))
        if round_ is not None:
            deadline = when.spell_out(
                round_.deadline, timezone=settings.timezone, language=lang, now=now
            )
            blocks.append(
                para(*fill(_("Please give your answer by {deadline}."), deadline=Strong(deadline)))
            )
            blocks.extend(rules_blocks(group, proposal, _))
    elif proposal.stage in STAGE_WORDS:
        deadline = ""
        if round_ is not None:
            deadline = when.spell_out(
                round_.deadline, timezone=settings.timezone, language=lang, now=now
            )
        words = STAGE_WORDS[proposal.stage]
        if proposal.stage is Stage.RESOLVING and process.rule is Rule.ADVICE:
            words = N_("The advice is in. Now {name} decides.")
        blocks.append(
            para(
                Strong(
                    _(words).format(
                        name=member_name(group, proposal.proposer, _),
                        number=proposal.number,
                        deadline=deadline,
                        answers=_answers_by(group, proposal, now),
                    )
                )
            )
        )

    if proposal.options.anonymous and proposal.stage in ACTIVE:
        blocks.append(para(_(ANONYMOUS_NOTE)))

    if process.rule in (Rule.CHOICE, Rule.TIME):
        blocks.append(_options_block(group, proposal, now))
    if process.rule is Rule.SIGNUP:
        blocks.extend(_signup_blocks(group, proposal, now, _))

    if proposal.outcome is not None:
        blocks.append(para(Strong(proposal.outcome.summary)))
        if proposal.outcome.decision:
            blocks.append(
                para(*fill(_("What we decided is: {decision}"), decision=proposal.outcome.decision))
            )

    # Under review, the concerns from that round are shown beside the check-in instead.
    if round_ is not None and round_.kind is RoundKind.RESPONSES and proposal.check_in is None:
        blocks.extend(_responses_blocks(group, proposal, _))

    actions: tuple[Action, ...] = ()
    if proposal.stage in RESPONDING and round_ is not None and round_.kind is RoundKind.RESPONSES:
        actions = response_actions(proposal, _)
        if process.rule is Rule.CONSENT and explains_objection(group, proposal):
            blocks.append(para(_(OBJECTION_EXPLAINED)))
    elif proposal.stage is Stage.QUESTIONS:
        actions = (Action("❓ " + _("Question"), f"ask #{proposal.number}"),)
    elif proposal.stage is Stage.REVIEW_DUE:
        # Everyone is asked to keep, change or stop it (``checkins``). No Reopen button
        # on a card everyone sees: only the proposer or a facilitator may reopen.
        if proposal.check_in is not None:
            deadline = when.spell_out(
                proposal.check_in.deadline, timezone=settings.timezone, language=lang, now=now
            )
            blocks.extend(checkins.card_blocks(group, proposal, deadline, _))
            actions = checkins.buttons(proposal, _)
        blocks.append(para(reopen_who(group, proposal, _)))
    return Document(tuple(blocks), actions)


def reopen_who(group: Group, proposal: Proposal, _: Translate) -> str:
    """Who may press Reopen: the proposer or a facilitator (``rounds.require_steward``)."""
    return _(REOPEN_WHO).format(name=member_name(group, proposal.proposer, _))


def answers_deadline(group: Group, proposal: Proposal) -> datetime | None:
    """When the answers round of a proposal still in its questions will end: the
    deadline asked for, else the process's usual length after the questions (as
    ``rounds.open_responses`` will set it when the questions end on time)."""
    round_ = proposal.round
    if proposal.stage is not Stage.QUESTIONS or round_ is None:
        return None
    planned = proposal.planned_deadline
    if planned is not None and planned >= round_.deadline + group.settings.min_deadline:
        return planned
    return default_deadline(
        round_.deadline,
        group.settings.duration or PROCESSES[proposal.process].duration,
        timezone=group.settings.timezone,
        min_deadline=group.settings.min_deadline,
    )


def _answers_by(group: Group, proposal: Proposal, now: datetime) -> str:
    end = answers_deadline(group, proposal)
    if end is None:
        return ""
    settings = group.settings
    return when.spell_out(end, timezone=settings.timezone, language=settings.language, now=now)


def rules_blocks(group: Group, proposal: Proposal, _: Translate) -> list[Block]:
    """The rules that decide the outcome, said before anyone answers: how many
    answers are needed, whose voice is needed, that results stay hidden, and
    until when an answer may change. (Anonymous has its own note.)"""
    rule = PROCESSES[proposal.process].rule
    lines: list[str] = []
    needed = quorum_needed(proposal, group)
    if needed and rule not in (Rule.ADVICE, Rule.ACK):
        lines.append(
            _("We need answers from at least {needed} of {total}.").format(
                needed=needed, total=len(counted(proposal))
            )
        )
    if proposal.options.required and rule not in (Rule.ADVICE, Rule.ACK):
        names = ", ".join(member_name(group, m, _) for m in sorted(proposal.options.required))
        lines.append(_("We need to hear from {names}.").format(names=names))
    if proposal.options.hide_results:
        lines.append(_("Answers stay hidden until the end."))
    if rule is not Rule.ACK:
        # Said right after "Please give your answer by …", so "then" is that deadline.
        lines.append(_("You can change your answer until then."))
    return [para(" ".join(lines))] if lines else []


def explains_objection(group: Group, proposal: Proposal) -> bool:
    """The word "object" is explained on the first consent card a group sees,
    for as long as that card is open (its edits keep it), and nowhere after."""
    if not group.objection_explained:
        return True
    return group.explained_on == proposal.number


def response_actions(proposal: Proposal, _: Translate) -> tuple[Action, ...]:
    process = PROCESSES[proposal.process]
    n = proposal.number
    if process.rule is Rule.CHOICE:
        return tuple(
            Action(f"{i}. {label[:40]}", f"vote #{n} {i}")
            for i, label in enumerate(proposal.options.choices, start=1)
        )
    if process.rule is Rule.TIME:
        # Two buttons a slot, side by side in the order of the slots: "suits me"
        # and "if need be" (a time that would do, but not gladly).
        return tuple(
            action
            for i in range(1, len(proposal.options.choices) + 1)
            for action in (
                Action("✅ " + _("Option {option} suits me").format(option=i), f"vote #{n} {i}"),
                Action(
                    "🟡 " + _("Option {option} if need be").format(option=i),
                    f"vote #{n} maybe {i}",
                ),
            )
        )
    labels = [Action(kind.button(_), f"{kind.name} #{n}") for kind in process.responses]
    if proposal.stage in ACTIVE:
        labels.append(Action("❓ " + _("Question"), f"ask #{n}"))
    return tuple(labels)


def _options_block(group: Group, proposal: Proposal, now: datetime) -> Block:
    lang = group.settings.language
    _ = translator(lang)
    rule = PROCESSES[proposal.process].rule
    counts = tally(proposal.round) if proposal.round else None
    show_counts = counts is not None and sight(proposal).answers
    items = []
    for i, option in enumerate(proposal.options.choices, start=1):
        label = option
        if rule is Rule.TIME:
            label = when.spell_out(
                datetime.fromisoformat(option),
                timezone=group.settings.timezone,
                language=lang,
                now=now,
            )
        line = f"{i}. {label}"
        if show_counts and counts is not None:
            if rule is Rule.TIME:
                line += " — " + _("yes: {yes}, if need be: {maybe}").format(
                    yes=counts.option_counts.get(i, 0), maybe=counts.maybe_counts.get(i, 0)
                )
            else:
                line += " — " + _("votes: {count}").format(count=counts.option_counts.get(i, 0))
        if proposal.outcome and i in proposal.outcome.winners:
            line += " ⭐ " + _("chosen")
        items.append(line)
    return bullets(items)


def tally_line(proposal: Proposal, _: Translate) -> str | None:
    """How many gave each answer ("✅ Consent 2 · 🟡 Concern 0 · ✋ Object 1"), as the
    card shows it; None where answers may not be seen yet, or a poll lists its options."""
    round_ = proposal.round
    process = PROCESSES[proposal.process]
    if round_ is None or not sight(proposal).answers or process.rule in (Rule.CHOICE, Rule.TIME):
        return None
    counts = tally(round_)
    return " · ".join(f"{kind.button(_)} {counts.count(kind.name)}" for kind in process.responses)


def still_to_respond(group: Group, proposal: Proposal) -> list[Member]:
    """Who has not answered the open round, as the card names them: nobody in an
    anonymous proposal, and nobody once answers are no longer asked for."""
    if not sight(proposal).waiting or proposal.stage not in RESPONDING:
        return []
    return [group.members[m] for m in waiting_for(proposal, group)]


def people_needed(proposal: Proposal, _: Translate) -> str:
    """ "1 person", "3 people": how many a sign-up needs, in words."""
    count = needed(proposal)
    words = N_("{count} person") if count == 1 else N_("{count} people")
    return _(words).format(count=count)


def _day(group: Group, proposal: Proposal, now: datetime) -> str:
    """The day a sign-up is for, in words."""
    assert proposal.options.on is not None
    settings = group.settings
    return when.spell_date(
        proposal.options.on, timezone=settings.timezone, language=settings.language, now=now
    )


def _signup_blocks(group: Group, proposal: Proposal, now: datetime, _: Translate) -> list[Block]:
    """Who has signed up so far, by name: a sign-up is a list of names the team can
    plan with (anonymous is not offered). The day it is for follows its byline."""
    blocks: list[Block] = []
    people = signed_up(proposal, group)
    if people:
        names = ", ".join(member_name(group, m, _) for m in people)
        blocks.append(
            para(
                _("Signed up: {names} ({count} of {target}).").format(
                    names=names, count=len(people), target=needed(proposal)
                )
            )
        )
    return blocks


def _responses_blocks(group: Group, proposal: Proposal, _: Translate) -> list[Block]:
    round_ = proposal.round
    assert round_ is not None
    blocks: list[Block] = []
    note = hidden_note(proposal, _)
    if note is not None:
        blocks.append(para(note))
    else:
        counted_so_far = tally_line(proposal, _)
        if counted_so_far is not None:
            blocks.append(para(*fill(_("So far: {tally}"), tally=counted_so_far)))
        # Reasons, and every response recorded for someone else (with who recorded it).
        lines = [
            response_line(group, proposal, record, _)
            for record in current(proposal)
            if record.reason or record.recorded_by is not None
        ]
        if lines:
            blocks.append(bullets(lines))
    waiting = still_to_respond(group, proposal)
    if waiting:
        names: list[Mention | str] = []
        for i, member in enumerate(waiting):
            if i:
                names.append(", ")
            names.append(mention(member))
        head, _sep, tail = _("Still to respond: {names}").partition("{names}")
        blocks.append(para(head, *names, tail))
    return blocks
