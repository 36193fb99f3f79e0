"""A conversation with the pure core, for tests that read like a chat.

Each person's line is a command built directly (no parser), so these tests pin
down the core alone; the clock is moved by hand and due timers fire in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from bot.core import commands as c
from bot.core.cards import card
from bot.core.decide import Decision, decide
from bot.core.document import plain_text
from bot.core.effects import CancelTimer, EditCard, Effect, Message, Post, SetTimer
from bot.core.model import Group, GroupSettings, Proposal

START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday morning
CHAT = "console:group"


@dataclass
class Conversation:
    group: Group = field(
        default_factory=lambda: Group(id=CHAT, chats=(CHAT,), settings=GroupSettings())
    )
    now: datetime = START
    timers: dict[str, SetTimer] = field(default_factory=dict)
    said: list[Effect] = field(default_factory=list)
    last: Decision | None = None

    def run(self, command: c.Command) -> Decision:
        decision = decide(self.group, command, self.now)
        # Cards are drawn when an edit is sent; here everything is "sent" at once.
        drawn = tuple(self._draw(e, decision.group) for e in decision.effects)
        decision = replace(decision, effects=drawn)
        self.group = decision.group
        self.last = decision
        for effect in decision.effects:
            if isinstance(effect, SetTimer):
                self.timers[effect.key] = effect
            elif isinstance(effect, CancelTimer):
                self.timers.pop(effect.key, None)
            else:
                self.said.append(effect)
        return decision

    def by(
        self, name: str, action: c.Action, *, private: bool = False, present: bool = True
    ) -> Decision:
        actor = c.Actor(identity=f"console:{name.lower()}", name=name)
        chat = f"dm:console:{name.lower()}" if private else CHAT
        return self.run(
            c.Request(actor=actor, chat=chat, action=action, private=private, present=present)
        )

    def wait(self, span: timedelta) -> None:
        end = self.now + span
        while True:
            due = sorted((t for t in self.timers.values() if t.due <= end), key=lambda t: t.due)
            if not due:
                break
            timer = due[0]
            del self.timers[timer.key]
            self.now = max(self.now, timer.due)
            self.run(timer.event)
        self.now = end

    def _draw(self, effect: Effect, group: Group) -> Effect:
        if isinstance(effect, EditCard) and effect.document is None:
            return replace(effect, document=card(group, group.proposals[effect.number], self.now))
        return effect

    def proposal(self, number: int) -> Proposal:
        return self.group.proposals[number]

    def texts(self) -> list[str]:
        return [
            plain_text(e.document)
            for e in self.said
            if isinstance(e, Message) and hasattr(e, "document")
        ]

    def card_text(self, number: int | None = None) -> str:
        """The latest card (posted or edited), of ``number`` or of any proposal."""
        for effect in reversed(self.said):
            if isinstance(effect, EditCard) and number in (None, effect.number):
                return plain_text(effect.document)
            if (
                isinstance(effect, Post)
                and effect.card is not None
                and number in (None, effect.card)
            ):
                return plain_text(effect.document)
        raise AssertionError("no card was shown")

    def last_text(self) -> str:
        assert self.last is not None
        texts = [plain_text(e.document) for e in self.last.effects if hasattr(e, "document")]
        return "\n".join(texts)

    def member_id(self, name: str) -> int:
        member = self.group.member_by_identity(f"console:{name.lower()}")
        assert member is not None, name
        return member.id
