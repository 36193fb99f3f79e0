"""Reading the record: status, decisions, show, history, help, settings, export, mydata.

These change nothing (``help`` and the rest never touch the group); they
answer the person who asked, in their language.
"""

from __future__ import annotations

from bot.core import cards, record, rounds
from bot.core import commands as c
from bot.core.document import Action, Block, Document, Strong, bullets, heading, para
from bot.core.effects import SendFile
from bot.core.lifecycle import ACTIVE, RESPONDING
from bot.core.model import RoundKind
from bot.core.processes import PROCESSES
from bot.core.turn import Refusal, Turn


def status(turn: Turn, action: c.Status) -> None:
    _ = turn.t
    member = turn.member
    open_ = sorted(
        (p for p in turn.group.proposals.values() if p.stage in ACTIVE), key=lambda p: p.number
    )
    if not open_:
        turn.reply(
            para(_("Nothing is open right now.")),
            para(_("To suggest something, say: propose and a title.")),
        )
        return
    mine: list[str] = []
    others: list[str] = []
    for proposal in open_:
        line = cards.title_line(proposal, _)
        if proposal.round is not None:
            line += " — " + _("until {deadline}").format(
                deadline=rounds.spell(turn, proposal.round.deadline, turn.language_of(member))
            )
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
        blocks += [para(Strong(_("Also open:"))), bullets(others)]
    turn.reply(*blocks)


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
    blocks: list[Block] = [para(Strong(_("Decisions, newest first:"))), bullets(items)]
    if len(closed) > 20:
        blocks.append(para(_("Say export for the whole record.")))
    turn.reply(*blocks)


def show(turn: Turn, action: c.Show) -> None:
    proposal = rounds.find(turn, action.number, example="show #7")
    if action.printable:
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
            "Here is #{number} as a page you can print, in large type.", number=proposal.number
        )
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


def history(turn: Turn, action: c.History) -> None:
    proposal = rounds.find(turn, action.number, example="history #7")
    _ = turn.t
    lines = record.history_lines(turn.group, proposal, _, language=turn.language_of(turn.member))
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
                "Here is the whole record of this group: Markdown to read, CSV for a "
                "spreadsheet, and JSON for other programs."
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
    turn.reply_phrase("I have sent you everything I hold about you, privately.")


def show_settings(turn: Turn, action: c.ShowSettings) -> None:
    _ = turn.t
    s = turn.group.settings
    facilitators = ", ".join(m.name for m in turn.group.facilitators()) or "—"
    items = [
        _("Time zone: {value}").format(value=s.timezone),
        _("Language: {value}").format(value=s.language),
        _("Usual process: {value}").format(value=PROCESSES[s.process].title),
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
                value=f"{member.quiet.start:%H:%M}-{member.quiet.end:%H:%M}"
                if member.quiet
                else _("none")
            ),
        ]
        blocks += [para(Strong(_("Your settings"))), bullets(mine)]
    blocks.append(para(_("Facilitators can change a setting like this: settings quorum 60%")))
    turn.reply(*blocks)


HELP = (
    ("propose <title>", "Suggest something to decide. Put details on the next lines."),
    ("poll <question> | <option> | <option>", "Ask the group to pick an option."),
    ("timepoll <title> | <date time> | <date time>", "Find a time that suits everyone."),
    ("consent #7 · concern #7 <why> · object #7 <why>", "Respond to a proposal."),
    ("vote #7 2", "Vote in a poll."),
    ("for Mum consent #7", "Respond for someone who is not in the chat."),
    ("ask #7 <question> · answer #7 <text>", "Ask about a proposal, or answer."),
    ("amend #7 <new text>", "Change your proposal (everyone is asked again)."),
    ("withdraw objection #7", "Take back your objection."),
    ("extend #7 <deadline> · close #7 · reopen #7", "Change when it ends."),
    ("withdraw #7 · outcome #7 <text> · review #7 <date>", "Steer your proposal."),
    ("status · decisions · show #7 · history #7 · export", "See what is open and decided."),
    ("join · leave · add <name> · remove <name>", "Who is in the group."),
    (
        "reminders on|off · quiet 21:00-08:00 · timezone <zone> · language <code>",
        "Your own settings.",
    ),
    ("settings · facilitator @name · link", "Group settings (facilitators)."),
    ("mydata · forgetme", "See or erase what I hold about you."),
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
                para(_("Type these words. Buttons do the same thing.")),
                bullets(items),
                para(_("Dates can be like: Friday 5pm, tomorrow noon, in 3 days.")),
            ),
            (Action(_("What is open?"), "status"),),
        )
    )


def unclear(turn: Turn, action: c.Unclear) -> None:
    raise Refusal(action.msgid, example=action.example, **dict(action.params))
