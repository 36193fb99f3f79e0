"""Effects: what the core asks the world to do.

They are platform-neutral and self-contained, with one exception that says
so: an effect names everything its delivery needs (chat, identities,
document), so the delivery loop can send it long after the command that made
it, without loading any state. The exception is :class:`EditCard`, which says
only *that* a card changed; the card is drawn when the edit is sent, by the
application (``Application.draw_card``), from the state at that moment. The
application stores timer effects in the timers table and the rest in the
outbox, in the same transaction as the new state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.commands import TimerEvent
from bot.core.document import Document


@dataclass(frozen=True, slots=True)
class Post:
    """A post in every chat of the group. ``card`` is set when the post is a
    proposal's card, so adapters remember where it is and edit it later."""

    document: Document
    card: int | None = None


@dataclass(frozen=True, slots=True)
class EditCard:
    """Bring a proposal's card up to date (tally, stage, deadline).

    The core only says *that* the card changed: the card is drawn when the edit
    is sent, from the state at that moment (the delivery loop asks
    ``Application.draw_card``, which fills in ``document`` with ``cards.card``).
    A burst of responses then costs one drawing per edit actually sent, not one
    per response, and only the latest edit of a card is ever sent (older
    undelivered ones are superseded)."""

    number: int
    document: Document | None = None

    @property
    def drawn(self) -> Document:
        """The card to show; adapters only ever see edits the delivery loop has drawn."""
        if self.document is None:
            raise ValueError(f"card #{self.number} has not been drawn yet")
        return self.document


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer to the person who asked, in the chat where they asked."""

    chat: str
    document: Document
    private: bool = False


@dataclass(frozen=True, slots=True)
class DirectMessage:
    """A private message (a nudge, a reminder). Where no private chat is
    possible, adapters fall back to mentioning the person in the group when
    ``fallback`` is set."""

    member: int
    name: str
    identities: tuple[str, ...]
    document: Document
    fallback: bool = True


@dataclass(frozen=True, slots=True)
class AskReason:
    """Ask someone for the reason their response needs (a concern, an
    objection), in a way they can answer by simply replying."""

    chat: str
    member: int
    name: str
    identities: tuple[str, ...]
    number: int
    word: str
    document: Document


@dataclass(frozen=True, slots=True)
class SendFile:
    """A file (an export, a calendar entry, a printable record). It goes to
    ``chat``, to every chat of the group when ``chat`` is None, or privately
    to ``member`` (through ``identities``) when that is set."""

    filename: str
    mime: str
    content: str
    caption: Document | None = None
    chat: str | None = None
    member: int | None = None
    identities: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SetTimer:
    """Wake the core with ``event`` at ``due``. One timer per key: setting a
    key again moves it."""

    key: str
    due: datetime
    event: TimerEvent


@dataclass(frozen=True, slots=True)
class CancelTimer:
    key: str


@dataclass(frozen=True, slots=True)
class Forget:
    """Erase what storage holds that names a person, in the same transaction as the
    ``forgetme`` that asked for it, so that a crash cannot leave half of it done.

    It is not a message: storage carries it out (``bot.core.forgetting`` says how
    a stored command, summary or message is rewritten). ``names`` and ``handles``
    are what the person was called; ``former`` is the words put in their place,
    in the group's language."""

    member: int
    identities: tuple[str, ...]
    names: tuple[str, ...]
    handles: tuple[str, ...]
    former: str

    @property
    def pseudonym(self) -> str:
        """The identity the person's past commands carry from now on. It names the
        member, not the person, so replaying the record still finds the same member."""
        return f"{FORMER}{self.member}"


# No platform makes identities with this prefix, so a pseudonym is never a real account.
FORMER = "former:"

Message = Post | EditCard | Reply | DirectMessage | AskReason | SendFile
Effect = Message | SetTimer | CancelTimer | Forget
