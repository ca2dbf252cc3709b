"""What each department owes: its sections as units, and the steps that fill them."""

from __future__ import annotations

import pytest

from storage.records import Department
from tests.workflows.scenario import departments, template
from workflows.units import ROW, SINGLE, TEXT_STEP, OwnershipError, steps_for, units_for


def asked(field_):
    return field_.derivation is None


def test_the_example_organisations_units_in_document_order():
    units = units_for(template(), departments())
    assert [(u.section_id, u.department_id) for u in units] == [
        ("overview", "office"),
        ("overview.requests", "policy"),
        ("overview.platforms", "it"),
        ("overview.oversight", "hr"),
        ("proactive", "approval"),
        ("requests", "policy"),
        ("appeals", "policy"),
        ("problems", "hr"),
        ("other", "office"),
    ]
    # 「intro」 (fixed wording) is office's, but has nothing to answer: it is nobody's task.
    assert "intro" not in {u.section_id for u in units}


def test_a_subsection_given_to_another_department_leaves_its_parents_unit():
    alone = units_for(template(), [Department("a", "甲", ("overview",))])
    assert alone[0].field_ids == (
        "overview.text",
        "overview.proactive.text",
        "overview.requests.text",
        "overview.management.text",
        "overview.platforms.text",
        "overview.oversight.text",
    )
    split = units_for(
        template(), [Department("a", "甲", ("overview",)), Department("b", "乙", ("overview.requests",))]
    )
    assert "overview.requests.text" not in split[0].field_ids
    assert (split[1].section_id, split[1].title, split[1].field_ids) == (
        "overview.requests",
        "一、总体情况（二）依申请公开",
        ("overview.requests.text",),
    )


@pytest.mark.parametrize(
    ("assigned", "zh", "en"),
    [
        (
            [Department("a", "甲", ("nope",))],
            "科室 a：模板 gov-disclosure-2021 中没有章节 'nope'",
            "department a: template gov-disclosure-2021 has no section 'nope'",
        ),
        (
            [Department("a", "甲", ("proactive",)), Department("b", "乙", ("proactive",))],
            "章节 'proactive' 同时分配给了 a 和 b",
            "section 'proactive' is assigned to both a and b",
        ),
    ],
)
def test_ownership_errors(assigned, zh, en):
    with pytest.raises(OwnershipError) as caught:
        units_for(template(), assigned)
    assert (caught.value.render("zh"), caught.value.render("en")) == (zh, en)


def test_steps_of_a_table_section_are_rows_and_single_values():
    unit = next(u for u in units_for(template(), departments()) if u.section_id == "proactive")
    steps = steps_for(template(), unit, asked)
    assert [(s.kind, s.label) for s in steps] == [
        (ROW, "规章"),
        (ROW, "行政规范性文件"),
        (SINGLE, "行政许可 · 本年处理决定数量"),
        (SINGLE, "行政处罚 · 本年处理决定数量"),
        (SINGLE, "行政强制 · 本年处理决定数量"),
        (SINGLE, "行政事业性收费 · 本年收费金额（单位：万元）"),
    ]
    assert steps[0].field_ids == ("t2.rules.issued", "t2.rules.repealed", "t2.rules.in_force")
    assert steps[0].columns == ("本年制发件数", "本年废止件数", "现行有效件数")
    assert (steps[0].unit, steps[0].table_id) == ("件", "t2")
    assert steps[5].unit == "万元"


def test_computed_totals_are_not_asked_but_named_as_derived():
    unit = next(u for u in units_for(template(), departments()) if u.section_id == "requests")
    steps = steps_for(template(), unit, asked)
    assert len(steps) == 24
    first = steps[0]
    assert first.columns == ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
    assert first.derived_ids == ("t3.new.total",)
    assert all("total_processed" not in fid for s in steps for fid in s.field_ids)


def test_steps_of_a_narrative_section():
    unit = next(u for u in units_for(template(), departments()) if u.section_id == "overview")
    steps = steps_for(template(), unit, asked)
    assert [(s.kind, s.field_ids, s.label) for s in steps] == [
        (TEXT_STEP, ("overview.text",), "总体情况开头概述（可不填）"),
        (TEXT_STEP, ("overview.proactive.text",), "主动公开工作情况"),
        (TEXT_STEP, ("overview.management.text",), "政府信息管理情况"),
    ]
