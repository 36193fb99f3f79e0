"""Deliveries to the terminal.

Group posts are shown as "bot: …"; private messages as "bot → Sam (private): …".
A card that changes is not printed again in full: only its new lines are
shown, as a terminal cannot edit what it printed. A file the bot sends is
written into the ``files`` folder, when there is one, and its path shown.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from adapters.console import files as kept
from adapters.console.render import render
from bot.app import Delivery
from bot.core.effects import AskReason, DirectMessage, EditCard, Post, Reply, SendFile
from bot.core.i18n import translator

if TYPE_CHECKING:
    from bot.app import Application

GROUP_CHAT = "console:group"
BOT = "bot"


def identity_of(name: str) -> str:
    return "console:" + name.strip().lower()


class ConsoleAdapter:
    platform = "console"

    def __init__(self, write: Callable[[str], None], files: Path | None = None) -> None:
        self.write = write
        self.folder = files  # where sent files are written; None: only named
        self._cards: dict[str, list[str]] = {}  # card ref -> its lines as last shown
        self._count = 0
        # Who was asked for a reason, for what, and whether privately: their next
        # message there answers it.
        self.awaiting_reason: dict[str, tuple[str, int, bool]] = {}
        self.files: list[tuple[str, str]] = []  # (filename, content) of files "sent"

    async def start(self, app: Application) -> None:
        self.app = app

    async def stop(self) -> None:
        return None

    def _say(self, lines: list[str], who: str = BOT) -> None:
        head = f"{who}: "
        self.write(head + lines[0])
        for line in lines[1:]:
            self.write(" " * len(head) + line)

    def ready_in(self, target: str) -> float:
        return 0.0  # a terminal has no limits to keep to

    def end_to_end_encrypted(self, chat: str) -> bool:
        return False

    async def deliver(self, delivery: Delivery) -> str | None:
        effect = delivery.effect
        private = delivery.target.startswith("dm:")
        group = await self.app.group(delivery.group_id)
        _ = translator(group.settings.language if group else None)
        who = BOT
        if private:
            who = f"{BOT} → {delivery.target.rsplit(':', 1)[-1].title()} (private)"
        if isinstance(effect, Post):
            lines = render(effect.document, _)
            self._say(lines, who)
            self._count += 1
            ref = str(self._count)
            if effect.card is not None:
                self._cards[f"{delivery.group_id}#{effect.card}"] = lines
            return ref
        if isinstance(effect, EditCard):
            key = f"{delivery.group_id}#{effect.number}"
            lines = render(effect.drawn, _)
            before = self._cards.get(key, [])
            changed = [line for line in lines if line not in before]
            self._cards[key] = lines
            if changed:
                note = _("(card #{number} updated)").format(number=effect.number)
                self._say([f"{note} {changed[0]}", *changed[1:]], who)
            return None
        if isinstance(effect, AskReason):
            self.awaiting_reason[effect.identities[0] if effect.identities else effect.name] = (
                effect.word,
                effect.number,
                private,
            )
            self._say(render(effect.document, _), who)
            return None
        if isinstance(effect, Reply | DirectMessage):
            self._say(render(effect.document, _), who)
            return None
        if isinstance(effect, SendFile):
            self.files.append((effect.filename, effect.content))
            caption = render(effect.caption, _) if effect.caption else []
            if self.folder is None:
                shown = f"📎 {effect.filename} ({len(effect.content)} characters)"
            else:
                try:
                    path = kept.keep(self.folder, effect.filename, effect.content)
                    shown = "📎 " + _("{filename} is saved here: {path}").format(
                        filename=effect.filename, path=path
                    )
                except OSError as problem:  # the chat goes on without the file
                    shown = "📎 " + _(
                        "{filename} could not be saved in {folder} ({reason}). "
                        "Start the demo with --files and a folder you can write in."
                    ).format(
                        filename=effect.filename,
                        folder=self.folder,
                        reason=problem.strerror or problem,
                    )
            self._say([shown, *caption], who)
            return None
        return None
