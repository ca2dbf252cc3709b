"""Cost of saving one answer as the database grows, reportbot's store vs TinyDB's stock JSONStorage.

Run: ``python bench/storage.py [--sizes 1000,10000,100000] [--saves 20] [--people 100,10000]``. Prints,
per size, the median time of one save for each store and the ratios that matter: how each grows against
its own cost at the smallest size, and how much slower stock is. Stock JSONStorage rewrites the whole
file in place on every write and never fsyncs; reportbot's store fsyncs every save and still stays flat,
because a save appends one journal record holding only the field it changed (see storage/journal.py and
storage/tiny_base.py).

A second table measures an office of 100 and of 10,000 people: opening the folder, saving one person's
conversation state, one answer into a fresh field, and one into a field that already holds 500 versions.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and this file would shadow the `storage`
# package it measures.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from tinydb import TinyDB  # noqa: E402
from tinydb.storages import JSONStorage  # noqa: E402

from storage import open_store  # noqa: E402
from storage.records import CONTACT, Contact, Department  # noqa: E402

AT = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
FIELDS = 200  # about one template's worth of fields, each revised many times


def _answer(n: int) -> tuple[str, int]:
    return f"t3.row{n % FIELDS}.col{n % 7}", n


def bench_reportbot(directory: Path, size: int, saves: int) -> float:
    """Median seconds of one durable save into a store already holding ``size`` answers."""
    store = open_store(directory / "reportbot")
    batch = 500
    for start in range(0, size, batch):
        store.save_answers(
            "2026", dict(_answer(n) for n in range(start, min(size, start + batch))), "bench", AT
        )
    timings = []
    for n in range(size, size + saves):
        field, value = _answer(n)
        began = time.perf_counter()
        store.save_answer("2026", field, value, "bench", AT)
        timings.append(time.perf_counter() - began)
    store.close()
    return statistics.median(timings)


def bench_stock(directory: Path, size: int, saves: int) -> float:
    """Median seconds of one save with TinyDB's JSONStorage and the plain layout: one answers table."""
    db = TinyDB(directory / "stock.json", storage=JSONStorage)
    table = db.table("answers")
    table.insert_multiple(
        {"year": 2026, "field": f, "value": v, "by": "bench", "at": AT.isoformat()}
        for f, v in map(_answer, range(size))
    )
    timings = []
    for n in range(size, size + saves):
        field, value = _answer(n)
        began = time.perf_counter()
        table.insert({"year": 2026, "field": field, "value": value, "by": "bench", "at": AT.isoformat()})
        timings.append(time.perf_counter() - began)
    db.close()
    return statistics.median(timings)


def _timed(action, repeats: int) -> float:
    timings = []
    for n in range(repeats):
        began = time.perf_counter()
        action(n)
        timings.append(time.perf_counter() - began)
    return statistics.median(timings)


def bench_people(directory: Path, people: int, saves: int) -> dict[str, float]:
    """An office of ``people`` contacts, each with a conversation state: what opening and writing cost.

    open: opening the folder (snapshot + journal replay, tables indexed); state: one person's position
    saved; answer: one answer into a fresh field; full: one answer into a field holding 500 versions."""
    path = directory / "office"
    store = open_store(path)
    with store.transaction():
        for d in range(max(1, people // 20)):
            store.put_department(Department(f"d{d}", f"科室{d}", (f"s{d}",)))
        for uid in range(1, people + 1):
            store.put_contact(
                Contact(uid, CONTACT, f"联系人{uid}", f"d{uid % max(1, people // 20)}", "zh", uid)
            )
            store.set_conversation(
                "2026", uid, {"unit": "s0", "fields": ["t3.a"], "seq": 3, "seen": {"t3.a": 1}}
            )
    for version in range(500):
        store.save_answer("2026", "t3.full", version, "bench", AT)
    store.close()
    began = time.perf_counter()
    store = open_store(path)
    opened = time.perf_counter() - began
    state = _timed(lambda n: store.set_conversation("2026", 1 + n % people, {"unit": "s0", "seq": n}), saves)
    fresh = _timed(lambda n: store.save_answer("2026", f"t9.fresh{n}", n, "bench", AT), saves)
    full = _timed(lambda n: store.save_answer("2026", "t3.full", n, "bench", AT), saves)
    store.close()
    return {"open": opened, "state": state, "answer": fresh, "full": full}


def main() -> None:
    """Run the benchmark and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--people", default="100,10000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            ours = bench_reportbot(Path(tmp), size, args.saves)
        with tempfile.TemporaryDirectory() as tmp:
            stock = bench_stock(Path(tmp), size, args.saves)
        rows.append((size, ours, stock))
    base_ours, base_stock = rows[0][1], rows[0][2]
    print(
        f"{'answers':>9} {'reportbot':>11} {'stock':>11} {'ours/ours@' + str(sizes[0]):>16} "
        f"{'stock/stock@' + str(sizes[0]):>18} {'stock/ours':>11}"
    )
    for size, ours, stock in rows:
        print(
            f"{size:>9} {ours * 1000:>9.2f}ms {stock * 1000:>9.2f}ms {ours / base_ours:>16.2f} "
            f"{stock / base_stock:>18.2f} {stock / ours:>11.2f}"
        )
    print("reportbot fsyncs every save (one journal append); stock JSONStorage never fsyncs.")
    print()
    offices = [int(s) for s in args.people.split(",")]
    measured = []
    for people in offices:
        with tempfile.TemporaryDirectory() as tmp:
            measured.append((people, bench_people(Path(tmp), people, args.saves)))
    base = measured[0][1]
    print(
        f"{'people':>9} {'open':>10} {'state':>9} {'answer':>9} {'full':>9}   ratios to {offices[0]} people"
    )
    for people, m in measured:
        ratios = " ".join(f"{k} {m[k] / base[k]:.2f}" for k in ("open", "state", "answer", "full"))
        print(
            f"{people:>9} {m['open'] * 1000:>8.1f}ms {m['state'] * 1000:>7.2f}ms "
            f"{m['answer'] * 1000:>7.2f}ms {m['full'] * 1000:>7.2f}ms   {ratios}"
        )
    print(
        "open: snapshot, journal replay and table indexes; state: one position; answer: a new field; "
        "full: a field of 500 versions."
    )


if __name__ == "__main__":
    main()
