"""Persistence: what the application needs (``interface``) and SQLite doing it."""

from storage.interface import Storage, StorageError
from storage.sqlite import SqliteStorage

__all__ = ["SqliteStorage", "Storage", "StorageError"]
