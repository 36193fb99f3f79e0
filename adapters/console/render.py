"""The neutral document as terminal text.

Plain text, with buttons shown as words in brackets followed by what to type,
so the console teaches the typed commands that every button stands for.
"""

from __future__ import annotations

from bot.core.document import Document, plain_text
from bot.core.i18n import Translate, translator


def render(document: Document, _: Translate | None = None) -> list[str]:
    """The lines of a message (without who says it), in the reader's language."""
    _ = _ or translator(None)
    lines = plain_text(document, with_actions=False).splitlines() or [""]
    if document.actions:
        buttons = "  ".join(f"[{a.label}]" for a in document.actions)
        typed = " · ".join(a.command for a in document.actions)
        lines.append(buttons + "   " + _("(type: {commands})").format(commands=typed))
    return lines
