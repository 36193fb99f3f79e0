"""Messages people write: in a group, and privately to the bot.

In a group the bot listens to:

* commands: "/consent #7", and "/consent@ThisBot #7" (but not "/consent@OtherBot",
  which is for another bot in the same group), and words that start with the
  bot's @username;
* replies to a proposal card, which need no "#7" ("consent", "object: too early");
  with privacy mode off the bot sees all messages, and replies that are not a
  command it understands are left alone, as ordinary chat;
* replies to a prompt that asked for a reason (a ForceReply message), from the
  person it asked: "too early for Mum" becomes "object #7 too early for Mum".

Everything else is ordinary chat and is ignored. Posts made anonymously (an
anonymous admin, a channel) are never taken as anyone's; a command made that
way gets the core's answer that people should post as themselves.

Privately: "/start" with a deep-link payload (the token of a "get reminders"
button) turns reminders on for that group; "/start" alone gets the help text;
anything else is read as a command, with the group the person last used
privately when they are in several.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from telegram import Message
from telegram.constants import ChatType
from telegram.error import TelegramError

from adapters.telegram import ids, texts
from adapters.telegram.memory import OPEN, Memory, Prompt
from adapters.telegram.render import render
from adapters.telegram.roster import Roster
from adapters.telegram.send import Sender
from adapters.telegram.vouching import Vouching
from bot.app import Application, Remember, Submitted
from bot.core.commands import Actor

log = logging.getLogger("deciding_together.telegram")


@dataclass(frozen=True, slots=True)
class Answering:
    """A message that answers a prompt (message ``prompt_id``) of the bot."""

    prompt: Prompt
    prompt_id: int

    def completed(self, words: str) -> str:
        """The command the prompt was waiting for: "object #7 " + the reason."""
        return f"{self.prompt.word} #{self.prompt.number} {words.strip()}"


_COMMAND = re.compile(r"/(?P<word>[^\s@]+)(?:@(?P<bot>\S+))?")
_START = re.compile(r"/start(?:@\S+)?(?:\s+(?P<payload>\S+))?\s*", re.IGNORECASE)


class Messages:
    def __init__(
        self,
        app: Application,
        sender: Sender,
        memory: Memory,
        roster: Roster,
        vouching: Vouching,
        username: str,
        bot_id: int,
    ) -> None:
        self.app = app
        self.sender = sender
        self.memory = memory
        self.roster = roster
        self.vouching = vouching
        self.username = username
        self.bot_id = bot_id

    async def handle(self, message: Message, key: str) -> None:
        chat, person = message.chat, message.from_user
        if message.migrate_to_chat_id is not None:
            await self.roster.chat_moved(chat.id, message.migrate_to_chat_id, key, person)
        elif message.migrate_from_chat_id is not None:
            await self.roster.chat_moved(message.migrate_from_chat_id, chat.id, key, person)
        elif message.new_chat_members:
            for index, user in enumerate(message.new_chat_members):
                await self.roster.joined_or_left(chat, user, True, _nth(key, index))
        elif message.left_chat_member is not None:
            await self.roster.joined_or_left(chat, message.left_chat_member, False, key)
        elif message.text is None or person is None:
            return  # photos, stickers and other messages without words
        elif message.is_automatic_forward or person.id == ids.TELEGRAM_SERVICE:
            return  # a linked channel's post, forwarded by Telegram
        elif chat.type == ChatType.PRIVATE:
            await self._private(message, key)
        else:
            await self._in_group(message, key)

    # -- in a group ------------------------------------------------------------------------

    async def _in_group(self, message: Message, key: str) -> None:
        assert message.text is not None and message.from_user is not None
        addressed = self.addressed(message.text)
        if addressed is None:
            return  # a command for another bot
        words, explicit = addressed
        chat = ids.chat_key(message.chat.id)
        person = message.from_user
        if message.sender_chat is not None or person.id in ids.ANONYMOUS_ACCOUNTS:
            if explicit:  # the core answers that it can't tell who this is
                anonymous = person.id if person.id in ids.ANONYMOUS_ACCOUNTS else ids.CHANNEL_BOT
                await self.app.submit(
                    chat=chat,
                    actor=Actor(ids.identity(anonymous), "Anonymous"),
                    text=words,
                    update_key=key,
                )
            return
        answering = await self._answering(message)
        if answering is not None:
            if _cancels(words):
                await self.memory.prompt_cancelled(message.chat.id, answering.prompt_id)
                return
            words, explicit = answering.completed(words), True
        reply_to = await self._card_replied_to(message)
        if not explicit and reply_to is None:
            return  # ordinary chat
        group_id = answering.prompt.group_id if answering is not None else None
        # A channel's discussion group lets people comment without joining it.
        present = await self.vouching.present(message.chat.id, person, group_id)
        submitted = await self.app.submit(
            chat=chat,
            actor=ids.actor(person),
            text=words,
            explicit=explicit,
            reply_to=reply_to,
            present=present,
            group_id=group_id,
            update_key=key,
            chat_title=message.chat.title or "",
            remember=self._closing(message, answering),
        )
        await self._answer_directly(message.chat.id, submitted)

    def addressed(self, text: str) -> tuple[str, bool] | None:
        """The words for the core and whether they were addressed to the bot, or None when
        they were addressed to another bot."""
        stripped = text.strip()
        command = _COMMAND.match(stripped)
        if command is not None:
            bot = command.group("bot")
            if bot is not None and bot.lower() != self.username.lower():
                return None
            return f"/{command.group('word')}{stripped[command.end() :]}", True
        mention = f"@{self.username}".lower()
        if stripped.lower().startswith(mention):
            return stripped[len(mention) :].lstrip(" ,:"), True
        return text, False

    async def _card_replied_to(self, message: Message) -> int | None:
        """The number of the proposal whose card this message replies to, if any."""
        replied = message.reply_to_message
        if replied is None or not self._from_bot(replied):
            return None
        found = await self.app.card_at(ids.chat_key(message.chat.id), str(replied.message_id))
        return found[1] if found is not None else None

    async def _answering(self, message: Message) -> Answering | None:
        """The prompt this message answers: the bot asked its sender, and it is still open.

        A command typed in reply ("/object #7 …") is taken as it is, not as an answer."""
        assert message.text is not None and message.from_user is not None
        replied = message.reply_to_message
        if replied is None or not self._from_bot(replied) or message.text.lstrip()[:1] == "/":
            return None
        prompt = await self.memory.prompt(message.chat.id, replied.message_id)
        if prompt is None or prompt.user != message.from_user.id:
            return None
        return Answering(prompt, replied.message_id)

    def _from_bot(self, message: Message) -> bool:
        return message.from_user is not None and message.from_user.id == self.bot_id

    # -- privately ---------------------------------------------------------------------------

    async def _private(self, message: Message, key: str) -> None:
        assert message.text is not None and message.from_user is not None
        person = message.from_user
        await self.memory.set_private_status(person.id, OPEN)  # they wrote: we may write back
        text = message.text.strip()
        group_id: str | None = None
        answering: Answering | None = None
        remember: tuple[Remember, ...] = ()
        start = _START.fullmatch(text)
        if start is not None:
            found = None
            if start.group("payload"):
                found = await self.app.command_behind(start.group("payload"), "deep link")
            if found is None:
                text = "help"
            else:
                group_id, text = found  # the deep link's command, for its group
                remember = (self.memory.private_group_chosen(person.id, group_id),)
        elif (answering := await self._answering(message)) is not None:
            if _cancels(text):
                await self.memory.prompt_cancelled(message.chat.id, answering.prompt_id)
                return
            text, group_id = answering.completed(text), answering.prompt.group_id
        else:
            addressed = self.addressed(text)
            text = addressed[0] if addressed is not None else text
            group_id = await self.memory.private_group(person.id)
        submitted = await self.app.submit(
            chat=ids.private_chat(person.id),
            actor=ids.actor(person),
            text=text,
            private=True,
            present=False,
            group_id=group_id,
            update_key=key,
            remember=remember + self._closing(message, answering),
        )
        await self._answer_directly(message.chat.id, submitted)

    def _closing(self, message: Message, answering: Answering | None) -> tuple[Remember, ...]:
        """The prompt an answer closes, stored with the answer's command. A refused
        answer (too long, say) leaves the prompt open for another try."""
        if answering is None:
            return ()
        return (self.memory.prompt_answered(message.chat.id, answering.prompt_id),)

    async def _answer_directly(self, chat_id: int, submitted: Submitted) -> None:
        """Answers the application did not store (no group to store them in) go out now."""
        for document in submitted.direct:
            try:
                await self.sender.send_text(chat_id, render(document), patient=True)
            except TelegramError as error:
                log.warning("could not answer in chat %s: %s", chat_id, error)


def _nth(key: str, index: int) -> str:
    """A distinct update key for each command one update makes."""
    return key if index == 0 else f"{key}:{index}"


def _cancels(words: str) -> bool:
    return words.strip().lower() in texts.CANCEL_WORDS
