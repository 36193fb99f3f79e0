"""Button presses and emoji reactions: shortcuts for typed commands.

A button's callback data is an opaque token. The application looks it up, never
trusted: an unknown token (forged, or from a wiped database) changes nothing,
and in a group a token is only honoured on its own group's chat, so a button
copied from another group's card does nothing either. The command behind the
token is then submitted as the person who pressed, exactly as if they had
typed it: whether they may respond, and whether the proposal is still open,
is the core's business. Every press is answered, with the core's reply shown
in the button's pop-up (as an alert when the core refused). That reply is
stored held (``gesture=True``), never sent while held: once the pop-up showed
it the hold is confirmed (delivered, never posted); when Telegram did not take
the answer it is released and posted in the chat, so nobody goes unanswered.
A reaction's reply is confirmed at once: the card's tally answers it.

A button whose words are not a whole command ("object #7" needs a reason,
"ask #7" a question) is submitted as the response or question without its
text: the core then asks for it, and the answer comes as a reply.

A reaction on a card is a response when its emoji means one in the card's
process (👍 is consent, 👎 an objection); taking the reaction away takes the
response back. Other emoji are just emoji.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import Bot, CallbackQuery, MessageReactionUpdated, ReactionType, ReactionTypeEmoji
from telegram.constants import ChatType
from telegram.error import TelegramError

from adapters.telegram import ids, texts
from adapters.telegram.memory import OPEN, Memory
from adapters.telegram.vouching import Vouching
from bot.app import Application, Remember, Submission, Submitted
from bot.core import commands as c
from bot.core.document import plain_text
from bot.core.language import NotUnderstood, parse
from bot.core.processes import PROCESSES

log = logging.getLogger("deciding_together.telegram")

POPUP_LIMIT = 200  # characters Telegram shows in a button's pop-up
_INCOMPLETE = re.compile(r"(?P<word>[^\W\d_][\w ]*?) #(?P<number>\d+)")


def pressed(command: str) -> c.Action | None:
    """The action for a button whose command is incomplete without words, else None
    (the command is then submitted as text, like typed words)."""
    if not isinstance(parse(command), NotUnderstood):
        return None
    found = _INCOMPLETE.fullmatch(command)
    if found is None:
        return None
    word, number = found.group("word"), int(found.group("number"))
    return c.Ask(number, "") if word == "ask" else c.Respond(number, word)


def action_of(command: str) -> c.Action | None:
    """What a button's command means, read once: the words as typed would be read,
    or the incomplete action (:func:`pressed`); None when neither."""
    parsed = parse(command)
    return parsed if not isinstance(parsed, NotUnderstood) else pressed(command)


def popup_text(submitted: Submitted) -> str:
    text = "\n".join(plain_text(d, with_actions=False) for d in submitted.replies())
    return text if len(text) <= POPUP_LIMIT else text[: POPUP_LIMIT - 1].rstrip() + "…"


def emojis(reactions: Sequence[ReactionType]) -> list[str]:
    return [r.emoji for r in reactions if isinstance(r, ReactionTypeEmoji)]


@dataclass(frozen=True, slots=True)
class Press:
    """A button press in a group's chat, looked up and ready to be submitted."""

    query: CallbackQuery
    key: str
    chat: str
    group_id: str
    command: str

    def submission(self) -> Submission:
        # Read here, so the application does not read the words a second time.
        action = action_of(self.command)
        title = self.query.message.chat.title if self.query.message is not None else None
        return Submission(
            chat=self.chat,
            actor=ids.actor(self.query.from_user),
            text=self.command if action is None else None,
            action=action,
            group_id=self.group_id,
            update_key=self.key,
            chat_title=title or "",
            gesture=True,
        )


def refused(submitted: Submitted) -> bool:
    return submitted.decision is not None and submitted.decision.refused


