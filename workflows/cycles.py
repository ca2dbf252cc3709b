"""Report cycles: one per report year, with its opening, deadline and reminder plan."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from storage.contract import Store
from storage.records import Cycle

# Working days before the deadline, the deadline's morning, then every working morning while overdue.
DEFAULT_PLAN = ("before:3", "before:1", "deadline", "overdue")


class CycleError(ValueError):
    """A cycle that cannot be created as asked."""


def new_cycle(
    template_id: str,
    year: int,
    deadline: datetime,
    opens: datetime | None,
    timezone: str,
    now: datetime,
    plan: Iterable[str] = DEFAULT_PLAN,
) -> Cycle:
    """A cycle for ``year``; it opens now unless told otherwise, and must open before its deadline."""
    opens_at = opens or now
    if deadline.tzinfo is None or opens_at.tzinfo is None:
        raise CycleError("opening and deadline need a time zone")
    if deadline <= opens_at:
        raise CycleError(
            f"the deadline ({deadline:%Y-%m-%d %H:%M}) must come after the opening "
            f"({opens_at:%Y-%m-%d %H:%M})"
        )
    return Cycle(year, template_id, opens_at, deadline, timezone, tuple(plan))


def active_cycle(cycles: Iterable[Cycle], now: datetime) -> Cycle | None:
    """The newest cycle that has opened and is not closed."""
    candidates = [c for c in cycles if c.opens_at <= now and not c.closed]
    return max(candidates, key=lambda c: c.year) if candidates else None


STATES = ("scheduled", "open", "overdue", "closed")


def cycle_state(cycle: Cycle, now: datetime) -> str:
    """scheduled, open, overdue or closed."""
    if cycle.closed:
        return "closed"
    if now < cycle.opens_at:
        return "scheduled"
    return "overdue" if now > cycle.deadline else "open"


def close_cycle(store: Store, year: int) -> bool:
    """Close a year's cycle (no more prompts or reminders); False if there is no open one."""
    cycle = store.get_cycle(year)
    if cycle is None or cycle.closed:
        return False
    store.put_cycle(replace(cycle, closed=True))
    return True
