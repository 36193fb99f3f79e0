"""The world of the fake Telegram server: people, chats, stored messages and their JSON.

This module has no networking in it. It holds

* the state the fake keeps (:class:`FakeUser`, :class:`FakeChat`, :class:`StoredMessage`),
* builders for the Bot API JSON objects that python-telegram-bot must be able to ``de_json``
  (every field PTB 22.8 requires is always present),
* :class:`Params`, which turns the three request encodings (JSON, urlencoded form, multipart)
  into one typed view,
* :func:`parse_html`, a strict parser for ``parse_mode=HTML`` that fails where Telegram fails,
* :class:`ApiError`, the error answer of a Bot API method.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JSONDict = dict[str, Any]

#: The user Telegram shows as the author of messages sent by anonymous group admins.
ANONYMOUS_ADMIN_ID = 1087968824
#: The "Telegram" service account, author of automatic forwards from a linked channel.
TELEGRAM_SERVICE_ID = 777000

#: Chat member statuses as the Bot API spells them.
MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Bot API entity offsets."""
    return len(text.encode("utf-16-le")) // 2


class ApiError(Exception):
    """A Bot API method failed; becomes ``{"ok": false, "error_code": ..., ...}``."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def to_json(self) -> JSONDict:
        body: JSONDict = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str, parameters: JSONDict | None = None) -> ApiError:
    """A 400 answer; ``description`` without the "Bad Request: " prefix Telegram adds."""
    return ApiError(400, f"Bad Request: {description}", parameters)


# ---------------------------------------------------------------------------------------------
# Request parameters
# ---------------------------------------------------------------------------------------------

#: Parameters that are plain strings even when they look like JSON (a message text "123" must
#: stay a string). Everything else sent as a form field is JSON-decoded when it parses.
STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "secret_token",
        "language_code",
        "ip_address",
        "inline_message_id",
        "document",
        "file_id",
        "business_connection_id",
        "message_effect_id",
        "description",
        "short_description",
        "name",
        "title",
    }
)


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


class Params:
    """The parameters of one Bot API call, whatever encoding the client used.

    python-telegram-bot sends every call as a form (urlencoded, or multipart when a file is
    uploaded) in which strings are sent as is and everything else (numbers, booleans, lists,
    objects such as ``reply_markup``) is JSON-encoded. Other clients send a JSON body. Both end
    up here as :attr:`values`, with form fields decoded from JSON except :data:`STRING_PARAMS`.
    """

    def __init__(self, values: JSONDict, files: dict[str, UploadedFile] | None = None) -> None:
        self.values = values
        self.files = files or {}

    @classmethod
    def from_form(
        cls, form: dict[str, str], files: dict[str, UploadedFile] | None = None
    ) -> Params:
        values: JSONDict = {}
        for key, raw in form.items():
            values[key] = raw if key in STRING_PARAMS else _maybe_json(raw)
        return cls(values, files)

    def has(self, name: str) -> bool:
        return self.values.get(name) is not None

    def string(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        return default if value is None else str(value)

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None:
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def number(self, name: str, default: float = 0.0) -> float:
        value = self.values.get(name)
        if value is None:
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def boolean(self, name: str) -> bool:
        return self.values.get(name) in (True, 1, "true", "True", "1")

    def obj(self, name: str) -> Any:
        """A nested JSON value (object or array); JSON strings are decoded."""
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def chat_id(self) -> int | str:
        """``chat_id`` as an int, or an ``@username`` string."""
        value = self.values.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, str) and value.startswith("@"):
            return value
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None

    def required_int(self, name: str) -> int:
        value = self.integer(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value


def _maybe_json(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


# ---------------------------------------------------------------------------------------------
# People, chats and messages
# ---------------------------------------------------------------------------------------------


@dataclass(eq=False)
class FakeUser:
    """A Telegram account: a person, the bot itself, or one of Telegram's service accounts."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = "en"
    last_name: str | None = None
    is_bot: bool = False
    #: The user pressed "Start" in a private chat with the bot, so the bot may write to them.
    started_bot: bool = False
    #: The user blocked the bot; private messages to them answer 403.
    blocked_bot: bool = False

    def to_json(self) -> JSONDict:
        data: JSONDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data


@dataclass
class Edit:
    """One edit of a message: what it looked like afterwards, and when."""

    at: float
    method: str
    text: str | None
    reply_markup: JSONDict | None


