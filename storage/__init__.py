"""Persistence: what the application needs (``interface``) and SQLite doing it.

- ``interface``: the ``Storage`` protocol the application is written against.
- ``sqlite``: ``SqliteStorage``, the protocol on one SQLite file.
- ``schema``: the tables, as numbered migrations applied at open.
- ``rows``: core values as rows and back; ``changes``: what a commit writes;
  ``load``: reading a group back.
- ``timers``, ``outbox``, ``purge``: the rest of a commit's work, and retention.
- ``errors``: SQLite's errors in words a person can act on.
"""

from storage.interface import Storage, StorageError
from storage.sqlite import SqliteStorage

__all__ = ["SqliteStorage", "Storage", "StorageError"]
