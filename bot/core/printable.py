"""A printable page of one decision, in Easy Read style.

For the person at the centre and anyone who prefers paper: large type, short
headings, one decision per page, plain HTML that any browser prints. Every
piece of text people typed is escaped.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from bot.core import cards
from bot.core.i18n import translator
from bot.core.model import Group, Proposal
from bot.core.processes import PROCESSES
from bot.core.when import spell_out

STYLE = """
body { font-family: Arial, Helvetica, sans-serif; font-size: 20pt; line-height: 1.5;
       max-width: 40em; margin: 1em auto; color: #000; background: #fff; }
h1 { font-size: 28pt; } h2 { font-size: 24pt; margin-top: 1.2em; }
li { margin-bottom: 0.4em; }
section { page-break-after: always; }
"""


def printable_page(group: Group, proposal: Proposal, now: datetime) -> str:
    language = group.settings.language
    _ = translator(language)
    tz = group.settings.timezone

    def when(moment: datetime) -> str:
        return escape(spell_out(moment, timezone=tz, language=language, now=now))

    parts = [f"<h1>{escape(cards.title_line(proposal, _))}</h1>"]
    parts.append(f"<h2>{escape(_('What was proposed'))}</h2>")
    if proposal.version.details:
        parts.append(f"<p>{escape(proposal.version.details)}</p>")
    proposer = cards.member_name(group, proposal.proposer, _)
    parts.append(f"<p>{escape(_('Proposed by {name}.').format(name=proposer))}</p>")
    process = _(PROCESSES[proposal.process].title)
    parts.append(f"<p>{escape(_('How we decide: {process}.').format(process=process))}</p>")
    round_ = proposal.round
    if round_ is not None:
        parts.append(f"<h2>{escape(_('What people said'))}</h2><ul>")
        for record in round_.current_records():
            who = (
                _("Someone")
                if record.member is None
                else cards.member_name(group, record.member, _)
            )
            line = f"{who}: {record.response}"
            if record.reason:
                line += f" — {record.reason}"
            if record.recorded_by is not None:
                line += " " + _("(recorded by {name})").format(
                    name=cards.member_name(group, record.recorded_by, _)
                )
            parts.append(f"<li>{escape(line)}</li>")
        parts.append("</ul>")
        if proposal.outcome is None:
            parts.append(f"<p>{escape(_('Please respond by'))} {when(round_.deadline)}.</p>")
    if proposal.outcome is not None:
        parts.append(f"<h2>{escape(_('What was decided'))}</h2>")
        parts.append(f"<p><strong>{escape(proposal.outcome.summary)}</strong></p>")
        if proposal.outcome.decision:
            parts.append(f"<p>{escape(proposal.outcome.decision)}</p>")
        parts.append(f"<p>{escape(_('Date:'))} {when(proposal.outcome.at)}</p>")
    if proposal.review_at is not None:
        parts.append(f"<h2>{escape(_('When we look at it again'))}</h2>")
        parts.append(f"<p>{when(proposal.review_at)}</p>")
    title = escape(cards.title_line(proposal, _))
    body = "\n".join(parts)
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(language)}"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{STYLE}</style></head>"
        f"<body><section>\n{body}\n</section></body></html>\n"
    )
