"""Figures that are possible but unlikely: far from last year's, or above what the template believes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.workflows.scenario import template
from workflows.arithmetic import compute
from workflows.model import WARNING
from workflows.plausibility import CEILING, RATIO, plausibility_findings


def warnings(given, previous):
    figures = compute(template(), given, previous)
    return [(f.rule_id, f.fields, f.render("zh")) for f in plausibility_findings(figures)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (100, []),  # five times last year's: the template's ratio, still believable
        (
            101,
            [
                (
                    RATIO,
                    ("t2.normative.in_force",),
                    "行政规范性文件 · 现行有效件数：101 是上年（20）的 5 倍，请核实",
                )
            ],
        ),
        (
            300,
            [
                (
                    RATIO,
                    ("t2.normative.in_force",),
                    "行政规范性文件 · 现行有效件数：300 是上年（20）的 15 倍，请核实",
                )
            ],
        ),
        (4, []),
        (
            3,
            [
                (
                    RATIO,
                    ("t2.normative.in_force",),
                    "行政规范性文件 · 现行有效件数：3 不到上年（20）的 1/5，请核实",
                )
            ],
        ),
    ],
)
def test_far_from_last_years_figure(value, expected):
    assert warnings({"t2.normative.in_force": value}, {"t2.normative.in_force": 20}) == expected


def test_small_figures_last_year_are_not_compared():
    assert warnings({"t2.rules.in_force": 100}, {"t2.rules.in_force": 9}) == []
    assert warnings({"t2.rules.in_force": 100}, {}) == []


def test_the_ceiling_catches_yuan_typed_as_wan_yuan():
    assert warnings({"t2.fees.amount": Decimal(100000)}, {}) == []
    (finding,) = plausibility_findings(compute(template(), {"t2.fees.amount": Decimal(125000)}, {}))
    assert (finding.rule_id, finding.severity, finding.blocking) == (CEILING, WARNING, False)
    assert (
        finding.render("zh")
        == "行政事业性收费 · 本年收费金额（单位：万元）：125000万元 超过 100000万元，不太常见，请核实数字和单位"
    )
    assert finding.render("en") == (
        "行政事业性收费 · 本年收费金额（单位：万元）: 125000万元 is more than 100000万元, which is unusual; "
        "please check the figure and its unit"
    )


def test_english_wording_of_a_ratio():
    (finding,) = plausibility_findings(compute(template(), {"t3.new.natural": 300}, {"t3.new.natural": 40}))
    assert (
        finding.render("en")
        == "一、本年新收政府信息公开申请数量 · 自然人: 300 is 7.5 times last year's 40; please check it"
    )


def test_computed_totals_are_not_judged():
    # 总计 of 新收 is computed from its row: only the figures people gave are compared.
    given = {f"t3.new.{c}": 0 for c in ("business", "research", "welfare", "legal", "other")}
    figures = compute(
        template(), {**given, "t3.new.natural": 300}, {"t3.new.total": 10, "t3.new.natural": 250}
    )
    assert "t3.new.total" in figures.derived
    assert plausibility_findings(figures) == []
