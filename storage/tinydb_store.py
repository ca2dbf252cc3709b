"""The TinyDB implementation of the storage contract: in a database folder, or in memory for tests.

The parts live beside this module: people and chats (``tiny_people``), cycles, answers, reviews and
reminders (``tiny_reports``), the outbox, jobs and files (``tiny_outbox``); ``tiny_base`` explains the
layout and ``journal`` how a commit reaches the disk.
"""

from __future__ import annotations

from pathlib import Path

from tinydb import TinyDB

from storage.files import BlobFolder, MemoryBlobs
from storage.journal import JournalStorage
from storage.migrate import migrate_layout1
from storage.tiny_outbox import OutboxTables
from storage.tiny_people import PeopleTables
from storage.tiny_reports import ReportTables


class TinyStore(PeopleTables, ReportTables, OutboxTables):
    """A ``Store`` kept in TinyDB."""


def open_store(path: str | Path) -> TinyStore:
    """Open (creating if needed, migrating an older layout) the durable store kept in folder ``path``."""
    directory = Path(path)
    db = TinyDB(directory, storage=JournalStorage)
    store = TinyStore(db, BlobFolder(directory / "files"))
    try:
        migrate_layout1(store, directory)
    except BaseException:
        store.close()
        raise
    return store


def memory_store() -> TinyStore:
    """Return the store kept in memory only: the same contract and transactions, nothing on disk."""
    return TinyStore(TinyDB(storage=JournalStorage), MemoryBlobs())
