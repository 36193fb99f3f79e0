"""Reading the record: status, decisions, show, history, help, settings, export, mydata.

These change nothing (``help`` and the rest never touch the group); they
answer the person who asked, in their language.
"""

from __future__ import annotations

from bot.core import cards, doing, record, rounds
from bot.core import commands as c
from bot.core.document import Action, Block, Document, Strong, bullets, heading, para
from bot.core.effects import SendFile
from bot.core.i18n import N_
from bot.core.lifecycle import ACTIVE, RESPONDING
from bot.core.model import Proposal, RoundKind
from bot.core.platforms import has_buttons, platform_name, platform_of_chat
from bot.core.processes import PROCESSES, Rule
from bot.core.turn import Refusal, Turn


def status(turn: Turn, action: c.Status) -> None:
    _ = turn.t
    member = turn.member
    open_ = sorted(
        (p for p in turn.group.proposals.values() if p.stage in ACTIVE), key=lambda p: p.number
    )
    to_do = doing.status_lines(turn, _)
    to_do_blocks: list[Block] = []
    if to_do:
        to_do_blocks = [para(Strong(_("Things to do:"))), bullets(to_do)]
    to_do_blocks += _under_review(turn)
    if not open_:
        turn.reply(
            para(_("Nothing is open right now.")),
            *to_do_blocks,
            para(_("To suggest something, say: propose and a title.")),
        )
        return
    mine: list[str] = []
    others: list[str] = []
    for proposal in open_:
        line = cards.title_line(proposal, _)
        line += _status_when(turn, proposal)
        waiting_on_me = (
            member is not None
            and proposal.stage in RESPONDING
            and proposal.round is not None
            and proposal.round.kind is RoundKind.RESPONSES
            and member.id not in proposal.round.participants
        )
        (mine if waiting_on_me else others).append(line)
    blocks: list[Block] = []
    if mine:
        blocks += [para(Strong(_("Waiting for your response:"))), bullets(mine)]
    if others:
        blocks += [para(Strong(_("Open too:"))), bullets(others)]
    turn.reply(*blocks, *to_do_blocks)


def _under_review(turn: Turn) -> list[Block]:
    """Decisions whose review is asking everyone now (``checkins``)."""
    _ = turn.t
    lines = []
    for number in sorted(turn.group.proposals):
        proposal = turn.group.proposals[number]
        if proposal.check_in is not None:
            until = rounds.spell_for(turn, proposal.check_in.deadline, turn.member)
            lines.append(
                cards.title_line(proposal, _)
                + " — "
                + _("keep, change or stop? Say by {deadline}: review #{number} keep").format(
                    deadline=until, number=number
                )
            )
    return [para(Strong(_("Time to review:"))), bullets(lines)] if lines else []


def _status_when(turn: Turn, proposal: Proposal) -> str:
    """What comes next for an open proposal, and when: a questions round names
    when the answers are due too; a round that is over names who decides now,
    never a deadline in the past."""
    _ = turn.t
    round_ = proposal.round
    if round_ is None:
        return ""
    if round_.closed_at is not None:
        if PROCESSES[proposal.process].rule is Rule.ADVICE:
            name = cards.member_name(turn.group, proposal.proposer, _)
            return " — " + _("The advice is in. Now {name} decides.").format(name=name)
        return ""
    until = rounds.spell_for(turn, round_.deadline, turn.member)
    answers = cards.answers_deadline(turn.group, proposal)
    if answers is not None:
        return " — " + _("Ask until {deadline}. Answer by {answers}.").format(
            deadline=until, answers=rounds.spell_for(turn, answers, turn.member)
        )
    return " — " + _("until {deadline}").format(deadline=until)


def decisions(turn: Turn, action: c.Decisions) -> None:
    _ = turn.t
    closed = sorted(
        (
            p
            for p in turn.group.proposals.values()
            if p.outcome is not None and p.stage not in ACTIVE
        ),
        key=lambda p: p.number,
        reverse=True,
    )
    if not closed:
        turn.reply(para(_("No decisions yet.")))
        return
    items = []
    for proposal in closed[:20]:
        assert proposal.outcome is not None
        line = f"{cards.title_line(proposal, _)} — {proposal.outcome.summary}"
        if proposal.outcome.decision:
            line += " " + proposal.outcome.decision
        items.append(line)
    blocks: list[Block] = [para(Strong(_("What we decided, newest first:"))), bullets(items)]
    if len(closed) > 20:
        blocks.append(para(_("Say export for the whole record.")))
    turn.reply(*blocks)