class Gestures:
    def __init__(self, app: Application, bot: Bot, memory: Memory, vouching: Vouching) -> None:
        self.app = app
        self.bot = bot
        self.memory = memory
        self.vouching = vouching

    # -- buttons ---------------------------------------------------------------------------

    async def press(self, query: CallbackQuery, key: str) -> None:
        person, message = query.from_user, query.message
        language = person.language_code
        found = await self.app.command_behind(query.data or "", "button")
        if message is None or found is None:
            await self._answer(query, texts.say(texts.UNKNOWN_BUTTON, language), alert=True)
            return
        group_id, command = found
        private = message.chat.type == ChatType.PRIVATE
        chat = ids.private_chat(person.id) if private else ids.chat_key(message.chat.id)
        remember: tuple[Remember, ...] = ()
        if private:
            await self.memory.set_private_status(person.id, OPEN)
            remember = (self.memory.private_group_chosen(person.id, group_id),)
        elif await self.app.group_id_of_chat(chat) != group_id:
            await self._answer(query, texts.say(texts.OTHER_GROUP_BUTTON, language), alert=True)
            return
        # In a public group, people who never joined see the card too.
        present = not private and await self.vouching.present(message.chat.id, person, group_id)
        action = pressed(command)
        submitted = await self.app.submit(
            chat=chat,
            actor=ids.actor(person),
            text=command if action is None else None,
            action=action,
            private=private,
            present=present,
            group_id=group_id,
            update_key=key,
            chat_title=message.chat.title or "",
            remember=remember,
            gesture=True,
        )
        # After the commit: the reply is held until the pop-up showed it.
        shown = await self._answer(query, popup_text(submitted), alert=refused(submitted))
        await self._settle(submitted, shown)

    async def plain(self, query: CallbackQuery, key: str) -> Press | None:
        """The press, when it is a known button pressed in its own group's chat (one that
        may be taken together with others); None for anything else, for :meth:`press`."""
        message = query.message
        if message is None or message.chat.type == ChatType.PRIVATE:
            return None
        found = await self.app.command_behind(query.data or "", "button")
        if found is None:
            return None
        group_id, command = found
        chat = ids.chat_key(message.chat.id)
        if await self.app.group_id_of_chat(chat) != group_id:
            return None
        group = await self.app.group(group_id)
        member = group.member_by_identity(ids.identity(query.from_user.id)) if group else None
        if member is None or not member.active:
            return None  # someone the group does not count: Telegram is asked first
        return Press(query, key, chat, group_id, command)

    async def press_many(self, presses: Sequence[Press]) -> None:
        """Several presses decided and stored in one transaction, then all answered.

        Each is answered only after the commit, so a pop-up never confirms a
        press that a crash could still lose. The answers go out one after
        another, at once: sent side by side they were slower, since each
        costs mostly processor time, and they would crowd the card edits."""
        submitted = await self.app.submit_many([p.submission() for p in presses])
        answered = [
            await self._answer(p.query, popup_text(s), alert=refused(s))
            for p, s in zip(presses, submitted, strict=True)
        ]
        settled = list(zip(submitted, answered, strict=True))
        await self.app.confirm_held(*(s.held for s, shown in settled if s.held and shown))
        await self.app.release_held(*(s.held for s, shown in settled if s.held and not shown))

    async def _answer(self, query: CallbackQuery, text: str, *, alert: bool = False) -> bool:
        """Answer a press in its pop-up; False when Telegram did not take the answer."""
        try:
            await self.bot.answer_callback_query(query.id, text=text or None, show_alert=alert)
        except TelegramError as error:
            # Too late (a press answered before a restart) or Telegram unreachable: the
            # press itself is recorded, only its pop-up is lost.
            log.info("could not answer a button press: %s", error)
            return False
        return True

    async def _settle(self, submitted: Submitted, shown: bool) -> None:
        """Settle a press's held reply: shown in the pop-up, it is never posted;
        not shown (Telegram did not take the answer), it goes to the chat."""
        if submitted.held is None:
            return
        if shown:
            await self.app.confirm_held(submitted.held)
        else:
            await self.app.release_held(submitted.held)

    # -- reactions -------------------------------------------------------------------------

    async def react(self, reaction: MessageReactionUpdated, key: str) -> None:
        person = reaction.user
        if person is None or person.is_bot or person.id in ids.ANONYMOUS_ACCOUNTS:
            return  # an anonymous reaction speaks for nobody
        chat = ids.chat_key(reaction.chat.id)
        found = await self.app.card_at(chat, str(reaction.message_id))
        if found is None:
            return  # a reaction to an ordinary message
        group_id, number = found
        proposal = await self.app.proposal(group_id, number)
        if proposal is None:
            return
        process = PROCESSES[proposal.process]
        if process.needs_options:
            return  # a poll's vote needs an option number, which an emoji cannot give

        def means_something(emoji: str) -> bool:
            return process.response(emoji) is not None

        old, new = emojis(reaction.old_reaction), emojis(reaction.new_reaction)
        actions: list[c.Action] = [
            *(c.Unrespond(number, e) for e in old if e not in new and means_something(e)),
            *(c.Respond(number, e) for e in new if e not in old and means_something(e)),
        ]
        present = bool(actions) and await self.vouching.present(reaction.chat.id, person, group_id)
        for index, action in enumerate(actions):
            submitted = await self.app.submit(
                chat=chat,
                actor=ids.actor(person),
                action=action,
                present=present,
                group_id=group_id,
                update_key=key if index == 0 else f"{key}:{index}",
                chat_title=reaction.chat.title or "",
                gesture=True,
            )
            # The card's tally is the answer: the reply is never posted.
            await self._settle(submitted, shown=True)
