"""How a Bot API call names its chat, its text and its reply, checked the way Telegram checks
them: every method module reads its parameters through these, so the errors are the same.
"""

from __future__ import annotations

from .objects import (
    ApiError,
    EntityParseError,
    FakeChat,
    JSONDict,
    Params,
    StoredMessage,
    bad_request,
    detect_entities,
    parse_html,
    utf16_len,
)
from .state import TelegramState

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024


def target_chat(tg: TelegramState, p: Params, *, writing: bool) -> FakeChat:
    """The chat a call addresses, with Telegram's errors for chats it cannot use."""
    chat_id = p.chat_id()
    if isinstance(chat_id, str):
        chat = next((c for c in tg.chats.values() if f"@{c.username}" == chat_id), None)
    elif chat_id in tg.chats:
        chat = tg.chats[chat_id]
    elif chat_id in tg.users:
        chat = tg.private_chat(chat_id)
    else:
        chat = None
    if chat is None:
        raise bad_request("chat not found")
    if chat.migrated_to is not None:
        raise bad_request(
            "group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": chat.migrated_to},
        )
    if writing and chat.type == "private":
        assert chat.private_user is not None
        if chat.private_user.blocked_bot:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if not chat.private_user.started_bot:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
    elif writing and not chat.bot_is_member:
        what = "supergroup chat" if chat.type == "supergroup" else "group chat"
        if chat.bot_status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {what}")
        raise ApiError(403, f"Forbidden: bot is not a member of the {what}")
    return chat


def editable_message(tg: TelegramState, p: Params) -> tuple[FakeChat, StoredMessage]:
    if p.has("inline_message_id"):
        raise bad_request("inline messages are not supported by this fake")
    chat = target_chat(tg, p, writing=True)
    message = chat.messages.get(p.required_int("message_id"))
    if message is None or message.deleted:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return chat, message


def formatted_text(
    tg, p: Params, name: str, entities_name: str, limit: int
) -> tuple[str, list[JSONDict]]:
    """The text (or caption) after parse_mode, with its entities, checked like Telegram."""
    raw = p.string(name) or ""
    if not raw.strip():
        raise bad_request("message text is empty")
    parse_mode = (p.string("parse_mode") or "").lower()
    if parse_mode == "html":
        try:
            text, entities = parse_html(raw, tg.users)
        except EntityParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
    elif p.has(entities_name):
        text, entities = raw, list(p.obj(entities_name))
    else:
        # Markdown modes are stored verbatim: only HTML is parsed by this fake.
        text, entities = raw, detect_entities(raw) if not parse_mode else []
    if not text.strip():
        raise bad_request("message text is empty")
    if utf16_len(text) > limit:
        raise bad_request(
            "message is too long" if name == "text" else "message caption is too long"
        )
    return text, entities


def reply_target(chat: FakeChat, p: Params) -> StoredMessage | None:
    parameters = p.obj("reply_parameters") or {}
    message_id = parameters.get("message_id", p.integer("reply_to_message_id"))
    if message_id is None:
        return None
    target = chat.messages.get(int(message_id))
    if target is None or target.deleted:
        allow = parameters.get("allow_sending_without_reply") or p.boolean(
            "allow_sending_without_reply"
        )
        if allow:
            return None
        raise bad_request("message to be replied not found")
    return target


def reply_markup(p: Params) -> JSONDict | None:
    """The reply_markup parameter, validated the way Telegram validates inline keyboards."""
    markup = p.obj("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("object expected as reply markup")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        for row in rows:
            for button in row:
                if not button.get("text"):
                    raise bad_request('can\'t find field "text"')
                actions = set(button) - {"text"}
                if not actions:
                    raise bad_request("text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
    elif not {"force_reply", "keyboard", "remove_keyboard"} & set(markup):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def inline_part(markup: JSONDict | None) -> list[list[JSONDict]] | None:
    return markup.get("inline_keyboard") if markup else None


def not_modified() -> ApiError:
    return bad_request(
        "message is not modified: specified new message content and reply markup are exactly "
        "the same as a current content and reply markup of the message"
    )
