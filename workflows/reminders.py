"""The reminder plan of a cycle: when each reminder falls, and which ones are due now.

Slots are computed, never stored: the opening; countdown reminders a number of working days before the
deadline and on its morning; then every working morning while overdue, with the coordinator's digest
and, after some overdue working days, the department head. What was sent is in the reminder log, so a
tick is idempotent: whatever runs it, however often, each (cycle, department, slot) goes out at most
once, and only the newest passed slot of each kind is considered (a bot that was down does not
fire a backlog of stale reminders).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from storage.records import Cycle
from workflows.problems import Problem
from workflows.workdays import WorkCalendar

OPEN, COUNTDOWN, OVERDUE, DIGEST, HEAD = "open", "countdown", "overdue", "digest", "head"
COORDINATORS = "_coordinators"  # the reminder log's department id for the coordinators' digest
HORIZON = timedelta(days=60)


class PlanError(Problem):
    """A reminder plan entry that is not understood."""


@dataclass(frozen=True)
class Slot:
    """One moment in the plan: ``key`` is unique within a cycle (``before:3``, ``overdue:2027-01-21``)."""

    key: str
    kind: str
    at: datetime
    overdue_days: int = 0


@dataclass(frozen=True)
class Due:
    """A reminder to send now: to a department's contacts, its head, or the coordinators."""

    slot: Slot
    department_id: str


def parse_plan(entries: tuple[str, ...] | list[str]) -> list[tuple[str, int]]:
    """Check a plan: ``before:N`` (working days), ``deadline`` and ``overdue``."""
    plan = []
    for entry in entries:
        if entry.startswith("before:") and entry[7:].isdigit() and int(entry[7:]) > 0:
            plan.append(("before", int(entry[7:])))
        elif entry in ("deadline", "overdue"):
            plan.append((entry, 0))
        else:
            raise PlanError("reminder plan entry {entry!r}: use before:N, deadline or overdue", entry=entry)
    return plan


def slots(cycle: Cycle, calendar: WorkCalendar, until: datetime, escalate_after: int = 3) -> list[Slot]:
    """Every slot of a cycle up to ``until``, in time order."""
    zone = ZoneInfo(cycle.timezone)
    out = [Slot(OPEN, OPEN, calendar.working_time(cycle.opens_at, zone))]
    deadline_day = cycle.deadline.astimezone(zone).date()
    for kind, count in parse_plan(cycle.reminder_plan):
        if kind == "before":
            at = calendar.morning(calendar.workdays_before(deadline_day, count), zone)
            if out[0].at < at < cycle.deadline:
                out.append(Slot(f"before:{count}", COUNTDOWN, at))
        elif kind == "deadline":
            at = calendar.morning(calendar.previous_workday(deadline_day), zone)
            if out[0].at < at < cycle.deadline:
                out.append(Slot("deadline", COUNTDOWN, at))
        else:
            day, overdue = deadline_day, 0
            while True:
                day = calendar.next_workday(day + timedelta(days=1))
                at = calendar.morning(day, zone)
                if at > until or at - cycle.deadline > HORIZON:
                    break
                overdue += 1
                out.append(Slot(f"overdue:{day.isoformat()}", OVERDUE, at, overdue))
                out.append(Slot(f"digest:{day.isoformat()}", DIGEST, at, overdue))
                if escalate_after and overdue >= escalate_after:
                    out.append(Slot(f"head:{day.isoformat()}", HEAD, at, overdue))
    return sorted(out, key=lambda slot: slot.at)


def latest_passed(all_slots: list[Slot], now: datetime) -> dict[str, Slot]:
    """The newest slot of each kind whose time has come."""
    latest: dict[str, Slot] = {}
    for slot in all_slots:
        if slot.at <= now:
            latest[slot.kind] = slot
    return latest


def due(
    cycle: Cycle,
    calendar: WorkCalendar,
    now: datetime,
    owing: Callable[[], set[str]],
    departments: list[str],
    sent: Callable[[str, str], bool],
    escalate_after: int = 3,
    heads: set[str] | None = None,
) -> list[Due]:
    """What must go out now: only the newest passed slot of each kind, only if still relevant and unsent."""
    if cycle.closed or now < cycle.opens_at:
        return []
    latest = latest_passed(slots(cycle, calendar, now, escalate_after), now)
    out: list[Due] = []
    if OPEN in latest:
        out += [Due(latest[OPEN], d) for d in departments if not sent(d, OPEN)]
    owed = owing()
    countdown = latest.get(COUNTDOWN)
    if countdown is not None and now < cycle.deadline:
        out += [Due(countdown, d) for d in departments if d in owed and not sent(d, countdown.key)]
    if now >= cycle.deadline and owed:
        if OVERDUE in latest:
            out += [
                Due(latest[OVERDUE], d) for d in departments if d in owed and not sent(d, latest[OVERDUE].key)
            ]
        if DIGEST in latest and not sent(COORDINATORS, latest[DIGEST].key):
            out.append(Due(latest[DIGEST], COORDINATORS))
        if HEAD in latest:
            out += [
                Due(latest[HEAD], d)
                for d in departments
                if d in owed and d in (heads or set()) and not sent(d, latest[HEAD].key)
            ]
    return out


def upcoming(
    cycle: Cycle, calendar: WorkCalendar, now: datetime, days: int = 14, escalate_after: int = 3
) -> list[Slot]:
    """Slots still to come within ``days`` (what the scheduler keeps jobs for)."""
    if cycle.closed:
        return []
    return [s for s in slots(cycle, calendar, now + timedelta(days=days), escalate_after) if s.at > now]
