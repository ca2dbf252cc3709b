"""The report's arithmetic: derived totals, identities 1–5 of the 2021 format, the 2018 cumulative."""

from __future__ import annotations

import pytest

from workflows.arithmetic import check_answers


def messages(result, lang="zh"):
    return [f.render(lang) for f in result.findings]


def test_the_filled_2021_example_passes(template_2021, answers_2021, previous_2021):
    result = check_answers(template_2021, answers_2021, previous_2021)
    assert result.findings == []
    assert result.figures.missing() == []
    values = result.figures.values
    assert values["t3.new.total"] == 49
    assert values["t3.total_processed.natural"] == 39
    assert values["t3.total_processed.total"] == 48
    assert values["t4.cases.review_total"] == 2


def test_identity_1_flow_per_column(template_2021, answers_2021):
    answers_2021["t3.carried_out.natural"] = 5
    result = check_answers(template_2021, answers_2021)
    assert messages(result) == [
        "申请数量勾稽关系（自然人）：新收与上年结转之和（自然人） 43 与 办理总计与结转下年之和（自然人） 44 不符（相差 1）",
        "申请数量勾稽关系（总计）：新收与上年结转之和（总计） 53 与 办理总计与结转下年之和（总计） 54 不符（相差 1）",
    ]
    assert result.errors and all(f.rule_id == "t3.flow" for f in result.errors)


def test_identity_2_results_total(template_2021, answers_2021):
    answers_2021["t3.total_processed.business"] = 6
    result = check_answers(template_2021, answers_2021)
    assert messages(result) == ["（七）总计 · 商业企业：填报值 6 与（一）至（六）各项办理结果之和 5 不符"]
    assert result.errors[0].rule_id == "derived:t3.total_processed.business"
    assert "the sum of results (一) to (六) is 5" in messages(result, "en")[0]


def test_identity_3_applicant_total(template_2021, answers_2021):
    answers_2021["t3.new.total"] = 50
    result = check_answers(template_2021, answers_2021)
    assert messages(result) == [
        "一、本年新收政府信息公开申请数量 · 总计：填报值 50 与自然人与各类法人或其他组织之和 49 不符"
    ]


def test_identity_4_appeals_totals(template_2021, answers_2021):
    answers_2021["t4.cases.direct_total"] = 0
    result = check_answers(template_2021, answers_2021)
    assert messages(result) == [
        "行政诉讼·未经复议直接起诉·总计：填报值 0 与未经复议直接起诉各结果之和 1 不符"
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("t3.granted.legal", -1, "（一）予以公开 · 法律服务机构：不能为负数（收到的是 -1）"),
        ("t2.licensing.decisions", "1.5", "行政许可 · 本年处理决定数量：应为整数，收到的是 1.5"),
    ],
)
def test_identity_5_non_negative_integers(template_2021, answers_2021, field, value, message):
    answers_2021[field] = value
    assert message in messages(check_answers(template_2021, answers_2021))


def test_the_fee_may_be_a_decimal(template_2021, answers_2021):
    answers_2021["t2.fees.amount"] = "4068.208"
    assert check_answers(template_2021, answers_2021).findings == []


def test_soft_check_6_carry_over_warns(template_2021, answers_2021, previous_2021):
    previous_2021["t3.carried_out.natural"] = 2
    result = check_answers(template_2021, answers_2021, previous_2021)
    assert not result.errors
    assert [f.render() for f in result.warnings] == [
        "上年结转与上年报告衔接（自然人）：本年“上年结转”（自然人） 3 与 上年报告“结转下年度继续办理”（自然人） 2 不符（相差 1）",
        "上年结转与上年报告衔接（总计）：本年“上年结转”（总计） 4 与 上年报告“结转下年度继续办理”（总计） 3 不符（相差 1）",
    ]


def test_soft_check_7_stock_warns(template_2021, answers_2021, previous_2021):
    answers_2021["t2.normative.in_force"] = 25
    result = check_answers(template_2021, answers_2021, previous_2021)
    assert [f.rule_id for f in result.warnings] == ["t2.stock"]
    assert "现行有效件数 25 与 上年现行有效件数加本年制发减本年废止 21 不符" in result.warnings[0].render()


def test_year_over_year_checks_wait_for_last_year(template_2021, answers_2021):
    assert check_answers(template_2021, answers_2021).warnings == []


def test_2018_cumulative_is_last_years_plus_this_years(template_2018, answers_2018, previous_2018):
    result = check_answers(template_2018, answers_2018, previous_2018)
    assert result.findings == []
    values = result.figures.values
    assert values["appendix.proactive.cumulative"] == 1482
    assert values["appendix.proactive_web.cumulative"] == 1482
    assert values["appendix.requests.year"] == 0
    assert "appendix.proactive.cumulative" in result.figures.derived


def test_2018_categories_must_sum_to_the_total(template_2018, answers_2018, previous_2018):
    answers_2018["categories.news"] = 64
    result = check_answers(template_2018, answers_2018, previous_2018)
    assert messages(result) == ["主动公开分类合计：分类合计 160 与 主动公开总数 163 不符（相差 3）"]
    assert messages(result, "en") == [
        "proactive disclosure by category: 分类合计 160 does not match 主动公开总数 163 (difference 3)"
    ]


def test_2018_without_last_year_the_cumulative_is_asked(template_2018, answers_2018):
    result = check_answers(template_2018, answers_2018)
    missing = {f.id for f in result.figures.missing()}
    assert "appendix.proactive.cumulative" in missing
    answers_2018["appendix.proactive.cumulative"] = 1482
    assert check_answers(template_2018, answers_2018).figures.values["appendix.proactive.cumulative"] == 1482


def test_2018_a_given_cumulative_is_checked_against_last_year(template_2018, answers_2018, previous_2018):
    answers_2018["appendix.proactive.cumulative"] = 1480
    assert messages(check_answers(template_2018, answers_2018, previous_2018)) == [
        "主动公开文件数 · 历年累计：填报值 1480 与上年历年累计加本年数 1482 不符"
    ]


def test_2018_channel_parts_cannot_exceed_the_total(template_2018, answers_2018, previous_2018):
    answers_2018["appendix.proactive_web.year"] = 170
    result = check_answers(template_2018, answers_2018, previous_2018)
    assert "政府网站公开数（本年） 170 超过了 主动公开文件数（本年） 163" in messages(result)[0]


def test_unknown_ids_are_reported_not_fatal(template_2018, answers_2018, previous_2018):
    answers_2018["appendix.typo.year"] = 3
    result = check_answers(template_2018, answers_2018, previous_2018)
    assert [f.render() for f in result.warnings] == [
        "“appendix.typo.year”不是模板 gov-disclosure-2018 的字段，已忽略"
    ]


def test_a_round_amount_stored_in_exponent_form_reads_as_itself(template_2021):
    from decimal import Decimal

    from workflows.arithmetic import read_answers

    values, problems = read_answers(template_2021, {"t2.fees.amount": "1E+1"})
    assert values == {"t2.fees.amount": Decimal(10)} and problems == []