@dataclass
class StoredFile:
    """A file the bot uploaded, kept byte for byte."""

    file_id: str
    file_unique_id: str
    filename: str | None
    mime_type: str | None
    data: bytes

    def document_json(self) -> JSONDict:
        data: JSONDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }
        if self.filename:
            data["file_name"] = self.filename
        if self.mime_type:
            data["mime_type"] = self.mime_type
        return data


@dataclass(eq=False)
class StoredMessage:
    """A message in a chat, sent by the bot or by a (simulated) person.

    The fields hold the message's *current* state; :attr:`edits` keeps its history.
    """

    chat: FakeChat
    message_id: int
    sender: FakeUser
    date: float
    text: str | None = None
    entities: list[JSONDict] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[JSONDict] = field(default_factory=list)
    #: The markup exactly as the bot sent it (inline keyboard, ForceReply, reply keyboard...).
    reply_markup: JSONDict | None = None
    reply_to: StoredMessage | None = None
    document: StoredFile | None = None
    #: The chat the message is sent on behalf of (anonymous admins, linked channels).
    sender_chat: JSONDict | None = None
    #: Further top-level fields, e.g. service message fields such as ``new_chat_members``.
    extra: JSONDict = field(default_factory=dict)
    #: Every edit, oldest first; empty if the message was never edited.
    edits: list[Edit] = field(default_factory=list)
    original_text: str | None = None
    deleted: bool = False
    deleted_at: float | None = None
    #: Each person's current reactions to the message: user id -> emojis.
    reactions: dict[int, list[str]] = field(default_factory=dict)
    #: The bot's own reaction, as the ReactionType objects it sent with setMessageReaction.
    bot_reaction: list[JSONDict] = field(default_factory=list)

    @property
    def from_bot(self) -> bool:
        return self.sender.is_bot and self.sender.id == self.chat.bot_id

    @property
    def edit_count(self) -> int:
        return len(self.edits)

    @property
    def edit_date(self) -> float | None:
        return self.edits[-1].at if self.edits else None

    @property
    def inline_keyboard(self) -> list[list[JSONDict]] | None:
        """The inline keyboard's rows of buttons, or None if the message has none."""
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            return self.reply_markup["inline_keyboard"]
        return None

    @property
    def buttons(self) -> list[JSONDict]:
        """All inline buttons, row by row."""
        return [button for row in self.inline_keyboard or [] for button in row]

    @property
    def callback_data(self) -> list[str]:
        """The callback_data of every inline button that has one."""
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]

    def to_json(self, *, with_reply: bool = True) -> JSONDict:
        data: JSONDict = {
            "message_id": self.message_id,
            "date": int(self.date),
            "chat": self.chat.to_json(),
            "from": self.sender.to_json(),
        }
        if self.sender_chat is not None:
            data["sender_chat"] = self.sender_chat
        if self.text is not None:
            data["text"] = self.text
            if self.entities:
                data["entities"] = self.entities
        if self.document is not None:
            data["document"] = self.document.document_json()
        if self.caption is not None:
            data["caption"] = self.caption
            if self.caption_entities:
                data["caption_entities"] = self.caption_entities
        # Telegram echoes only inline keyboards; ForceReply and reply keyboards stay client-side.
        if self.inline_keyboard is not None:
            data["reply_markup"] = {"inline_keyboard": self.inline_keyboard}
        if with_reply and self.reply_to is not None:
            # Like Telegram, the replied-to message does not nest its own reply.
            data["reply_to_message"] = self.reply_to.to_json(with_reply=False)
        if self.edits:
            data["edit_date"] = int(self.edits[-1].at)
        data.update(self.extra)
        return data


