"""The database folder survives restarts, SIGKILL at any instant and a full disk without losing or
inventing an acknowledged write, and stays private to its owner."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage import DatabaseLocked, open_store
from storage.journal import JournalStorage, TransactionMisuse

NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]

WRITER = r"""
import sys
from datetime import datetime, timezone
from storage import open_store
from storage.records import SUBMITTED

store = open_store(sys.argv[1])
start = int(sys.argv[2])
at = datetime.now(timezone.utc)
for n in range(start, start + 100000):
    with store.transaction():
        store.save_answers("2026", {"counter": n, f"field{n % 50}": "x" * (n % 300)}, "writer", at)
        store.set_conversation("2026", 1, {"seen": n})
        if n % 10 == 0:
            store.set_section_state("2026", f"s{n % 5}", SUBMITTED, "writer", at, comment=str(n))
    print(n, flush=True)  # acknowledged: the transaction has returned
"""

FULL_DISK = r"""
import resource, signal, sys
from datetime import datetime, timezone
from pathlib import Path
from storage import StorageError, open_store

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, as on a full disk
folder = Path(sys.argv[1])
store = open_store(folder)
at = datetime.now(timezone.utc)
store.save_answer("2026", "a", 1, "u", at)
journal = next(folder.glob("journal-*.log"))
resource.setrlimit(resource.RLIMIT_FSIZE, (journal.stat().st_size + 40, resource.RLIM_INFINITY))
try:
    with store.transaction():
        store.save_answer("2026", "a", 2, "u", at)
        store.set_conversation("2026", 1, {"step": "next"})
    print("saved")
except StorageError as exc:
    print("refused:", exc)
print("memory:", store.current_answers("2026")["a"].value, store.get_conversation("2026", 1))
resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
store.save_answer("2026", "a", 3, "u", at)
print("after:", [v.value for v in store.answer_history("2026", "a")])
"""


def test_reopening_sees_every_write(tmp_path):
    store = open_store(tmp_path / "db")
    store.save_answer("2026", "a", 1, "u", NOW)
    store.set_organisation({"organisation": "示例局"})
    store.close()
    again = open_store(tmp_path / "db")
    assert again.current_answers("2026")["a"].value == 1
    assert again.get_organisation()["organisation"] == "示例局"
    again.close()


def test_the_folder_and_its_files_are_private(tmp_path):
    store = open_store(tmp_path / "db")
    store.save_answer("2026", "a", 1, "u", NOW)
    store.put_blob(b"report")
    store.close()
    folder = tmp_path / "db"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


def test_a_second_process_cannot_open_the_same_database(tmp_path):
    store = open_store(tmp_path / "db")
    code = f"from storage import open_store\nopen_store({str(tmp_path / 'db')!r})"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode != 0 and "DatabaseLocked" in result.stderr
    store.close()
    with pytest.raises(DatabaseLocked):
        first = JournalStorage(tmp_path / "other")
        try:
            JournalStorage(tmp_path / "other")
        finally:
            first.close()


def test_a_commit_appends_only_what_it_changed(tmp_path):
    store = open_store(tmp_path / "db")
    for n in range(300):
        store.save_answer("2026", f"f{n}", n, "u", NOW)
    journal = next((tmp_path / "db").glob("journal-*.log"))
    before = journal.stat().st_size
    store.save_answer("2026", "f7", 8, "u", NOW)
    assert journal.stat().st_size - before < 300  # one small record, whatever the database holds
    store.close()


def test_a_torn_last_record_is_discarded(tmp_path):
    store = open_store(tmp_path / "db")
    store.save_answer("2026", "a", 1, "u", NOW)
    store.save_answer("2026", "a", 2, "u", NOW)
    store.close()
    journal = next((tmp_path / "db").glob("journal-*.log"))
    data = journal.read_bytes()
    journal.write_bytes(data[:-7])  # the crash came in the middle of the last append
    store = open_store(tmp_path / "db")
    assert [v.value for v in store.answer_history("2026", "a")] == [1]
    store.save_answer("2026", "a", 3, "u", NOW)
    store.close()
    store = open_store(tmp_path / "db")
    assert [v.value for v in store.answer_history("2026", "a")] == [1, 3]
    store.close()


def test_compaction_keeps_everything_and_one_generation(tmp_path):
    folder = tmp_path / "db"
    storage = JournalStorage(folder, journal_min=2000)
    storage.close()
    store = open_store(folder)
    store._storage.journal_min = 2000
    for n in range(500):
        store.save_answer("2026", f"f{n % 40}", n, "u", NOW)
    names = sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    assert len(names) == 2 and names[0].startswith("journal-") and names[1].startswith("tables-")
    assert names[0] != "journal-000000.log"
    store.close()
    store = open_store(folder)
    assert store.count_answer_versions("2026") == 500
    assert store.current_answers("2026")["f19"].value == 499
    store.close()


def test_a_full_disk_refuses_the_write_and_keeps_memory_and_disk_as_they_were(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(tmp_path / "db")], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("refused: could not write the journal"), lines
    assert lines[1] == "memory: 1 {}"
    assert lines[2] == "after: [1, 3]"
    store = open_store(tmp_path / "db")
    history = store.answer_history("2026", "a")
    assert [(v.value, v.version) for v in history] == [(1, 1), (3, 2)]
    assert store.get_conversation("2026", 1) == {}
    store.close()


def test_two_tasks_cannot_mix_their_writes_into_one_transaction(tmp_path):
    store = open_store(tmp_path / "db")

    async def first(started: asyncio.Event, release: asyncio.Event):
        with store.transaction():
            store.save_answer("2026", "a", 1, "u", NOW)
            started.set()
            await release.wait()

    async def second():
        store.save_answer("2026", "b", 1, "u", NOW)

    async def main():
        started, release = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(first(started, release))
        await started.wait()
        with pytest.raises(TransactionMisuse):
            await second()
        release.set()
        await task

    asyncio.run(main())
    assert set(store.current_answers("2026")) == {"a"}
    store.close()


def test_sigkill_mid_write_never_corrupts_or_loses_acknowledged_transactions(tmp_path):
    database = tmp_path / "db"
    rng = random.Random(20261130)
    acknowledged = -1
    for _ in range(20):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(database), str(acknowledged + 1)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        wanted = rng.randint(1, 40)
        for line in child.stdout:
            acknowledged = max(acknowledged, int(line))
            if acknowledged % 1000 >= wanted or rng.random() < 0.05:
                break
        time.sleep(rng.random() * 0.01)  # and kill it at an arbitrary point of a commit
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        for line in child.stdout:  # anything printed before the kill was acknowledged too
            acknowledged = max(acknowledged, int(line))
        child.stdout.close()

        store = open_store(database)
        stored = store.current_answers("2026")["counter"].value
        assert stored >= acknowledged, f"acknowledged {acknowledged} but only {stored} is on disk"
        assert store.get_conversation("2026", 1) == {"seen": stored}  # the whole transaction, or none
        acknowledged = stored
        history = [v.value for v in store.answer_history("2026", "counter")]
        assert history == list(range(history[0], history[0] + len(history)))
        store.close()
    assert acknowledged > 20
