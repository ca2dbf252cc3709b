"""Storage: the only code that touches TinyDB. Knows nothing of Telegram."""

from storage.contract import Store
from storage.files import DatabaseLocked
from storage.journal import StorageError
from storage.tinydb_store import TinyStore, memory_store, open_store

__all__ = ["DatabaseLocked", "Store", "StorageError", "TinyStore", "memory_store", "open_store"]
