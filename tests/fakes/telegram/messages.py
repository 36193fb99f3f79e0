"""The bot's messages: send, edit, delete, react, and the typing indicator."""

from __future__ import annotations

from telegram.constants import ReactionEmoji

from .checks import (
    MESSAGE_LIMIT,
    editable_message,
    formatted_text,
    inline_part,
    not_modified,
    reply_markup,
    reply_target,
    target_chat,
)
from .objects import Edit, JSONDict, Params, bad_request
from .state import TelegramState


class Messages(TelegramState):
    """The Bot API methods that write or change messages."""

    def _api_send_message(self, p: Params) -> JSONDict:
        chat = target_chat(self, p, writing=True)
        text, entities = formatted_text(self, p, "text", "entities", MESSAGE_LIMIT)
        markup = reply_markup(p)
        reply_to = reply_target(chat, p)
        message = self._store(
            chat, self.bot, text=text, entities=entities, reply_markup=markup, reply_to=reply_to
        )
        return message.to_json()

    def _api_edit_message_text(self, p: Params) -> JSONDict:
        _, message = editable_message(self, p)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        text, entities = formatted_text(self, p, "text", "entities", MESSAGE_LIMIT)
        # Like Telegram: an edit without reply_markup removes the inline keyboard.
        markup = reply_markup(p)
        if (
            text == message.text
            and entities == message.entities
            and inline_part(markup) == inline_part(message.reply_markup)
        ):
            raise not_modified()
        message.text, message.entities, message.reply_markup = text, entities, markup
        message.edits.append(Edit(self._now(), "editMessageText", text, markup))
        return message.to_json()

    def _api_edit_message_reply_markup(self, p: Params) -> JSONDict:
        _, message = editable_message(self, p)
        markup = reply_markup(p)
        if inline_part(markup) == inline_part(message.reply_markup):
            raise not_modified()
        message.reply_markup = markup
        message.edits.append(Edit(self._now(), "editMessageReplyMarkup", message.text, markup))
        return message.to_json()

    def _api_delete_message(self, p: Params) -> bool:
        chat = target_chat(self, p, writing=True)
        message = chat.messages.get(p.required_int("message_id"))
        if message is None or message.deleted:
            raise bad_request("message to delete not found")
        if not message.from_bot and chat.is_group and not chat.bot_is_admin:
            raise bad_request("message can't be deleted")
        message.deleted, message.deleted_at = True, self._now()
        return True

    def _api_set_message_reaction(self, p: Params) -> bool:
        chat = target_chat(self, p, writing=True)
        message = chat.messages.get(p.required_int("message_id"))
        if message is None or message.deleted:
            raise bad_request("MESSAGE_ID_INVALID")
        reaction = p.obj("reaction") or []
        for item in reaction:
            if item.get("type") != "emoji" or item.get("emoji") not in set(ReactionEmoji):
                raise bad_request("REACTION_INVALID")
        message.bot_reaction = reaction
        return True

    def _api_send_chat_action(self, p: Params) -> bool:
        target_chat(self, p, writing=True)
        return True
