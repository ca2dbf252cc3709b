"""The reminder plan over Spring Festival 2026: a weekend, a public holiday and an adjusted Saturday."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from storage.records import Cycle
from workflows.cycles import DEFAULT_PLAN, CycleError, active_cycle, cycle_state, new_cycle
from workflows.reminders import COORDINATORS, PlanError, due, parse_plan, slots
from workflows.workdays import WorkCalendar

ZONE = ZoneInfo("Asia/Shanghai")


def at(day, hour=9):
    return datetime(2026, 2, day, hour, 0, tzinfo=ZONE)


@pytest.fixture(scope="module")
def calendar():
    return WorkCalendar.load()


@pytest.fixture
def cycle():
    return Cycle("2025", 2025, "gov-disclosure-2021", at(2, 10), at(13, 18), "Asia/Shanghai", DEFAULT_PLAN)


def test_the_default_plan(calendar, cycle):
    plan = [(s.key, s.at) for s in slots(cycle, calendar, at(26))]
    assert plan[:5] == [
        ("open", at(2, 10)),
        ("before:3", at(10)),  # Tue: 3 working days before Fri 13 Feb
        ("before:1", at(12)),
        ("deadline", at(13)),
        ("overdue:2026-02-14", at(14)),  # the adjusted working Saturday
    ]
    overdue = [s.at.date().day for s in slots(cycle, calendar, at(26)) if s.kind == "overdue"]
    assert overdue == [14, 24, 25, 26]  # nothing over the Spring Festival holiday (15–23)


def test_head_escalation_starts_after_enough_overdue_days(calendar, cycle):
    heads = [s.key for s in slots(cycle, calendar, at(26), escalate_after=3) if s.kind == "head"]
    assert heads == ["head:2026-02-25", "head:2026-02-26"]


def run(cycle, calendar, now, owing, sent):
    return [
        (d.department_id, d.slot.key)
        for d in due(
            cycle, calendar, now, lambda: owing, ["a", "b"], lambda dept, key: (dept, key) in sent, 3, {"a"}
        )
    ]


def test_only_owing_departments_and_only_once(calendar, cycle):
    sent = set()
    assert run(cycle, calendar, at(2, 11), {"a", "b"}, sent) == [("a", "open"), ("b", "open")]
    sent |= {("a", "open"), ("b", "open")}
    assert run(cycle, calendar, at(9, 17), {"a", "b"}, sent) == []
    assert run(cycle, calendar, at(10), {"a"}, sent) == [("a", "before:3")]
    sent.add(("a", "before:3"))
    assert run(cycle, calendar, at(10, 15), {"a"}, sent) == []


def test_after_downtime_only_the_latest_of_each_kind(calendar, cycle):
    sent = {("a", "open"), ("b", "open")}
    # Down from 9 Feb to the morning of the 24th: before:3, before:1, deadline and the overdue of the 14th
    # all passed. Countdowns are stale after the deadline; only the latest overdue and digest go out.
    assert run(cycle, calendar, at(24, 9), {"a"}, sent) == [
        ("a", "overdue:2026-02-24"),
        (COORDINATORS, "digest:2026-02-24"),
    ]


def test_overdue_stops_when_nothing_is_owed(calendar, cycle):
    assert run(cycle, calendar, at(24), set(), {("a", "open"), ("b", "open")}) == []


def test_plans_are_checked():
    assert parse_plan(["before:5", "deadline", "overdue"]) == [("before", 5), ("deadline", 0), ("overdue", 0)]
    with pytest.raises(PlanError):
        parse_plan(["before:x"])
    with pytest.raises(PlanError):
        parse_plan(["weekly"])


def test_cycles(calendar):
    now = at(1)
    with pytest.raises(CycleError, match="must come after"):
        new_cycle("t", 2025, at(1), at(2), "Asia/Shanghai", now)
    scheduled = new_cycle("t", 2025, at(20, 18), at(3), "Asia/Shanghai", now)
    assert cycle_state(scheduled, now) == "scheduled"
    assert cycle_state(scheduled, at(4)) == "open"
    assert cycle_state(scheduled, at(21)) == "overdue"
    older = new_cycle("t", 2024, at(20, 18), None, "Asia/Shanghai", now - timedelta(days=1))
    assert active_cycle([older, scheduled], now) == older
    assert active_cycle([older, scheduled], at(5)) == scheduled
