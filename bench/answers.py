"""Answers a second: reportbot against a bare python-telegram-bot echo bot on the same local Bot API server.

Run: ``python bench/answers.py [--contacts 200] [--stored 100,10000] [--seconds 10]``. For each number of
contacts answering at once (each sends a part of a narrative, waits for the bot's reply, sends the next),
prints answers per second and the p50/p95 time to the reply, for reportbot (every answer a durable
transaction with its update id and its reply in the outbox) and for an echo bot (no storage at all),
and their ratio. ``--stored`` adds contacts who are in the database but silent.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

# Run as a script, this folder would come first on sys.path; keep imports resolving to the project.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from telegram import Update  # noqa: E402
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters  # noqa: E402

from bot.app import ReportBot  # noqa: E402
from bot.courier import Pace  # noqa: E402
from bot.offline.demo import example_settings  # noqa: E402
from bot.offline.local_api import LocalBotApi  # noqa: E402
from bot.offline.local_api_methods import UNLIMITED  # noqa: E402
from storage import open_store  # noqa: E402
from storage.records import CONTACT, Contact  # noqa: E402
from workflows.clock import ManualClock  # noqa: E402
from workflows.cycles import new_cycle  # noqa: E402
from workflows.position import Position  # noqa: E402
from workflows.services import Services  # noqa: E402
from workflows.workdays import WorkCalendar  # noqa: E402

# Departments whose first step is a narrative, and that field.
NARRATIVES = {
    "office": ("overview", "overview.proactive.text"),
    "policy": ("overview.requests", "overview.requests.text"),
    "it": ("overview.platforms", "overview.platforms.text"),
    "hr": ("overview.oversight", "overview.oversight.text"),
}
OPENS = datetime(2027, 1, 6, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DEADLINE = OPENS + timedelta(days=14)


@dataclass
class Result:
    """What one run measured."""

    answers: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Answers a second."""
        return self.answers / self.seconds

    def percentile(self, p: float) -> float:
        """The p-th percentile of the reply time, in milliseconds."""
        return statistics.quantiles(self.latencies, n=100)[int(p) - 1] * 1000


async def drive(api: LocalBotApi, users: list[int], seconds: float) -> Result:
    """Each user sends a part, waits for the reply, sends the next, until time is up."""
    loop = asyncio.get_running_loop()
    waiting: dict[int, asyncio.Event] = {}

    def on_sent(method, params, when, result):
        if when == "answered" and method == "sendMessage":
            event = waiting.get(int(params["chat_id"]))
            if event is not None:
                loop.call_soon_threadsafe(event.set)

    api.hooks.append(on_sent)
    result = Result()
    stop_at = loop.time() + seconds

    async def user(user_id: int) -> None:
        n = 0
        while loop.time() < stop_at:
            n += 1
            event = waiting[user_id] = asyncio.Event()
            started = loop.time()
            api.send_text(user_id, f"第{n}段：全年主动公开政府信息。")
            await event.wait()
            result.latencies.append(loop.time() - started)
            result.answers += 1

    started = loop.time()
    await asyncio.gather(*(user(u) for u in users))
    result.seconds = loop.time() - started
    api.hooks.remove(on_sent)
    return result


async def bench_echo(contacts: int, seconds: float) -> Result:
    """The baseline: python-telegram-bot's own polling and a handler that echoes the text."""
    api = LocalBotApi(limits=UNLIMITED)
    api.start()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(update.message.text)

    application = (
        ApplicationBuilder().token(api.token).base_url(api.base_url).base_file_url(api.file_url).build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    try:
        async with application:
            await application.start()
            await application.updater.start_polling(poll_interval=0.0, timeout=1)
            result = await drive(api, list(range(1000, 1000 + contacts)), seconds)
            await application.updater.stop()
            await application.stop()
    finally:
        api.stop()
    return result


async def bench_reportbot(contacts: int, stored: int, seconds: float) -> Result:
    """reportbot as `reportbot run` builds it, with contacts half-way through a narrative."""
    api = LocalBotApi(limits=UNLIMITED)
    api.start()
    with tempfile.TemporaryDirectory() as folder:
        settings = example_settings("2021", "gov-disclosure-2021", Path(folder) / "db", api)
        store = open_store(settings.database)
        services = Services(settings, store, ManualClock(OPENS + timedelta(hours=1)))
        services.sync_from_settings()
        departments = list(NARRATIVES)
        users = list(range(1000, 1000 + contacts))
        with store.transaction():
            store.put_cycle(new_cycle(settings.template.id, 2026, DEADLINE, OPENS, "Asia/Shanghai", OPENS))
            for n, user_id in enumerate(users + list(range(100_000, 100_000 + stored))):
                department = departments[n % len(departments)]
                store.put_contact(Contact(user_id, CONTACT, f"联系人{user_id}", department, address=user_id))
                section, text_field = NARRATIVES[department]
                position = Position(unit=section)
                position.ask([text_field], {text_field: 0})
                store.set_conversation("2026", user_id, position.dump())
        bot = ReportBot(services, api.token, WorkCalendar.load(), pace=Pace(per_second=0, per_chat_seconds=0))
        try:
            await bot.start()
            result = await drive(api, users, seconds)
            await bot.stop()
        finally:
            store.close()
            api.stop()
    return result


def _run(bench, *args) -> Result:
    return asyncio.run(bench(*args))


def _isolated(bench, *args) -> Result:
    """One measurement in a fresh process: what an earlier one left in memory must not slow it."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_run, bench, *args).result()


def main() -> None:
    """Run both bots at each concurrency and database size and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", default="200")
    parser.add_argument("--stored", default="100,10000", help="silent contacts kept in the database")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    print(f"{'contacts':>8} {'stored':>7} {'bot':>10} {'answers/s':>10} {'p50 ms':>8} {'p95 ms':>8}")
    rates = {}
    for contacts in (int(c) for c in args.contacts.split(",")):
        for stored in (int(s) for s in args.stored.split(",")):
            echo = _isolated(bench_echo, contacts, args.seconds)
            ours = _isolated(bench_reportbot, contacts, stored, args.seconds)
            for name, result in (("echo", echo), ("reportbot", ours)):
                print(
                    f"{contacts:>8} {stored:>7} {name:>10} {result.rate:>10.1f} "
                    f"{result.percentile(50):>8.1f} {result.percentile(95):>8.1f}"
                )
            rates[contacts, stored] = ours.rate
            ratio = ours.rate / echo.rate
            print(
                f"{contacts:>8} {stored:>7} {'ratio':>10} {ratio:>10.2f}   "
                "(reportbot / echo, answers a second)"
            )
    for contacts in {c for c, _ in rates}:
        sizes = sorted(s for c, s in rates if c == contacts)
        if len(sizes) > 1:
            spread = rates[contacts, sizes[0]] / rates[contacts, sizes[-1]]
            print(
                f"{contacts:>8} contacts: answers a second with {sizes[0]} stored / with {sizes[-1]} "
                f"stored = {spread:.2f}"
            )
    print("every reportbot answer is fsynced before its reply is due; stored contacts are silent.")


if __name__ == "__main__":
    main()
