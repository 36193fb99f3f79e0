"""Answers go back into the thread they were asked in.

Someone who types in a proposal card's thread (Element's "Reply in thread")
should find the bot's answer there too, not in the room's main timeline. The
core's ``Reply`` says which chat, not which thread, so the adapter notes the
thread of the words it submits and the replies that came of them; the delivery
of such a reply is then sent into that thread. Replies are held while a
submission is being decided (``QuietReplies.gesture``), so the note is always
made before the reply goes out. The notes are only kept in memory: after a
restart an answer still in the outbox goes to the main timeline, which is
still the right room.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from bot.core.effects import Reply

REMEMBERED = 1000  # replies waiting to be delivered: far more than are ever in flight


class ThreadedReplies:
    def __init__(self) -> None:
        self._threads: deque[tuple[Reply, str]] = deque(maxlen=REMEMBERED)

    def answered_in(self, root_event: str, replies: Iterable[Reply]) -> None:
        """These replies answer words said in the thread under ``root_event``."""
        self._threads.extend((reply, root_event) for reply in replies)

    def thread_of(self, reply: Reply) -> str | None:
        """The thread a reply belongs in (once: the note is used up), or None."""
        for index, (noted, root_event) in enumerate(self._threads):
            if noted == reply:
                del self._threads[index]
                return root_event
        return None
