"""What auditors require of the wording, from the 2021 template's content rules (markup is in test_content_rules.py)."""

from __future__ import annotations

import pytest

from tests.workflows.scenario import example_answers, template
from workflows.content_rules import content_findings, says_nothing
from workflows.model import ERROR, WARNING


def findings(values):
    return [(f.rule_id, f.severity, f.render("zh")) for f in content_findings(template(), values)]


@pytest.mark.parametrize(
    ("text", "empty"),
    [
        ("无", True),
        ("无。", True),
        (" 暂无问题！ ", True),
        ("“没有”", True),
        ("", True),
        ("有问题", False),
        ("无问题，但需加强", False),
    ],
)
def test_says_nothing(text, empty):
    assert says_nothing(text, ("无", "暂无问题", "没有")) is empty


def test_the_example_answers_break_no_rule():
    assert findings(example_answers()) == []


def test_none_is_not_an_answer_for_the_problems_part():
    assert findings({"problems.text": "无"}) == [
        (
            "content.problems.substance",
            ERROR,
            "存在的主要问题及改进情况：不能只写“无”或寥寥数语（现 1 字），请写明存在的主要问题及改进情况",
        ),
        (
            "content.problems.both",
            WARNING,
            "存在的主要问题及改进情况：应既写存在的问题，也写改进措施（未见：问题、改进）",
        ),
    ]


def test_a_short_problems_part_is_an_error_and_is_worded_in_english_too():
    (substance,) = content_findings(template(), {"problems.text": "存在问题，正在改进。"})
    assert substance.blocking
    assert substance.params["length"] == "8"  # punctuation is not counted
    assert substance.render("en") == (
        "存在的主要问题及改进情况: “none” or a few words (8 characters) is not enough; describe the main problems "
        "and how they are being improved"
    )
    assert substance.fields == ("problems.text",)


def test_problems_without_improvements_only_warn():
    text = "本年度依申请公开答复的规范性仍需提高，工作人员业务水平参差不齐，培训覆盖面不足，需要持续关注。"
    assert findings({"problems.text": text}) == [
        (
            "content.problems.both",
            WARNING,
            "存在的主要问题及改进情况：应既写存在的问题，也写改进措施（未见：改进）",
        )
    ]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("本机关无其他需要报告的事项。", "content.other.fees"),
        ("本年度收取信息处理费。", "content.other.fees_amount"),
        ("本年度收取信息处理费200元。", None),
        ("本年度收取信息处理费三百元。", None),
        ("本年度未收取信息处理费。", None),
    ],
)
def test_the_other_part_states_the_information_fee(text, rule):
    assert [rule_id for rule_id, _, _ in findings({"other.text": text})] == ([rule] if rule else [])


def test_the_overview_as_a_whole_has_a_length_limit():
    within = {"overview.text": "字" * 500, "overview.proactive.text": "文" * 500}
    assert findings(within) == []
    over = {**within, "overview.management.text": "多"}
    (finding,) = content_findings(template(), over)
    assert finding.rule_id == "content.overview.length"
    assert finding.render("zh") == "一、总体情况：共 1001 字，超过 1000 字的篇幅要求"
    assert finding.render("en") == "一、总体情况: 1001 characters, over the 1000-character limit"
    assert "overview.requests.text" in finding.fields  # whoever writes a part of 一 is told


def test_parts_not_written_yet_are_gaps_not_findings():
    assert findings({}) == []
    assert findings({"problems.text": "", "other.text": None}) == []
