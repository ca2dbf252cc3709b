"""A running bot against the local Bot API server, with a hand-moved clock and a real store on disk."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import ReportBot
from bot.courier import Pace
from bot.offline.demo import example_settings
from bot.offline.local_api import Limits, LocalBotApi
from bot.offline.local_api_methods import UNLIMITED
from bot.offline.simulation import Simulation
from storage import open_store
from storage.records import CONTACT, COORDINATOR
from workflows.clock import ManualClock
from workflows.cycles import new_cycle
from workflows.onboarding import issue
from workflows.services import Services
from workflows.workdays import WorkCalendar

FAST = Pace(per_second=0, per_chat_seconds=0, retry_base=0.05, retry_max=0.5)  # no flood-control waits

ZONE = ZoneInfo("Asia/Shanghai")
START = datetime(2027, 1, 6, 9, 0, tzinfo=ZONE)  # a Wednesday
DEADLINE = datetime(2027, 1, 20, 18, 0, tzinfo=ZONE)


class Harness:
    """Everything an end-to-end scenario needs; restart() rebuilds the bot on the same database."""

    def __init__(self, tmp_path: Path, limits: Limits | None = None, pace: Pace = FAST) -> None:
        self.pace = pace
        self.api = LocalBotApi(limits=limits or UNLIMITED)
        self.api.start()
        self.clock = ManualClock(START)
        self.settings = example_settings("2021", "gov-disclosure-2021", tmp_path / "db", self.api)
        self.store = None
        self.sim: Simulation | None = None

    async def start(self) -> Simulation:
        """Open the store, build the Application as `reportbot run` does, start polling."""
        self.store = open_store(self.settings.database)
        self.services = Services(self.settings, self.store, self.clock)
        self.services.sync_from_settings()
        self.bot = ReportBot(self.services, self.api.token, WorkCalendar.load(), 2, self.pace, poll_timeout=1)
        self.scheduler = self.bot.scheduler
        self.sim = Simulation(self.api, self.bot)
        await self.sim.start()
        return self.sim

    async def stop(self) -> None:
        """Stop the bot and close the store (a clean shutdown)."""
        await self.sim.stop()
        self.store.close()

    async def restart(self) -> Simulation:
        """Stop and start again on the same database, as after a crash or a deploy."""
        await self.stop()
        return await self.start()

    async def open_cycle(
        self,
        year: int = 2026,
        deadline: datetime = DEADLINE,
        opens: datetime | None = None,
        period: str = "year",
    ) -> None:
        """Create the report year's cycle (opening now unless told otherwise), as the bot's own write."""
        cycle = new_cycle(
            self.settings.template.id, year, deadline, opens, "Asia/Shanghai", self.clock.now(), period=period
        )
        async with self.bot.runtime.unit("test") as unit:
            unit.store.put_cycle(cycle)

    def code(self, department: str | None = None, expires: timedelta = timedelta(days=7)) -> str:
        """A fresh invitation code (a department contact's, or a coordinator's)."""
        role = CONTACT if department else COORDINATOR
        return issue(self.services.key, role, department, self.clock.now(), expires).code

    async def join(self, user_id: int, name: str, department: str | None = None) -> None:
        """A person opens the bot with a fresh invitation."""
        self.api.user(user_id, name)
        await self.sim.say(user_id, f"/start {self.code(department)}")

    def close(self) -> None:
        """Stop the server."""
        self.api.stop()


@contextlib.asynccontextmanager
async def everyone_joined(
    tmp_path: Path, coordinators: list[int] | None = None, periods: tuple[str, ...] = ("year",)
) -> AsyncIterator[Harness]:
    """A running bot with the 2026 cycle(s) open and every example person joined; stopped afterwards."""
    from tests.bot.test_e2e import join_everyone  # the cast of people lives with the scenarios

    h = Harness(tmp_path)
    if coordinators is not None:
        h.settings.coordinators = coordinators
    await h.start()
    try:
        for period in periods:
            await h.open_cycle(period=period)
        await join_everyone(h)
        yield h
    finally:
        await h.stop()
        h.close()