def show(turn: Turn, action: c.Show) -> None:
    proposal = rounds.find(turn, action.number, example="show #7")
    if action.printable:
        _send_printable(turn, proposal)
        return
    if action.calendar:
        _send_calendar(turn, proposal)
        return
    document = cards.card(turn.group, proposal, turn.now)
    if proposal.questions:
        _ = turn.t
        lines = []
        for q in proposal.questions:
            lines.append(f"{q.id}. {q.text}")
            lines.extend(f"   ↳ {a.text}" for a in q.answers)
        document = document + Document((para(Strong(_("Questions"))), bullets(lines)))
    turn.reply(document=document)


def _send_printable(turn: Turn, proposal: Proposal) -> None:
    assert turn.request is not None
    from bot.core.printable import printable_page

    turn.emit(
        SendFile(
            filename=f"proposal-{proposal.number}.html",
            mime="text/html",
            content=printable_page(turn.group, proposal, turn.now),
            chat=turn.request.chat,
        )
    )
    turn.reply_phrase(
        "Here is #{number} as a page to print. It is in large, clear writing.",
        number=proposal.number,
    )


def _send_calendar(turn: Turn, proposal: Proposal) -> None:
    assert turn.request is not None
    from bot.core.calendar import CALENDAR_MIME, proposal_calendar

    content = proposal_calendar(turn.group, proposal, turn.now, turn.language_of(turn.member))
    if content is None:
        raise Refusal(
            "#{number} has no date to put in a calendar now.",
            example="status",
            number=proposal.number,
        )
    turn.emit(
        SendFile(
            filename=f"proposal-{proposal.number}.ics",
            mime=CALENDAR_MIME,
            content=content,
            chat=turn.request.chat,
        )
    )
    turn.reply_phrase(
        "Here are the dates of #{number} for your calendar. Open the file to add them.",
        number=proposal.number,
    )


def history(turn: Turn, action: c.History) -> None:
    proposal = rounds.find(turn, action.number, example="history #7")
    _ = turn.t
    lines = record.history_lines(
        turn.group,
        proposal,
        _,
        language=turn.language_of(turn.member),
        timezone=turn.timezone_of(turn.member),
    )
    turn.reply(
        heading(Strong(_("History of #{number}").format(number=proposal.number))),
        bullets(lines),
    )


def export(turn: Turn, action: c.Export) -> None:
    assert turn.request is not None
    _ = turn.t
    for filename, mime, content in record.export_files(turn.group, turn.now):
        turn.emit(SendFile(filename=filename, mime=mime, content=content, chat=turn.request.chat))
    turn.reply(
        para(
            _(
                "Here is the whole record of this group. There is a page to read, "
                "a page to print, a sheet for a spreadsheet, and a file for other programs."
            )
        )
    )


def my_data(turn: Turn, action: c.MyData) -> None:
    member = turn.member
    assert member is not None and turn.request is not None
    content = record.member_data(turn.group, member.id)
    turn.emit(
        SendFile(
            filename="my-data.json",
            mime="application/json",
            content=content,
            member=member.id,
            identities=member.identities,
            chat=turn.request.chat if turn.request.private else None,
        )
    )
    turn.reply_phrase("I am sending you all I keep about you, in a private message.")


def show_settings(turn: Turn, action: c.ShowSettings) -> None:
    _ = turn.t
    s = turn.group.settings
    facilitators = ", ".join(m.name for m in turn.group.facilitators()) or "—"
    items = [
        _("Time zone: {value}").format(value=s.timezone),
        _("Language: {value}").format(value=s.language),
        _("How we most often decide: {value}").format(value=_(PROCESSES[s.process].title)),
        _("Quorum: {value}%").format(value=s.quorum),
        _("Weekly digest: {value}").format(value=_("on") if s.digest else _("off")),
        _("Facilitators: {value}").format(value=facilitators),
        _("Members: {value}").format(value=", ".join(m.name for m in turn.group.active_members())),
    ]
    blocks: list[Block] = [para(Strong(_("Settings of this group"))), bullets(items)]
    member = turn.member
    if member is not None:
        mine = [
            _("Reminders: {value}").format(value=_("on") if member.reminders else _("off")),
            _("Quiet hours: {value}").format(
                value=f"{member.quiet_hours.start:%H:%M}-{member.quiet_hours.end:%H:%M}"
                if member.quiet_hours
                else _("none")
            ),
        ]
        if len(member.identities) > 1:
            apps = dict.fromkeys(platform_name(platform_of_chat(i)) for i in member.identities)
            app = (
                platform_name(member.reminders_on)
                if member.reminders_on
                else _("the app you used last")
            )
            mine.append(
                _("Your apps: {apps}. Reminders go to {app}.").format(apps=", ".join(apps), app=app)
            )
        blocks += [para(Strong(_("Your settings"))), bullets(mine)]
    blocks.append(para(_("A facilitator can change a setting. Like this: settings quorum 60%")))
    turn.reply(*blocks)


