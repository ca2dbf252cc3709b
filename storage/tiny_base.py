"""What every part of the TinyDB store shares: the database, small tables, transactions, conversions.

Layout: data that changes together lives in its own small table (``contact@<user>``,
``answers@<cycle>@<field>``, ``outbox@<chat>``, …), so that TinyDB, which rebuilds a whole table on
every change, and the journal, which records whole changed tables, both do work proportional to one
record, whatever the size of the database. Tables of one kind form a family that can be listed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any, TypeVar

from tinydb import TinyDB
from tinydb.table import Document, Table

from storage.journal import JournalStorage

_T = TypeVar("_T")


def iso(moment: datetime | None) -> str | None:
    """A moment as stored."""
    return moment.isoformat() if moment is not None else None


def copied(value: Any) -> Any:
    """A copy of a JSON value, nested lists and dicts included: nobody outside shares the store's data."""
    if isinstance(value, dict):
        return {key: copied(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [copied(item) for item in value]
    return value


def moment(text: str | None) -> datetime | None:
    """A stored moment."""
    return datetime.fromisoformat(text) if text else None


# Who holds the open transaction. A context variable, so that work the holder hands to a task it
# awaits (asyncio.wait_for runs its coroutine in a new task, with a copy of the context) still counts as
# the holder, while an unrelated task writing meanwhile is caught.
_OWNER: ContextVar[object | None] = ContextVar("reportbot_store_owner", default=None)


def writes(method: Callable[..., _T]) -> Callable[..., _T]:
    """Run a store method as one transaction (or as part of the caller's)."""

    @functools.wraps(method)
    def wrapper(self: TinyBase, *args: Any, **kwargs: Any) -> _T:
        with self.transaction():
            return method(self, *args, **kwargs)

    return wrapper


class TinyBase:
    """The TinyDB database and small-table helpers."""

    def __init__(self, db: TinyDB) -> None:
        self._db = db
        self._storage: JournalStorage = db.storage

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes: durable together when the block ends, none of them if it raises."""
        owner = _OWNER.get()
        if owner is not None:
            with self._storage.transaction(owner):
                yield
            return
        owner = object()
        token = _OWNER.set(owner)
        try:
            with self._storage.transaction(owner):
                yield
        finally:
            _OWNER.reset(token)

    def close(self) -> None:
        """Release files and locks."""
        self._db.close()

    # Tables ---------------------------------------------------------------------------------------
    def _table(self, name: str) -> Table:
        # A fresh Table each time and no query cache: nothing survives a rollback but the data itself.
        return Table(self._storage, name, cache_size=0)

    def _exists(self, name: str) -> bool:
        return name in self._storage.read()

    def _family(self, prefix: str) -> list[str]:
        return self._storage.family_names(prefix)

    def _docs(self, name: str) -> dict[int, dict[str, Any]]:
        raw = self._storage.read().get(name, {})
        return {int(doc_id): copied(doc) for doc_id, doc in raw.items()}

    def _get(self, name: str, doc_id: int = 1) -> dict[str, Any] | None:
        doc = self._storage.read().get(name, {}).get(str(doc_id))
        return copied(doc) if doc is not None else None

    def _put(self, name: str, doc: dict[str, Any], doc_id: int = 1) -> None:
        """Replace (not merge) one document."""
        doc = copied(doc)
        table = self._table(name)
        if table.contains(doc_id=doc_id):
            table.update(lambda stored: (stored.clear(), stored.update(doc)), doc_ids=[doc_id])
        else:
            table.insert(Document(doc, doc_id=doc_id))

    def _drop(self, name: str) -> None:
        if self._exists(name):
            self._db.drop_table(name)

    def _next(self, counter: str) -> int:
        """The next number of a counter that never repeats (ids of deliveries, jobs, blobs)."""
        doc = self._get("counters@" + counter) or {"value": 0}
        self._put("counters@" + counter, {"value": doc["value"] + 1})
        return doc["value"] + 1
