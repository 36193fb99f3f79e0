"""Answers say what they answer, and go back into the thread they were asked in.

An answer to typed words is sent as a Matrix reply to them (``m.in_reply_to``),
so a client shows the words it answers above it. Someone who types in a
proposal card's thread (Element's "Reply in thread") finds the answer in that
thread too, not in the room's main timeline.

The core's ``Reply`` says which chat, not which event or thread, so the
adapter notes, for the replies that came of each message it submits, the
message and its thread; the delivery of such a reply then relates to them.
Replies are held while a submission is being decided (``NotedFirst.noting``),
so the note is always made before the reply goes out. The notes are only kept
in memory: after a restart an answer still in the outbox goes out as a plain
message, still in the right room.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.effects import Reply

REMEMBERED = 1000  # replies waiting to be delivered: far more than are ever in flight


@dataclass(frozen=True, slots=True)
class Answering:
    """What a reply answers: a message in a room, said in a thread or not."""

    room_id: str
    event_id: str
    thread_root: str | None = None


class ThreadedReplies:
    def __init__(self) -> None:
        self._notes: deque[tuple[Reply, Answering]] = deque(maxlen=REMEMBERED)

    def answered(self, message: Answering, replies: Iterable[Reply]) -> None:
        """These replies answer ``message``."""
        self._notes.extend((reply, message) for reply in replies)

    def answering(self, reply: Reply) -> Answering | None:
        """What a reply answers (once: the note is used up), or None."""
        for index, (noted, message) in enumerate(self._notes):
            if noted == reply:
                del self._notes[index]
                return message
        return None
