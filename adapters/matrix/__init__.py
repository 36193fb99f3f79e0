"""The Matrix adapter: the bot in Matrix rooms (Element, FluffyChat, …) through matrix-nio.

People type ``!commands`` in the room, answer in a proposal card's thread or
by replying to it, and respond with reactions (✅ 🟡 ✋) on the card, whose
tally is kept current with edits. Nudges come in a direct room.
"""

from adapters.matrix.adapter import MatrixAdapter

__all__ = ["MatrixAdapter"]