@dataclass(eq=False)
class FakeChat:
    """A private chat, basic group, supergroup or channel and the messages in it."""

    id: int
    type: str
    bot_id: int
    title: str | None = None
    username: str | None = None
    #: The other party of a private chat.
    private_user: FakeUser | None = None
    #: Known members' statuses (see :data:`MEMBER_STATUSES`): user id -> status.
    members: dict[int, str] = field(default_factory=dict)
    #: The bot's own status in the chat; it only receives updates while a member.
    bot_status: str = "administrator"
    #: Set once a basic group was upgraded; the old id then answers 400 with this id.
    migrated_to: int | None = None
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    @property
    def bot_is_member(self) -> bool:
        return self.bot_status not in ("left", "kicked")

    @property
    def bot_is_admin(self) -> bool:
        return self.bot_status in ("administrator", "creator")

    def allocate_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def to_json(self) -> JSONDict:
        data: JSONDict = {"id": self.id, "type": self.type}
        if self.type == "private" and self.private_user is not None:
            data["first_name"] = self.private_user.first_name
            if self.private_user.last_name:
                data["last_name"] = self.private_user.last_name
            if self.private_user.username:
                data["username"] = self.private_user.username
        else:
            data["title"] = self.title or ""
            if self.username:
                data["username"] = self.username
        return data

    def full_info_json(self) -> JSONDict:
        """The ChatFullInfo object answered by getChat."""
        data = self.to_json()
        data.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        if self.type == "private" and self.private_user is not None:
            data["active_usernames"] = (
                [self.private_user.username] if self.private_user.username else []
            )
        return data


def chat_member_json(user: FakeUser, status: str) -> JSONDict:
    """A ChatMember object with every field PTB requires for its ``status``."""
    if status not in MEMBER_STATUSES:
        raise ValueError(f"unknown chat member status {status!r}")
    data: JSONDict = {"user": user.to_json(), "status": status}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data.update(
            {
                "can_be_edited": False,
                "is_anonymous": False,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_manage_video_chats": True,
                "can_restrict_members": True,
                "can_promote_members": False,
                "can_change_info": True,
                "can_invite_users": True,
                "can_post_stories": False,
                "can_edit_stories": False,
                "can_delete_stories": False,
                "can_pin_messages": True,
            }
        )
    elif status == "restricted":
        permissions = [
            "can_change_info",
            "can_invite_users",
            "can_pin_messages",
            "can_send_messages",
            "can_send_polls",
            "can_send_other_messages",
            "can_add_web_page_previews",
            "can_manage_topics",
            "can_send_audios",
            "can_send_documents",
            "can_send_photos",
            "can_send_videos",
            "can_send_video_notes",
            "can_send_voice_notes",
            "can_edit_tag",
            "can_react_to_messages",
        ]
        data.update(dict.fromkeys(permissions, False))
        data.update({"is_member": True, "until_date": 0})
    elif status == "kicked":
        data["until_date"] = 0
    return data


def emoji_reactions(emojis: list[str]) -> list[JSONDict]:
    """ReactionTypeEmoji objects for a list of emojis."""
    return [{"type": "emoji", "emoji": emoji} for emoji in emojis]


# ---------------------------------------------------------------------------------------------
# Entities
# ---------------------------------------------------------------------------------------------

# Telegram recognises a command anywhere in a text, at the start or after whitespace.
_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w@/])")
_MENTION_RE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}\b")


def detect_entities(text: str) -> list[JSONDict]:
    """The entities Telegram adds by itself to a plain text: bot commands and @mentions."""
    found: list[tuple[int, int, str]] = []
    for pattern, kind in ((_COMMAND_RE, "bot_command"), (_MENTION_RE, "mention")):
        for match in pattern.finditer(text):
            found.append((match.start(), match.end(), kind))
    found.sort()
    return [
        {
            "type": kind,
            "offset": utf16_len(text[:start]),
            "length": utf16_len(text[start:end]),
        }
        for start, end, kind in found
    ]


class EntityParseError(Exception):
    """``parse_mode=HTML`` text that Telegram would refuse."""


# Tag name -> entity type. "span" is only valid as <span class="tg-spoiler">.
_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_ESCAPES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY_RE = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_TAG_NAME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTRIBUTE_RE = re.compile(
    r"\s*([a-zA-Z][a-zA-Z0-9_-]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?\s*"
)


def _unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("#x"):
            return chr(int(name[2:], 16))
        if name.startswith("#"):
            return chr(int(name[1:]))
        return _HTML_ESCAPES[name]

    return _HTML_ENTITY_RE.sub(replace, text)


@dataclass
class _OpenTag:
    name: str
    entity: JSONDict
    start: int  # UTF-16 offset in the plain text
    #: False for tags that make no entity of their own (<a> without href, <code> inside <pre>).
    emits_entity: bool = True


