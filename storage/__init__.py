"""Storage: the only code that touches TinyDB. Knows nothing of Telegram."""

from storage.contract import Store
from storage.files import DatabaseLocked, kept_secret
from storage.journal import StorageError
from storage.tinydb_store import TinyStore, memory_store, open_store

__all__ = [
    "DatabaseLocked",
    "StorageError",
    "Store",
    "TinyStore",
    "kept_secret",
    "memory_store",
    "open_store",
]
