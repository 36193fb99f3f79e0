"""The storage's small reads and writes outside a command's transaction: what the
adapters and the application look up (a chat's group, a button's token, a card's
message, a remembered value, the record), in SQLite's words.

Both backends run these very statements (``storage.sqlite`` as they are,
``storage.postgres`` through ``storage.postgres_sql.dialect``), so a lookup is
written once.
"""

from __future__ import annotations

from typing import Any

from bot.app import CodeKind

UPDATE_SEEN = "SELECT 1 FROM inbox WHERE update_key = ?"
GROUP_OF_CHAT = "SELECT group_id FROM chats WHERE chat = ?"
GROUPS_OF_IDENTITY = "SELECT DISTINCT group_id FROM identities WHERE identity = ? ORDER BY group_id"
# The newest code of that name; the group's state says whether it expired.
GROUP_WITH_LINK_CODE = (
    "SELECT group_id FROM link_codes WHERE code = ? AND kind = ? ORDER BY expires_at DESC LIMIT 1"
)
# The group keeping a web link with that digest; the group's state says whether it works.
GROUP_WITH_WEB_LINK = "SELECT group_id FROM web_links WHERE digest = ? LIMIT 1"
GROUP_IDS = "SELECT id FROM groups ORDER BY rowid"  # in the order groups arrived
CARD_MESSAGES = "SELECT chat, ref FROM cards WHERE group_id = ? AND number = ?"
CARD_FOR_MESSAGE = "SELECT group_id, number FROM cards WHERE chat = ? AND ref = ?"
ACTION_TOKEN = "SELECT token FROM actions WHERE group_id = ? AND command = ?"
# IGNORE: on the (unlikely) clash of two random tokens, or a token another writer
# made for the same button meanwhile, nothing is stored and the token is read again.
ACTION_INSERT = "INSERT OR IGNORE INTO actions (token, group_id, command) VALUES (?, ?, ?)"
ACTION_FOR_TOKEN = "SELECT group_id, command FROM actions WHERE token = ?"
VALUE = "SELECT value FROM kv WHERE key = ?"
MEMORY_ABOUT = "SELECT key, value FROM kv WHERE about = ? ORDER BY key"
_AUDIT = "SELECT id, group_id, at, command, summary, redacted_at FROM audit "
AUDIT_OF_GROUP = _AUDIT + "WHERE group_id = ? ORDER BY id"
# The identity as the command's JSON writes it, quotes included (a whole value);
# the caller keeps only the commands it sent.
AUDIT_NAMING = _AUDIT + "WHERE instr(command, ?) > 0 ORDER BY id"


class Lookups:
    """The lookups that are one statement and nothing more, for both backends: each
    backend says how one statement runs (``_run``), and these are written once."""

    async def _run(self, statement: str, *params: object) -> list[Any]:
        raise NotImplementedError

    async def _one(self, statement: str, *params: object) -> str | None:
        found = await self._run(statement, *params)
        return None if not found else found[0][0]

    async def group_version(self, group_id: str) -> int | None:
        found = await self._one("SELECT version FROM groups WHERE id = ?", group_id)
        return None if found is None else int(found)

    async def groups_for_identity(self, identity: str) -> list[str]:
        return [group_id for (group_id,) in await self._run(GROUPS_OF_IDENTITY, identity)]

    async def group_with_link_code(self, code: str, kind: CodeKind = "chat") -> str | None:
        """The group that made ``code`` of ``kind``; the group's state says whether it
        expired. A code of the other kind finds nothing."""
        return await self._one(GROUP_WITH_LINK_CODE, code, kind)

    async def group_with_web_link(self, digest: str) -> str | None:
        """The group that keeps a web link with ``digest``; the group's state says
        whether it still works."""
        return await self._one(GROUP_WITH_WEB_LINK, digest)

    async def group_ids(self) -> list[str]:
        return [group_id for (group_id,) in await self._run(GROUP_IDS)]

    async def card_messages(self, group_id: str, number: int) -> dict[str, str]:
        return {chat: ref for chat, ref in await self._run(CARD_MESSAGES, group_id, number)}

    async def card_for_message(self, chat: str, ref: str) -> tuple[str, int] | None:
        found = await self._run(CARD_FOR_MESSAGE, chat, ref)
        return (found[0][0], found[0][1]) if found else None
