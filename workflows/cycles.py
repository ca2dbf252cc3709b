"""Report cycles: one report to collect (a year's, a half-year's, a quarter's), with its opening, deadline
and reminder plan. A cycle's id names its period: ``2026``, ``2026-H1``, ``2026-Q3``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from storage.contract import Store
from storage.records import Cycle
from workflows.i18n import t, tn
from workflows.problems import Problem

# Working days before the deadline, the deadline's morning, then every working morning while overdue.
DEFAULT_PLAN = ("before:3", "before:1", "deadline", "overdue")
PERIODS = ("year", "H1", "H2", "Q1", "Q2", "Q3", "Q4")


class CycleError(Problem):
    """A cycle that cannot be created as asked."""


def cycle_id(year: int, period: str = "year") -> str:
    """The id of a report period: ``2026`` for a year, ``2026-Q1`` for a quarter."""
    if period not in PERIODS:
        raise CycleError("period {period!r}: use one of {periods}", period=period, periods=", ".join(PERIODS))
    return str(year) if period == "year" else f"{year}-{period}"


def new_cycle(
    template_id: str,
    year: int,
    deadline: datetime,
    opens: datetime | None,
    timezone: str,
    now: datetime,
    plan: Iterable[str] = DEFAULT_PLAN,
    period: str = "year",
) -> Cycle:
    """A cycle for a period of ``year``; it opens now unless told otherwise, and before its deadline."""
    if not 1900 <= year <= 9999:
        raise CycleError("year {year}: expected a report year such as 2026", year=year)
    opens_at = opens or now
    if deadline.tzinfo is None or opens_at.tzinfo is None:
        raise CycleError("opening and deadline need a time zone")
    if deadline <= opens_at:
        raise CycleError(
            "the deadline ({deadline}) must come after the opening ({opens})",
            deadline=f"{deadline:%Y-%m-%d %H:%M}",
            opens=f"{opens_at:%Y-%m-%d %H:%M}",
        )
    return Cycle(
        cycle_id(year, period), year, template_id, opens_at, deadline, timezone, tuple(plan), period=period
    )


def open_cycles(cycles: Iterable[Cycle], now: datetime) -> list[Cycle]:
    """The cycles that have opened and are not closed, the newest opening first."""
    return sorted(
        (c for c in cycles if c.opens_at <= now and not c.closed), key=lambda c: c.opens_at, reverse=True
    )


def active_cycle(cycles: Iterable[Cycle], now: datetime) -> Cycle | None:
    """The newest cycle that has opened and is not closed."""
    candidates = open_cycles(cycles, now)
    return candidates[0] if candidates else None


STATES = ("scheduled", "open", "overdue", "closed")


def cycle_state(cycle: Cycle, now: datetime) -> str:
    """scheduled, open, overdue or closed."""
    if cycle.closed:
        return "closed"
    if now < cycle.opens_at:
        return "scheduled"
    return "overdue" if now > cycle.deadline else "open"


def close_cycle(store: Store, cycle_id: str) -> bool:
    """Close a cycle (no more prompts or reminders); False if there is no open one."""
    cycle = store.get_cycle(cycle_id)
    if cycle is None or cycle.closed:
        return False
    store.put_cycle(replace(cycle, closed=True))
    return True


def read_period(text: str) -> tuple[int, str]:
    """「2026」 or 「2026-Q4」, as a person names a cycle to open, into (year, period)."""
    match = re.fullmatch(r"(\d{4})(?:-(H[12]|Q[1-4]))?", text.strip())
    if match is None:
        raise CycleError("{text!r} is not a report period such as 2026 or 2026-Q4", text=text)
    return int(match.group(1)), match.group(2) or "year"


def read_moment(value: object, zone: ZoneInfo, end_of_day: bool = False) -> datetime:
    """A date or date-time as typed or configured (a bare date means 09:00, or 18:00 for a deadline)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(18, 0) if end_of_day else time(9, 0))
    elif isinstance(value, str):
        try:
            if len(value.strip()) == 10:  # a bare date: the morning, or the evening for a deadline
                return read_moment(date.fromisoformat(value.strip()), zone, end_of_day)
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise CycleError(
                "{value} is not a date such as 2027-01-20 or 2027-01-20T18:00", value=repr(value)
            ) from None
    else:
        raise CycleError("expected a date, got {value}", value=repr(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def create_cycle(
    store: Store,
    template_id: str,
    year: int,
    deadline: datetime,
    opens: datetime | None,
    zone: ZoneInfo,
    now: datetime,
    period: str = "year",
) -> Cycle:
    """Make and store a new cycle; a CycleError says why not (a bad period or dates, or it exists)."""
    created = new_cycle(template_id, year, deadline, opens, zone.key, now, period=period)
    if store.get_cycle(created.id) is not None:
        raise CycleError("a cycle {cycle} exists already", cycle=created.id)
    store.put_cycle(created)
    return created


def created_text(cycle: Cycle, zone: ZoneInfo, lang: str) -> str:
    """What a person is told of a cycle they opened: its dates in their zone and its reminders."""
    return t(
        lang,
        "cycle {cycle}: opens {opens}, deadline {deadline} ({zone}), reminders {plan}",
        cycle=cycle.id,
        opens=f"{cycle.opens_at.astimezone(zone):%Y-%m-%d %H:%M}",
        deadline=f"{cycle.deadline.astimezone(zone):%Y-%m-%d %H:%M}",
        zone=zone.key,
        plan=plan_text(cycle.reminder_plan, lang),
    )


def plan_text(plan: Iterable[str], lang: str) -> str:
    """A reminder plan in words: 「截止前 3 个工作日、截止当天上午、逾期后每个工作日上午」."""
    words = []
    for entry in plan:
        if entry.startswith("before:"):
            days = int(entry.split(":", 1)[1])
            words.append(tn(lang, "{count} working day before", "{count} working days before", days))
        elif entry == "deadline":
            words.append(t(lang, "the deadline's morning"))
        elif entry == "overdue":
            words.append(t(lang, "every working morning while overdue"))
    return ("、" if lang == "zh" else ", ").join(words)
