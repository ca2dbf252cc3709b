"""Run the reminder plan: jobs rebuilt from the store at start-up, one idempotent tick per slot.

Jobs live in PTB's JobQueue (APScheduler) and are named predictably, ``remind:{cycle}:{slot}``. They
hold no state: each only calls ``tick``, which asks the domain (``workflows.tick``) what is due at the
clock's time and, in one unit of work, logs each reminder and puts its messages in the outbox. The log
makes a tick idempotent; the outbox makes each message due until Telegram accepts it, so a failure to
send loses nothing and a restart sends nothing twice. Tests and the demo call ``tick`` directly after
moving their clock.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from dataclasses import dataclass, field

from telegram.ext import Application, ContextTypes

from bot.runtime import Runtime, Unit
from storage.records import Cycle
from workflows.cycles import open_cycles
from workflows.reminders import upcoming
from workflows.tick import tick_cycle
from workflows.workdays import WorkCalendar

log = logging.getLogger(__name__)
SLOTS_PER_UNIT = 25  # a department's opening or reminder is a slot: a few hundred messages per commit


@dataclass
class TickResult:
    """What one tick made due: (cycle, department or _coordinators, slot), and the cause to wait on."""

    sent: list[tuple[str, str, str]] = field(default_factory=list)
    cause: str = ""


class Scheduler:
    """Owns the reminder jobs of every cycle."""

    def __init__(self, runtime: Runtime, calendar: WorkCalendar, escalate_after: int = 3) -> None:
        self.runtime = runtime
        self.services = runtime.services
        self.calendar = calendar
        self.escalate_after = escalate_after
        self.application: Application | None = None
        self._ticks = 0
        self._tasks: set[asyncio.Task] = set()
        self._running = asyncio.Lock()  # one tick at a time
        self._previous: str | None = None  # the cause of the tick that ran last

    async def start(self, application: Application) -> None:
        """Once polling runs: rebuild the jobs from the stored cycles, then send what fell due while down."""
        self.application = application
        await self.tick()

    def job_name(self, cycle: Cycle, slot_key: str) -> str:
        """The predictable name of a slot's job."""
        return f"remind:{cycle.id}:{slot_key}"

    def reschedule(self) -> list[str]:
        """Make sure a job exists for every slot of the next two weeks; returns the names scheduled."""
        queue = self.application.job_queue if self.application else None
        if queue is None:
            return []
        now = self.services.now()
        names = []
        for cycle in self.services.store.list_cycles():
            for slot in upcoming(cycle, self.calendar, now, escalate_after=self.escalate_after):
                name = self.job_name(cycle, slot.key)
                names.append(name)
                if not queue.get_jobs_by_name(name):
                    # Relative delay from the injected clock, so a test clock never fires real jobs.
                    queue.run_once(self._job, when=slot.at - now, name=name)
        return names

    async def _job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.tick()

    def wake(self, cause: str) -> None:
        """Tick soon, after the current unit of work has committed (a cycle was opened or changed).

        What the tick makes due counts as caused by ``cause``, so whoever waits for it waits for that."""
        self.runtime.outstanding[cause] += 1
        # A fresh context: the tick is not part of the unit of work that asked for it.
        task = asyncio.get_running_loop().create_task(self.tick(cause), context=contextvars.Context())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def tick(self, cause: str | None = None) -> TickResult:
        """Make everything due now due in the outbox, once; then keep the job list current.

        A few slots per unit of work, answers in between: catching up on thousands of messages (the
        first start of a large office) must not hold everyone's replies until it is done. Ticks run one
        at a time; a woken tick may find that the one before it already made its messages due, so whoever
        waits for its cause also waits for those."""
        async with self._running:
            self._ticks += 1
            result = TickResult(cause=cause or f"tick:{self._ticks}")
            before, self._previous = self._previous, result.cause
            more = True
            while more:
                async with self.runtime.unit(result.cause) as unit:
                    made = self._some_due(unit)
                    result.sent += made
                    more = len(made) >= SLOTS_PER_UNIT
            if result.sent:
                log.info("%d reminders fell due", len(result.sent))
            self.reschedule()
        if cause is not None:
            if before is not None:
                await self.runtime.settled(before, timeout=None)
            async with self.runtime.unit(result.cause) as unit:
                unit.settled.append(cause)  # the hold ``wake`` put on it, now that all of it is due
        return result

    def _some_due(self, unit: Unit) -> list[tuple[str, str, str]]:
        made: list[tuple[str, str, str]] = []
        for cycle in open_cycles(unit.store.list_cycles(), unit.now):
            if len(made) >= SLOTS_PER_UNIT:
                break
            session = self.services.session(cycle)
            language = self.services.settings.language
            made += tick_cycle(
                unit,
                session,
                self.calendar,
                unit.now,
                self.escalate_after,
                language,
                SLOTS_PER_UNIT - len(made),
            )
        return made
