"""Report cycles: one report to collect (a year's, a half-year's, a quarter's), with its opening, deadline
and reminder plan. A cycle's id names its period: ``2026``, ``2026-H1``, ``2026-Q3``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from storage.contract import Store
from storage.records import Cycle
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
