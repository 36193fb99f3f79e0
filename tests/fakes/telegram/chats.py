"""Who is who: ``getMe``, ``getChat`` and ``getChatMember``."""

from __future__ import annotations

from .checks import target_chat
from .objects import JSONDict, Params, bad_request, chat_member_json
from .state import TelegramState


class Chats(TelegramState):
    """The methods that read the bot, chats and members."""

    def _api_get_me(self, p: Params) -> JSONDict:
        return {
            **self.bot.to_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _api_get_chat_member(self, p: Params) -> JSONDict:
        chat = target_chat(self, p, writing=False)
        user_id = p.required_int("user_id")
        if user_id == self.bot.id:
            return chat_member_json(self.bot, chat.bot_status)
        user = self.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        if chat.type == "private":
            return chat_member_json(user, "member")
        return chat_member_json(user, chat.members.get(user_id, "left"))

    def _api_get_chat(self, p: Params) -> JSONDict:
        return target_chat(self, p, writing=False).full_info_json()
