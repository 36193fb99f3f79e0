"""Acting as people: the test-side steps that create users and chats, write, press, react,
join and leave. Each is synchronous, queues the updates Telegram would send, and returns an
:class:`Action`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .objects import Edit, FakeChat, FakeUser, JSONDict, detect_entities, emoji_reactions
from .records import Action, CallbackQuery
from .state import ChatRef, TelegramState, UserRef


class ActingAsPeople(TelegramState):
    """The people in the chats, as a test plays them."""

    def user(
        self,
        id: int,
        first_name: str,
        username: str | None = None,
        language_code: str | None = "en",
        last_name: str | None = None,
    ) -> FakeUser:
        """Create (or replace) a person."""
        person = FakeUser(id, first_name, username, language_code, last_name)
        self.users[id] = person
        return person

    def group(
        self,
        chat_id: int,
        title: str,
        supergroup: bool = False,
        *,
        bot_status: str = "administrator",
        members: Iterable[UserRef] = (),
        username: str | None = None,
    ) -> FakeChat:
        """Create a group the bot is already in (as ``bot_status``), without any update.

        Group ids are negative; supergroup ids conventionally start with -100.
        """
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat = FakeChat(
            id=chat_id,
            type="supergroup" if supergroup else "group",
            bot_id=self.bot.id,
            title=title,
            username=username,
            bot_status=bot_status,
        )
        for member in members:
            chat.members[self._user(member).id] = "member"
        self.chats[chat_id] = chat
        return chat

    def set_member_status(self, chat: ChatRef, user: UserRef, status: str) -> None:
        """Set a member's status (e.g. "administrator") silently, without any update."""
        self._chat(chat).members[self._user(user).id] = status

    def send_text(
        self, chat: ChatRef, user: UserRef, text: str, reply_to: int | None = None
    ) -> Action:
        """``user`` writes ``text`` in ``chat``; commands and @mentions get their entities."""
        room, person = self._chat(chat), self._user(user)
        self._check_can_write(room, person)
        if room.type == "private":
            person.started_bot = True
        message = self._store(
            room,
            person,
            text=text,
            entities=detect_entities(text),
            reply_to=self._message(room, reply_to) if reply_to is not None else None,
        )
        return self._message_action(message)

    def edit_text(self, chat: ChatRef, user: UserRef, message_id: int, text: str) -> Action:
        """``user`` edits their own message; the bot gets an ``edited_message`` update."""
        room, person = self._chat(chat), self._user(user)
        message = self._message(room, message_id)
        if message.sender is not person:
            raise ValueError("people can only edit their own messages")
        message.text, message.entities = text, detect_entities(text)
        message.edits.append(Edit(self._now(), "edit", text, message.reply_markup))
        return self._message_action(message, kind="edited_message")

    def start_private(self, user: UserRef, payload: str | None = None) -> Action:
        """``user`` presses Start (opening ``t.me/<bot>?start=<payload>`` if a payload is given).

        Unblocks the bot if the user had blocked it, as restarting a bot does.
        """
        person = self._user(user)
        chat = self.private_chat(person)
        action = Action(updates=[])
        if person.blocked_bot:
            person.blocked_bot = False
            self._add(action, self._my_chat_member(chat, person, "kicked", "member"))
        person.started_bot = True
        text = "/start" if payload is None else f"/start {payload}"
        entities = [{"type": "bot_command", "offset": 0, "length": len("/start")}]
        message = self._store(chat, person, text=text, entities=entities)
        self._add(action, self._message_update(message), message)
        return action

    def block_bot(self, user: UserRef) -> Action:
        """``user`` blocks the bot: private messages to them now answer 403."""
        person = self._user(user)
        chat = self.private_chat(person)
        person.blocked_bot = True
        action = Action(updates=[])
        self._add(action, self._my_chat_member(chat, person, "member", "kicked"))
        return action

    def press_button(
        self,
        chat: ChatRef,
        user: UserRef,
        message_id: int,
        callback_data: str,
        *,
        strict: bool = True,
        shown: JSONDict | None = None,
    ) -> Action:
        """``user`` presses the inline button with ``callback_data`` under a message.

        With ``strict`` (the default) the button must currently exist, which catches tests
        that press buttons the bot never sent. The returned action's ``callback_query_id``
        finds the bot's answer (:meth:`answer_for`, :meth:`wait_for_answer`). ``shown``
        is the message the update carries, when it must be an earlier state of it (a
        benchmark gives two bots the same updates); by default, the message as it is now.
        """
        room, person = self._chat(chat), self._user(user)
        message = room.messages.get(message_id)
        if strict:
            if message is None or message.deleted:
                raise ValueError(f"no message {message_id} in chat {room.id}")
            if callback_data not in message.callback_data:
                raise ValueError(
                    f"message {message_id} has no button {callback_data!r}; "
                    f"it has {message.callback_data}"
                )
        query_id = str(self._next_callback_id)
        self._next_callback_id += 1
        self.callback_queries[query_id] = CallbackQuery(
            query_id, room, message_id, person, callback_data, self._now()
        )
        if shown is None and message is not None and not message.deleted:
            shown = message.to_json()
        elif shown is None:
            # An InaccessibleMessage: Telegram marks it with date 0.
            shown = {"chat": room.to_json(), "message_id": message_id, "date": 0}
        payload = {
            "id": query_id,
            "from": person.to_json(),
            # Stable per chat, as Telegram's is; PTB only needs it to be present.
            "chat_instance": str(abs(room.id) * 7919 + 104729),
            "message": shown,
            "data": callback_data,
        }
        action = Action(updates=[], callback_query_id=query_id)
        self._add(action, self._enqueue("callback_query", payload, visible=room.bot_is_member))
        return action

    def react(
        self,
        chat: ChatRef,
        user: UserRef,
        message_id: int,
        new_emojis: Sequence[str],
        old_emojis: Sequence[str] | None = None,
    ) -> Action:
        """``user`` changes their reaction to a message (old defaults to their current one).

        Telegram only sends ``message_reaction`` if allowed_updates names it and, in groups,
        only while the bot is an administrator.
        """
        room, person = self._chat(chat), self._user(user)
        message = self._message(room, message_id)
        old = list(old_emojis) if old_emojis is not None else message.reactions.get(person.id, [])
        message.reactions[person.id] = list(new_emojis)
        payload = {
            "chat": room.to_json(),
            "message_id": message_id,
            "user": person.to_json(),
            "date": int(self._now()),
            "old_reaction": emoji_reactions(old),
            "new_reaction": emoji_reactions(list(new_emojis)),
        }
        visible = room.type == "private" or room.bot_is_admin
        action = Action(updates=[])
        self._add(action, self._enqueue("message_reaction", payload, visible=visible))
        return action

    def join(self, chat: ChatRef, user: UserRef, by: UserRef | None = None) -> Action:
        """``user`` joins (or is added ``by`` someone): a service message and ``chat_member``."""
        room, person = self._chat(chat), self._user(user)
        actor = self._user(by) if by is not None else person
        old = room.members.get(person.id, "left")
        room.members[person.id] = "member"
        message = self._store(room, actor, extra={"new_chat_members": [person.to_json()]})
        action = Action(updates=[])
        self._add(action, self._message_update(message), message)
        self._add(action, self._chat_member(room, actor, person, old, "member"))
        return action

    def leave(self, chat: ChatRef, user: UserRef, by: UserRef | None = None) -> Action:
        """``user`` leaves (or is removed ``by`` an admin, which Telegram reports as kicked)."""
        room, person = self._chat(chat), self._user(user)
        actor = self._user(by) if by is not None else person
        old = room.members.get(person.id, "member")
        new = "left" if by is None else "kicked"
        room.members[person.id] = new
        message = self._store(room, actor, extra={"left_chat_member": person.to_json()})
        action = Action(updates=[])
        self._add(action, self._message_update(message), message)
        self._add(action, self._chat_member(room, actor, person, old, new))
        return action

    def bot_added(self, chat: ChatRef, by: UserRef, status: str = "member") -> Action:
        """Someone adds the bot to a group: ``my_chat_member`` and a service message."""
        room, actor = self._chat(chat), self._user(by)
        old = room.bot_status
        room.bot_status = status
        action = Action(updates=[])
        self._add(action, self._my_chat_member(room, actor, old, status))
        message = self._store(room, actor, extra={"new_chat_members": [self.bot.to_json()]})
        self._add(action, self._message_update(message), message)
        return action

    def bot_removed(self, chat: ChatRef, by: UserRef, status: str = "left") -> Action:
        """Someone removes the bot from a group: ``my_chat_member``; sends then answer 403."""
        room, actor = self._chat(chat), self._user(by)
        old = room.bot_status
        room.bot_status = status
        action = Action(updates=[])
        self._add(action, self._my_chat_member(room, actor, old, status))
        return action

    def migrate_to_supergroup(
        self, chat: ChatRef, new_chat_id: int | None = None, by: UserRef | None = None
    ) -> Action:
        """Upgrade a basic group: ``migrate_to_chat_id`` in the old chat, ``migrate_from_chat_id``
        in the new one. Afterwards the old id answers 400 with ``parameters.migrate_to_chat_id``.
        """
        old = self._chat(chat)
        if old.type != "group":
            raise ValueError("only basic groups migrate to supergroups")
        new_id = new_chat_id if new_chat_id is not None else -1_000_000_000_000 + old.id
        new = self.group(new_id, old.title or "", supergroup=True, bot_status=old.bot_status)
        new.members = dict(old.members)
        actor = self._user(by) if by is not None else self.anonymous_admin
        action = Action(updates=[])
        moved = self._store(old, actor, extra={"migrate_to_chat_id": new_id})
        self._add(action, self._message_update(moved), moved)
        old.migrated_to = new_id
        arrived = self._store(
            new,
            self.anonymous_admin,
            sender_chat=new.to_json(),
            extra={"migrate_from_chat_id": old.id},
        )
        self._add(action, self._message_update(arrived), arrived)
        return action

    def send_as_anonymous_admin(self, chat: ChatRef, text: str) -> Action:
        """An anonymous admin writes: ``from`` is GroupAnonymousBot, ``sender_chat`` the group."""
        room = self._chat(chat)
        message = self._store(
            room,
            self.anonymous_admin,
            text=text,
            entities=detect_entities(text),
            sender_chat=room.to_json(),
        )
        return self._message_action(message)

    def automatic_forward(
        self, chat: ChatRef, channel_id: int, text: str, channel_title: str = "Channel"
    ) -> Action:
        """A linked channel's post appears in its discussion group, sent by "Telegram"."""
        room = self._chat(chat)
        channel = {"id": channel_id, "type": "channel", "title": channel_title}
        message = self._store(
            room,
            self.telegram_service,
            text=text,
            entities=detect_entities(text),
            sender_chat=channel,
            extra={
                "is_automatic_forward": True,
                "forward_origin": {
                    "type": "channel",
                    "chat": channel,
                    "message_id": room.next_message_id,
                    "date": int(self._now()),
                },
            },
        )
        return self._message_action(message)
