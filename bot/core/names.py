"""Finding a member by what people type: "@sam", "Sam", "sam" or a Matrix id."""

from __future__ import annotations

import unicodedata

from bot.core.model import Group, Member


def fold(text: str) -> str:
    """Lower case without accents, so "Zoë" and "zoe" match."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def find_member(group: Group, typed: str) -> Member | None:
    """The member ``typed`` names, preferring those still in the group.

    Matches, in order: a platform identity ("@sam:example.org" for Matrix), a
    platform username ("@sam"), then a display name, then a unique first name.
    """
    wanted = typed.strip()
    if not wanted:
        return None
    members = sorted(group.members.values(), key=lambda m: (not m.active, m.id))
    members = [m for m in members if m.status != "forgotten"]
    for member in members:
        if any(identity.split(":", 1)[-1] == wanted for identity in member.identities):
            return member
    bare = fold(wanted.lstrip("@"))
    for member in members:
        if member.handle and fold(member.handle) == bare:
            return member
    for member in members:
        if fold(member.name) == bare:
            return member
    first_names = [m for m in members if m.active and fold(m.name).split(" ")[0] == bare]
    return first_names[0] if len(first_names) == 1 else None
