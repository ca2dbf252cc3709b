"""A crash-safe TinyDB storage that keeps each table in its own file.

TinyDB's stock ``JSONStorage`` truncates its file and rewrites it in place, so a crash mid-write leaves
a half-written (unreadable) database, and every write costs the size of the whole database. Here each
table lives in ``<dir>/<table>.json`` and only the tables a write changed are rewritten, each through
a temporary file, ``fsync``, ``os.replace`` and a directory ``fsync``. A process killed at any instant
leaves every table either in its old or in its new state, and a write that returned is on disk.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from tinydb.storages import Storage

SUFFIX = ".json"
LOCK_NAME = ".lock"


class DatabaseLocked(RuntimeError):
    """Another process holds the database open."""


def _table_file(directory: Path, table: str) -> Path:
    # Table names may contain characters that are not safe in file names ("/" or ":").
    return directory / (quote(table, safe="@.-_") + SUFFIX)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Replace ``path`` with ``payload`` so that a crash leaves either the old or the new file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_directory(path.parent)


class DirectoryStorage(Storage):
    """TinyDB storage: one JSON file per table, written atomically and durably, read once at start."""

    def __init__(self, path: str | os.PathLike[str], create_dirs: bool = True) -> None:
        self.directory = Path(path)
        if create_dirs:
            self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = self._acquire_lock()
        self._tables: dict[str, dict[str, Any]] = dict(self._load())
        # TinyDB hands back a *new* dict for every table it changes, so comparing identities against
        # what was last written finds the changed tables without comparing any documents.
        self._written: dict[str, dict[str, Any]] = dict(self._tables)
        self._cleanup_temporaries()

    def _acquire_lock(self) -> int:
        fd = os.open(self.directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(fd)
            raise DatabaseLocked(f"database {self.directory} is in use by another process") from exc
        return fd

    def _load(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for file in sorted(self.directory.glob("*" + SUFFIX)):
            if file.name.startswith("."):
                continue
            with open(file, encoding="utf-8") as handle:
                yield unquote(file.name[: -len(SUFFIX)]), json.load(handle)

    def _cleanup_temporaries(self) -> None:
        # Left behind only by a crash between writing and renaming; they never hold acknowledged data.
        for tmp in self.directory.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)

    def read(self) -> dict[str, dict[str, Any]]:
        """Return the in-memory tables (TinyDB replaces, never mutates, the tables it changes)."""
        return self._tables

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        """Persist the tables that changed since the last write, then drop the removed ones."""
        if data is not self._tables:
            self._tables = data
        for name, table in data.items():
            if self._written.get(name) is not table:
                payload = json.dumps(table, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
                atomic_write_bytes(_table_file(self.directory, name), payload)
                self._written[name] = table
        for name in [name for name in self._written if name not in data]:
            _table_file(self.directory, name).unlink(missing_ok=True)
            _fsync_directory(self.directory)
            del self._written[name]

    def close(self) -> None:
        """Release the process lock."""
        if self._lock >= 0:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            os.close(self._lock)
            self._lock = -1