def parse_html(
    source: str, users: Mapping[int, FakeUser] | None = None
) -> tuple[str, list[JSONDict]]:
    """Turn Bot API HTML into (plain text, entities), or raise :class:`EntityParseError`.

    Follows Telegram's rules closely enough to catch the mistakes that matter in practice: a
    raw ``<`` or ``>`` that was not escaped, an unsupported tag such as ``<br>`` or ``<p>``,
    a tag left open, and tags closed in the wrong order. The error text mirrors Telegram's,
    including byte offsets counted in UTF-8. ``users`` fills in the user of ``text_mention``
    entities made from ``<a href="tg://user?id=...">``.
    """
    text: list[str] = []
    position = 0  # UTF-16 length of the plain text so far
    stack: list[_OpenTag] = []
    entities: list[JSONDict] = []
    i = 0

    def byte_offset(index: int) -> int:
        return len(source[:index].encode())

    while i < len(source):
        char = source[i]
        if char == "<":
            end = source.find(">", i)
            if end == -1:
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(i)}")
            inner = source[i + 1 : end]
            if inner.startswith("/"):
                name = inner[1:].strip().lower()
                if not stack:
                    raise EntityParseError(f"Unexpected end tag at byte offset {byte_offset(i)}")
                tag = stack.pop()
                if name != tag.name:
                    raise EntityParseError(
                        f'Unmatched end tag at byte offset {byte_offset(i)}, expected "</'
                        f'{tag.name}>", found "</{name}>"'
                    )
                length = position - tag.start
                # Telegram silently drops entities that cover no text.
                if length > 0 and tag.emits_entity:
                    entities.append({**tag.entity, "offset": tag.start, "length": length})
            else:
                stack.append(_open_tag(inner, byte_offset(i), position, stack, users or {}))
            i = end + 1
        elif char == ">":
            # Telegram accepts a raw ">" in text, only "<" and "&" must be escaped.
            text.append(char)
            position += 1
            i += 1
        elif char == "&":
            match = _HTML_ENTITY_RE.match(source, i)
            piece = _unescape(match.group(0)) if match else "&"
            text.append(piece)
            position += utf16_len(piece)
            i = match.end() if match else i + 1
        else:
            j = i
            while j < len(source) and source[j] not in "<&>":
                j += 1
            piece = source[i:j]
            text.append(piece)
            position += utf16_len(piece)
            i = j
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(text), entities


def _open_tag(
    inner: str,
    offset: int,
    position: int,
    stack: list[_OpenTag],
    users: Mapping[int, FakeUser],
) -> _OpenTag:
    match = _TAG_NAME_RE.match(inner)
    if not match:
        raise EntityParseError(f'Unsupported start tag "{inner}" at byte offset {offset}')
    name = match.group(0).lower()
    if name not in _HTML_TAGS:
        raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {offset}')
    attributes: dict[str, str] = {}
    rest = inner[match.end() :]
    while rest.strip():
        attribute = _ATTRIBUTE_RE.match(rest)
        if not attribute or not attribute.group(0):
            raise EntityParseError(f"Empty attribute name at byte offset {offset}")
        value = next((g for g in attribute.groups()[1:] if g is not None), "")
        attributes[attribute.group(1).lower()] = _unescape(value)
        rest = rest[attribute.end() :]

    entity: JSONDict = {"type": _HTML_TAGS[name]}
    tag = _OpenTag(name=name, entity=entity, start=position)
    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    if name == "a":
        href = attributes.get("href", "")
        user = re.fullmatch(r"tg://user\?id=(\d+)", href)
        if user:
            user_id = int(user.group(1))
            known = users.get(user_id)
            mentioned = (
                known.to_json()
                if known
                else {"id": user_id, "is_bot": False, "first_name": str(user_id)}
            )
            entity.update({"type": "text_mention", "user": mentioned})
        elif href:
            entity["url"] = href
        else:
            tag.emits_entity = False  # a link without href is plain text
    if name == "blockquote" and "expandable" in attributes:
        entity["type"] = "expandable_blockquote"
    if name == "tg-emoji":
        if "emoji-id" not in attributes:
            raise EntityParseError(
                f"Custom emoji entity must contain a tg://emoji URL at byte offset {offset}"
            )
        entity["custom_emoji_id"] = attributes["emoji-id"]
    if name == "code" and stack and stack[-1].name == "pre":
        # <pre><code class="language-x"> is a single pre entity with a language.
        language = attributes.get("class", "")
        if language.startswith("language-"):
            stack[-1].entity["language"] = language.removeprefix("language-")
            tag.emits_entity = False
    return tag
