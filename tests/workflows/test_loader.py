"""Both bundled templates load, carry the printed labels, and lay out their tables as printed."""

from __future__ import annotations

import pytest

from workflows.loader import TemplateError, bundled_templates, load_template


def test_bundled_templates():
    assert set(bundled_templates()) == {"gov-disclosure-2018", "gov-disclosure-2021"}


def test_2021_has_the_six_sections_of_the_national_format(template_2021):
    headings = [s.heading for s in template_2021.sections if s.heading]
    assert headings == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]


def test_2021_table_three_is_seven_columns_by_twenty_five_rows(template_2021):
    t3 = next(t for t in template_2021.tables() if t.id == "t3")
    band = t3.bands[0]
    assert [c.label for c in band.columns] == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    assert len(band.rows) == 25
    assert band.rows[0].path == ("一、本年新收政府信息公开申请数量",)
    assert band.rows[-1].path == ("四、结转下年度继续办理",)
    spans = {c.text: (c.rowspan, c.colspan) for c in band.header}
    assert spans["申请人情况"] == (1, 7)
    assert spans["法人或其他组织"] == (1, 5)
    assert spans["自然人"] == (2, 1) and spans["总计"] == (2, 1)
    assert spans["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"] == (3, 3)
    labels = {c.text: (c.rowspan, c.colspan) for c in band.row_labels}
    assert labels["三、本年度办理结果"] == (22, 1)
    assert labels["（三）不予公开"] == (8, 1)
    assert labels["（四）无法提供"] == (3, 1)
    assert labels["（五）不予处理"] == (5, 1)
    assert labels["（六）其他处理"] == (3, 1)
    assert labels["（一）予以公开"] == (1, 2)
    assert labels["一、本年新收政府信息公开申请数量"] == (1, 3)


def test_2021_table_four_has_fifteen_columns(template_2021):
    t4 = next(t for t in template_2021.tables() if t.id == "t4")
    assert t4.width == 15
    spans = {(c.text, c.row): (c.rowspan, c.colspan) for c in t4.bands[0].header}
    assert spans[("行政复议", 0)] == (1, 5) and spans[("行政诉讼", 0)] == (1, 10)
    assert spans[("结果维持", 1)] == (2, 1)
    assert spans[("未经复议直接起诉", 1)] == (1, 5)


def test_2021_totals_are_derived_not_asked(template_2021):
    fields = template_2021.fields
    assert fields["t3.new.total"].derivation is not None
    assert fields["t3.total_processed.natural"].derivation is not None
    assert fields["t4.cases.review_total"].derivation is not None
    asked = {f.id for f in template_2021.asked_fields(has_previous=False)}
    assert "t3.new.total" not in asked and "t3.new.natural" in asked
    assert fields["t2.fees.amount"].type == "decimal" and fields["t2.fees.amount"].unit == "万元"


def test_2018_labels_use_the_seed_reports_wording(template_2018):
    labels = {f.label for f in template_2018.fields.values()}
    for wording in ("主动公开文件数 · 本年", "政府网站公开数 · 本年", "当面申请数 · 历年累计"):
        assert wording in labels
    field = template_2018.fields["appendix.proactive_web.year"]
    assert (field.row, field.column, field.unit) == ("其中：1. 政府网站公开数", "本年", "条")


def test_2018_cumulative_needs_last_year_only_when_there_is_one(template_2018):
    cumulative = template_2018.fields["appendix.proactive.cumulative"]
    assert cumulative.asked(has_previous=False) and not cumulative.asked(has_previous=True)


def _write(tmp_path, text):
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    return path


BASE = """
id: t
title: x
sections:
  - id: a
    heading: 一、甲
    blocks:
      - fields: [{id: n, label: 数}]
      - paragraph: "共{n}件"
"""


def test_a_minimal_template(tmp_path):
    template = load_template(_write(tmp_path, BASE))
    assert template.fields["n"].type == "integer"


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        (BASE.replace('"共{n}件"', '"共件"'), "never printed"),
        (BASE + "rules:\n  - {check: n = m}\n", "unknown field 'm'"),
        (BASE + "rules:\n  - {check: n + = 1}\n", "ends with an operator"),
        (BASE.replace("{id: n, label: 数}", "{id: n, label: 数, type: money}"), "type must be one of"),
        (BASE.replace("- paragraph:", "- picture:"), "unknown block"),
        ("- 1\n", "expected a mapping"),
        ("id: [\n", "not valid YAML"),
    ],
)
def test_template_mistakes_are_named(tmp_path, patch, message):
    with pytest.raises(TemplateError, match=message):
        load_template(_write(tmp_path, patch))


def test_derivation_cycles_are_refused(tmp_path):
    text = (
        BASE.replace("[{id: n, label: 数}]", "[{id: n, label: 数}, {id: m, label: 数2}]").replace(
            '"共{n}件"', '"共{n}{m}件"'
        )
        + "derive:\n  - {field: n, expression: m}\n  - {field: m, expression: n}\n"
    )
    with pytest.raises(TemplateError, match="depend on each other"):
        load_template(_write(tmp_path, text))


def test_unknown_template_lists_the_bundled_ones():
    with pytest.raises(TemplateError, match="gov-disclosure-2021"):
        load_template("gov-disclosure-1999")
