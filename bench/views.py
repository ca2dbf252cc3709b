"""Coordinator views as an office grows: /status, /missing, the reminder tick, opening the store, start-up.

Run: ``python bench/views.py [--sizes 10,100,500] [--contacts 20]``. Each size is a report with one
section per department (the worst case for per-department work), ``--contacts`` contacts each and half
the sections answered; it prints the median time of each view per size and how the largest size's time
grows against the smallest's, beside how the size itself grows (linear work: the two ratios match). The
reminder tick is the bot's whole tick (workflows.tick): what falls due, every message composed and
logged, then rolled back so that each repeat does it all again. Start to poll is `reportbot run`'s
start-up, from opening the database to the first getUpdates on a local Bot API server.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

# Run as a script, this file's folder comes first on sys.path and would shadow the packages it measures.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import yaml  # noqa: E402

from bot.app import ReportBot  # noqa: E402
from bot.courier import Pace  # noqa: E402
from bot.offline.demo import example_settings  # noqa: E402
from bot.offline.local_api import LocalBotApi  # noqa: E402
from bot.offline.local_api_methods import UNLIMITED  # noqa: E402
from storage import open_store  # noqa: E402
from storage.records import CONTACT, Contact, Department  # noqa: E402
from workflows.clock import ManualClock  # noqa: E402
from workflows.cycles import new_cycle  # noqa: E402
from workflows.loader import load_template  # noqa: E402
from workflows.progress import missing, status  # noqa: E402
from workflows.services import Services  # noqa: E402
from workflows.session import ReportSession  # noqa: E402
from workflows.tick import tick_cycle  # noqa: E402
from workflows.workdays import WorkCalendar  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")
OPENS = datetime(2027, 1, 4, 9, 0, tzinfo=ZONE)
DEADLINE = datetime(2027, 1, 20, 18, 0, tzinfo=ZONE)
NOW = DEADLINE + timedelta(days=2)  # overdue: every view has the most to say


def _template(folder: Path, departments: int) -> Path:
    sections = [
        {
            "id": f"s{n}",
            "heading": f"第{n}部分",
            "blocks": [
                {"narrative": {"id": f"s{n}.text", "label": f"情况{n}"}},
                {"fields": [{"id": f"s{n}.count", "label": f"数量{n}"}]},
                {"paragraph": f"本部门共办理{{s{n}.count}}件。"},
            ],
        }
        for n in range(departments)
    ]
    data = {
        "id": f"bench-{departments}",
        "name": "bench",
        "title": "{organisation}{year}年报告",
        "defaults": {"type": "integer", "unit": "件", "min": 0},
        "sections": sections,
    }
    path = folder / f"bench-{departments}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _build(folder: Path, departments: int, contacts: int):
    template = load_template(_template(folder, departments))
    store = open_store(folder / f"db-{departments}")
    cycle = new_cycle(template.id, 2026, DEADLINE, OPENS, "Asia/Shanghai", OPENS)
    with store.transaction():
        store.put_cycle(cycle)
        for n in range(departments):
            store.put_department(Department(f"d{n}", f"部门{n}", (f"s{n}",)))
            for k in range(contacts):
                uid = 10_000 + n * contacts + k
                store.put_contact(Contact(uid, CONTACT, f"联系人{uid}", f"d{n}", "zh", uid))
    with store.transaction():
        for n in range(0, departments, 2):
            store.save_answers(cycle.id, {f"s{n}.count": n, f"s{n}.text": "本年度工作正常。"}, "bench", OPENS)
    return template, store, cycle


def _median(work, repeat: int = 5) -> float:
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        work()
        timings.append(time.perf_counter() - began)
    return statistics.median(timings)


def measure(folder: Path, departments: int, contacts: int) -> dict[str, float]:
    """Median seconds of each view at one size."""
    template, store, cycle = _build(folder, departments, contacts)
    calendar = WorkCalendar.load()

    def session() -> ReportSession:
        return ReportSession(store, template, cycle, calendar=calendar)

    class Discard:
        """An outbox that only counts: the bench measures deciding and composing, not sending."""

        sent = 0

        def reply(self, address, reply, priority, group=None) -> None:
            Discard.sent += 1

    class Undo(Exception):
        """Raised to roll the tick's reminder log back, so every repeat does the whole work again."""

    def tick() -> None:
        try:
            with store.transaction():
                tick_cycle(Discard(), session(), calendar, NOW, 3, "zh")
                raise Undo
        except Undo:
            pass

    out = {
        "status": _median(lambda: status(session(), cycle, NOW, "zh")),
        "missing": _median(lambda: missing(session(), cycle, NOW, "zh")),
        "reminder tick": _median(tick),
    }
    store.close()
    out["open store"] = _median(lambda: open_store(folder / f"db-{departments}").close(), repeat=3)
    out["start to poll"] = asyncio.run(_start_to_poll(folder, template, departments))
    return out


async def _start_to_poll(folder: Path, template, departments: int) -> float:
    """Seconds from opening the store to the bot's first getUpdates, as `reportbot run` starts."""
    api = LocalBotApi(limits=UNLIMITED)
    api.start()
    settings = example_settings("2021", "gov-disclosure-2021", folder / f"db-{departments}", api)
    settings.template, settings.template_ref, settings.organisation = template, template.id, {}
    settings.departments = [Department(f"d{n}", f"部门{n}", (f"s{n}",)) for n in range(departments)]
    began = time.perf_counter()
    store = open_store(settings.database)
    services = Services(settings, store, ManualClock(NOW))
    services.sync_from_settings()
    bot = ReportBot(services, api.token, WorkCalendar.load(), pace=Pace(per_second=0, per_chat_seconds=0))
    starting = asyncio.create_task(bot.start())  # it goes on catching up on reminders after polling begins
    try:
        while not api.calls["getUpdates"]:
            await asyncio.sleep(0.001)
        return time.perf_counter() - began
    finally:
        await starting
        await bot.stop()
        store.close()
        api.stop()


def main() -> None:
    """Print each view's time per size, and growth against size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,500")
    parser.add_argument("--contacts", type=int, default=20)
    args = parser.parse_args()
    logging.getLogger("workflows.workdays").setLevel(logging.ERROR)  # the bench's year has no holiday data
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        results = {size: measure(Path(tmp), size, args.contacts) for size in sizes}
    views = list(results[sizes[0]])
    print(f"{'departments':>12} " + " ".join(f"{v:>14}" for v in views))
    for size in sizes:
        print(f"{size:>12} " + " ".join(f"{results[size][v] * 1000:>12.1f}ms" for v in views))
    small, large = sizes[0], sizes[-1]
    print(f"\nsize grows {large / small:.0f}x; time grows:")
    for view in views:
        print(f"  {view:<14} {results[large][view] / results[small][view]:.1f}x")


if __name__ == "__main__":
    main()
