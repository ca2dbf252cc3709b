"""Report cycles: ids that name their period, creation rules, which are open, their state, closing one."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from tests.workflows.scenario import ZONE
from workflows.cycles import (
    DEFAULT_PLAN,
    PERIODS,
    CycleError,
    active_cycle,
    close_cycle,
    cycle_id,
    cycle_state,
    new_cycle,
    open_cycles,
)

NOW = datetime(2026, 1, 7, 9, 0, tzinfo=ZONE)


def at(month, day, hour=9):
    return datetime(2026, month, day, hour, 0, tzinfo=ZONE)


@pytest.mark.parametrize(
    ("period", "expected"),
    [("year", "2026"), ("H1", "2026-H1"), ("H2", "2026-H2"), ("Q1", "2026-Q1"), ("Q4", "2026-Q4")],
)
def test_a_cycle_id_names_its_period(period, expected):
    assert cycle_id(2026, period) == expected
    cycle = new_cycle("gov-disclosure-2021", 2026, at(12, 31), None, "Asia/Shanghai", NOW, period=period)
    assert (cycle.id, cycle.year, cycle.period) == (expected, 2026, period)
    assert set(PERIODS) >= {period}


def test_a_new_cycle_opens_now_unless_told_and_carries_the_default_plan():
    cycle = new_cycle("gov-disclosure-2021", 2025, at(1, 21, 18), None, "Asia/Shanghai", NOW)
    assert (cycle.opens_at, cycle.deadline, cycle.timezone) == (NOW, at(1, 21, 18), "Asia/Shanghai")
    assert cycle.reminder_plan == DEFAULT_PLAN == ("before:3", "before:1", "deadline", "overdue")
    assert (cycle.opened, cycle.closed, cycle.template_id) == (False, False, "gov-disclosure-2021")
    later = new_cycle("t", 2025, at(1, 21, 18), at(1, 12), "Asia/Shanghai", NOW, plan=["deadline"])
    assert (later.opens_at, later.reminder_plan) == (at(1, 12), ("deadline",))


@pytest.mark.parametrize(
    ("make", "zh", "en"),
    [
        (
            lambda: new_cycle("t", 1800, at(2, 1), None, "Asia/Shanghai", NOW),
            "年份 1800：应为报告年度，例如 2026",
            "year 1800: expected a report year such as 2026",
        ),
        (
            lambda: cycle_id(2025, "Q5"),
            "期间 'Q5'：请使用 year, H1, H2, Q1, Q2, Q3, Q4 之一",
            "period 'Q5': use one of year, H1, H2, Q1, Q2, Q3, Q4",
        ),
        (
            lambda: new_cycle("t", 2025, datetime(2026, 2, 1), None, "Asia/Shanghai", NOW),
            "开始时间和截止时间都需要时区",
            "opening and deadline need a time zone",
        ),
        (
            lambda: new_cycle("t", 2025, at(1, 8), at(1, 9), "Asia/Shanghai", NOW),
            "截止时间（2026-01-08 09:00）必须晚于开始时间（2026-01-09 09:00）",
            "the deadline (2026-01-08 09:00) must come after the opening (2026-01-09 09:00)",
        ),
    ],
)
def test_cycles_that_cannot_be_created(make, zh, en):
    with pytest.raises(CycleError) as caught:
        make()
    assert (caught.value.render("zh"), caught.value.render("en")) == (zh, en)


def test_open_cycles_newest_opening_first():
    annual = new_cycle("t", 2025, at(1, 21, 18), at(1, 5), "Asia/Shanghai", NOW)
    quarter = new_cycle("t", 2025, at(1, 30, 18), at(1, 6), "Asia/Shanghai", NOW, period="Q4")
    scheduled = new_cycle("t", 2026, at(7, 20, 18), at(7, 6), "Asia/Shanghai", NOW, period="H1")
    closed = replace(new_cycle("t", 2024, at(1, 21, 18), at(1, 2), "Asia/Shanghai", NOW), closed=True)
    cycles = [annual, scheduled, closed, quarter]
    assert [c.id for c in open_cycles(cycles, NOW)] == ["2025-Q4", "2025"]
    assert active_cycle(cycles, NOW) == quarter
    assert active_cycle([scheduled, closed], NOW) is None
    assert [c.id for c in open_cycles(cycles, at(7, 6))] == ["2026-H1", "2025-Q4", "2025"]


def test_cycle_state_over_time():
    cycle = new_cycle("t", 2025, at(1, 21, 18), at(1, 12), "Asia/Shanghai", NOW)
    assert [cycle_state(cycle, moment) for moment in (NOW, at(1, 12), at(1, 21, 18), at(1, 21, 19))] == [
        "scheduled",
        "open",
        "open",
        "overdue",
    ]
    assert cycle_state(replace(cycle, closed=True), at(1, 15)) == "closed"


def test_closing_a_cycle_in_the_store(world):
    assert close_cycle(world.store, world.cycle.id) is True
    assert world.store.get_cycle(world.cycle.id).closed is True
    assert world.store.get_cycle(world.cycle.id) == replace(world.cycle, closed=True)
    assert close_cycle(world.store, world.cycle.id) is False  # already closed
    assert close_cycle(world.store, "1999") is False
    assert active_cycle(world.store.list_cycles(), world.now()) is None
