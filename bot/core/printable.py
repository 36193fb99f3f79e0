"""Decisions on paper, in Easy Read style.

For the person at the centre and anyone who prefers paper. Easy Read means:
large, plain type (Arial, 18 point and more), left-aligned; a clear question
as the heading of each part; short sentences, one idea each; lots of space;
dates written out in words; one decision per page. It is plain HTML with no
scripts, so any browser prints it ("Print" in the browser's menu).

``show #7 printable`` sends one decision; ``export`` adds every decision in
one file, each on its own page. Everything people typed is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape as _html_escape

from bot.core import cards, record_cycle, typed, visibility
from bot.core.i18n import N_, Translate, translator
from bot.core.model import Group, Proposal, RoundKind
from bot.core.when import spell_out

STYLE = """
@page { margin: 2cm; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 18pt; line-height: 1.6;
       max-width: 36em; margin: 1em auto; padding: 0 1em; color: #000; background: #fff;
       text-align: left; }
h1 { font-size: 28pt; line-height: 1.3; margin: 0 0 0.8em; }
h2 { font-size: 22pt; margin: 1.4em 0 0.4em; }
p, li { margin: 0 0 0.6em; }
ul { padding-left: 1.2em; }
section { break-after: page; page-break-after: always; }
section:last-of-type { break-after: auto; page-break-after: auto; }
.big { font-size: 22pt; font-weight: bold; }
"""

# The questions that head each part of a page.
WHAT = N_("What is the idea?")
WHO = N_("Who asked?")
HOW = N_("How do we decide?")
BY_WHEN = N_("When do we need to answer?")
SAID = N_("What did people say?")
ASKED = N_("What did people ask?")
DECIDED = N_("What did we decide?")
AGAIN = N_("When do we look at it again?")
TO_DO = N_("What will we do?")
REVIEWED = N_("How is it going?")


def escape(text: str) -> str:
    """Text for the page: cleaned (``typed``: what was stored before cleaning began
    is cleaned here too), then escaped."""
    return _html_escape(typed.clean(text))


def _paragraphs(text: str) -> list[str]:
    """People's text as paragraphs, one for each line they wrote."""
    return [f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip()]


def section(group: Group, proposal: Proposal, now: datetime, _: Translate, *, top: int = 1) -> str:
    """One decision in Easy Read, as a ``<section>``: its title as a heading of level
    ``top`` (1 on paper; lower on the web page, under the page's own headings), and
    one question per heading below it."""
    settings = group.settings

    def when(moment: datetime) -> str:
        return spell_out(moment, timezone=settings.timezone, language=settings.language, now=now)

    def h2(question: str) -> str:
        return f"<h{top + 1}>{escape(_(question))}</h{top + 1}>"

    parts = [f"<h{top}>{escape(cards.title_line(proposal, _))}</h{top}>", h2(WHAT)]
    parts += _paragraphs(proposal.version.details) or _paragraphs(proposal.title)
    parts.append(h2(WHO))
    proposer = cards.member_name(group, proposal.proposer, _)
    asked = _("{name} asked the group.").format(name=proposer)
    parts.append(f"<p>{escape(asked)}</p>")
    parts.append(h2(HOW))
    rule = cards.PROCESSES[proposal.process].rule
    how = _(cards.HOW_TO_DECIDE[rule]).format(
        name=proposer, target=cards.people_needed(proposal, _)
    )
    parts.append(f"<p>{escape(how)}</p>")

    round_ = proposal.round
    if proposal.outcome is None and round_ is not None:
        parts.append(h2(BY_WHEN))
        answer_by = _("Please give your answer by {deadline}.").format(
            deadline=when(round_.deadline)
        )
        parts.append(f'<p class="big">{escape(answer_by)}</p>')
    if round_ is not None and round_.kind is RoundKind.RESPONSES:
        lines = [
            cards.response_line(group, proposal, record, _)
            for record in visibility.current(proposal)
        ]
        parts.append(h2(SAID))
        hidden = visibility.hidden_note(proposal, _)
        if hidden is not None:
            parts.append(f"<p>{escape(hidden)}</p>")
        elif lines:
            parts.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>")
        else:
            nobody = _("No one has answered yet.")
            parts.append(f"<p>{escape(nobody)}</p>")
    if proposal.questions:
        parts.append(h2(ASKED))
        items = []
        for question in proposal.questions:
            answers = "".join(f"<br>↳ {escape(a.text)}" for a in question.answers)
            items.append(f"<li>{escape(question.text)}{answers}</li>")
        parts.append("<ul>" + "".join(items) + "</ul>")
    if proposal.outcome is not None:
        parts.append(h2(DECIDED))
        parts.append(f'<p class="big">{escape(proposal.outcome.summary)}</p>')
        parts += _paragraphs(proposal.outcome.decision)
        on = _("This was on {date}.").format(date=when(proposal.outcome.at))
        parts.append(f"<p>{escape(on)}</p>")
    # After the decision: who does what, and how it went when we looked at it again.
    for heading, lines in (
        (TO_DO, record_cycle.action_lines(group, proposal, _, when)),
        (REVIEWED, record_cycle.review_lines(proposal, _, when)),
    ):
        if lines:
            parts.append(h2(heading))
            parts.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>")
    if proposal.review_at is not None:
        parts.append(h2(AGAIN))
        again = _("We look at it again on {date}.").format(date=when(proposal.review_at))
        parts.append(f"<p>{escape(again)}</p>")
    return "<section>\n" + "\n".join(parts) + "\n</section>"


def _page(title: str, sections: Iterable[str], language: str) -> str:
    body = "\n".join(sections)
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )


def printable_page(group: Group, proposal: Proposal, now: datetime) -> str:
    """One decision, on one page, in the group's language."""
    _ = translator(group.settings.language)
    return _page(
        cards.title_line(proposal, _),
        [section(group, proposal, now, _)],
        group.settings.language,
    )


def printable_record(group: Group, proposals: Iterable[Proposal], now: datetime) -> str:
    """Every decision of the group in one file, each on its own page."""
    _ = translator(group.settings.language)
    sections = [section(group, proposal, now, _) for proposal in proposals]
    if not sections:
        nothing = _("No decisions yet.")
        sections = [f"<section><p>{escape(nothing)}</p></section>"]
    title = _("Decisions of {group}").format(group=group.name or group.id)
    return _page(title, sections, group.settings.language)
