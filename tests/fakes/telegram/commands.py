"""The command menu: ``setMyCommands``, ``getMyCommands``, ``deleteMyCommands`` per scope and
language.
"""

from __future__ import annotations

import json

from .objects import JSONDict, Params, bad_request
from .state import TelegramState


class Commands(TelegramState):
    """The command menu methods."""

    def _api_set_my_commands(self, p: Params) -> bool:
        commands = p.obj("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            name = str(command.get("command", ""))
            if not (1 <= len(name) <= 32) or not all(
                c.islower() or c.isdigit() or c == "_" for c in name
            ):
                raise bad_request("BOT_COMMAND_INVALID")
            if not (1 <= len(str(command.get("description", ""))) <= 256):
                raise bad_request("command description is empty")
        key = (scope_key(p.obj("scope")), p.string("language_code", "") or "")
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _api_get_my_commands(self, p: Params) -> list[JSONDict]:
        key = (scope_key(p.obj("scope")), p.string("language_code", "") or "")
        return self._commands.get(key, [])

    def _api_delete_my_commands(self, p: Params) -> bool:
        key = (scope_key(p.obj("scope")), p.string("language_code", "") or "")
        self._commands.pop(key, None)
        return True


def scope_key(scope: JSONDict | None) -> str:
    return json.dumps(scope or {"type": "default"}, sort_keys=True)
