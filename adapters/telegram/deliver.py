"""From the outbox to Telegram: one small sender per kind of message.

* ``Post``: a message in the group's chat, with buttons; a card's message id is
  returned so the delivery loop remembers where the card is.
* ``EditCard``: the card's message edited in place. A card that cannot be found
  in this chat (the chat moved, the message was deleted) is posted afresh.
* ``Reply``: an answer where the person asked. One shown in a button's pop-up
  never gets here: it is held in the outbox and confirmed by the press.
* ``DirectMessage``: a private message; where Telegram refuses (the person never
  started the bot, or blocked it) a mention in the group's chat instead.
* ``AskReason``: a ForceReply prompt, remembered so the reply completes the command.
* ``SendFile``: a document. A person's own file (``mydata``) goes to them
  privately or not at all: where Telegram refuses, the group's chat is told, with
  a mention and a link that opens a private chat and asks again.

Buttons carry an opaque token, looked up by the application when pressed; "reminders
on" is a link that opens a private chat with the bot (a deep link) instead,
since that is the only way Telegram lets a bot write to someone privately.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden

from adapters.telegram import ids, texts
from adapters.telegram.memory import OPEN, REFUSED, Memory, Prompt
from adapters.telegram.render import CAPTION_LIMIT, keyboard, render, render_one
from adapters.telegram.send import Sender
from bot.app import Application, Delivery, TokenKind, Undeliverable
from bot.core.document import Action, Document, Mention, Paragraph, Text, para
from bot.core.effects import AskReason, DirectMessage, EditCard, Post, Reply, SendFile

log = logging.getLogger("deciding_together.telegram")

REMINDERS_ON = "reminders on"
MYDATA = "mydata"
# Buttons that open a private chat with the bot and say their command there: the
# only way Telegram lets a bot write to someone privately is after they start it.
PRIVATE_STARTS = frozenset({REMINDERS_ON, MYDATA})


def deep_link(username: str, token: str) -> str:
    return f"https://t.me/{username}?start={token}"


class Deliverer:
    def __init__(
        self,
        app: Application,
        sender: Sender,
        memory: Memory,
        username: str,
    ) -> None:
        self.app = app
        self.sender = sender
        self.memory = memory
        self.username = username
        self._tokens: dict[tuple[str, str, TokenKind], str] = {}
        self._kinds: dict[type, Callable[[Delivery, Any], Awaitable[str | None]]] = {
            Post: self._post,
            EditCard: self._edit_card,
            Reply: self._reply,
            DirectMessage: self._direct,
            AskReason: self._ask_reason,
            SendFile: self._file,
        }

    async def deliver(self, delivery: Delivery) -> str | None:
        send = self._kinds.get(type(delivery.effect))
        if send is None:
            log.warning("no way to send %s on Telegram; skipped", type(delivery.effect).__name__)
            return None
        return await send(delivery, delivery.effect)

    # -- buttons ---------------------------------------------------------------------------

    async def markup(
        self, actions: tuple[Action, ...], group_id: str
    ) -> InlineKeyboardMarkup | None:
        buttons = []
        for action in actions:
            if action.command in PRIVATE_STARTS:
                token = await self._token(group_id, action.command, "deep link")
                buttons.append(
                    InlineKeyboardButton(action.label, url=deep_link(self.username, token))
                )
            else:
                token = await self._token(group_id, action.command, "button")
                buttons.append(InlineKeyboardButton(action.label, callback_data=token))
        return keyboard(buttons)

    async def _token(self, group_id: str, command: str, kind: TokenKind) -> str:
        """A button's (or deep link's) token; remembered, since it never changes once made
        (a card edit would otherwise look up each of its buttons again)."""
        key = (group_id, command, kind)
        token = self._tokens.get(key)
        if token is None:
            token = await self.app.token_for(group_id, command, kind)
            self._tokens[key] = token
        return token

    # -- one sender per kind ---------------------------------------------------------------

    async def _post(self, delivery: Delivery, effect: Post) -> str | None:
        chat_id = ids.chat_id_of(delivery.target)
        markup = await self.markup(effect.document.actions, delivery.group_id)
        if effect.card is not None:
            parts = [await self._card_html(delivery, effect.card, effect.document)]
        else:
            parts = render(effect.document)
        sent = await self.sender.send_text(chat_id, parts, markup)
        if effect.card is not None and sent.chat.id != chat_id:
            # It went to the chat this one became: remember the card there, not here.
            await self.app.note_card_posted(
                delivery.group_id, effect.card, ids.chat_key(sent.chat.id), str(sent.message_id)
            )
            return None
        return str(sent.message_id)

    async def _edit_card(self, delivery: Delivery, effect: EditCard) -> str | None:
        chat_id = await self.sender.current_chat(ids.chat_id_of(delivery.target))
        refs = await self.app.card_messages(delivery.group_id, effect.number)
        ref = refs.get(ids.chat_key(chat_id))
        markup = await self.markup(effect.drawn.actions, delivery.group_id)
        card = await self._card_html(delivery, effect.number, effect.drawn)
        if ref is not None and await self.sender.edit_text(chat_id, int(ref), card, markup):
            return None
        sent = await self.sender.send_text(chat_id, [card], markup)
        await self.app.note_card_posted(
            delivery.group_id, effect.number, ids.chat_key(sent.chat.id), str(sent.message_id)
        )
        return None

    async def _card_html(self, delivery: Delivery, number: int, document: Document) -> str:
        """A card is one message, so that it can be edited: shortened if it must be."""
        group = await self.app.group(delivery.group_id)
        language = group.settings.language if group else None
        note = para(texts.say(texts.SHORTENED, language).format(number=number))
        return render_one(document, note)

    async def _reply(self, delivery: Delivery, effect: Reply) -> str | None:
        markup = await self.markup(effect.document.actions, delivery.group_id)
        sent = await self.sender.send_text(
            ids.chat_id_of(delivery.target), render(effect.document), markup
        )
        return str(sent.message_id)

    async def _direct(self, delivery: Delivery, effect: DirectMessage) -> str | None:
        user_id = ids.chat_id_of(delivery.target)
        if await self.memory.private_status(user_id) != REFUSED:
            markup = await self.markup(effect.document.actions, delivery.group_id)
            try:
                sent = await self.sender.send_text(user_id, render(effect.document), markup)
            except Forbidden:
                log.info("Telegram user %s cannot be messaged privately; remembered", user_id)
                await self.memory.set_private_status(user_id, REFUSED)
            else:
                await self.memory.set_private_status(user_id, OPEN)
                await self.memory.set_private_group(user_id, delivery.group_id)
                return str(sent.message_id)
        if not effect.fallback:
            raise Undeliverable(f"{effect.name} cannot be messaged privately on Telegram")
        reminders = ("🔔 ", texts.GET_REMINDERS, REMINDERS_ON)
        lead = texts.CANNOT_MESSAGE_PRIVATELY
        await self._mention_in_group(
            delivery, effect.name, user_id, lead, effect.document, reminders
        )
        return None

    async def _mention_in_group(
        self,
        delivery: Delivery,
        name: str,
        user_id: int,
        lead: str,
        document: Document,
        button: tuple[str, str, str],
    ) -> None:
        """What could not be said privately, said in the group's Telegram chats: a
        mention of the person and ``lead`` first, and ``button`` (an icon, its words,
        its command) to open a private chat with the bot."""
        group = await self.app.group(delivery.group_id)
        chats = [c for c in (group.chats if group else ()) if c.startswith(f"{ids.PLATFORM}:")]
        if not chats:
            raise Undeliverable(
                f"{name} cannot be messaged privately, and the group "
                "has no Telegram chat to mention them in"
            )
        language = group.settings.language if group else None
        first = para(Mention(name, ids.identity(user_id)), " — ", texts.say(lead, language))
        icon, words, command = button
        actions = (*document.actions, Action(icon + texts.say(words, language), command))
        said = Document((first, *document.blocks), actions)
        markup = await self.markup(said.actions, delivery.group_id)
        for chat in chats:
            await self.sender.send_text(ids.chat_id_of(chat), render(said), markup)

    async def _ask_reason(self, delivery: Delivery, effect: AskReason) -> str | None:
        if ids.is_private(delivery.target):
            return await self._ask_reason_privately(delivery, effect)
        chat_id = await self.sender.current_chat(ids.chat_id_of(delivery.target))
        user_id = ids.user_id_of(effect.identities)
        document = _mention_first(
            effect.document, effect.name, ids.identity(user_id) if user_id is not None else None
        )
        # Under the card it is about, when the card is in this chat.
        refs = await self.app.card_messages(delivery.group_id, effect.number)
        card = refs.get(ids.chat_key(chat_id))
        group = await self.app.group(delivery.group_id)
        placeholder = texts.say(
            texts.REASON_PLACEHOLDER, group.settings.language if group else None
        )
        prompt = ForceReply(selective=True, input_field_placeholder=placeholder)
        sent = await self.sender.send_text(
            chat_id, render(document), prompt, reply_to=int(card) if card else None
        )
        if user_id is not None:
            await self.memory.remember_prompt(
                sent.chat.id,
                sent.message_id,
                Prompt(effect.word, effect.number, user_id, delivery.group_id),
            )
        return str(sent.message_id)

    async def _ask_reason_privately(self, delivery: Delivery, effect: AskReason) -> str | None:
        """A reason asked for in a private chat (an anonymous proposal). Where Telegram
        will not let the bot write first, the group is told how to open a private chat,
        without a name or a mention: a name there would undo the anonymity."""
        user_id = ids.chat_id_of(delivery.target)
        group = await self.app.group(delivery.group_id)
        language = group.settings.language if group else None
        if await self.memory.private_status(user_id) != REFUSED:
            placeholder = texts.say(texts.REASON_PLACEHOLDER, language)
            prompt = ForceReply(input_field_placeholder=placeholder)
            try:
                sent = await self.sender.send_text(user_id, render(effect.document), prompt)
            except Forbidden:
                log.info("Telegram user %s cannot be messaged privately; remembered", user_id)
                await self.memory.set_private_status(user_id, REFUSED)
            else:
                await self.memory.set_private_status(user_id, OPEN)
                await self.memory.remember_prompt(
                    sent.chat.id,
                    sent.message_id,
                    Prompt(effect.word, effect.number, user_id, delivery.group_id),
                )
                return str(sent.message_id)
        chats = [c for c in (group.chats if group else ()) if c.startswith(f"{ids.PLATFORM}:")]
        if not chats:
            raise Undeliverable("a reason cannot be asked for privately, and there is no group")
        words = texts.say(texts.REASON_NEEDS_PRIVATE_CHAT, language).format(number=effect.number)
        start = texts.say(texts.START_PRIVATE_CHAT, language)
        # No start payload: opening the chat is all it takes, then the button works again.
        markup = keyboard(
            [InlineKeyboardButton("🔒 " + start, url=f"https://t.me/{self.username}")]
        )
        for chat in chats:
            await self.sender.send_text(
                ids.chat_id_of(chat), render(Document((para(words),))), markup
            )
        return None

    async def _file(self, delivery: Delivery, effect: SendFile) -> str | None:
        chat_id = ids.chat_id_of(delivery.target)
        private = ids.is_private(delivery.target)
        if private and await self.memory.private_status(chat_id) == REFUSED:
            await self._file_refused(delivery, effect, chat_id)
        caption_parts = render(effect.caption, CAPTION_LIMIT) if effect.caption else []
        caption = caption_parts[0] if len(caption_parts) == 1 else None
        try:
            sent = await self.sender.send_document(
                chat_id, effect.filename, effect.content.encode("utf-8"), caption
            )
        except Forbidden:
            if private:
                await self.memory.set_private_status(chat_id, REFUSED)
                await self._file_refused(delivery, effect, chat_id)
            raise
        if effect.caption is not None and caption is None:
            # Too long for a caption: the words follow as a message of their own.
            await self.sender.send_text(sent.chat.id, render(effect.caption))
        return str(sent.message_id)

    async def _file_refused(self, delivery: Delivery, effect: SendFile, user_id: int) -> None:
        """A person's own file could not go to them privately: it is never posted in the
        group instead (it holds personal data), but the group's chat tells them how to
        get it. Raises ``Undeliverable``, so the outbox records the file as not sent."""
        group = await self.app.group(delivery.group_id)
        member = group.members.get(effect.member) if group and effect.member else None
        if member is not None and member.name:
            start = ("🔒 ", texts.START_PRIVATE_CHAT, MYDATA)
            lead = texts.FILE_NEEDS_PRIVATE_CHAT
            await self._mention_in_group(delivery, member.name, user_id, lead, Document(()), start)
        raise Undeliverable(
            "the person cannot be messaged privately on Telegram; told in the group"
        )


def _mention_first(document: Document, name: str, identity: str | None) -> Document:
    """The document with the person's name, where it leads, as a mention that notifies them."""
    if identity is None or not document.blocks:
        return document
    first = document.blocks[0]
    if isinstance(first, Paragraph) and first.spans and isinstance(first.spans[0], Text):
        text = first.spans[0].text
        if text.startswith(name):
            spans = (Mention(name, identity), Text(text[len(name) :]), *first.spans[1:])
            return replace(document, blocks=(Paragraph(spans), *document.blocks[1:]))
    return replace(document, blocks=(para(Mention(name, identity)), *document.blocks))
