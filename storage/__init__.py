"""Storage: the only code that touches TinyDB. Knows nothing of Telegram."""

from storage.contract import Store
from storage.durable import DatabaseLocked
from storage.tinydb_store import TinyStore, memory_store, open_store

__all__ = ["DatabaseLocked", "Store", "TinyStore", "memory_store", "open_store"]
