"""What the Telegram adapter remembers between messages, through the application.

Small facts only the adapter needs, kept in the application's memory for
adapters (``Application.recall`` and ``remember``) so they survive a restart:

* whether a person can be messaged privately ("open" after they started the
  bot, "refused" after Telegram answered 403), so a refusal is not tried again
  until they start the bot;
* the group a person last used privately (a deep link, a button in a private
  message), for their next private words;
* the prompts that ask someone for a reason (ForceReply messages), so that
  their reply becomes the command it completes;
* chats that moved (a group that became a supergroup), so deliveries already
  waiting for the old id go to the new one;
* the group a chat belonged to when the bot was removed from it, so that adding
  the bot again brings the chat back to its group.

What changes with a command (the group a button or deep link chose, a prompt
answered) is handed to ``Application.submit`` as a :class:`Remember` and stored
in the command's own transaction. What is about a person (the first three) is
stored as about their identity, so that forgetting them deletes it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from adapters.telegram import ids
from bot.app import Application, Remember

OPEN = "open"
REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class Prompt:
    """A message that asked ``user`` for the words that complete ``word #number``."""

    word: str
    number: int
    user: int
    group_id: str


class Memory:
    def __init__(self, app: Application) -> None:
        self.app = app
        self._moved: dict[int, int | None] = {}

    # -- private messages ---------------------------------------------------------------

    async def private_status(self, user_id: int) -> str | None:
        return await self.app.recall(f"telegram:dm:{user_id}")

    async def set_private_status(self, user_id: int, status: str) -> None:
        if await self.private_status(user_id) != status:
            await self.app.remember(
                Remember(f"telegram:dm:{user_id}", status, ids.identity(user_id))
            )

    async def private_group(self, user_id: int) -> str | None:
        return await self.app.recall(f"telegram:dm-group:{user_id}") or None

    async def set_private_group(self, user_id: int, group_id: str) -> None:
        if await self.private_group(user_id) != group_id:
            await self.app.remember(self.private_group_chosen(user_id, group_id))

    @staticmethod
    def private_group_chosen(user_id: int, group_id: str) -> Remember:
        """The group a person chose privately (a button, a deep link): stored with the
        command it came with."""
        return Remember(f"telegram:dm-group:{user_id}", group_id, ids.identity(user_id))

    # -- prompts for a reason -----------------------------------------------------------

    async def remember_prompt(self, chat_id: int, message_id: int, prompt: Prompt) -> None:
        await self.app.remember(
            Remember(
                _prompt_key(chat_id, message_id),
                json.dumps(asdict(prompt)),
                ids.identity(prompt.user),
            )
        )

    async def prompt(self, chat_id: int, message_id: int) -> Prompt | None:
        stored = await self.app.recall(_prompt_key(chat_id, message_id))
        return Prompt(**json.loads(stored)) if stored else None

    @staticmethod
    def prompt_answered(chat_id: int, message_id: int, *, if_accepted: bool = True) -> Remember:
        """The prompt closed: by the answer it asked for (stored with that command, if
        the core accepts it), or on its own when the person cancels."""
        # The table has no delete: an empty value means "answered". The row stays
        # about the person it asked, so forgetting them still finds it.
        return Remember(_prompt_key(chat_id, message_id), "", if_accepted=if_accepted)

    async def prompt_cancelled(self, chat_id: int, message_id: int) -> None:
        await self.app.remember(self.prompt_answered(chat_id, message_id, if_accepted=False))

    # -- moved chats ----------------------------------------------------------------------

    async def moved_to(self, chat_id: int) -> int | None:
        """The chat ``chat_id`` became, following every move, or None."""
        current, seen = chat_id, set()
        while current not in seen:
            seen.add(current)
            if current not in self._moved:
                stored = await self.app.recall(f"telegram:moved:{current}")
                self._moved[current] = int(stored) if stored else None
            following = self._moved[current]
            if following is None:
                break
            current = following
        return None if current == chat_id else current

    async def chat_moved(self, old: int, new: int) -> None:
        self._moved[old] = new
        await self.app.remember(Remember(f"telegram:moved:{old}", str(new)))

    # -- chats the bot was removed from -------------------------------------------------

    async def chat_left(self, chat_id: int, group_id: str) -> None:
        await self.app.remember(Remember(f"telegram:left:{chat_id}", group_id))

    async def group_left(self, chat_id: int) -> str | None:
        return await self.app.recall(f"telegram:left:{chat_id}") or None


def _prompt_key(chat_id: int, message_id: int) -> str:
    return f"telegram:prompt:{chat_id}:{message_id}"
