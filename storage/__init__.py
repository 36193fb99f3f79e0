"""Persistence: SQLite (or PostgreSQL) doing what the application asks of storage.

The protocol it implements, ``Storage``, and its values are the application's
ports (``bot.app.ports``); storage imports them from there.

- ``sqlite``: ``SqliteStorage``, the protocol on one SQLite file.
- ``schema``: the tables, as numbered migrations applied at open.
- ``rows``: core values as rows and back; ``changes``: what a commit writes;
  ``load``: reading a group back.
- ``timers``, ``outbox``, ``purge``: the rest of a commit's work, and retention.
- ``errors``: SQLite's errors in words a person can act on.
- ``lookups``: the small reads and writes outside a command's transaction.
- ``postgres``: ``PostgresStorage``, the same protocol on a PostgreSQL database
  that several workers share; ``postgres_schema`` its migrations,
  ``postgres_sql`` the few words its SQL spells differently.
"""

from storage.sqlite import SqliteStorage

__all__ = ["SqliteStorage"]
