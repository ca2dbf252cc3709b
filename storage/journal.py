"""A TinyDB storage with transactions: every commit is one checksummed journal record, appended and fsynced.

TinyDB hands its storage the whole database on every write. This storage keeps the tables in memory and
notices which tables an operation replaced (TinyDB assigns a fresh dict to every table it changes), so a
commit costs the size of the tables it touched, not the size of the database. The store keeps hot data
in many small tables (one per person, per field, per chat), which makes a commit O(1).

On disk a database folder holds ``tables-<gen>.json`` (a snapshot) and ``journal-<gen>.log`` (records
committed since). A record is ``<length> <crc32>\\n<json>\\n``; it is appended with one ``write`` and
made durable with ``fsync`` before the commit returns, so a process killed at any instant leaves every
acknowledged commit on disk and at most one torn record at the end, which the next open discards. When
the journal outgrows the snapshot, a new snapshot generation is written atomically and the journal
starts afresh, so opening stays proportional to the data.

A transaction that fails (an exception inside it, a value JSON cannot hold, a full disk) leaves memory
and disk exactly as they were: the tables it touched are restored from their committed bytes, and a
partly appended record is cut off again.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from storage.errors import StorageError, TransactionMisuse
from storage.files import FolderLock, atomic_write_bytes, fsync_directory, private_folder

log = logging.getLogger(__name__)

Table = dict[str, Any]
SNAPSHOT = re.compile(r"^tables-(\d{6})\.json$")
JOURNAL_MIN_BYTES = 1 << 20  # compact once the journal exceeds this and the snapshot's size


def family(name: str) -> str:
    """The family of a table name: ``answers@2026@t3.total`` belongs to ``answers@2026``."""
    return name.rsplit("@", 1)[0] if "@" in name else ""


def _dumps(value: Any) -> bytes:
    # allow_nan=False: NaN and infinities are not JSON; they must fail the commit, not corrupt the file.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


class _Tables(dict):
    """The database as TinyDB sees it; remembers which tables an operation replaced or dropped."""

    def __init__(self, owner: JournalStorage, *args: Any) -> None:
        super().__init__(*args)
        self.owner = owner

    def __setitem__(self, name: str, table: Table) -> None:
        self.owner._touch(name)
        super().__setitem__(name, table)
        self.owner._index(name, True)

    def __delitem__(self, name: str) -> None:
        self.owner._touch(name)
        super().__delitem__(name)
        self.owner._index(name, False)


class JournalStorage(Storage):
    """TinyDB storage kept in a folder (or only in memory when ``path`` is None), with transactions."""

    def __init__(self, path: str | os.PathLike[str] | None = None, journal_min: int = JOURNAL_MIN_BYTES):
        self.directory = Path(path) if path is not None else None
        self.journal_min = journal_min
        self._mutex = threading.RLock()
        self._depth = 0
        self._owner: object | None = None
        self._dirty: set[str] = set()
        self._doomed: BaseException | None = None
        self._broken: BaseException | None = None
        self._committed: dict[str, bytes] = {}
        self._families: dict[str, set[str]] = {}
        self._tables = _Tables(self)
        self._lock: FolderLock | None = None
        self._journal: int | None = None
        self._journal_size = 0
        self._snapshot_size = 0
        self._generation = 0
        if self.directory is not None:
            private_folder(self.directory)
            self._lock = FolderLock(self.directory)
            self._open()

    # What TinyDB calls ------------------------------------------------------------------------------
    def read(self) -> dict[str, Table]:
        """Return the tables (TinyDB replaces, never edits, the dict of a table it changes)."""
        return self._tables

    def write(self, data: dict[str, Table]) -> None:
        """Called by TinyDB after each operation: commit it, unless a transaction is open."""
        if data is not self._tables:  # TinyDB.drop_tables() hands over a new, empty dict
            for name in list(self._tables):
                del self._tables[name]
            for name, table in data.items():
                self._tables[name] = table
        if self._depth == 0:
            self._commit()

    def close(self) -> None:
        """Release the journal and the folder lock."""
        if self._journal is not None:
            os.close(self._journal)
            self._journal = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    # Transactions -----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self, owner: object | None = None) -> Iterator[None]:
        """Group writes into one commit: all of them become durable together, or none does."""
        with self._mutex:
            if self._depth and owner is not None and self._owner is not None and owner is not self._owner:
                raise TransactionMisuse("a second writer joined an open transaction")
            outermost = self._depth == 0
            if outermost:
                self._owner, self._doomed = owner, None
            self._depth += 1
            try:
                yield
            except BaseException as exc:
                self._depth -= 1
                if outermost:
                    self._rollback()
                else:
                    self._doomed = exc  # the outer block may catch it, but must not commit half of it
                raise
            self._depth -= 1
            if outermost:
                if self._doomed is not None:
                    self._rollback()
                    raise StorageError("a nested write failed; the transaction was rolled back") from (
                        self._doomed
                    )
                self._commit()

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open."""
        return self._depth > 0

    @property
    def owner(self) -> object | None:
        """What opened the current transaction (for checks by the layer above)."""
        return self._owner if self._depth else None

    def family_names(self, prefix: str) -> list[str]:
        """Every table whose name is ``prefix@<key>``, in name order."""
        return sorted(self._families.get(prefix, ()))

    def _touch(self, name: str) -> None:
        self._dirty.add(name)  # first, so that a rollback restores what TinyDB may have edited in place
        if self._broken is not None:
            raise StorageError(f"the database can no longer be written: {self._broken}")

    def _index(self, name: str, present: bool) -> None:
        key = family(name)
        if not key:
            return
        members = self._families.setdefault(key, set())
        if present:
            members.add(name)
        else:
            members.discard(name)
            if not members:
                del self._families[key]

    # Commit and rollback ----------------------------------------------------------------------------
    def _commit(self) -> None:
        dirty, self._dirty = self._dirty, set()
        if not dirty:
            return
        try:
            encoded = {name: _dumps(self._tables[name]) if name in self._tables else None for name in dirty}
            if self.directory is not None:
                self._append(encoded)
        except BaseException:
            self._dirty = dirty
            self._rollback()
            raise
        for name, payload in encoded.items():
            if payload is None:
                self._committed.pop(name, None)
            else:
                self._committed[name] = payload
        if self.directory is not None and self._journal_size > max(self.journal_min, self._snapshot_size):
            try:
                self._compact()
            except OSError as exc:  # the commit itself is durable; compaction is tried again later
                log.warning("could not compact the journal (%s); will try again", exc)
                self._snapshot_size = self._journal_size + self.journal_min

    def _rollback(self) -> None:
        dirty, self._dirty = self._dirty, set()
        for name in dirty:
            if name in self._committed:
                dict.__setitem__(self._tables, name, json.loads(self._committed[name]))
            else:
                dict.pop(self._tables, name, None)
            self._index(name, name in self._tables)

    def _append(self, encoded: dict[str, bytes | None]) -> None:
        parts = [
            json.dumps(name, ensure_ascii=False).encode() + b":" + (payload or b"null")
            for name, payload in sorted(encoded.items())
        ]
        body = b'{"set":{' + b",".join(parts) + b"}}"
        record = f"{len(body)} {zlib.crc32(body):08x}\n".encode() + body + b"\n"
        size = self._journal_size
        try:
            written = 0
            while written < len(record):
                written += os.write(self._journal, record[written:])
            os.fsync(self._journal)
        except OSError as exc:
            try:  # cut the torn record off, so the next commit is not written after garbage
                os.ftruncate(self._journal, size)
                os.fsync(self._journal)
            except OSError as again:
                self._broken = again
            raise StorageError(f"could not write the journal: {exc}") from exc
        self._journal_size = size + len(record)

    # Opening, replay and compaction -----------------------------------------------------------------
    def _path(self, kind: str, generation: int) -> Path:
        suffix = "json" if kind == "tables" else "log"
        return self.directory / f"{kind}-{generation:06d}.{suffix}"

    def _open(self) -> None:
        generations = sorted(
            int(m.group(1)) for f in self.directory.iterdir() if (m := SNAPSHOT.match(f.name))
        )
        self._generation = generations[-1] if generations else 0
        if generations:
            raw = self._path("tables", self._generation).read_bytes()
            self._snapshot_size = len(raw)
            for name, table in json.loads(raw)["tables"].items():
                dict.__setitem__(self._tables, name, table)
        # A snapshot is written (atomically) before its journal starts, so the newest snapshot and its
        # own journal hold every commit; older generations are leftovers of a compaction cut short.
        self._replay(self._path("journal", self._generation))
        for name, table in self._tables.items():
            self._committed[name] = _dumps(table)
            self._index(name, True)
        self._journal = self._open_journal(self._generation)
        self._journal_size = os.fstat(self._journal).st_size
        self._remove_stale()

    def _replay(self, path: Path) -> None:
        if not path.exists():
            return
        data = path.read_bytes()
        offset = 0
        while offset < len(data):
            end = data.find(b"\n", offset)
            try:
                length, crc = data[offset:end].split(b" ")
                body = data[end + 1 : end + 1 + int(length)]
                if end < 0 or len(body) != int(length) or zlib.crc32(body) != int(crc, 16):
                    raise ValueError("torn record")
                changes = json.loads(body)["set"]
            except ValueError:
                log.warning("%s: discarded a torn record at byte %d (a crash mid-commit)", path.name, offset)
                with open(path, "r+b") as handle:
                    handle.truncate(offset)
                    os.fsync(handle.fileno())
                return
            for name, table in changes.items():
                if table is None:
                    dict.pop(self._tables, name, None)
                else:
                    dict.__setitem__(self._tables, name, table)
            offset = end + 1 + int(length) + 1

    def _open_journal(self, generation: int) -> int:
        path = self._path("journal", generation)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            fsync_directory(self.directory)
        except OSError:
            os.close(fd)
            raise
        return fd

    def _compact(self) -> None:
        """Write the committed tables as the next snapshot generation and start an empty journal."""
        body = b",".join(
            json.dumps(name, ensure_ascii=False).encode() + b":" + payload
            for name, payload in sorted(self._committed.items())
        )
        snapshot = b'{"format":2,"tables":{' + body + b"}}"
        generation = self._generation + 1
        target = self._path("tables", generation)
        atomic_write_bytes(target, snapshot)
        try:
            journal = self._open_journal(generation)
        except OSError:
            # Without its journal the new snapshot must not win at the next open: commits go on
            # into the current journal, which the current snapshot pairs with.
            target.unlink(missing_ok=True)
            raise
        os.close(self._journal)
        self._journal, self._journal_size = journal, 0
        self._generation, self._snapshot_size = generation, len(snapshot)
        self._remove_stale()

    def _remove_stale(self) -> None:
        for file in self.directory.iterdir():
            match = re.match(r"^(tables|journal)-(\d{6})\.", file.name)
            if match and int(match.group(2)) != self._generation:
                file.unlink(missing_ok=True)
        fsync_directory(self.directory)
