"""Persistence: SQLite doing what the application asks of storage.

The protocol it implements, ``Storage``, and its values are the application's
ports (``bot.app.ports``); storage imports them from there.

- ``sqlite``: ``SqliteStorage``, the protocol on one SQLite file.
- ``schema``: the tables, as numbered migrations applied at open.
- ``rows``: core values as rows and back; ``changes``: what a commit writes;
  ``load``: reading a group back.
- ``timers``, ``outbox``, ``purge``: the rest of a commit's work, and retention.
- ``errors``: SQLite's errors in words a person can act on.
"""

from storage.sqlite import SqliteStorage

__all__ = ["SqliteStorage"]
