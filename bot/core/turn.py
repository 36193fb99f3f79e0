"""A turn: the working state while the core decides one command.

Handlers read the group, build a new one, and add effects to the turn. When a
handler refuses (raises :class:`Refusal`), the turn is thrown away: the caller
keeps the old group and gets one friendly reply, so bad input never changes
anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.core.commands import Request
from bot.core.document import Block, Document, Paragraph, Text, doc
from bot.core.effects import Effect, Reply
from bot.core.i18n import Phrase, Translate, reader_language, reader_translator, translator
from bot.core.lifecycle import Accepted
from bot.core.model import Group, LogEntry, Member, Proposal


class Refusal(Exception):
    """The command cannot be done. ``phrase`` says why and what to do instead."""

    def __init__(self, msgid: str, example: str = "", **params: Any) -> None:
        super().__init__(msgid)
        self.phrase = Phrase(msgid, params)
        self.example = example


@dataclass(slots=True)
class Turn:
    group: Group
    now: datetime
    request: Request | None = None
    member: Member | None = None  # the person acting, once known
    effects: list[Effect] = field(default_factory=list)
    # The stages the command is taken in, from ``decide.STAGES``; None: any stage.
    accepted: Accepted | None = None
    # What the audit log should say beyond the command itself (two members joined).
    note: str = ""

    # -- languages ----------------------------------------------------------------------

    @property
    def group_t(self) -> Translate:
        """For posts to the whole group."""
        return translator(self.group.settings.language)

    @property
    def t(self) -> Translate:
        """For replies to the person acting: their language, else the platform's, else
        the group's."""
        return reader_translator(*self._languages(self.member))

    def member_t(self, member: Member) -> Translate:
        """For private messages to ``member``."""
        return reader_translator(*self._languages(member))

    def language_of(self, member: Member | None) -> str:
        """The language to write to ``member`` in: the one they chose, else their
        platform's (while they are the one acting), else the group's; always one
        the bot can write."""
        return reader_language(*self._languages(member))

    def _languages(self, member: Member | None) -> tuple[str | None, str | None, str]:
        platform = None
        if self.request is not None and (member is None or member is self.member):
            platform = self.request.actor.language
        chosen = member.language if member is not None else None
        return chosen, platform, self.group.settings.language

    def timezone_of(self, member: Member | None) -> str:
        """The time zone to write times in for ``member``: theirs, else the group's."""
        if member is not None and member.timezone:
            return member.timezone
        return self.group.settings.timezone

    # -- effects ------------------------------------------------------------------------

    def emit(self, *effects: Effect) -> None:
        self.effects.extend(effects)

    def reply(self, *blocks: Block | str, document: Document | None = None) -> None:
        """Answer the person acting, where they asked."""
        if self.request is None:
            return
        self.emit(
            Reply(
                chat=self.request.chat,
                document=document if document is not None else doc(*blocks),
                private=self.request.private,
            )
        )

    def reply_phrase(self, msgid: str, **params: Any) -> None:
        self.reply_text(self.t(msgid).format(**params))

    def reply_text(self, text: str) -> None:
        """Answer with one plain paragraph, as most replies are (built directly:
        every response is thanked with one)."""
        request = self.request
        if request is not None:
            document = Document((Paragraph((Text(text),)),))
            self.effects.append(Reply(request.chat, document, request.private))

    # -- state --------------------------------------------------------------------------

    def put(self, proposal: Proposal) -> Proposal:
        self.group = self.group.with_proposal(proposal)
        return proposal

    def log(self, proposal: Proposal, what: str, detail: str = "") -> Proposal:
        by = self.member.id if self.member else None
        return proposal.logged(LogEntry(self.now, by, what, detail))
