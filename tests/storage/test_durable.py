"""The disk store survives restarts and SIGKILL at any instant without losing an acknowledged write."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage import DatabaseLocked, open_store
from storage.durable import DirectoryStorage

NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)

WRITER = r"""
import sys
from datetime import datetime, timezone
from storage import open_store
from storage.records import SUBMITTED

store = open_store(sys.argv[1])
start = int(sys.argv[2])
at = datetime.now(timezone.utc)
for n in range(start, start + 100000):
    store.save_answers(2026, {"counter": n, f"field{n % 50}": "x" * (n % 300)}, "writer", at)
    if n % 10 == 0:
        store.set_section_state(2026, f"s{n % 5}", SUBMITTED, "writer", at, comment=str(n))
    print(n, flush=True)  # acknowledged: save_answers has returned
"""


def test_reopening_sees_every_write(tmp_path):
    store = open_store(tmp_path / "db")
    store.save_answer(2026, "a", 1, "u", NOW)
    store.set_organisation({"organisation": "示例局"})
    store.close()
    again = open_store(tmp_path / "db")
    assert again.current_answers(2026)["a"].value == 1
    assert again.get_organisation()["organisation"] == "示例局"
    again.close()


def test_a_second_process_cannot_open_the_same_database(tmp_path):
    store = open_store(tmp_path / "db")
    code = f"from storage import open_store\nopen_store({str(tmp_path / 'db')!r})"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode != 0 and "DatabaseLocked" in result.stderr
    store.close()
    with pytest.raises(DatabaseLocked):
        first = DirectoryStorage(tmp_path / "other")
        try:
            DirectoryStorage(tmp_path / "other")
        finally:
            first.close()


def test_only_changed_tables_are_rewritten(tmp_path):
    store = open_store(tmp_path / "db")
    store.set_organisation({"organisation": "示例局"})
    organisation = tmp_path / "db" / "organisation.json"
    before = organisation.stat().st_mtime_ns
    time.sleep(0.01)
    store.save_answer(2026, "a", 1, "u", NOW)
    assert organisation.stat().st_mtime_ns == before
    store.close()


def test_sigkill_mid_write_never_corrupts_or_loses_acknowledged_answers(tmp_path):
    database = tmp_path / "db"
    rng = random.Random(20261129)
    acknowledged = -1
    for _ in range(25):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(database), str(acknowledged + 1)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        # Let the writer get going, then kill it at an arbitrary point of a write.
        wanted = rng.randint(1, 40)
        for line in child.stdout:
            acknowledged = max(acknowledged, int(line))
            if acknowledged % 1000 >= wanted or rng.random() < 0.05:
                break
        time.sleep(rng.random() * 0.01)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        for line in child.stdout:  # anything printed before the kill was acknowledged too
            acknowledged = max(acknowledged, int(line))
        child.stdout.close()

        for file in database.glob("*.json"):  # every table file is complete JSON
            json.loads(file.read_text(encoding="utf-8"))
        store = open_store(database)
        stored = store.current_answers(2026)["counter"].value
        assert stored >= acknowledged, f"acknowledged {acknowledged} but only {stored} is on disk"
        acknowledged = stored
        history = [v.value for v in store.answer_history(2026, "counter")]
        assert history == list(range(history[0], history[0] + len(history)))
        store.close()
    assert acknowledged > 25
