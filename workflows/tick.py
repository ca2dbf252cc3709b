"""What the schedule makes due: openings, reminders, head notices and the coordinators' digest, once each.

A tick asks the reminder plan what is due at ``now`` for each open cycle, logs each slot in the store
(the log is what makes a tick idempotent) and puts its messages in the outbox, all in the caller's unit
of work. Whoever runs the schedule (a job queue, a test, the demo) only decides when to tick.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from storage.contract import Store
from storage.records import BROADCAST, COORDINATOR, Contact
from storage.records import HEAD as HEAD_ROLE
from workflows import notices
from workflows.port import Outbox
from workflows.progress import DepartmentProgress, department_progress
from workflows.reminders import COORDINATORS, DIGEST, HEAD, OPEN, Due, due
from workflows.replies import Reply
from workflows.session import ReportSession
from workflows.workdays import WorkCalendar


def tick_cycle(
    outbox: Outbox,
    session: ReportSession,
    calendar: WorkCalendar,
    now: datetime,
    escalate_after: int,
    default_lang: str,
    limit: int | None = None,
) -> list[tuple[str, str, str]]:
    """Make due what one cycle's plan says is due now (at most ``limit`` slots: the rest stay due for the
    next call); returns (cycle, department, slot) of each."""
    store, cycle = session.store, session.cycle
    progress = {p.department.id: p for p in department_progress(session)}
    heads = {d.id for d in session.departments if heads_of(store, d.id, default_lang)}
    pending = due(
        cycle,
        calendar,
        now,
        lambda p=progress: {d for d, x in p.items() if x.owing},
        list(progress),
        lambda d, k: store.reminder_sent(cycle.id, d, k),
        escalate_after,
        heads,
    )[:limit]
    made = []
    for item in pending:
        recipients = _messages(session, item, progress, now, default_lang)
        detail = {"kind": item.slot.kind, "recipients": [address for address, _ in recipients]}
        if store.record_reminder(cycle.id, item.department_id, item.slot.key, now, detail):
            for address, reply in recipients:
                outbox.reply(address, reply, BROADCAST)
            made.append((cycle.id, item.department_id, item.slot.key))
    if any(item.slot.kind == OPEN for item in pending) and not cycle.opened:
        store.put_cycle(replace(cycle, opened=True))
    return made


def heads_of(store: Store, department_id: str, default_lang: str) -> list[Contact]:
    """A department's heads: the configured one (known or not yet) and those invited as heads."""
    department = store.get_department(department_id)
    heads = [c for c in store.list_contacts(department_id=department_id, role=HEAD_ROLE) if c.active]
    configured = department.head_user_id if department else None
    if configured and all(c.user_id != configured for c in heads):
        known = store.get_contact(configured)
        heads.append(known or Contact(configured, HEAD_ROLE, "", department_id, default_lang))
    return heads


def _messages(
    session: ReportSession,
    item: Due,
    progress: dict[str, DepartmentProgress],
    now: datetime,
    default_lang: str,
) -> list[tuple[int, Reply]]:
    store, cycle, kind = session.store, session.cycle, item.slot.kind
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
            (head.address, notices.head_notice(session, cycle, entry, item.slot.overdue_days, now, head.lang))
            for head in heads_of(store, entry.department.id, default_lang)
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