# Each line: the words to type (the same in every language), and what they do.
HELP = (
    ("propose <title>", N_("Suggest something to decide. Put details on the next lines.")),
    ("poll <question> | <option> | <option>", N_("Ask the group to pick an option.")),
    ("timepoll <title> | <date time> | <date time>", N_("Find a time that suits everyone.")),
    ("consent #7 · concern #7 <why> · object #7 <why>", N_("Say what you think of a proposal.")),
    (
        "support · agree · abstain · disagree · block · advice · noadvice · seen #7",
        N_("Other answers, for other kinds of proposal. The card shows which."),
    ),
    ("vote #7 2", N_("Vote in a poll.")),
    (
        "signup We need 1 person for <what> on <day>",
        N_("Ask who can help. It ends when enough people say: I can do it."),
    ),
    (
        "action #7 <who> <does what> by <day> · done #7.1",
        N_("After a decision: who does what, and by when."),
    ),
    (
        "action #7.1 by <day> · I'll do it #7.1",
        N_("Give a thing to do a new date, or take it on yourself."),
    ),
    ("for Mum consent #7", N_("Answer for someone who is not in the chat.")),
    ("ask #7 <question> · answer #7 <text>", N_("Ask a question, or answer one.")),
    ("amend #7 <new text>", N_("Change your idea. Then everyone is asked again.")),
    ("withdraw objection #7", N_("Take back your objection.")),
    ("extend #7 <deadline> · close #7 · reopen #7", N_("Change when it ends.")),
    ("withdraw #7 · outcome #7 <text> · review #7 <date>", N_("Steer your proposal.")),
    (
        "review #7 now · review #7 keep|change|stop <why>",
        N_("Look at a decision again. Everyone says: keep it, change it, or stop it."),
    ),
    ("status · decisions · show #7 · history #7", N_("See what is open and what was decided.")),
    (
        "show #7 printable · show #7 calendar",
        N_("Get a page to print, or a date for your calendar."),
    ),
    ("export", N_("Get the whole record as files.")),
    ("join · leave · add <name> · remove <name>", N_("Who is in the group.")),
    (
        "reminders on|off · quiet 21:00-08:00 · timezone <zone> · language <code>",
        N_("Your own settings."),
    ),
    ("reminders on telegram · reminders on matrix", N_("Choose the app for your reminders.")),
    ("me · me <code>", N_("On two apps? Link your accounts, so you count once.")),
    (
        "settings · facilitator @name · link · unlink · weblink · this is <name> @<account>",
        N_("Settings for the group. Only a facilitator can change them."),
    ),
    ("mydata · forgetme", N_("See or erase what I keep about you.")),
)


def help_(turn: Turn, action: c.Help) -> None:
    _ = turn.t
    topic = action.topic.strip().lower()
    rows = [(cmd, text) for cmd, text in HELP if not topic or topic in cmd]
    if not rows:
        rows = list(HELP)
    items = [(Strong(cmd), " — " + _(text)) for cmd, text in rows]
    turn.reply(
        document=Document(
            (
                para(Strong(_("How to use me"))),
                para(
                    _("Type these words. Buttons do the same thing.")
                    if turn.request is None or has_buttons(turn.request.chat)
                    else _(
                        "Type these words. To answer a proposal, you can also react to it "
                        "with the emoji it shows."
                    )
                ),
                bullets(items),
                para(_("The words you type are the same in every language.")),
                para(_("Dates can be like: Friday 5pm, tomorrow noon, in 3 days.")),
            ),
            (Action(_("What is open?"), "status"),),
        )
    )


def unclear(turn: Turn, action: c.Unclear) -> None:
    raise Refusal(action.msgid, example=action.example, **dict(action.params))
