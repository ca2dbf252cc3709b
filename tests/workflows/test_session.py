"""One cycle seen through the store: who takes part, what is asked next, last year's figures, stamps."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from storage.records import APPROVED, IN_PROGRESS, NOT_STARTED, SUBMITTED
from tests.workflows.scenario import TEMPLATE_ID, ZONE, build_world, example_answers
from workflows.cycles import new_cycle
from workflows.session import ReportSession, previous_cycle_id
from workflows.workdays import WorkCalendar


def an_earlier_cycle(world, year=2024, period="year", template_id=TEMPLATE_ID):
    cycle = new_cycle(
        template_id,
        year,
        datetime(year + 1, 1, 20, 18, 0, tzinfo=ZONE),
        datetime(year + 1, 1, 5, 9, 0, tzinfo=ZONE),
        "Asia/Shanghai",
        datetime(year + 1, 1, 5, 9, 0, tzinfo=ZONE),
        period=period,
    )
    world.store.put_cycle(cycle)
    return cycle


def test_previous_cycle_is_the_same_series_a_year_earlier(world):
    assert previous_cycle_id(world.store, world.cycle) is None
    an_earlier_cycle(world, 2023)
    an_earlier_cycle(world, 2024, period="H1")
    an_earlier_cycle(world, 2024, template_id="gov-disclosure-2018")
    assert previous_cycle_id(world.store, world.cycle) is None
    an_earlier_cycle(world, 2024)
    assert previous_cycle_id(world.store, world.cycle) == "2024"


def test_last_years_figures_come_from_last_years_cycle_before_the_file(any_store):
    world = build_world(any_store, previous={"t2.rules.in_force": 5})
    assert world.session().previous["t2.rules.in_force"] == 5  # the configured file, while there is no cycle
    earlier = an_earlier_cycle(world)
    world.store.save_answers(
        earlier.id, {"t2.rules.in_force": 8, "t3.carried_out.natural": 2}, "user:1", world.now()
    )
    previous = world.session().previous
    assert (previous["t2.rules.in_force"], previous["t3.carried_out.natural"]) == (8, 2)


def test_only_active_departments_take_part(world):
    world.store.put_department(replace(world.store.get_department("it"), active=False))
    session = world.session()
    assert [d.id for d in session.departments] == ["office", "policy", "approval", "hr"]
    assert session.units_of("it") == []
    assert session.unit("overview.platforms") is None
    assert session.department("it") is None
    assert session.department("hr").name == "人事科"
    assert [u.section_id for u in session.units_of("policy")] == ["overview.requests", "requests", "appeals"]


def test_first_open_step_wraps_round_and_skips_what_colleagues_are_asked(world):
    session = world.session()
    unit = session.unit("proactive")
    steps = session.steps(unit)
    assert session.first_open_step(unit) == 0
    world.fill(["proactive"], values={"t2.licensing.decisions": 1, "t2.penalty.decisions": 2})
    session = world.session()
    assert session.first_open_step(unit, after=1) == 4  # 3 and 4 of 6 (numbers 2, 3) are answered
    assert session.first_open_step(unit, after=5) == 0  # wraps round
    assert session.first_open_step(unit, skip={steps[0].field_ids}) == 1
    assert session.answered(steps[2]) and not session.answered(steps[0])


def test_an_optional_part_is_not_asked_in_turn(world):
    session = world.session()
    unit = session.unit("overview")
    assert session.steps(unit)[0].label == "总体情况开头概述（可不填）"
    assert session.first_open_step(unit) == 1
    world.fill(["overview"], values={"overview.proactive.text": "甲", "overview.management.text": "乙"})
    assert world.session().first_open_step(unit) is None  # complete without the lead paragraph


def test_effective_state_and_started(world):
    session = world.session()
    unit = session.unit("proactive")
    assert (session.effective_state(unit), session.started(unit)) == (NOT_STARTED, False)
    world.fill(["proactive"], values={"t2.licensing.decisions": 1})
    session = world.session()
    assert (session.state(unit).state, session.effective_state(unit), session.started(unit)) == (
        NOT_STARTED,
        IN_PROGRESS,
        True,
    )
    world.store.set_section_state(world.cycle.id, "proactive", SUBMITTED, "user:201", world.now())
    assert world.session().effective_state(unit) == SUBMITTED


def test_a_session_is_a_snapshot_until_refreshed(world):
    session = world.session()
    assert session.answers == {}
    world.fill(["proactive"])
    assert session.answers == {}  # cached for the request it was built for
    assert set(session.refreshed().answers) == {fid for fid in example_answers() if fid.startswith("t2.")}


def test_the_content_stamp_changes_with_answers_and_review_but_not_with_other_sections(world):
    unit = world.session().unit("proactive")
    before = world.session().content_stamp(unit)
    world.fill(["requests"])
    assert world.session().content_stamp(unit) == before
    world.fill(["proactive"], values={"t2.licensing.decisions": 1})
    answered = world.session().content_stamp(unit)
    assert answered != before
    world.store.set_section_state(world.cycle.id, "proactive", APPROVED, "user:1", world.now())
    assert world.session().content_stamp(unit) != answered
    assert world.session().versions(["t2.licensing.decisions", "t2.penalty.decisions"]) == {
        "t2.licensing.decisions": 1,
        "t2.penalty.decisions": 0,
    }


def test_unit_findings_and_open_warnings(world_with_last_year):
    world = world_with_last_year
    world.fill(["proactive"], values={**example_answers(), "t2.normative.in_force": 200})
    world.fill(["requests"], values={**example_answers(), "t3.new.natural": 41})
    session = world.session()
    proactive, requests = session.unit("proactive"), session.unit("requests")
    assert [f.rule_id for f in session.unit_findings(proactive)] == ["t2.stock", "plausibility.ratio"]
    assert {f.blocking for f in session.unit_findings(requests)} == {True}
    step = session.steps(proactive)[1]
    assert len(session.open_warnings(step)) == 2
    assert session.open_warnings(session.steps(proactive)[0]) == []
    first = session.open_warnings(step)[0]
    world.store.confirm_finding(world.cycle.id, first.key(), "user:201", world.now())
    assert [f.rule_id for f in world.session().open_warnings(step)] == ["plausibility.ratio"]
    assert session.open_warnings(session.steps(requests)[0]) == []  # errors are not warnings to confirm


def test_the_calendar_defaults_to_the_bundled_one(world):
    plain = ReportSession(world.store, world.template, world.cycle)
    assert isinstance(plain.workdays, WorkCalendar)
    assert (plain.cycle_id, plain.year) == ("2025", 2025)
