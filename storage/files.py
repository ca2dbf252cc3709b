"""Files the way a database needs them: private, replaced atomically, made durable, locked to one process."""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
from pathlib import Path

import filelock

LOCK_NAME = ".lock"


class DatabaseLocked(RuntimeError):
    """Another process holds the database open."""


def private_folder(path: Path) -> None:
    """Create ``path`` (and parents) readable by this user only; tighten an existing one."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if sys.platform != "win32":
        path.chmod(0o700)


def fsync_directory(directory: Path) -> None:
    """Make a rename or a new file in ``directory`` durable (a no-op where folders cannot be opened)."""
    if sys.platform == "win32":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Replace ``path`` with ``payload`` (mode 0600) so that a crash leaves either the old or the new file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    os.replace(tmp, path)
    fsync_directory(path.parent)


def remove_temporaries(directory: Path) -> None:
    """Delete temporary files a crash left between writing and renaming (they hold nothing acknowledged)."""
    for tmp in directory.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


class FolderLock:
    """An exclusive lock on a folder for the life of one process (flock on Unix, msvcrt on Windows)."""

    def __init__(self, directory: Path) -> None:
        self._lock = filelock.FileLock(directory / LOCK_NAME, mode=0o600, thread_local=False)
        try:
            self._lock.acquire(timeout=0)
        except filelock.Timeout:
            raise DatabaseLocked(f"database {directory} is in use by another process") from None
        remove_temporaries(directory)

    def release(self) -> None:
        """Let another process open the folder."""
        with contextlib.suppress(OSError):
            self._lock.release()


class BlobFolder:
    """Files kept beside the database (documents waiting in the outbox), each written atomically."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        private_folder(directory)

    def put(self, name: str, data: bytes) -> None:
        """Keep ``data`` under ``name``, durably."""
        atomic_write_bytes(self.directory / name, data)

    def get(self, name: str) -> bytes:
        """The bytes kept under ``name``."""
        return (self.directory / name).read_bytes()

    def delete(self, name: str) -> None:
        """Forget a file."""
        (self.directory / name).unlink(missing_ok=True)

    def names(self) -> set[str]:
        """Every kept file."""
        return {f.name for f in self.directory.iterdir() if not f.name.startswith(".")}


class MemoryBlobs:
    """The in-memory twin of ``BlobFolder``."""

    def __init__(self) -> None:
        self._files: dict[str, bytes] = {}

    def put(self, name: str, data: bytes) -> None:
        """Keep ``data`` under ``name``."""
        self._files[name] = bytes(data)

    def get(self, name: str) -> bytes:
        """The bytes kept under ``name``."""
        return self._files[name]

    def delete(self, name: str) -> None:
        """Forget a file."""
        self._files.pop(name, None)

    def names(self) -> set[str]:
        """Every kept file."""
        return set(self._files)


SECRET_NAME = "signing-secret"


def kept_secret(directory: Path) -> str:
    """The random secret kept in the database folder (256 bits, mode 0600), made at the first call."""
    private_folder(directory)
    path = directory / SECRET_NAME
    kept = path.read_text(encoding="ascii").strip() if path.exists() else ""
    if len(kept) < 32:  # absent, or cut short by a crash before anything was signed with it
        atomic_write_bytes(path, (secrets.token_urlsafe(32) + "\n").encode("ascii"))
        kept = path.read_text(encoding="ascii").strip()  # whoever wrote last, everyone uses what is kept
    return kept
