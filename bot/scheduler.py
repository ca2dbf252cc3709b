"""Run the reminder plan: jobs rebuilt from the store at start-up, one idempotent tick per slot.

Jobs live in PTB's JobQueue (APScheduler) and are named predictably, ``remind:{year}:{slot}``. They
hold no state: each only calls ``tick``, which asks the domain what is due at the clock's time, logs
each reminder before sending it (so a restart can never send it twice), and broadcasts within
Telegram's limits. Tests and the demo call ``tick`` directly after moving their clock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from telegram.ext import Application, ContextTypes

from bot.broadcast import Broadcaster, BroadcastReport
from bot.services import Services
from storage.records import Cycle
from workflows import notices
from workflows.progress import department_progress
from workflows.reminders import COORDINATORS, DIGEST, HEAD, OPEN, due, upcoming
from workflows.replies import Reply
from workflows.workdays import WorkCalendar

log = logging.getLogger(__name__)


@dataclass
class TickResult:
    """What one tick sent."""

    sent: list[tuple[int, str, str]] = field(
        default_factory=list
    )  # (year, department or _coordinators, slot)
    report: BroadcastReport | None = None


class Scheduler:
    """Owns the reminder jobs of every cycle."""

    def __init__(
        self,
        services: Services,
        calendar: WorkCalendar,
        escalate_after: int = 3,
        broadcaster: Broadcaster | None = None,
    ) -> None:
        self.services = services
        self.calendar = calendar
        self.escalate_after = escalate_after
        self.broadcaster = broadcaster or Broadcaster()
        self.application: Application | None = None

    async def start(self, application: Application) -> None:
        """At start-up: rebuild the jobs from the stored cycles, then send whatever fell due while down."""
        self.application = application
        self.reschedule()
        await self.tick()

    def job_name(self, cycle: Cycle, slot_key: str) -> str:
        """The predictable name of a slot's job."""
        return f"remind:{cycle.year}:{slot_key}"

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

    async def tick(self) -> TickResult:
        """Send everything due now, once; then keep the job list current."""
        result = TickResult()
        messages: list[tuple[int, Reply]] = []
        now = self.services.now()
        store = self.services.store
        for cycle in store.list_cycles():
            if cycle.closed or now < cycle.opens_at:
                continue
            session = self.services.session(cycle)
            progress = {p.department.id: p for p in department_progress(session)}
            heads = {d.id for d in session.departments if d.head_user_id}
            pending = due(
                cycle,
                self.calendar,
                now,
                lambda p=progress: {d for d, x in p.items() if x.owing},
                list(progress),
                lambda d, k, y=cycle.year: store.reminder_sent(y, d, k),
                self.escalate_after,
                heads,
            )
            for item in pending:
                recipients = self._messages(session, cycle, item, progress, now)
                detail = {"kind": item.slot.kind, "recipients": [chat for chat, _ in recipients]}
                if store.record_reminder(cycle.year, item.department_id, item.slot.key, now, detail):
                    messages += recipients
                    result.sent.append((cycle.year, item.department_id, item.slot.key))
            if any(item.slot.kind == OPEN for item in pending) and not cycle.opened:
                store.put_cycle(replace(cycle, opened=True))
        if messages and self.application is not None:
            result.report = await self.broadcaster.send(
                self.application.bot, messages, self.services.mark_blocked
            )
            log.info(
                "sent %d reminders (%d unreachable)", result.report.delivered, len(result.report.unreachable)
            )
        self.reschedule()
        return result

    def _messages(self, session, cycle, item, progress, now) -> list[tuple[int, Reply]]:
        store = self.services.store
        kind = item.slot.kind
        if item.department_id == COORDINATORS and kind == DIGEST:
            overdue = [p for p in progress.values() if p.owing]
            return [
                (
                    c.chat_id or c.user_id,
                    notices.digest(session, cycle, overdue, item.slot.overdue_days, now, c.lang),
                )
                for c in store.list_contacts(role="coordinator")
                if not c.blocked
            ]
        entry = progress[item.department_id]
        if kind == HEAD:
            head = store.get_contact(entry.department.head_user_id)
            lang = head.lang if head else self.services.settings.language
            chat = head.chat_id if head and head.chat_id else entry.department.head_user_id
            return [(chat, notices.head_notice(session, cycle, entry, item.slot.overdue_days, now, lang))]
        build = notices.opening if kind == OPEN else notices.reminder
        return [
            (c.chat_id or c.user_id, build(session, cycle, entry, now, c.lang))
            for c in entry.contacts
            if not c.blocked
        ]
