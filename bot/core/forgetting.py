"""How a forgotten person's traces are rewritten: the rules behind ``Forget``.

``forgetme`` erases a person from the group's state (``people.forget_me``).
Storage holds more that may name them: the audit log's commands and summaries,
the messages of the outbox, and what adapters remember. The first two are core
values, so the rules for rewriting them live here, pure and testable;
``storage.forgetting`` finds the rows and applies these rules in the very
transaction of the ``forgetme``.

* A command the person sent keeps every word they typed (the group's state
  keeps them too, as "a former member"'s). Only who sent it changes: the actor
  becomes the pseudonym (identity ``former:<member id>``, named "a former
  member", no handle, the same language), and a private chat of theirs becomes
  the pseudonym's. Replaying the record finds the same member by the pseudonym,
  so the group comes out the same.
* What the bot wrote (an audit summary, a message still to be sent) has the
  person's accounts replaced by the pseudonym, mentions of them by plain words,
  and their names and handles by "a former member".
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, TypeVar

from bot.core.commands import Actor, Command, Request
from bot.core.document import Mention
from bot.core.effects import FORMER, AskReason, DirectMessage, Forget, Message, Reply, SendFile

T = TypeVar("T")

PRIVATE = "dm:"  # a private chat with a person, as a chat or a delivery target: "dm:" + identity


def private_chats(forget: Forget) -> frozenset[str]:
    """The person's private chats with the bot, as chats and delivery targets."""
    return frozenset(PRIVATE + identity for identity in forget.identities)


def pseudonym_member(identity: str) -> int | None:
    """The member a pseudonym stands for ("former:3" → 3), or None for a real account."""
    number = identity.removeprefix(FORMER)
    return int(number) if identity.startswith(FORMER) and number.isdigit() else None


# -- the audit log -------------------------------------------------------------------------


def redact_command(command: Command, forget: Forget) -> Command | None:
    """The command with the person replaced by the pseudonym, or None when they did not
    send it (then it is not theirs to change)."""
    if not isinstance(command, Request) or command.actor.identity not in forget.identities:
        return None
    actor = Actor(
        identity=forget.pseudonym,
        name=forget.former,
        handle=None,
        language=command.actor.language,
    )
    return dataclasses.replace(command, actor=actor, chat=_account(command.chat, forget))


def redact_text(text: str, forget: Forget) -> str:
    """Words the bot wrote, with the person's accounts, names and handles replaced."""
    accounts, words = _accounts(forget), _words(forget)
    if accounts is not None:
        text = accounts.sub(lambda found: _account(found.group(0), forget), text)
    return words.sub(forget.former, text) if words is not None else text


# -- the outbox ----------------------------------------------------------------------------


def addressed_to(effect: Message, forget: Forget) -> bool:
    """Whether a message is for the person alone (a reminder, a question, their file):
    once they are forgotten, it has nobody to go to."""
    if isinstance(effect, DirectMessage | AskReason):
        return effect.member == forget.member or _shares(effect.identities, forget)
    if isinstance(effect, SendFile):
        return (
            effect.member == forget.member
            or _shares(effect.identities, forget)
            or effect.chat in private_chats(forget)
        )
    if isinstance(effect, Reply):
        return effect.chat in private_chats(forget)
    return False


def names(value: object, forget: Forget) -> bool:
    """Whether any words in ``value`` (a message, a document) name the person."""
    patterns = [p for p in (_accounts(forget), _words(forget)) if p is not None]
    return any(p.search(text) for text in texts_in(value) for p in patterns)


def scrub(value: T, forget: Forget) -> T:
    """``value`` with every account, mention, name and handle of the person replaced.

    The same object comes back when nothing in it named them."""
    scrubbed: T = _scrub(value, forget)
    return scrubbed


def _scrub(value: Any, forget: Forget) -> Any:
    if isinstance(value, str):
        scrubbed = redact_text(value, forget)
        return value if scrubbed == value else scrubbed
    if isinstance(value, Mention) and value.identity in forget.identities:
        return Mention(forget.former, None)  # plain words: there is nobody to notify
    if isinstance(value, tuple):
        items = tuple(_scrub(item, forget) for item in value)
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {
            f.name: new
            for f in dataclasses.fields(value)
            if (new := _scrub(old := getattr(value, f.name), forget)) is not old
        }
        return dataclasses.replace(value, **changed) if changed else value
    return value


def texts_in(value: Any) -> Iterator[str]:
    """Every string in a value: the value itself, or the strings in its tuples and
    dataclass fields, all the way down (an effect, a document, a command)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from texts_in(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from texts_in(getattr(value, f.name))


# -- helpers -------------------------------------------------------------------------------


def _account(chat: str, forget: Forget) -> str:
    """A chat or identity of the person's as the pseudonym's; any other unchanged."""
    if chat in forget.identities:
        return forget.pseudonym
    if chat in private_chats(forget):
        return PRIVATE + forget.pseudonym
    return chat


def _shares(identities: tuple[str, ...], forget: Forget) -> bool:
    return not set(identities).isdisjoint(forget.identities)


@lru_cache(maxsize=8)
def _accounts(forget: Forget) -> re.Pattern[str] | None:
    """The person's accounts and private chats, whole ("telegram:1002", not "telegram:10023")."""
    accounts = sorted(set(forget.identities) | private_chats(forget), key=len, reverse=True)
    if not accounts:
        return None
    return re.compile(rf"(?<![\w:])(?:{'|'.join(re.escape(a) for a in accounts)})(?!\w)")


@lru_cache(maxsize=8)
def _words(forget: Forget) -> re.Pattern[str] | None:
    """The person's names and handles ("@alexq"), as whole words.

    A handle alone ("alexq") is not looked for: it may be an ordinary word ("mum").
    Longest first, so "Alexandra Quigley" is replaced whole, not "Alexandra" in it."""
    spoken = {n.strip() for n in forget.names if n.strip()}
    spoken |= {f"@{h}" for h in forget.handles if h}
    if not spoken:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(spoken, key=len, reverse=True))
    return re.compile(rf"(?<![\w@])(?:{alternatives})(?!\w)")
