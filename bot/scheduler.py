"""Run the reminder plan: jobs rebuilt from the store at start-up, one idempotent tick per slot.

Jobs live in PTB's JobQueue (APScheduler) and are named predictably, ``remind:{cycle}:{slot}``. They
hold no state: each only calls ``tick``, which asks the domain what is due at the clock's time and, in
one unit of work, logs each reminder and puts its messages in the outbox. The log makes a tick
idempotent; the outbox makes each message due until Telegram accepts it, so a failure to send loses
nothing and a restart sends nothing twice. Tests and the demo call ``tick`` directly after moving
their clock.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from dataclasses import dataclass, field, replace

from telegram.ext import Application, ContextTypes

from bot.runtime import Runtime, Unit
from storage.records import BROADCAST, COORDINATOR, Contact, Cycle
from storage.records import HEAD as HEAD_ROLE
from workflows import notices
from workflows.progress import department_progress
from workflows.reminders import COORDINATORS, DIGEST, HEAD, OPEN, due, upcoming
from workflows.replies import Reply
from workflows.workdays import WorkCalendar

log = logging.getLogger(__name__)


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
        """Make everything due now due in the outbox, once; then keep the job list current."""
        self._ticks += 1
        result = TickResult(cause=cause or f"tick:{self._ticks}")
        async with self.runtime.unit(result.cause) as unit:
            if cause is not None:
                unit.settled.append(cause)  # the hold ``wake`` put on it
            now = unit.now
            for cycle in unit.store.list_cycles():
                if cycle.closed or now < cycle.opens_at:
                    continue
                result.sent += self._tick_cycle(unit, cycle)
        if result.sent:
            log.info("%d reminders fell due", len(result.sent))
        self.reschedule()
        return result

    def _tick_cycle(self, unit: Unit, cycle: Cycle) -> list[tuple[str, str, str]]:
        store, now = unit.store, unit.now
        session = self.services.session(cycle)
        progress = {p.department.id: p for p in department_progress(session)}
        heads = {d.id for d in session.departments if self._heads(session, d.id)}
        pending = due(
            cycle,
            self.calendar,
            now,
            lambda p=progress: {d for d, x in p.items() if x.owing},
            list(progress),
            lambda d, k: store.reminder_sent(cycle.id, d, k),
            self.escalate_after,
            heads,
        )
        made = []
        for item in pending:
            recipients = self._messages(session, cycle, item, progress, now)
            detail = {"kind": item.slot.kind, "recipients": [chat for chat, _ in recipients]}
            if store.record_reminder(cycle.id, item.department_id, item.slot.key, now, detail):
                for chat, reply in recipients:
                    unit.reply(chat, reply, BROADCAST)
                made.append((cycle.id, item.department_id, item.slot.key))
        if any(item.slot.kind == OPEN for item in pending) and not cycle.opened:
            store.put_cycle(replace(cycle, opened=True))
        return made

    def _heads(self, session, department_id: str) -> list[Contact]:
        """A department's heads: the configured one (known or not yet) and those invited as heads."""
        store, settings = session.store, self.services.settings
        department = store.get_department(department_id)
        heads = [c for c in store.list_contacts(department_id=department_id, role=HEAD_ROLE) if c.active]
        configured = department.head_user_id if department else None
        if configured and all(c.user_id != configured for c in heads):
            known = store.get_contact(configured)
            heads.append(known or Contact(configured, HEAD_ROLE, "", department_id, settings.language))
        return heads

    def _messages(self, session, cycle, item, progress, now) -> list[tuple[int, Reply]]:
        store = self.services.store
        kind = item.slot.kind
        if item.department_id == COORDINATORS and kind == DIGEST:
            overdue = [p for p in progress.values() if p.owing]
            return [
                (c.address, notices.digest(session, cycle, overdue, item.slot.overdue_days, now, c.lang))
                for c in store.list_contacts(role=COORDINATOR)
                if c.active and not c.blocked
            ]
        entry = progress[item.department_id]
        if kind == HEAD:
            return [
                (
                    head.address,
                    notices.head_notice(session, cycle, entry, item.slot.overdue_days, now, head.lang),
                )
                for head in self._heads(session, entry.department.id)
                if not head.blocked
            ]
        if kind == OPEN:
            return [
                (c.address, notices.opening(session, cycle, entry, now, c.lang))
                for c in notices.opening_recipients(session, entry)
            ]
        return [
            (c.address, notices.reminder(session, cycle, entry, now, c.lang))
            for c in entry.contacts
            if not c.blocked
        ]
