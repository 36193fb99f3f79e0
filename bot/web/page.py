"""The web page of a group's decisions, drawn as HTML (no I/O: the server asks here).

It is the Easy Read page (``bot.core.printable``) with what a reader away from
the chat also needs: for each open proposal the tally as the group sees it and
who still has to answer (as the card says them, ``bot.core.cards``), and for
every proposal what happened to it (as ``history`` tells it, ``bot.core.record``).
What may be seen of the answers is decided in ``bot.core.visibility`` and
nowhere here: anonymous and hidden results look exactly as in the chat.

It is plain HTML with landmarks (header, main, footer), one question per
heading, headings in order, large type, and no scripts. Every emoji carries a
name for screen readers (:func:`named_symbols`). Everything people typed is
escaped, by the printable page's own ``escape``.
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from dataclasses import replace
from datetime import datetime

from bot.core import cards, printable, record, visibility
from bot.core.i18n import N_, Translate, can_write, real_language, translator
from bot.core.lifecycle import ACTIVE, RESPONDING
from bot.core.model import Group, Proposal, RoundKind
from bot.core.printable import escape
from bot.core.when import spell_out

# The printable page's style, with the little the screen adds: a visible focus,
# and a quieter colour for the footer (still 7:1 against the white, above the
# 4.5:1 that the browser tests check for every pair of colours).
STYLE = (
    printable.STYLE
    + """
header, main, footer { display: block; }
h3 { font-size: 22pt; margin: 1.4em 0 0.4em; }
h4 { font-size: 20pt; margin: 1.2em 0 0.4em; }
main > section { border-top: 3px solid #000; padding-top: 0.6em; }
footer { color: #4a4a4a; border-top: 1px solid #4a4a4a; margin-top: 2em; padding-top: 0.6em; }
a:focus { outline: 3px solid #000; }
@media screen { section { margin-bottom: 1.4em; } }
"""
)

# The style is inline, and the Content-Security-Policy allows exactly this text.
STYLE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()

TITLE = N_("Decisions of {group}")
OPEN_NOW = N_("What are we deciding now?")
DECIDED = N_("What have we decided?")
NOTHING_OPEN = N_("Nothing is open now.")
NOTHING_DECIDED = N_("Nothing has been decided yet.")
SO_FAR = N_("How many said what?")
WAITING = N_("Who still has to answer?")
EVERYONE = N_("Everyone has answered.")
HAPPENED = N_("What happened?")
ABOUT = N_("This page shows the decisions of the group. It was made on {date}.")
PRIVATE = N_("This page is private. Please share the link only with people the group trusts.")

# Names a screen reader says for the emoji the bot uses (in the reader's language
# once translated); any other gets Unicode's name.
SYMBOL_NAMES = {
    "✅": N_("check mark"),
    "🟡": N_("yellow circle"),
    "✋": N_("raised hand"),
    "⭐": N_("star"),
    "❓": N_("question mark"),
    "↳": N_("answer"),
}


def _is_symbol(ch: str) -> bool:
    """An emoji or other picture character (Unicode's "So")."""
    return unicodedata.category(ch) == "So"


def named_symbols(html: str, _: Translate = str) -> str:
    """Every emoji in ``html`` (already escaped text and tags) wrapped with its name,
    in the reader's language: ``<span role="img" aria-label="check mark">✅</span>``."""
    out: list[str] = []
    i = 0
    while i < len(html):
        ch = html[i]
        if not _is_symbol(ch):
            out.append(ch)
            i += 1
            continue
        j = i + 1
        while j < len(html) and (
            html[j] in "\ufe0e\ufe0f\u200d"
            or "\U0001f3fb" <= html[j] <= "\U0001f3ff"
            or (html[j - 1] == "\u200d" and _is_symbol(html[j]))
        ):
            j += 1
        emoji = html[i:j]
        known = SYMBOL_NAMES.get(ch)
        name = _(known) if known else unicodedata.name(ch, "symbol").lower()
        out.append(f'<span role="img" aria-label="{escape(name)}">{emoji}</span>')
        i = j
    return "".join(out)


def page_language(group: Group, asked: str | None) -> str:
    """The language to show the page in: the one asked for (``?lang=``) when the bot
    can write it, else the group's."""
    if asked:
        code = real_language(asked[:20])
        if code is not None and can_write(code):
            return code
    return group.settings.language


def decisions_page(group: Group, now: datetime, language: str) -> str:
    """The whole page, in ``language``."""
    # Drawn as if the group spoke the reader's language: every part below then
    # speaks it, dates included, with no second way to draw any of them.
    group = replace(group, settings=replace(group.settings, language=language))
    _ = translator(language)
    settings = group.settings
    title = _(TITLE).format(group=group.name or _("our group"))
    made = spell_out(now, timezone=settings.timezone, language=language, now=now)
    open_now = [p for p in group.proposals.values() if p.stage in ACTIVE]
    decided = [p for p in group.proposals.values() if p.stage not in ACTIVE]
    decided.sort(key=lambda p: p.number, reverse=True)  # the latest first
    body = [
        f"<header><h1>{escape(title)}</h1><p>{escape(_(ABOUT).format(date=made))}</p></header>",
        "<main>",
        f"<h2>{escape(_(OPEN_NOW))}</h2>",
        *([_proposal(group, p, now, _) for p in open_now] or [_para(_(NOTHING_OPEN))]),
        f"<h2>{escape(_(DECIDED))}</h2>",
        *([_proposal(group, p, now, _) for p in decided] or [_para(_(NOTHING_DECIDED))]),
        "</main>",
        f"<footer>{_para(_(PRIVATE))}</footer>",
    ]
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>\n"
        f"<body>\n{named_symbols(chr(10).join(body), _)}\n</body></html>\n"
    )


def _para(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def _proposal(group: Group, proposal: Proposal, now: datetime, _: Translate) -> str:
    """One proposal: the Easy Read section, then the tally and who still has to
    answer (open proposals), then its history."""
    drawn = printable.section(group, proposal, now, _, top=3)
    extra: list[str] = []
    round_ = proposal.round
    if proposal.stage in ACTIVE and round_ is not None and round_.kind is RoundKind.RESPONSES:
        tally = cards.tally_line(proposal, _)
        if tally is not None:
            extra += [f"<h4>{escape(_(SO_FAR))}</h4>", _para(tally)]
        if visibility.sight(proposal).waiting and proposal.stage in RESPONDING:
            waiting = cards.still_to_respond(group, proposal)
            extra.append(f"<h4>{escape(_(WAITING))}</h4>")
            if waiting:
                names = "".join(f"<li>{escape(m.name)}</li>" for m in waiting)
                extra.append(f"<ul>{names}</ul>")
            else:
                extra.append(_para(_(EVERYONE)))
    history = record.history_lines(
        group, proposal, _, language=group.settings.language, timezone=group.settings.timezone
    )
    if history:
        extra.append(f"<h4>{escape(_(HAPPENED))}</h4>")
        extra.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in history) + "</ul>")
    closing = "\n</section>"
    assert drawn.endswith(closing)
    return drawn[: -len(closing)] + "\n" + "\n".join(extra) + closing
