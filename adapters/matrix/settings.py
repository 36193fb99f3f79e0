"""What the Matrix adapter needs to know from the ``[matrix]`` section of the config.

The adapter accepts any object with these attributes (``bot.config.MatrixConfig``
in production, a small stand-in in tests), so it never depends on how the file
is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol


class MatrixSettings(Protocol):
    @property
    def homeserver(self) -> str: ...

    @property
    def user_id(self) -> str: ...

    @property
    def password(self) -> str | None: ...

    @property
    def access_token(self) -> str | None: ...

    @property
    def device_id(self) -> str: ...

    @property
    def store_path(self) -> Path | str: ...

    @property
    def allowed_inviters(self) -> Sequence[str]: ...

    @property
    def encrypted_direct_rooms(self) -> bool: ...

    @property
    def facilitators_from_power_levels(self) -> bool: ...


def inviter_allowed(allowed: Iterable[str], user_id: str) -> bool:
    """Whether an invite from ``user_id`` may be accepted.

    An entry is a person ("@sam:example.org", matched exactly) or a whole server
    (":example.org" or "example.org", matched case-insensitively)."""
    server = user_id.partition(":")[2].lower()
    for entry in allowed:
        entry = entry.strip()
        if entry.startswith("@"):
            if entry == user_id:
                return True
        elif server and entry.removeprefix(":").lower() == server:
            return True
    return False
